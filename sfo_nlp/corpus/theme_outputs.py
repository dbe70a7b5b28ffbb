"""Writes a theme report: CSV tables, PNG charts and one self-contained HTML page.

The HTML page embeds its charts as data URIs and its CSS inline, so it can be e-mailed
or opened from a shared drive with nothing else; every piece of review text in it is
escaped by Jinja2's autoescape. The same page is served by the web app (``/themes``),
where there are no CSV files beside it and the way back is the home page; the copy
written to a folder says where its CSV files are instead.
"""

from __future__ import annotations

import base64
import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

from jinja2 import Environment

from sfo_nlp.cli.common import write_atomic
from sfo_nlp.corpus import charts
from sfo_nlp.corpus.theme_analysis import DIMENSIONS, ThemeReport
from sfo_nlp.errors import SfoError

EXCERPT = 300  # characters of paragraph text shown in tables and the page


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in r.items()})
    return buf.getvalue()


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "\u2026"


def paragraph_rows(report: ThemeReport) -> list[dict[str, Any]]:
    names = {t["id"]: t for t in report.themes}
    out = []
    for a in sorted(report.assignments, key=lambda a: (a["paragraph"], a["theme"])):
        ref = report.paragraph_ref(a["paragraph"])
        out.append({
            "review": ref["review"], "sha256": ref["sha256"], "block": ref["block"], "page": ref["page"],
            "section": ref["section"] or "", "theme": a["theme"], "theme_name": names[a["theme"]]["name"],
            "kind": names[a["theme"]]["kind"],
            "evidence": sorted({e.quote for e in a["evidence"]}), "text": _excerpt(ref["text"]),
        })
    return out


def discovered_rows(report: ThemeReport) -> list[dict[str, Any]]:
    out = []
    for t in report.discovery.topics:
        for rank, (i, w) in enumerate(t.top, start=1):
            ref = report.paragraph_ref(i)
            out.append({"topic": t.id, "label": t.label, "stability": round(t.stability, 3), "stable": t.stable,
                        "terms": [term for term, _ in t.terms], "rank": rank, "weight": round(w, 4),
                        "review": ref["review"], "block": ref["block"], "page": ref["page"],
                        "text": _excerpt(ref["text"])})
    return out


def chart_images(report: ThemeReport) -> dict[str, bytes]:
    """File name -> PNG bytes, for every chart the report has data for."""
    images = {"prevalence_overall.png": charts.overall_chart(report.overall(), len(report.reviews))}
    for dim in DIMENSIONS:
        rows = [r for r in report.prevalence if r["dimension"] == dim]
        if len({r["value"] for r in rows}) > 1:  # one group says nothing the overall chart does not
            images[f"prevalence_by_{dim}.png"] = charts.heatmap(rows, dim)
    if any(r["judgements"] for r in report.by_target):
        images["judgement_targets.png"] = charts.target_chart(report.by_target)
    return images


def write_outputs(report: ThemeReport, outdir: Path) -> list[Path]:
    """Write every CSV, chart and the HTML page into ``outdir``; return the paths written."""
    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SfoError(f"cannot create output folder {outdir}: {exc.strerror or exc}") from exc
    images = chart_images(report)
    files: dict[str, str | bytes] = {
        "theme_paragraphs.csv": _csv(paragraph_rows(report), ["review", "sha256", "block", "page", "section", "theme",
                                                              "theme_name", "kind", "evidence", "text"]),
        "prevalence.csv": _csv(report.prevalence, ["theme", "name", "kind", "dimension", "value",
                                                   "reviews_with_theme", "reviews_in_group", "share", "paragraphs",
                                                   "reviews"]),
        "judgement_targets.csv": _csv(report.by_target, ["theme", "name", "kind", "target", "judgements",
                                                         "judgements_in_theme", "share", "reviews"]),
        "discovered_themes.csv": _csv(discovered_rows(report), ["topic", "label", "stability", "stable", "terms",
                                                                "rank", "weight", "review", "block", "page", "text"]),
        **images,
        "themes.html": render_html(report, images, beside_files=True),
    }
    written = []
    for name, data in files.items():
        write_atomic(outdir / name, data)
        written.append(outdir / name)
    return written


