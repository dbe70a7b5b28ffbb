"""sfo-nlp actions: read a review's action plan row by row and say what each action lacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import (FormatOpt, Format, OutputOpt, PasswordOpt, check_format, emit, print_doc_warning,
                                render_console, to_json)
from sfo_nlp.errors import UsageError

ITEM_KEYS = ("specific", "measurable", "owner", "time_bound", "level", "developmental", "strength", "confidence")


def _items_jsonl(path: Path) -> str:
    from sfo_nlp.checks.actions_plan import list_fields
    from sfo_nlp.learn.infer import classify_actions
    from sfo_nlp.learn.lines import classify_file_jsonl

    def classify(lines, order, spans):
        # "Owner: PTA. By 31/08/24." parts of a line are its columns, as in a list plan
        fields = [list_fields(lines[i])[2] for i in order]
        return classify_actions([spans[i] for i in order], fields)

    blank = {"specific": False, "measurable": False, "owner": False, "time_bound": False, "level": None,
             "developmental": False, "strength": None, "confidence": 1.0}
    return classify_file_jsonl(path, classify, ITEM_KEYS, blank)


@app.command()
def actions(
    path: Optional[Path] = typer.Argument(None, help="A review: PDF, DOCX, or text/Markdown."),
    items: Optional[Path] = typer.Option(
        None, "--items", help="A text file with one action per line (output: JSONL in the same order)."),
    format: Format = FormatOpt("text", "json", "jsonl"),
    output: Optional[Path] = OutputOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Check each action of a review's plan: specific, measurable, owner, time-bound, level,
    developmental, strength, and which findings it addresses."""
    if (path is None) == (items is None):
        raise UsageError("give either a review PATH or --items FILE (one of them)")
    if items is not None:
        check_format(format, ("text", "jsonl"))  # lines always come back as JSONL
        emit(_items_jsonl(items), output)
        return
    from sfo_nlp.checks import run_checks
    from sfo_nlp.ingest import load

    doc = load(path, password=password)
    results = run_checks(doc, ["actions"])
    result = results["actions"]
    if format is Format.json:
        emit(to_json({"source": doc.source, **result.to_dict()}), output)
        return
    if format is Format.jsonl:
        emit("".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in result.findings), output)
        return
    render_console(lambda con: _draw(con, doc, result, results["judgements"]), output)


def _draw(con, doc, result, judged) -> None:
    from sfo_nlp.report.summary import count_of

    s = result.summary
    if not s["count"]:
        con.print(f"[bold]{doc.source}[/bold]: no action plan found (looked for a table with an action "
                  "column and for list items under an action, learning or recommendation heading).")
        print_doc_warning(con, doc.page_note)
        return
    con.print(f"[bold]{doc.source}[/bold]: {count_of(s['count'], 'action')} (from a {s['plan_source']})")
    print_doc_warning(con, doc.page_note)
    con.print(f"Levels covered: {', '.join(s['levels_covered']) or 'none'}; deficits judged at: "
              f"{', '.join(s['deficit_levels']) or 'none'}")
    if s["levels_missing"]:
        con.print(f"[yellow]No action at level:[/yellow] {', '.join(s['levels_missing'])}")
    sm = s["smart"]
    con.print(f"Specific {sm['specific']}, measurable {sm['measurable']}, owner {sm['owner']}, time-bound "
              f"{sm['time_bound']}; developmental {s['developmental']}; weak {s['weak']}; learning shared with "
              f"partners: {'yes' if s['partner_sharing'] else 'not stated'}")
    con.print(f"Deficit findings with no action: {s['findings_without_action']}; actions with no finding: "
              f"{s['actions_without_finding']}")
    names = {"specific": "specific wording", "measurable": "a measure of impact", "owner": "an owner",
             "time_bound": "a date or timescale", "developmental": "developmental activity"}
    for f in result.findings:
        d = f.data
        where = f"row {d['row']}" if d["row"] else "item"
        con.print(f"\n[bold]{where}[/bold] (page {f.page}): {f.quote}", highlight=False)
        con.print(f"   level {d['level']} - strength {d['strength']} - confidence {f.confidence:.2f}"
                  + (f" - date {d['date']}" if d["date"] else ""))
        if d["missing"]:
            con.print("   [yellow]lacks:[/yellow] " + ", ".join(names[m] for m in d["missing"] if m in names))
        rel = d["relevant"][:2]
        for r in rel:
            con.print(f"   addresses: \"{judged.findings[r['finding']].quote}\"", highlight=False)
        if not rel:
            con.print("   addresses no deficit judgement found in the review")
