"""sfo-nlp batch: pre-screen a folder of reviews into the local store and rank them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table as RichTable
from rich.text import Text

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import (FormatOpt, Format, OutputOpt, PasswordOpt, _check_db, emit, plural, render_console,
                                to_json)
from sfo_nlp.corpus import triage
from sfo_nlp.corpus.batch import archives, cap_workers, discover, failure_line, run_batch
from sfo_nlp.store import Store

DbOpt = typer.Option(None, "--db", help="SQLite file to store results in (default: your user data folder, "
                     "or SFO_NLP_DB).", dir_okay=False, callback=_check_db)


def default_workers() -> int:
    # Each worker holds its own spaCy model (a few hundred MB), so cap it for laptops.
    return max(1, min(4, os.cpu_count() or 1))


@app.command()
def batch(
    source: str = typer.Argument(..., help="A folder (searched recursively), a quoted glob such as "
                                 "'reviews/*.pdf', or one file."),
    db: Optional[Path] = DbOpt,
    workers: int = typer.Option(default_workers(), "--workers", "-w", help="Worker processes (at most one per CPU: more is reduced to that, with a note)."),
    standards: str = typer.Option("2023", "--standards", help="Standards version: 2023 or 2021."),
    password: Optional[str] = PasswordOpt,
    retry_errors: bool = typer.Option(False, "--retry-errors", help="Try again files that failed before "
                                      "(by default an unchanged file that failed is skipped)."),
    format: Format = FormatOpt("text", "csv", "json"),
    output: Optional[Path] = OutputOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Analyse every review in a folder or glob (re-runs skip unchanged files) and rank them for triage.

    The ranking puts the reviews with the lowest DRAFT composite rating first, then those whose weakest standard is weakest. Ratings are the analyser's drafts for an inspector to confirm. A file that does not look like an SFO review (far too short, no headings) is listed as "not a review" and not ranked. Byte-identical files under two names are analysed once, the copy listed as "same file as" the other. Zip archives are never opened (unzip them first and pass the folder); a folder's zips are listed as not read.

    Exit status: 0 every file is analysed; 1 the batch finished but some files failed (now, or in an earlier run and unchanged since: they are listed with their error); 2 nothing was run (bad options, no files found, database unusable); 130 interrupted with Ctrl+C (run the same command again to resume).
    """
    from sfo_nlp.standards import load_standards

    load_standards(standards)  # an unknown version fails once, not once per file
    workers, note = cap_workers(workers)
    files = discover(source)
    zips = archives(source)
    err = Console(stderr=True, highlight=False)
    if note:
        err.print(note, markup=False)
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
        emit(to_json({"summary": summary.to_dict(), "reviews": rows, "errors": failures,
                      "same_file_as_another": summary.duplicates,
                      "zip_archives_not_read": [str(z) for z in zips]}), output)
    elif format is Format.csv:
        emit(triage.to_csv(rows, failures, summary.duplicates, zips), output)
    else:
        render_console(lambda con: _draw(con, rows, summary, zips), output)
    err.print(_summary_line(summary, store.path, len(zips)), markup=False)
    if summary.interrupted:
        raise typer.Exit(130)
    if summary.failed:
        raise typer.Exit(1)  # finished, but a script must be able to tell that files failed


def _summary_line(summary, db: Path, zips: int = 0) -> str:
    """One line whose parts add up to the files found (a copy counts as 'same file as another')."""
    failed = f"{summary.failed} failed"
    if summary.failed_before:
        failed += (f" ({summary.failed_before} in an earlier run and unchanged since; "
                   "--retry-errors tries them again)")
    same = f"{len(summary.duplicates)} same file as another, " if summary.duplicates else ""
    line = (f"{plural(summary.files, 'file')}: {summary.analysed} analysed, {summary.skipped} already stored, "
            f"{same}{failed}, in {summary.seconds:.1f} s with {plural(summary.workers, 'worker')}; "
            f"results in {db}")
    if zips:
        line += f"; {plural(zips, 'zip archive')} not read (unzip first)"
    if summary.interrupted:
        line += ". Interrupted: run the same command again to resume"
    return line


SHORT = {"Outstanding": "O", "Good": "G", "Requires improvement": "RI", "Inadequate": "I"}


