"""sfo-nlp themes: practice themes across the reviews stored by 'sfo-nlp batch'."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from sfo_nlp.cli.app import app
from sfo_nlp.cli.batch import DbOpt
from sfo_nlp.cli.common import (FormatOpt, Format, OutputOpt, _check_output_dir, emit, plural, render_console,
                                to_json)
from sfo_nlp.errors import SfoError
from sfo_nlp.store import Store, require_existing


@app.command()
def themes(
    db: Optional[Path] = DbOpt,
    output_dir: Optional[Path] = typer.Option(None, "--output-dir", "-d", file_okay=False,
                                              callback=_check_output_dir,
                                              help="Write CSV tables, PNG charts and themes.html here."),
    standards: Optional[str] = typer.Option(None, "--standards", help="Only reviews analysed under this "
                                            "standards version (default: all)."),
    format: Format = FormatOpt("text", "json"),
    output: Optional[Path] = OutputOpt,
) -> None:
    """Find practice themes across stored reviews: seeded taxonomy, discovered topics, prevalence."""
    if standards is not None:
        from sfo_nlp.standards import load_standards

        load_standards(standards)  # an unknown version is an error, not "no analysed reviews"
    require_existing(db, f"create it with: sfo-nlp batch FOLDER --db {db}")
    if db is None and not Store().path.is_file():
        raise SfoError(f"no reviews stored yet in {Store().path}; run: sfo-nlp batch FOLDER")
    from sfo_nlp.corpus.theme_analysis import analyse_themes

    with Store(db) as store:
        _require_standards_stored(store, standards)
        report = analyse_themes(store, standards=standards)
    written = []
    if output_dir is not None:
        from sfo_nlp.corpus.theme_outputs import write_outputs

        written = write_outputs(report, output_dir)
    if format is Format.json:
        emit(to_json(report.to_dict() | {"files": [str(p) for p in written]}), output)
        return
    render_console(lambda con: _draw(con, report, written), output)


def _require_standards_stored(store: Store, standards: Optional[str]) -> None:
    """Name the versions stored: 'run batch first' is wrong advice when reviews are stored under another."""
    counts = store.standards_counts()
    if standards is None or standards in counts or not counts:
        return
    stored = ", ".join(f"{v} ({n} review{'s' if n != 1 else ''})" for v, n in counts.items())
    use = f"--standards {next(iter(counts))}" if len(counts) == 1 else "--standards with one of those"
    raise SfoError(f"no reviews in {store.path} were analysed under the {standards} standards; stored: {stored}. "
                   f"Use {use}, or run: sfo-nlp batch FOLDER --standards {standards} --db {store.path}")


KINDS = ("seeded: a theme listed in advance (rules/themes.yaml), found by its words; "
         "discovered: a theme found by grouping paragraphs that use the same words")


def _draw(con, report, written) -> None:
    t = RichTable(title=f"Themes across {plural(len(report.reviews), 'review')} "
                        f"({plural(len(report.paragraphs), 'paragraph')})", caption=KINDS)
    for col, kw in (("theme", {}), ("kind", {}), ("reviews", {"justify": "right"}), ("%", {"justify": "right"}),
                    ("paragraphs", {"justify": "right"})):
        t.add_column(col, **kw)
    for r in sorted(report.overall(), key=lambda r: (r["kind"] != "seeded", -r["share"])):
        t.add_row(r["name"], r["kind"], f"{r['reviews_with_theme']}/{r['reviews_in_group']}",
                  f"{100 * r['share']:.0f}", str(r["paragraphs"]))
    con.print(t)
    if report.not_counted:
        con.print(f"Not counted in any figure ({len(report.not_counted)}): " + "; ".join(
            f"{name}: {why}" for name, why in report.not_counted.items()), markup=False)
    if report.boilerplate:
        con.print("Left out as boilerplate, not evidence: " + "; ".join(
            f"{plural(n, 'paragraph')} ({why})" for why, n in sorted(report.boilerplate.items())),
            markup=False)
    _draw_discovery(con, report.discovery)
    for p in written:
        con.print(f"wrote {p}", markup=False)


def _draw_discovery(con, d) -> None:
    from sfo_nlp.corpus.theme_analysis import stability_words

    if d.note:
        con.print(f"Themes found by grouping paragraphs that use the same words: none ({d.note})", markup=False)
        return
    con.print(f"Themes found by grouping paragraphs that use the same words: {len(d.topics)} from "
              f"{plural(d.paragraphs_used, 'paragraph')} ({d.paragraphs_explained} more already fully covered by "
              f"the seeded themes). Overall {stability_words(d.stability, themes=True)}.", markup=False)
    for topic in d.topics:
        flag = "" if topic.stable else "  [unstable: may be chance]"
        con.print(f"  {topic.id}{flag}: {', '.join(w for w, _ in topic.terms)}", markup=False)