def render_html(report: ThemeReport, images: dict[str, bytes] | None = None, beside_files: bool = False) -> str:
    """The themes page; ``beside_files``: the copy written with the CSV files (else the web page)."""
    from sfo_nlp.corpus.theme_analysis import stability_words

    images = chart_images(report) if images is None else images
    uris = {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii") for name, png in images.items()}
    evidence: dict[str, Counter] = {}
    for a in report.assignments:
        evidence.setdefault(a["theme"], Counter()).update(e.quote.lower() for e in a["evidence"])
    overall = sorted(report.overall(), key=lambda r: -r["share"])
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(_TEMPLATE).render(
        report=report, overall=overall, uris=uris, dims=DIMENSIONS,
        top_terms={k: [t for t, _ in c.most_common(6)] for k, c in evidence.items()},
        definitions={t["id"]: t["definition"] for t in report.themes},
        discovered=[(t, [report.paragraph_ref(i) | {"excerpt": _excerpt(report.paragraph_ref(i)["text"])}
                         for i, _ in t.top]) for t in report.discovery.topics],
        disc=report.discovery, beside_files=beside_files, stability_words=stability_words,
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>SFO review themes</title>
<style>
body{font-family:system-ui,Arial,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #c8c8c8;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef3f6}.num{text-align:right;white-space:nowrap}.muted{color:#555;font-size:.85rem}
img{max-width:100%;height:auto;border:1px solid #ddd;margin:.5rem 0}
.warn{color:#8a4b00}
</style></head><body>
{% if not beside_files %}<p><a href="/">Back to the home page</a></p>{% endif %}
<h1>Themes across {{ report.reviews|length }} SFO review{{ '' if report.reviews|length == 1 else 's' }}</h1>
<p class="muted">{{ report.paragraphs|length }} body paragraph{{ '' if report.paragraphs|length == 1 else 's' }} read.
Seeded themes are listed in advance (rules/themes.yaml) and found by their words, which are quoted as
evidence; discovered themes are found by grouping paragraphs that use the same words, for what the
list lacks. Prevalence counts reviews, not mentions. Figures are drafts for an analyst to check
{% if beside_files %}against the reviews listed in the CSV files beside this page.{% else %}against the reviews
(<code>sfo-nlp themes --output-dir FOLDER</code> writes every figure with the reviews behind it as CSV tables).{% endif %}</p>
{% if report.not_counted %}
<p class="warn">Not counted in any figure: {% for name, why in report.not_counted.items() %}{{ name }} ({{ why }}){{ '; ' if not loop.last }}{% endfor %}.</p>
{% endif %}

<h2>Prevalence</h2>
{% if 'prevalence_overall.png' in uris %}<img alt="Share of reviews in which each theme occurs" src="{{ uris['prevalence_overall.png'] }}">{% endif %}
<table><thead><tr><th>Theme</th><th>Kind</th><th class="num">Reviews</th><th class="num">%</th>
<th class="num">Paragraphs</th><th>Most frequent evidence</th></tr></thead><tbody>
{% for r in overall %}
<tr><td title="{{ definitions[r.theme] }}">{{ r.name }}</td><td>{{ r.kind }}</td>
<td class="num">{{ r.reviews_with_theme }}/{{ r.reviews_in_group }}</td><td class="num">{{ '%.0f' % (100 * r.share) }}</td>
<td class="num">{{ r.paragraphs }}</td><td>{{ (top_terms.get(r.theme) or [])|join(', ') }}</td></tr>
{% endfor %}
</tbody></table>

{% for dim in dims %}{% set name = 'prevalence_by_' ~ dim ~ '.png' %}{% if name in uris %}
<h3>By {{ dim|replace('_', ' ') }}</h3>
<img alt="Themes by {{ dim|replace('_', ' ') }}" src="{{ uris[name] }}">
{% endif %}{% endfor %}

{% if 'judgement_targets.png' in uris %}
<h2>Whose practice is judged</h2>
<p class="muted">Of the judgement sentences in each theme's paragraphs, the share aimed at the individual
practitioner, management, the system, or partnership working. HMIP found reviews too often judge the
individual and too rarely the system.</p>
<img alt="Judgement targets by theme" src="{{ uris['judgement_targets.png'] }}">
{% endif %}

<h2>Discovered themes</h2>
{% if disc.note %}<p class="warn">{{ disc.note }}</p>{% else %}
<p class="muted">Found by grouping paragraphs that use the same words: {{ disc.paragraphs_used }} paragraphs
took part ({{ disc.paragraphs_explained }} more were left out, as the seeded themes already cover them), and the
words of the seeded themes were set aside so that what is found is new. Together the themes found are
<strong>{{ stability_words(disc.stability, True) }}</strong>.</p>
{% for t, pars in discovered %}
<h3>{{ t.id }}: {{ t.label }}{% if not t.stable %} <span class="warn">(unstable: may be chance)</span>{% endif %}</h3>
<p>Words: {{ t.terms|map('first')|join(', ') }}. <span class="muted">This theme is {{ stability_words(t.stability) }}.</span></p>
<table><thead><tr><th>Review</th><th class="num">Page</th><th>Paragraph</th></tr></thead><tbody>
{% for p in pars %}<tr><td>{{ p.review }}</td><td class="num">{{ p.page }}</td><td>{{ p.excerpt }}</td></tr>{% endfor %}
</tbody></table>
{% endfor %}{% endif %}
</body></html>
"""
