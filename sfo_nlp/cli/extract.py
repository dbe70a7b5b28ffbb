"""sfo-nlp extract: show the structured document a review was read into."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import FormatOpt, Format, OutputOpt, PasswordOpt, emit, render_console, to_json
from sfo_nlp.ingest import load


@app.command()
def extract(
    path: Path = typer.Argument(..., help="A review: PDF, DOCX, or text/Markdown."),
    format: Format = FormatOpt("text", "json"),
    output: Optional[Path] = OutputOpt,
    password: Optional[str] = PasswordOpt,
    with_text: bool = typer.Option(False, "--with-text", help="json: include the joined body text."),
) -> None:
    """Read a review and show its pages, blocks, tables, footnotes and case metadata."""
    doc = load(path, password=password)
    if format is Format.json:
        emit(to_json(doc.to_dict(include_text=with_text)), output)
        return

    def draw(con) -> None:
        from sfo_nlp.report.summary import count_of

        con.print(f"[bold]{doc.source}[/bold]  {doc.format.upper()}, {count_of(doc.page_count, 'page')}, "
                  f"{count_of(len(doc.blocks), 'block')}, {count_of(len(doc.tables), 'table')}, "
                  f"{count_of(len(doc.footnotes), 'footnote')}, {count_of(doc.word_count, 'word')}")
        if doc.metadata:
            from sfo_nlp.ingest.metadata import as_stated

            con.print("Case details: " + "; ".join(f"{k}: {v}" for k, v in as_stated(doc.metadata)), markup=False)
        for w in doc.warnings:
            con.print(f"[yellow]warning:[/yellow] {w}")
        page = None
        for b in doc.blocks:
            if b.page != page:
                page = b.page
                con.rule(f"page {page}")
            if b.type == "heading":
                con.print(f"[bold]{'#' * (b.level or 1)} {b.text}[/bold]", markup=True)
            elif b.type == "table" and b.table is not None:
                t = doc.tables[b.table]
                where = f"page{'s' if len(t.pages) != 1 else ''} {', '.join(map(str, t.pages))}"
                rt = RichTable(title=f"table {t.id + 1} ({where})", show_lines=True)
                width = max(len(r) for r in t.rows) if t.rows else 0
                header = t.header + [""] * (width - len(t.header))
                for h in header:
                    rt.add_column(h)
                for row in t.body:
                    rt.add_row(*(row + [""] * (width - len(row))))
                con.print(rt)
            elif b.type == "footnote":
                con.print(f"[dim][{b.footnote}] {b.text}[/dim]", markup=True)
            else:
                prefix = {"list_item": "  - ", "contents": "  . ", "quote": "  > "}.get(b.type, "")
                con.print(prefix + b.text, markup=False)

    render_console(draw, output)
