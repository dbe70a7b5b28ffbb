"""sfo-nlp batch: pre-screen a folder of reviews into the local store and rank them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import FormatOpt, Format, OutputOpt, PasswordOpt, emit, render_console, to_json
from sfo_nlp.corpus import triage
from sfo_nlp.corpus.batch import discover, run_batch
from sfo_nlp.store import Store

DbOpt = typer.Option(None, "--db", help="SQLite file to store results in (default: your user data folder, "
                     "or SFO_NLP_DB).", dir_okay=False)


def default_workers() -> int:
    # Each worker holds its own spaCy model (a few hundred MB), so cap it for laptops.
    return max(1, min(4, os.cpu_count() or 1))


@app.command()
def batch(
    source: str = typer.Argument(..., help="A folder (searched recursively), a quoted glob such as "
                                 "'reviews/*.pdf', or one file."),
    db: Optional[Path] = DbOpt,
    workers: int = typer.Option(default_workers(), "--workers", "-w", help="Worker processes."),
    standards: str = typer.Option("2023", "--standards", help="Standards version: 2023 or 2021."),
    password: Optional[str] = PasswordOpt,
    retry_errors: bool = typer.Option(False, "--retry-errors", help="Try again files that failed before "
                                      "(by default an unchanged file that failed is skipped)."),
    format: Format = FormatOpt("text", "csv", "json"),
    output: Optional[Path] = OutputOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Analyse every review in a folder or glob (re-runs skip unchanged files) and rank them for triage.

    The ranking puts the reviews with the lowest DRAFT composite rating first, then those whose weakest standard is weakest. Ratings are the analyser's drafts for an inspector to confirm.
    """
    from sfo_nlp.standards import load_standards

    load_standards(standards)  # an unknown version fails once, not once per file
    files = discover(source)
    err = Console(stderr=True, highlight=False)
    with Store(db) as store:
        with Progress(
            TextColumn("[bold]analysing[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("left"), TimeRemainingColumn(), console=err, disable=quiet or not err.is_terminal,
        ) as bar:
            task = bar.add_task("batch", total=len(files))

            def on_event(event: str, result) -> None:
                if event in ("done", "skip"):
                    bar.advance(task)

            summary = run_batch(files, store, workers=workers, standards=standards, password=password,
                                progress=on_event, retry_errors=retry_errors)
        rows = triage.triage_rows(
            [a for a in store.list_analyses() if a["standards"] == standards], summary.shas
        )
    failures = summary.failures
    if format is Format.json:
        emit(to_json({"summary": summary.to_dict(), "reviews": rows, "errors": failures}), output)
    elif format is Format.csv:
        emit(triage.to_csv(rows, failures), output)
    else:
        render_console(lambda con: _draw(con, rows, summary), output)
    err.print(_summary_line(summary, store.path))
    if summary.interrupted:
        raise typer.Exit(130)


def _summary_line(summary, db: Path) -> str:
    line = (f"{summary.files} files: {summary.analysed} analysed, {summary.skipped} already stored or failed "
            f"before, {summary.failed} failed, in {summary.seconds:.1f} s with {summary.workers} "
            f"worker{'s' if summary.workers != 1 else ''}; results in {db}")
    if summary.interrupted:
        line += ". Interrupted: run the same command again to resume"
    return line


SHORT = {"Outstanding": "O", "Good": "G", "Requires improvement": "RI", "Inadequate": "I"}


def _draw(con, rows, summary) -> None:
    t = RichTable(title="Triage: likely weakest reviews first (DRAFT ratings, for an inspector to confirm)",
                  caption="S1 analysis of practice, S2 judgements, S3 learning, S4 victims and families (scores 0-3); "
                  "O Outstanding, G Good, RI Requires improvement, I Inadequate")
    t.add_column("#", justify="right", min_width=2)
    t.add_column("review", no_wrap=True)
    t.add_column("composite", no_wrap=True)
    t.add_column("weakest", no_wrap=True)
    for s in "1234":
        t.add_column(f"S{s}", justify="right", min_width=2)
    t.add_column("region", max_width=16, overflow="fold")
    t.add_column("offence", max_width=22, overflow="fold")
    for r in rows:
        comp = f"{r['composite_score']}/12 {SHORT.get(r['composite'], r['composite'])}" if r["composite_score"] is not None else "-"
        weakest = f"S{r['weakest_standard']} {SHORT.get(r['weakest_label'], '')}" if r["weakest_standard"] else "-"
        t.add_row(str(r["rank"]), r["review"], comp, weakest,
                  *(str(r[f"s{s}"]) if r[f"s{s}"] is not None else "-" for s in "1234"),
                  r["region"] or "", r["offence"] or "")
    con.print(t)
    for f in summary.failures:
        con.print(f"[red]failed:[/red] {f['path']}: {f['error']}", markup=True, soft_wrap=True)
