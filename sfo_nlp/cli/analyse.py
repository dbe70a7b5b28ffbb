"""sfo-nlp analyse: DRAFT answers to every prompt, ratings and a report for one review."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import FormatOpt, Format, OutputOpt, PasswordOpt, emit, render_console, to_json
from sfo_nlp.standards import STANDARDS_VERSIONS

StandardsOpt = typer.Option("2023", "--standards", help=f"HMIP standards version: {' or '.join(STANDARDS_VERSIONS)}.")


@app.command()
def analyse(
    path: Path = typer.Argument(..., help="A review: PDF, DOCX, or text/Markdown."),
    standards: str = StandardsOpt,
    format: Format = FormatOpt("text", "json", "html", "md", "docx"),
    output: Optional[Path] = OutputOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Pre-screen a review: DRAFT answer, evidence and reason for every prompt of the standards."""
    from sfo_nlp import report
    from sfo_nlp.analyse import analyse_path
    from sfo_nlp.standards import load_standards

    load_standards(standards)  # an unknown version fails before the file is read
    if format is Format.docx and output is None:
        from sfo_nlp.errors import UsageError

        raise UsageError("--format docx writes a Word file: give --output FILE.docx")
    doc, analysis = analyse_path(path, password=password, standards=standards)
    result = analysis.to_dict()
    if format is Format.json:
        emit(to_json(result), output)
    elif format is Format.html:
        emit(report.render_html(result, doc), output)
    elif format is Format.md:
        emit(report.render_note_md(report.build_note(result)), output)
    elif format is Format.docx:
        emit(report.render_note_docx(report.build_note(result)), output)
    else:
        render_console(lambda con: report.draw_summary(con, result), output)