# The review name gets what the score columns leave: a long name is cut short with an
# ellipsis (the full path is in --format csv/json), never the scores squeezed out.
MIN_NAME_WIDTH = 12


def _draw(con, rows, summary, zips=()) -> None:
    ranked = [r for r in rows if not r["not_review"]]
    if ranked:
        _draw_table(con, ranked)
    else:
        con.print("No review to rank: no file of this batch was analysed as an SFO review.")
    _draw_not_ranked(con, rows, summary, zips)


def _draw_table(con, ranked) -> None:
    t = RichTable(title="Triage: likely weakest reviews first (DRAFT ratings, for an inspector to confirm)",
                  caption="S1 analysis of practice, S2 judgements, S3 learning, S4 victims and families (scores 0-3); "
                  "O Outstanding, G Good, RI Requires improvement, I Inadequate")
    # Each column costs 3 characters of border and padding. On a narrow terminal the
    # optional columns go first (offence, region, then weakest, which S1-S4 also show),
    # before the name is cut below MIN_NAME_WIDTH; the scores always stay.
    fixed = 3 + 9 + 4 * 2 + 3 * 7 + 1  # "#", composite, S1-S4, borders (review column included)
    spare = con.width - fixed
    widths = {}
    # A name needs no more room than the longest name shown (short names leave the room
    # to region and offence).
    longest = max((len(r["review"]) for r in ranked), default=0)
    # (column, width wanted, least width worth showing, name width it must leave)
    for name, want, least, leave in (("weakest", 7, 7, MIN_NAME_WIDTH), ("region", 12, 12, 16),
                                     ("offence", 22, 12, 28)):
        leave = max(MIN_NAME_WIDTH, min(leave, longest))
        room = spare - leave - sum(w + 3 for w in widths.values()) - 3
        if room >= least:
            widths[name] = min(want, room)
    name_w = max(MIN_NAME_WIDTH, spare - sum(w + 3 for w in widths.values()))
    t.add_column("#", justify="right", min_width=3, no_wrap=True)
    t.add_column("review", no_wrap=True, overflow="ellipsis", max_width=name_w)
    t.add_column("composite", no_wrap=True, min_width=9)
    if "weakest" in widths:
        t.add_column("weakest", no_wrap=True, min_width=7)
    for s in "1234":
        t.add_column(f"S{s}", justify="right", min_width=2, no_wrap=True)
    if "region" in widths:
        t.add_column("region", max_width=widths["region"], overflow="fold")
    if "offence" in widths:
        t.add_column("offence", max_width=widths["offence"], overflow="fold")
    for r in ranked:
        comp = f"{r['composite_score']}/12 {SHORT.get(r['composite'], r['composite'])}" if r["composite_score"] is not None else "-"
        weakest = f"S{r['weakest_standard']} {SHORT.get(r['weakest_label'], '')}" if r["weakest_standard"] else "-"
        t.add_row(str(r["rank"]), Text(r["review"]), comp, *([weakest] if "weakest" in widths else []),
                  *(str(r[f"s{s}"]) if r[f"s{s}"] is not None else "-" for s in "1234"),
                  *(Text(r[c] or "") for c in ("region", "offence") if c in widths))
    con.print(t)


def _draw_not_ranked(con, rows, summary, zips) -> None:
    """Every file of the batch that is not a row of the table, each with why."""
    from sfo_nlp.ingest.guards import ZIP_NOT_READ

    for r in rows:
        if r["not_review"]:
            con.print(Text(f"not a review (not ranked): {r['review']}: {r['not_review']}", style="yellow"),
                      soft_wrap=True)
    for f in summary.failures:
        when = " (failed in an earlier run; unchanged since)" if f.get("earlier") else ""
        con.print(Text.assemble(("failed: ", "red"), failure_line(f["path"], f["error"]) + when), soft_wrap=True)
    for d in summary.duplicates:
        con.print(Text(f"same file as {Path(d['same_as']).name} (analysed once): {Path(d['path']).name}",
                       style="yellow"), soft_wrap=True)
    for z in zips:
        con.print(Text(f"not read: {z.name}: {ZIP_NOT_READ}", style="yellow"), soft_wrap=True)
