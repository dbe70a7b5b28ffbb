"""Structure shared by the PDF and DOCX readers, applied before the document is built."""

from __future__ import annotations

import re
from dataclasses import replace

from sfo_nlp.document import Block

CONTENTS_TITLE = re.compile(r"^(?:table of )?contents$", re.I)
# an entry's trailing dot leader and page number: "Judgements ........ 12"
_LEADER = re.compile(r"(?:\s*\.{2,}\s*|\s+)\d{1,3}$")
CONTENTS_STYLE = "contents"

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
        if b.type == "heading" and entries and _same(text, entries):
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
