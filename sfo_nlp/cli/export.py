"""sfo-nlp export: the QA feedback note with the inspector's confirmed answers."""

from __future__ import annotations

import sys
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
    output: Optional[Path] = output_option("File to write, replacing one already there (required for docx; "
                                           "a .docx name writes Word)."),
    db: Optional[Path] = DbOpt,
    standards: str = StandardsOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Write the feedback note: confirmed answers are official, the rest marked DRAFT."""
    from sfo_nlp import report

    if format is Format.docx and output is None:
        from sfo_nlp.errors import UsageError

        raise UsageError("--format docx writes a Word file: give --output FILE.docx")
    result, decisions, store_path = _result_and_decisions(path, db, standards, password)
    note = report.build_note(result, decisions)
    if not decisions:
        _say_all_draft(note, store_path)
    emit(report.render_note_md(note) if format is Format.md else report.render_note_docx(note), output)


def _result_and_decisions(path: Path, db: Optional[Path], standards: str, password: Optional[str]):
    """The analysis and the inspector's decisions; with no store yet there are none, and the
    note is all DRAFT. A store is never created here: only confirming makes one worth having."""
    from sfo_nlp.analyse import analyse_path, stored_or_analyse
    from sfo_nlp.store import Store, default_path

    store_path = Path(db) if db is not None else default_path()
    if not store_path.is_file():
        _, analysis = analyse_path(path, password=password, standards=standards)
        return analysis.to_dict(), [], store_path
    with Store(store_path) as store:
        result = stored_or_analyse(path, store, standards, password)
        return result, store.decisions(result["sha256"], result["standards_version"]), store_path


def _say_all_draft(note, store_path: Path) -> None:
    """A note with nothing confirmed is still written, but a mistyped --db must not pass unseen."""
    where = f"in {store_path}" if store_path.is_file() else f"(no store at {store_path} yet)"
    print(f"note: no answers confirmed for this review {where}: every answer is DRAFT "
          f"({note.confirmed_count} of {note.prompt_count} confirmed)", file=sys.stderr)
