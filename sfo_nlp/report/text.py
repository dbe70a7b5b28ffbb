"""The terminal summary (rich): composite, the four ratings, weakest prompts, top fixes."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sfo_nlp.report.note import ANSWER_WORDS, DRAFT_NOTICE
from sfo_nlp.report.summary import count_of, top_fixes, weakest

STYLE = {"yes": "green", "partly": "yellow", "no": "red", "not_evidenced": "dim"}


def draw_summary(con: Console, result: dict) -> None:
    con.print(f"[bold]{escape(result['source'])}[/bold]  ({count_of(result['pages'], 'page')}, HMIP {result['standards_version']} standards)",
              markup=True, highlight=False)
    con.print(DRAFT_NOTICE, style="bold red", markup=False)
    if result.get("metadata"):
        from sfo_nlp.ingest.metadata import as_stated

        con.print(Text("Case: " + "; ".join(f"{k}: {v}" for k, v in as_stated(result["metadata"]))))
    for w in result.get("warnings", []):
        con.print(Text("warning: " + w, style="yellow"))
    comp = result["composite"]
    con.print(f"\nComposite (DRAFT): [bold]{comp['label']}[/bold] ({comp['score']}/12)", markup=True)
    t = Table(show_header=True, header_style="bold")
    t.add_column("Standard")
    t.add_column("Draft rating")
    t.add_column("Basis")
    for r in result["ratings"]:
        t.add_row(Text(f"{r['standard']}. {r['title']}"), r["label"], Text(r["basis"].replace("DRAFT: ", "")))
    con.print(t)
    w = Table(title="Weakest prompts", show_header=True, header_style="bold", title_justify="left")
    w.add_column("Prompt")
    w.add_column("Draft")
    w.add_column("Conf.")
    w.add_column("Why")
    for a in weakest(result):
        w.add_row(a["prompt_id"], f"[{STYLE[a['answer']]}]{ANSWER_WORDS[a['answer']]}[/]", f"{a['confidence']:.2f}",
                  Text(a["reason"]))
    con.print(w)
    missing = [a["prompt_id"] for a in result["answers"] if a["answer"] == "not_evidenced"]
    if missing:
        con.print(f"[dim]Not evidenced (a check this prompt needs did not run): {', '.join(missing)}[/dim]", markup=True)
    con.print("\n[bold]Top fixes[/bold]", markup=True)
    fixes = top_fixes(result)
    for i, (pid, fix) in enumerate(fixes, start=1):
        con.print(f" {i}. ({pid}) {fix}", markup=False, highlight=False)
    if not fixes:  # a heading over nothing looks like a fault
        con.print(" No specific suggestion from the checks: see the weakest prompts above.", markup=False)
