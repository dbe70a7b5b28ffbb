"""sfo-nlp jargon: every acronym and term of art, and whether it is explained for a lay reader."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Optional

from rich.table import Table as RichTable

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import (FormatOpt, Format, OutputOpt, PasswordOpt, emit, print_doc_warning, render_console,
                                to_json)
from sfo_nlp.cli.victims import PathArg, run_one

FIELDS = ("term", "count", "first_page", "explained", "how", "explained_before_first_use", "suggestion")


@app.command()
def jargon(
    path: Path = PathArg,
    format: Format = FormatOpt("text", "json", "csv"),
    output: Optional[Path] = OutputOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Acronyms (PDU, OASys, RoSH ...) and terms of art: explained inline, in a footnote, in a
    glossary, common knowledge, or not at all; and whether before their first use."""
    doc, res = run_one(path, "victims.jargon", password)
    terms = res.summary["terms"]
    if format is Format.json:
        emit(to_json({"terms": terms}), output)
        return
    if format is Format.csv:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(terms)
        emit(buf.getvalue(), output)
        return

    def draw(con) -> None:
        from sfo_nlp.report.summary import count_of

        s = res.summary
        con.print(f"[bold]{doc.source}[/bold]: {count_of(len(terms), 'term')}; {s['unexplained']} never explained, "
                  f"{s['explained_late']} explained only after first use")
        print_doc_warning(con, doc.page_note)
        t = RichTable()
        for c in ("term", "uses", "first page", "explained", "before first use"):
            t.add_column(c)
        for r in terms:
            how = r["how"] if r["explained"] else "[red]no[/red]"
            t.add_row(r["term"], str(r["count"]), str(r["first_page"] or ""), how,
                      "yes" if r["explained_before_first_use"] else "[yellow]no[/yellow]")
        con.print(t)
        todo = [r for r in terms if not r["explained"] or not r["explained_before_first_use"]]
        if todo:
            con.print("[bold]Suggestions[/bold] (explain each where it is first used):")
            for r in todo:
                con.print(f"  p.{r['first_page'] or '?'}  {r['term']}: {r['suggestion']}", markup=False)

    render_console(draw, output)
