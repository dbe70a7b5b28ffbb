"""Page layout from positioned characters: lines, font statistics, superscripts.

Coordinates are PDF points with the origin at the bottom left (y grows upwards), as
pdfium reports them. A ``Line`` keeps its characters so that later steps can look at
font size, weight and position; its ``text`` has superscript footnote markers taken
out of the words (see ``render``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

# A superscript is a smaller character raised above the baseline.
SUPERSCRIPT_MAX_RATIO = 0.85
SUPERSCRIPT_MIN_RISE = 0.15
MARKER_CHARS = set("0123456789*\u2020\u2021")
SOFT_HYPHEN = "\u00ad"
# Gap between characters, as a share of the font size, that counts as a word space.
WORD_GAP = 0.2


@dataclass(slots=True)
class Char:
    ch: str
    x0: float
    x1: float
    y: float  # baseline
    size: float
    bold: bool
    space_before: bool = False

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Line:
    chars: list[Char]
    page: int
    y: float = 0.0  # baseline of the line's main characters
    size: float = 0.0  # main font size
    bold: bool = False
    bold_share: float = 0.0  # share of the line's characters in a bold font
    x0: float = 0.0
    x1: float = 0.0
    text: str = ""
    # footnote markers taken out of the text: (position in text, label)
    markers: list[tuple[int, str]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.y + self.size

    def word_starts(self) -> list[float]:
        """x-position where each word of the line starts."""
        chars = self.chars
        starts = [chars[0].x0]
        for prev, c in zip(chars, chars[1:]):
            if c.space_before or c.x0 - prev.x1 > WORD_GAP * c.size:
                starts.append(c.x0)
        return starts

    def first_word_width(self) -> float:
        """Width of the line's first word (to tell a wrapped line from a forced break)."""
        chars = self.chars
        end = chars[0].x1
        for prev, c in zip(chars, chars[1:]):
            if c.space_before or c.x0 - prev.x1 > WORD_GAP * c.size:
                break
            end = c.x1
        return end - chars[0].x0

    def starts_with_marker(self) -> str | None:
        return self.markers[0][1] if self.markers and self.markers[0][0] == 0 else None


def group_lines(chars: Iterable[Char], page: int) -> list[Line]:
    """Group characters (in content order) into lines, top to bottom.

    Characters join the current line while their baseline stays within half a font
    size of it (so a raised superscript stays on its line); segments drawn separately
    on one baseline (a bullet and its text) are then merged.
    """
    segments: list[list[Char]] = []
    cur: list[Char] = []
    base = size = 0.0
    for c in chars:
        # a smaller raised character (a superscript) may sit up to 0.7 of the size above
        reach = 0.7 if c.size < 0.9 * size and c.y > base else 0.5
        if cur and abs(c.y - base) <= reach * max(size, c.size) and c.x0 >= cur[-1].x0 - 2 * size:
            cur.append(c)
            if c.size >= size * 0.95:
                base, size = c.y, max(size, c.size)
            continue
        if cur:
            segments.append(cur)
        cur, base, size = [c], c.y, c.size
    if cur:
        segments.append(cur)
    lines = [render(Line(chars=s, page=page)) for s in segments]
    lines.sort(key=lambda ln: (-round(ln.y, 0), ln.x0))
    merged: list[Line] = []
    for ln in lines:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and abs(prev.y - ln.y) < 0.25 * max(prev.size, ln.size)
            and ln.x0 >= prev.x1 - 1
            and ln.x0 - prev.x1 < 3 * max(prev.size, ln.size)
        ):
            merged[-1] = render(Line(chars=prev.chars + ln.chars, page=page))
        else:
            merged.append(ln)
    return merged


