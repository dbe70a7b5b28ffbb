"""sfo-nlp judgements: the judgements a review makes (target, polarity, evidence, why)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import (FormatOpt, Format, OutputOpt, PasswordOpt, check_format, emit, print_doc_warning,
                                render_console, to_json)
from sfo_nlp.errors import UsageError

SENTENCE_KEYS = ("is_judgement", "target", "polarity", "evidence", "why", "confidence")


def _sentences_jsonl(path: Path) -> str:
    from sfo_nlp.learn.infer import classify_judgements
    from sfo_nlp.learn.lines import classify_file_jsonl

    blank = {"is_judgement": False, "target": None, "polarity": None, "evidence": False, "why": False,
             "confidence": 1.0}
    return classify_file_jsonl(
        path, lambda lines, order, spans: classify_judgements([spans[i] for i in order]), SENTENCE_KEYS, blank)


@app.command()
def judgements(
    path: Optional[Path] = typer.Argument(None, help="A review: PDF, DOCX, or text/Markdown."),
    sentences: Optional[Path] = typer.Option(
        None, "--sentences", help="A text file with one sentence per line (output: JSONL in the same order)."),
    format: Format = FormatOpt("text", "json", "jsonl"),
    output: Optional[Path] = OutputOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Show each judgement in a review: whose practice it judges, deficit or good, with or
    without evidence, and which levels the review never judges."""
    if (path is None) == (sentences is None):
        raise UsageError("give either a review PATH or --sentences FILE (one of them)")
    if sentences is not None:
        check_format(format, ("text", "jsonl"))  # text is the default: lines always come back as JSONL
        emit(_sentences_jsonl(sentences), output)
        return
    from sfo_nlp.checks import run_checks
    from sfo_nlp.ingest import load

    doc = load(path, password=password)
    result = run_checks(doc, ["judgements"])["judgements"]
    if format is Format.json:
        emit(to_json({"source": doc.source, **result.to_dict()}), output)
        return
    if format is Format.jsonl:
        emit("".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in result.findings), output)
        return
    render_console(lambda con: _draw(con, doc, result), output)


def _draw(con, doc, result) -> None:
    from sfo_nlp.report.summary import count_of

    s = result.summary
    con.print(f"[bold]{doc.source}[/bold]: {count_of(s['count'], 'judgement')} in "
              f"{count_of(s['sentences'], 'sentence')} "
              f"({'trained model' if s.get('source') == 'model' else 'rules only'})")
    print_doc_warning(con, doc.page_note)
    if s["count"]:
        con.print("By target: " + ", ".join(f"{t} {n} ({s['share_by_target'][t]:.0%})" for t, n in s["by_target"].items()))
        con.print("By polarity: " + ", ".join(f"{p} {n}" for p, n in s["by_polarity"].items()))
        con.print(f"Without evidence: {s['without_evidence']}; explaining why: {s['with_why']}; "
                  f"stating significance: {s['with_significance']}")
    if s["levels_not_judged"]:
        con.print(f"[yellow]Never judged:[/yellow] {', '.join(s['levels_not_judged'])}")
    for f in result.findings:
        d = f.data
        flags = ["evidence" if d["evidence"] else "[yellow]no evidence[/yellow]"]
        if d["why"]:
            flags.append("why")
        if d["significance"]:
            flags.append("significance")
        con.print(f"\np.{f.page}  [bold]{d['polarity']}[/bold] - {d['target']} - {', '.join(flags)} "
                  f"- confidence {f.confidence:.2f}")
        con.print(f"   {f.quote}", markup=False, highlight=False)
