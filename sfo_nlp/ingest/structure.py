"""Structure shared by the readers, applied before the document is built: contents pages,
and headings known by their words where no style marks them (or only bold or capitals)."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Iterable

from sfo_nlp import rules
from sfo_nlp.corpus.boilerplate import load_patterns
from sfo_nlp.document import Block
from sfo_nlp.ingest.metadata import label_values

CONTENTS_TITLE = re.compile(r"^(?:table of )?contents$", re.I)
# an entry's trailing dot leader and page number: "Judgements ........ 12"
_LEADER = re.compile(r"(?:\s*\.{2,}\s*|\s+)\d{1,3}$")
CONTENTS_STYLE = "contents"
# numbered paragraphs as reviews write them: "3.2", "5A.4", "6.3.3", appendix "D.1"; one
# starts a new paragraph after a line that ended a sentence
NUMBERED_PARA = re.compile(r"^(?:\d{1,2}[A-Z]?|[A-Z])(?:\.\d{1,2})+\.?\s")
TERMINAL = tuple(".!?:;\"'\u201d\u2019)")

# A footnote marker as a reader finds it: the block it stands in, its offset in that
# block's text, and its label.
MarkerSpot = tuple[Block, int, str]


def mark_contents(blocks: list[Block]) -> None:
    """A contents page lists the headings again: its entries become 'contents' blocks,
    which are not prose, so no check scores or quotes them and a section title on the
    contents page is not mistaken for the section. Entries end where the first listed
    heading appears."""
    start = next((i for i, b in enumerate(blocks[: max(10, len(blocks) // 3)])
                  if b.type in ("heading", "paragraph") and CONTENTS_TITLE.match(b.text.strip())), None)
    if start is None:
        return
    title = blocks[start]
    if title.type != "heading":
        title.type, title.level = "heading", 1
    headings = [b.text.strip() for b in blocks[start + 1 :] if b.type == "heading"]
    entries: list[str] = []
    i = start + 1
    while i < len(blocks):
        b = blocks[i]
        text = _LEADER.sub("", b.text.strip())
        # the section itself: a heading, or in a file typed without heading styles a
        # paragraph, repeating an entry already listed
        if b.type in ("heading", "paragraph") and entries and _same(text, entries):
            break
        parts = _split_entries(text, headings)
        if b.type not in ("paragraph", "list_item", "quote", "heading") or (
            len(parts) == 1 and (len(text) > 120 or text.endswith("."))
        ):
            break
        # entries set close together are read as one paragraph: split them again
        # where a heading of the document begins
        pieces = [replace(b, text=p) for p in parts]
        for piece in pieces:
            piece.type, piece.level, piece.style = "contents", None, CONTENTS_STYLE
        blocks[i : i + 1] = pieces
        entries.extend(parts)
        i += len(pieces)


def marker_positions(blocks: list[Block], spots: list[MarkerSpot]) -> list[tuple[int, str]]:
    """(offset in the document text, label) of each marker, once the document is built.

    Spots name the Block object, not its index in the list: ``mark_contents`` splits a
    run of contents entries into several blocks, which moves every later block down the
    list, and a marker kept by index then landed pages earlier (in the case-details
    table). A marker in a block no longer in the list (a split contents entry) is dropped."""
    placed = {id(b) for b in blocks}
    return [(b.start + min(off, len(b.text)), label) for b, off, label in spots if id(b) in placed]


def _split_entries(text: str, headings: list[str]) -> list[str]:
    """Cut a run of contents entries where each later heading's text starts."""
    cuts = {0}
    for h in headings:
        if len(h) < 4:
            continue
        for m in re.finditer(r"(?<=\s)" + re.escape(h) + r"(?=\s|$)", text):
            cuts.add(m.start())
    bounds = sorted(cuts) + [len(text)]
    parts = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return [p for p in parts if p] or [text]


def _same(text: str, entries: list[str]) -> bool:
    key = _key(text)
    return any(_key(e) == key for e in entries)


def _key(text: str) -> str:
    return re.sub(r"^(?:section\s+)?[\dA-Z]{0,3}[.:)]?\s+", "", text.lower()).strip()