def render(line: Line) -> Line:
    """Fill a line's text, style and position from its characters.

    Choice: a superscript marker is NOT kept in the text (``oversight2`` would become an
    unknown word); its label and position are kept in ``line.markers`` instead, and
    become ``Footnote.markers`` offsets into the body text.
    """
    chars = line.chars
    sizes = Counter(round(c.size, 1) for c in chars if not c.ch.isspace())
    main = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0] if sizes else 0.0
    normal = [c for c in chars if c.size >= main * SUPERSCRIPT_MAX_RATIO] or chars
    base = Counter(round(c.y, 1) for c in normal).most_common(1)[0][0]
    out: list[str] = []
    markers: list[tuple[int, str]] = []
    prev: Char | None = None
    in_marker = False
    last = chars[-1] if chars else None
    for c in chars:
        if c.ch == SOFT_HYPHEN and c is not last:
            continue  # an invisible break opportunity inside a word
        space_before = c.space_before and not in_marker  # pdfium puts one after a raised marker
        is_sup = (
            c.ch in MARKER_CHARS
            and c.size <= main * SUPERSCRIPT_MAX_RATIO
            and c.y - base > SUPERSCRIPT_MIN_RISE * main
        )
        gap = prev is not None and (space_before or c.x0 - prev.x1 > WORD_GAP * max(c.size, prev.size))
        if is_sup:
            if in_marker and not gap:
                pos, label = markers[-1]
                markers[-1] = (pos, label + c.ch)
            else:
                # spaces are only written before the next normal character, so this
                # is the end of the word the marker is attached to
                markers.append((len("".join(out)), c.ch))
            in_marker = True
            prev = c
            continue
        if gap and out and out[-1] != " ":
            out.append(" ")
        out.append(c.ch)
        in_marker = False
        prev = c
    line.text = "".join(out)
    line.markers = markers
    line.size = main
    line.y = base
    line.bold_share = sum(c.bold for c in normal) / len(normal)
    line.bold = line.bold_share > 0.5
    line.x0 = min(c.x0 for c in normal)
    line.x1 = max(c.x1 for c in normal)
    return line


@dataclass
class FontStats:
    """What 'normal' looks like in this document, to judge headings and gaps against."""

    body_size: float
    leading: dict[float, float]  # font size -> usual baseline-to-baseline distance
    left: float  # usual left edge of body lines
    right: float  # usual right edge of full body lines

    def para_gap(self, size: float) -> float:
        """A vertical distance above which two lines belong to different blocks."""
        return self.leading.get(round(size, 1), 1.2 * size) * 1.25

    @property
    def heading_ratio(self) -> float:
        return 1.12


def font_stats(pages: list[list[Line]]) -> FontStats:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[round(ln.size, 1)] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    deltas: dict[float, Counter[float]] = {}
    lefts: Counter[float] = Counter()
    rights: list[float] = []
    for lines in pages:
        for a, b in zip(lines, lines[1:]):
            if round(a.size, 1) == round(b.size, 1):
                d = a.y - b.y
                if 0.9 * a.size <= d <= 2.5 * a.size:
                    deltas.setdefault(round(a.size, 1), Counter())[round(d, 1)] += 1
        for ln in lines:
            if round(ln.size, 1) == body:
                lefts[round(ln.x0)] += 1
                rights.append(ln.x1)
    leading = {s: c.most_common(1)[0][0] for s, c in deltas.items()}
    rights.sort()
    right = rights[int(len(rights) * 0.9)] if rights else 0.0
    # the text margin: the leftmost edge shared by a good share of body lines (not the
    # most common one: hanging indents can put most lines right of the margin)
    total = sum(lefts.values())
    common = [x for x, n in lefts.items() if n >= 0.1 * total]
    left = min(common) if common else 0.0
    return FontStats(body_size=body, leading=leading, left=left, right=right)


_DIGITS = re.compile(r"\d+")


def normalise_furniture(text: str) -> str:
    """Running headers/footers compared with page numbers and dates blanked out."""
    return " ".join(_DIGITS.sub("#", text.lower()).split())
