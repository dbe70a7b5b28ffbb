"""sfo-nlp evaluate: every registered evaluator, one table of metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from rich.text import Text

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import FormatOpt, Format, OutputOpt, emit, render_console, to_json


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.3f}"


def _status(m) -> str:
    return {None: "", True: "meets", False: "BELOW"}[m.meets_target]


@app.command()
def evaluate(
    split: str = typer.Option("test", "--split", help="Corpus split to score on: test (default) or train."),
    only: Optional[list[str]] = typer.Option(None, "--only", help="Run only these evaluators (repeatable)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder (default: corpus_samples).", file_okay=False),
    format: Format = FormatOpt("text", "json", "md"),
    output: Optional[Path] = OutputOpt,
) -> None:
    """Score the checks and the DRAFT prompt answers on the corpus test split and dev-real."""
    from sfo_nlp.errors import UsageError
    from sfo_nlp.evaluation import EvalContext, all_evaluators

    if split not in ("test", "train"):
        raise UsageError("--split must be test or train")
    evaluators = all_evaluators()
    if only:
        unknown = sorted(set(only) - set(evaluators))
        if unknown:
            raise UsageError(f"unknown evaluator(s): {', '.join(unknown)} (known: {', '.join(evaluators)})")
        evaluators = {k: v for k, v in evaluators.items() if k in only}
    ctx = EvalContext(split=split)
    if corpus is not None:
        ctx.corpus_dir = corpus
    metrics = []
    for name, fn in evaluators.items():
        metrics.extend(fn(ctx))
    if format is Format.json:
        emit(to_json([m.to_dict() for m in metrics]), output)
        return
    if format is Format.md:
        lines = ["| Area | Dataset | Metric | Value | n | Target | Status | Note |", "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {m.area} | {m.dataset} | {m.name} | {_fmt(m.value)} | {m.n} | {_fmt(m.target)} | {_status(m)} | {m.note} |"
                  for m in metrics]
        emit("\n".join(lines) + "\n", output)
        return

    def draw(con) -> None:
        con.width = max(con.width, 130)  # eight columns: a narrow pipe would wrap every name
        t = Table(title=f"sfo-nlp evaluation (corpus split: {split})", header_style="bold")
        for col in ("Area", "Dataset", "Metric", "Value", "n", "Target", "Status", "Note"):
            t.add_column(col)
        for m in metrics:
            status = _status(m)
            t.add_row(m.area, m.dataset, Text(m.name), _fmt(m.value), str(m.n), _fmt(m.target),
                      Text(status, style={"meets": "green", "BELOW": "red"}.get(status, "")), Text(m.note))
        con.print(t)

    render_console(draw, output)
