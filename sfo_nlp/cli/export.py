"""sfo-nlp export: the QA feedback note with the inspector's confirmed answers."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sfo_nlp.cli.analyse import StandardsOpt
from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import FormatOpt, Format, PasswordOpt, emit, output_option
from sfo_nlp.cli.confirm import DbOpt


@app.command()
def export(
    path: Path = typer.Argument(..., help="The review (PDF, DOCX or text) whose feedback to write."),
    format: Format = FormatOpt("md", "docx"),
    output: Optional[Path] = output_option("File to write (required for docx; a .docx name writes Word)."),
    db: Optional[Path] = DbOpt,
    standards: str = StandardsOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Write the feedback note: confirmed answers are official, the rest marked DRAFT."""
    from sfo_nlp import report
    from sfo_nlp.analyse import stored_or_analyse
    from sfo_nlp.store import Store, require_existing

    require_existing(db, "give the --db that 'sfo-nlp confirm' saved the decisions in")
    if format is Format.docx and output is None:
        from sfo_nlp.errors import UsageError

        raise UsageError("--format docx writes a Word file: give --output FILE.docx")
    with Store(db) as store:
        result = stored_or_analyse(path, store, standards, password)
        decisions = store.decisions(result["sha256"], result["standards_version"])
    note = report.build_note(result, decisions)
    emit(report.render_note_md(note) if format is Format.md else report.render_note_docx(note), output)
