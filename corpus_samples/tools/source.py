"""Reads one review source: Markdown with YAML front matter -> a list of blocks.

The Markdown subset is deliberately small (the conventions agreed for the fictional
corpus): '#'/'##'/'###' headings, paragraphs separated by blank lines, '- ' and '1. '
list items, pipe tables (first row is the header), '> ' quotations, footnote markers
'[^n]' with definitions '[^n]: text', and '**bold**' inline. Both renderers read the
same blocks, so the PDF and the DOCX always carry the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*$")
BULLET = re.compile(r"^\s*[-*]\s+")
NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
FOOTNOTE_DEF = re.compile(r"^\[\^(\d+)\]:\s*(.*)$")
FOOTNOTE_REF = re.compile(r"\[\^(\d+)\]")
BOLD = re.compile(r"\*\*(.+?)\*\*")
# Inline pieces a renderer must handle: plain text, bold text, footnote markers.
INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|\[\^(?P<note>\d+)\]")

RENDER_DEFAULTS = {
    "font": "Helvetica",
    "size": 10.5,
    "spacing": 1.45,  # line spacing as a multiple of the font size
    "footer": "Page {page} of {pages}",
    "header": "OFFICIAL - SENSITIVE",
}
FONTS = ("Helvetica", "Times-Roman")


class SourceError(ValueError):
    """A review source breaks the corpus conventions (reported as one line)."""


@dataclass
class Block:
    kind: str  # heading | paragraph | bullets | numbers | table | quote
    text: str = ""  # inline markup kept ('**', '[^n]'); renderers split it
    level: int = 0  # heading level
    items: list[str] = field(default_factory=list)  # list items
    rows: list[list[str]] = field(default_factory=list)  # table rows, header first
    start: int = 1  # first number of a numbered list


@dataclass
class Review:
    path: Path
    id: str
    title: str
    style: str
    render: dict
    blocks: list[Block]
    footnotes: dict[str, str]  # label -> text
    stamp: str = ""  # build stamp written into the files' metadata (see build_stamp)

    @property
    def stem(self) -> str:
        return self.path.stem


def read_review(path: Path) -> Review:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise SourceError(f"{path.name}: missing YAML front matter ('---' on the first line)")
    try:
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front) or {}
    except (ValueError, yaml.YAMLError) as exc:
        raise SourceError(f"{path.name}: unreadable front matter ({exc.__class__.__name__})") from None
    for key in ("id", "title"):
        if not meta.get(key):
            raise SourceError(f"{path.name}: front matter has no '{key}'")
    render = {**RENDER_DEFAULTS, **(meta.get("render") or {})}
    if render["font"] not in FONTS:
        raise SourceError(f"{path.name}: render.font must be one of {', '.join(FONTS)}")
    blocks, footnotes = parse_body(body, path.name)
    _check_footnotes(blocks, footnotes, path.name)
    review = Review(path, str(meta["id"]), str(meta["title"]), str(meta.get("style", "plain")), render, blocks, footnotes)
    review.stamp = build_stamp(path)
    return review


def build_stamp(path: Path) -> str:
    """A hash of the source and of the builder's own code. It is written into each built
    file's metadata, so a test can tell cheaply whether a committed file is stale."""
    import hashlib

    digest = hashlib.sha256(path.read_bytes())
    for tool in sorted(Path(__file__).resolve().parent.glob("*.py")):
        if tool.name in ("source.py", "render_pdf.py", "render_docx.py", "build.py"):
            digest.update(tool.read_bytes())
    return "sfo-corpus-build:" + digest.hexdigest()[:16]


def parse_body(body: str, name: str = "source") -> tuple[list[Block], dict[str, str]]:
    blocks: list[Block] = []
    footnotes: dict[str, str] = {}
    for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n")):
        lines = [ln.rstrip() for ln in chunk.split("\n") if ln.strip()]
        while lines:
            lines = _take_block(lines, blocks, footnotes, name)
    return blocks, footnotes


def _take_block(lines: list[str], blocks: list[Block], footnotes: dict[str, str], name: str) -> list[str]:
    """Consumes the leading block of a chunk and returns the lines left over."""
    first = lines[0]
    m = HEADING.match(first)
    if m:
        blocks.append(Block("heading", m.group(2), level=len(m.group(1))))
        return lines[1:]
    fm = FOOTNOTE_DEF.match(first)
    if fm:
        if fm.group(1) in footnotes:
            raise SourceError(f"{name}: footnote [^{fm.group(1)}] defined twice")
        footnotes[fm.group(1)] = " ".join([fm.group(2)] + [ln.strip() for ln in lines[1:]])
        return []
    if first.lstrip().startswith("|"):
        rows = [_cells(ln) for ln in lines if not TABLE_RULE.match(ln)]
        if any(len(r) != len(rows[0]) for r in rows):
            raise SourceError(f"{name}: table starting '{first[:40]}' has rows of different lengths")
        blocks.append(Block("table", rows=rows))
        return []
    if first.lstrip().startswith(">"):
        blocks.append(Block("quote", " ".join(ln.lstrip()[1:].strip() for ln in lines)))
        return []
    if BULLET.match(first) or NUMBERED.match(first):
        numbered = bool(NUMBERED.match(first))
        marker = NUMBERED if numbered else BULLET
        items: list[str] = []
        for ln in lines:
            if marker.match(ln):
                items.append(marker.sub("", ln, count=1).strip())
            else:  # continuation line of the item above
                items[-1] += " " + ln.strip()
        start = int(NUMBERED.match(first).group(1)) if numbered else 1
        blocks.append(Block("numbers" if numbered else "bullets", items=items, start=start))
        return []
    blocks.append(Block("paragraph", " ".join(ln.strip() for ln in lines)))
    return []


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _check_footnotes(blocks: list[Block], footnotes: dict[str, str], name: str) -> None:
    used: list[str] = []
    for b in blocks:
        if b.kind in ("heading", "table"):
            flat = b.text + " ".join(" ".join(r) for r in b.rows)
            if FOOTNOTE_REF.search(flat):
                raise SourceError(f"{name}: footnote markers are allowed in paragraphs, lists and quotes only")
        for t in [b.text, *b.items]:
            used += FOOTNOTE_REF.findall(t)
    for label in used:
        if label not in footnotes:
            raise SourceError(f"{name}: footnote [^{label}] is used but never defined")
    if len(used) != len(set(used)):
        raise SourceError(f"{name}: a footnote marker is used more than once")
    # Word numbers footnotes in order of appearance, so the source must too.
    if used != [str(n) for n in range(1, len(used) + 1)]:
        raise SourceError(f"{name}: footnotes must be numbered 1, 2, 3... in the order their markers appear")
    unused = set(footnotes) - set(used)
    if unused:
        raise SourceError(f"{name}: footnote(s) defined but never used: {', '.join(sorted(unused))}")


def contents(review: Review) -> list[Block]:
    """The headings a contents page lists (level 2, as a Word contents field would)."""
    return [b for b in review.blocks if b.kind == "heading" and b.level == 2]


def plain(text: str) -> str:
    """Inline markup removed: what a reader sees, without footnote numbers."""
    return FOOTNOTE_REF.sub("", BOLD.sub(r"\1", text))


def words(review: Review) -> list[str]:
    """Every word a reader sees in the review (title, body, table cells, footnotes),
    lower-cased: the yardstick for checking that ingestion recovers the text."""
    parts = [review.title]
    for b in review.blocks:
        parts += [b.text, *b.items, *(c for r in b.rows for c in r)]
    parts += list(review.footnotes.values())
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", plain(" ".join(parts)).lower())
