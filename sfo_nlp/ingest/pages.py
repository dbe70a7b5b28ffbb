"""Page numbers for a Word file, which has no fixed pages.

Word records some of its page breaks in the file: explicit page breaks, section breaks
that start a new page and, when Word itself saved the file, ``w:lastRenderedPageBreak``
where it last broke pages. The DOCX reader numbers blocks by those. When the breaks are
too few for the length (a stretch between two of them holds more words than a page
can), the numbers are estimated from the words instead and the document says they are
approximate: an inspector told "page 3" for every quote in a 20-page review is misled.

Also: whether a document is several reviews joined into one file (``joined_reviews``),
told by a review's opening headings coming back again and again, or by a length no
single review reaches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sfo_nlp.document import Block, ReviewDocument, Table

# An A4 page of a review, with its headings and tables, holds about 400 words (the
# corpus PDFs built from the same sources run 300-500).
WORDS_PER_PAGE = 400
# More words than this between two recorded breaks cannot all be on one page.
FULL_PAGE_WORDS = 750


@dataclass
class WordPages:
    count: int
    approximate: bool


def word_pages(blocks: list[Block], tables: list[Table], recorded: int, stated: int | None,
               rendered: bool = True) -> WordPages:
    """Check the recorded page numbers of body ``blocks`` against their length and
    estimate them where they fall short (blocks and tables are renumbered in place).

    ``recorded``: the last page the breaks reached; ``stated``: the page count in the
    file's properties (Word's own count at its last save; a file written by other
    software often says 1 whatever its length); ``rendered``: whether Word ever laid the
    file out (recorded its page breaks). A file it never laid out has pages only by
    estimate once a stretch holds more than a typical page, not only a full one (QA 9:
    a 680-word draft written by a script was given 1 page, and no note said so)."""
    words = sum(_words(b) for b in blocks)
    if stated is not None and (stated < recorded or words > stated * FULL_PAGE_WORDS):
        stated = None  # a count the text contradicts
    if not _too_few_breaks(blocks, FULL_PAGE_WORDS if rendered else WORDS_PER_PAGE):
        return WordPages(max(stated or 0, recorded), approximate=False)
    per_page = WORDS_PER_PAGE
    if stated is not None and stated > recorded:  # spread the words over Word's own count
        per_page = max(1, -(-words // (stated - recorded + 1)))
    last = _estimate(blocks, tables, per_page)
    if stated is not None:
        last = max(last, stated)
    return WordPages(last, approximate=True)


def _words(b: Block) -> int:
    return len(b.text.split())


def _too_few_breaks(blocks: list[Block], limit: int = FULL_PAGE_WORDS) -> bool:
    stretch: dict[int, int] = {}
    for b in blocks:
        stretch[b.page] = stretch.get(b.page, 0) + _words(b)
    return any(n > limit for n in stretch.values())


def _estimate(blocks: list[Block], tables: list[Table], per_page: int) -> int:
    """Renumber blocks (and table rows) by words from the last recorded break; a
    recorded break still starts a new page. Returns the last page."""
    extra = 0  # pages the stretches before this one ran over
    recorded: int | None = None
    used = 0  # words since the last recorded break
    last = 1
    for b in blocks:
        if b.page != recorded:
            if recorded is not None and used:
                extra += (used - 1) // per_page
            recorded, used = b.page, 0
        base = b.page + extra
        start = base + used // per_page
        if b.table is not None:
            _estimate_rows(tables[b.table], base, used, per_page)
        used += _words(b)
        end = max(start, base + max(used - 1, 0) // per_page)
        b.page, b.pages = start, list(range(start, end + 1))
        last = max(last, end)
    return last


def _estimate_rows(table: Table, base: int, used: int, per_page: int) -> None:
    pages = []
    for row in table.rows:
        pages.append(base + used // per_page)
        used += sum(len(c.split()) for c in row)
    table.row_pages = pages
    table.pages = sorted(set(pages))


# -- several reviews in one file ----------------------------------------------------
# Headings a review has once, at its start: its title and its case details. A review
# may show its title on the cover and again on the first page (the fictional corpus has
# at most two pages with either), so three or more pages mean reviews joined together.
_OPENING_HEADINGS = {
    # "SFO Review: Name", "Region: Serious Further Offence Review"; not "SFO review action plan"
    "title": re.compile(r"(^|:\s*)(serious further offence|sfo) review(\s*[:\-\u2013\u2014]|$)", re.I),
    "case details": re.compile(r"^(\d+(\.\d+)*\.?\s+)?case details$", re.I),
}
MIN_REPEATS = 3
# The longest fictional review is 21 pages and published reviews run to about 40-60;
# 150 pages of words (at WORDS_PER_PAGE) is no single review.
MAX_REVIEW_PAGES = 150


def joined_reviews(doc: ReviewDocument) -> str:
    """Why ``doc`` looks like several reviews joined into one file, or '' when it does not:
    its answers and ratings would then mix many reviews into one verdict."""
    pages: dict[str, set[int]] = {name: set() for name in _OPENING_HEADINGS}
    for b in doc.iter_blocks("heading"):
        text = " ".join(b.text.split())
        for name, pattern in _OPENING_HEADINGS.items():
            if pattern.search(text):
                pages[name].add(b.page)
    name, seen = max(pages.items(), key=lambda kv: len(kv[1]))
    why = [f"the {name} heading is on {len(seen)} pages"] if len(seen) >= MIN_REPEATS else []
    by_words = doc.word_count // WORDS_PER_PAGE  # a text or Word file's page count says little
    if max(doc.page_count or 0, by_words) > MAX_REVIEW_PAGES:
        why.append(f"{doc.page_count} pages long" if doc.page_count >= by_words else f"about {by_words} pages of text")
    if not why:
        return ""
    return ("this file looks like several reviews joined together (" + "; ".join(why) + "): its DRAFT answers and "
            "ratings treat it as one review; check each review as its own file (sfo-nlp batch FOLDER)")
