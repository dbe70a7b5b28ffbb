"""sfo-nlp readability: the reading age of a review's prose and the paragraphs most worth rewriting."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import (FormatOpt, Format, OutputOpt, PasswordOpt, emit, print_doc_warning, render_console,
                                to_json)
from sfo_nlp.cli.victims import PathArg, _short, run_one
from sfo_nlp.errors import UsageError


@app.command()
def readability(
    path: Path = PathArg,
    threshold: Optional[float] = typer.Option(
        None, "--threshold", help="Target UK reading age (default: settings, 12; GOV.UK aims for about 9)."),
    format: Format = FormatOpt("text", "json"),
    output: Optional[Path] = OutputOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Reading age of the prose (tables, headings, footnotes and quotations are not scored),
    long sentences, passive voice, and the hardest paragraphs."""
    if threshold is not None and not 5 <= threshold <= 25:
        raise UsageError("--threshold is a reading age in years, between 5 and 25")
    doc, res = run_one(path, "victims.readability", password, {"reading_age_threshold": threshold})
    if format is Format.json:
        emit(to_json(res.to_dict()), output)
        return
    s = res.summary

    def draw(con) -> None:
        from sfo_nlp.report.summary import count_of

        if not s["prose_paragraphs"]:
            # A reading age of 0.0 "averaged over" no formulas would read as a score.
            con.print(f"[bold]{doc.source}[/bold]: no prose to score (no paragraphs or list items outside "
                      "headings, tables, footnotes and quotations); target reading age "
                      f"{s['threshold']:.0f}")
            return
        con.print(f"[bold]{doc.source}[/bold]: reading age [bold]{s['reading_age']:.1f}[/bold] "
                  f"(target {s['threshold']:.0f}); {count_of(s['prose_paragraphs'], 'prose paragraph')}, "
                  f"{s['paragraphs_over_threshold']} over the target")
        print_doc_warning(con, doc.page_note)
        con.print(f"{s['scale']}: {', '.join(s['formulas'])}", markup=False)
        con.print(f"{count_of(s['long_sentences'], 'sentence')} over {s['long_sentence_words']} words; "
                  f"passive voice in {s['passive_share']:.0%} of sentences")
        if s["sections"]:
            t = RichTable(title="By section")
            for c in ("section", "page", "reading age", "words"):
                t.add_column(c)
            for sec in s["sections"]:
                t.add_row(_short(sec["section"], 50), str(sec["page"]), f"{sec['reading_age']:.1f}", str(sec["words"]))
            con.print(t)
        if s["hardest"]:
            t = RichTable(title="Paragraphs most worth rewriting")
            for c in ("page", "reading age", "paragraph"):
                t.add_column(c, overflow="fold")
            for h in s["hardest"]:
                t.add_row(str(h["page"]), f"{h['reading_age']:.1f}", _short(h["text"], 90))
            con.print(t)

    render_console(draw, output)
