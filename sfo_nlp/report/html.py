"""One self-contained HTML file an inspector can read in any browser, offline.

No external requests, no scripts: inline CSS only, links are in-page anchors. Every
piece of review text goes through Jinja's autoescaping, so a review containing
``<script>`` or ``<img onerror=...>`` shows those characters as text.

Evidence quotes link to the same words in the page text (``#q<n>``); jargon terms and
paragraphs above the reading-age threshold are highlighted there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, select_autoescape

from sfo_nlp.document import ReviewDocument
from sfo_nlp.report.note import ANSWER_WORDS, DRAFT_NOTICE
from sfo_nlp.report.summary import top_fixes, weakest

_env = Environment(
    loader=PackageLoader("sfo_nlp.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def sureness(confidence: float) -> str:
    """A draft's confidence in words a non-statistician reads the same way each time;
    the web page uses it too, so the two never word it differently."""
    degree = "not very" if confidence < 0.5 else "fairly" if confidence < 0.75 else "quite"
    return f"the tool is {degree} sure: {confidence * 100:.0f} of 100"


_env.filters["sureness"] = sureness


@dataclass
class Segment:
    text: str
    kinds: str = ""  # space-separated CSS classes: "evidence", "jargon"
    anchors: list[str] = field(default_factory=list)  # ids of evidence spans starting here
    title: str = ""


@dataclass
class BlockView:
    type: str
    level: int | None
    hard: str = ""  # why the paragraph is hard to read, if it is
    segments: list[Segment] = field(default_factory=list)


def _marks(result: dict) -> tuple[list[tuple[int, int, str, str, str]], dict[tuple[int, int], str]]:
    """(start, end, kind, anchor, title) to highlight, and the anchor of each evidence span."""
    anchors: dict[tuple[int, int], str] = {}
    marks = []
    for a in result["answers"]:
        for f in a["evidence"]:
            key = (f["start"], f["end"])
            if f.get("start") is None or key in anchors:
                continue
            anchors[key] = f"q{len(anchors) + 1}"
            marks.append((f["start"], f["end"], "evidence", anchors[key], f"Evidence for {a['prompt_id']}"))
    jargon = result["checks"].get("victims.jargon", {}).get("findings", [])
    for f in jargon:
        if f.get("start") is not None and f.get("severity") != "info":
            marks.append((f["start"], f["end"], "jargon", "", f.get("suggestion") or f["message"]))
    return marks, anchors


def _segments(block_text: str, base: int, marks) -> list[Segment]:
    """Cut a block at every mark boundary; each piece carries the classes of the marks
    covering it, so overlapping evidence and jargon both show and every anchor exists."""
    top = base + len(block_text)
    inside = [m for m in marks if m[0] < top and m[1] > base or m[0] == m[1] == base]
    cuts = sorted({base, top} | {min(max(x, base), top) for m in inside for x in m[:2]})
    out: list[Segment] = []
    for lo, hi in zip(cuts, cuts[1:]):
        covering = [m for m in inside if m[0] <= lo and m[1] >= hi]
        kinds = " ".join(sorted({m[2] for m in covering}))
        anchors = [m[3] for m in inside if m[3] and m[0] == lo]
        title = "; ".join(dict.fromkeys(m[4] for m in covering))
        out.append(Segment(block_text[lo - base : hi - base], kinds, anchors, title))
    return out


def render_html(result: dict, doc: ReviewDocument) -> str:
    from sfo_nlp.ingest.metadata import as_stated

    marks, anchors = _marks(result)
    hard = {}
    for f in result["checks"].get("victims.readability", {}).get("findings", []):
        if f.get("data", {}).get("kind") == "paragraph" and f.get("block") is not None:
            hard[f["block"]] = f["message"]
    pages: dict[int, list[BlockView]] = {}
    for b in doc.blocks:
        view = BlockView(b.type, b.level, hard.get(b.id, ""), _segments(b.text, b.start, marks))
        pages.setdefault(b.page, []).append(view)
    answers_by_std: dict[str, list[dict]] = {}
    for a in result["answers"]:
        a = dict(a)
        a["evidence"] = [dict(f, anchor=anchors.get((f["start"], f["end"]), "")) for f in a["evidence"]]
        answers_by_std.setdefault(a["standard"], []).append(a)
    return _env.get_template("analysis.html.j2").render(
        r=result,
        case_details=as_stated(result.get("metadata") or {}),
        notice=DRAFT_NOTICE,
        words=ANSWER_WORDS,
        answers_by_std=answers_by_std,
        weakest=weakest(result),
        fixes=top_fixes(result),
        pages=sorted(pages.items()),
        jargon_count=sum(1 for m in marks if m[2] == "jargon"),
        hard_count=len(hard),
    )