# A section number as reviews type it when the heading has no style: "1.", "12.", "10A.",
# "4.2", "6.1.3"; or a named division: "Part 3", "Section 5", "Appendix A". A bare "12" is
# not one: it is how "12 months' imprisonment" starts a wrapped line. A division's title,
# if any, starts with a capital ("Section 5: Analysis"), unlike a sentence that mentions
# one ("Section 5 of the Act").
_SECTION_NUMBER = re.compile(
    r"^(?:(?P<num>\d{1,2}[A-Z]?\.(?:\d{1,2}[A-Z]?\.?)*)\s+(?=[A-Z])"
    r"|(?i:part|section|chapter|appendix|annex)\s+(?:\d{1,2}|[A-Z]|[IVX]{1,4})(?:\s*[:.\u2013-]?\s+[A-Z]|\s*$))")
# A heading is a few words without a full stop: "1. Introduction", not "1. The PP saw him."
# nor a lead-in to a list ("3.3 The reviewing manager interviewed:")
_HEADING_WORDS = 12
_HEADING_CHARS = 100
_NOT_HEADING_END = tuple(".,;:")


def heading_level(text: str, titles: frozenset[str] = frozenset(), set_apart: bool = False) -> int | None:
    """The level of a heading written as plain text, or None when the text is not one.

    Word files typed without heading styles and text files have only the words to go
    on: a short line numbered like a section, or one the document's contents page lists
    (``titles``, keys from ``contents_titles``). "6.1 Assessment" is a level below
    "6. Analysis of practice"; a named division (Part, Appendix) is the top level.
    ``set_apart``: the reader saw the whole paragraph in bold or in capitals, which is
    how a writer without heading styles marks "WHAT WENT WELL"; such a line is a
    top-level heading when it reads as a title (``_reads_as_title``)."""
    text = text.strip()
    if not text or len(text) > _HEADING_CHARS or len(text.split()) > _HEADING_WORDS \
            or text.endswith(_NOT_HEADING_END):
        return None
    m = _SECTION_NUMBER.match(text)
    if m:
        num = m.group("num")
        return len([p for p in num.split(".") if p]) if num else 1
    if titles and _key(text) in titles:
        return 1
    return 1 if set_apart and _reads_as_title(text) else None


# an abbreviation alone on a line (a plan's owner cell wrapped in copied text) is not a
# heading for being in capitals
_ABBREVIATION_LETTERS = 3


def _in_capitals(text: str) -> bool:
    """Every letter a capital ("WHAT WENT WELL"), and more than an abbreviation ("SPO")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > _ABBREVIATION_LETTERS and all(c.isupper() for c in letters)


def _reads_as_title(text: str) -> bool:
    """Starts with a capital, and is neither page furniture (a protective marking, a page
    number: the boilerplate patterns of rules/themes.yaml) nor a case detail typed as
    "Offence: Robbery" (rules/metadata.yaml labels), whatever its font."""
    if not text[:1].isupper() or any(p.regex.search(text) for p in _furniture_patterns()):
        return False
    return not any(value.strip() for _, value in label_values(text))


@lru_cache(maxsize=1)
def _furniture_patterns() -> tuple:
    return tuple(load_patterns((rules.load("themes") or {}).get("boilerplate") or {}))


def contents_titles(blocks: list[Block]) -> frozenset[str]:
    """The section titles a contents page lists (as ``_key`` keys), to know an unstyled
    heading by: "Case details" is a heading where the contents named it."""
    return frozenset(_key(b.text) for b in blocks if b.type == "contents" and b.text.strip())


def mark_headings(blocks: list[Block], bold: Iterable[Block] = ()) -> None:
    """Paragraphs that are headings by their words (``heading_level``) become headings:
    a review typed in the Normal style still has its sections. ``bold``: the paragraphs
    a reader saw all in bold (the Word reader sees runs); a paragraph in capitals is set
    apart by its words alone. Run after ``mark_contents``, so the contents entries are
    known titles and not headings."""
    titles = contents_titles(blocks)
    in_bold = {id(b) for b in bold}
    for b in blocks:
        if b.type not in ("paragraph", "list_item") or b.style == CONTENTS_STYLE:
            continue
        if b.type == "list_item":
            # "1. Introduction" typed as a list lost its number to the list: it is a
            # heading only where the contents page names it
            level = 1 if _key(b.text) in titles else None
        else:
            level = heading_level(b.text, titles, set_apart=id(b) in in_bold or _in_capitals(b.text))
        if level is not None:
            b.type, b.level = "heading", level
