"""The one document model every stage reads.

Ingestion turns a PDF, DOCX or text file into a ``ReviewDocument``; nothing after that
re-opens the file. The body text is one string (``ReviewDocument.text``) built from the
body blocks joined by blank lines, so every block, sentence, table cell and finding can
be located by character offsets into it and quoted exactly. Running headers and footers
are kept apart in ``furniture`` because they are not part of what the author wrote.

spaCy is run once per document (see ``sfo_nlp.nlp.parse``); its ``Doc`` is cached on
the document and its spans point back to blocks through extension attributes.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Literal

if TYPE_CHECKING:  # spaCy is heavy; only the parse step imports it.
    from spacy.tokens import Doc

BlockType = Literal[
    "heading", "paragraph", "list_item", "table", "footnote", "header", "footer", "quote", "contents"
]
BLOCK_SEPARATOR = "\n\n"
CELL_SEPARATOR = " | "
ROW_SEPARATOR = "\n"
# Said once wherever page numbers of such a file are shown (ReviewDocument.pages_approximate).
APPROXIMATE_PAGES_NOTE = "Word file: page numbers are approximate"


@dataclass
class Block:
    """A heading, paragraph, list item, table, footnote or quotation, in reading order."""

    id: int
    type: BlockType
    text: str
    page: int  # 1-based page on which the block starts
    start: int = -1  # offsets into ReviewDocument.text; -1 for furniture
    end: int = -1
    pages: list[int] = field(default_factory=list)  # every page the block touches
    level: int | None = None  # heading level (1 = top)
    section: str | None = None  # text of the nearest heading above
    table: int | None = None  # index into ReviewDocument.tables for table blocks
    footnote: str | None = None  # label of the footnote, for footnote blocks
    style: str | None = None  # source style name (DOCX) or font description (PDF)
    # (offset in ``text``, page) where a block running over a page break goes on to the
    # next page: a quote from after the break is on that page, not the one the block starts on
    page_breaks: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.pages:
            self.pages = [self.page]

    def page_of(self, offset: int) -> int:
        """The page of the character at ``offset`` in this block's text."""
        page = self.page
        for at, later in self.page_breaks:
            if offset >= at:
                page = later
        return page

    @property
    def is_prose(self) -> bool:
        """True for text written as sentences (what readability should score)."""
        return self.type in ("paragraph", "list_item")


@dataclass
class Table:
    """A table, merged into one when it runs across pages (repeated header dropped)."""

    id: int
    rows: list[list[str]]
    pages: list[int]
    block: int = -1  # id of the table's block
    header_rows: int = 1
    # page on which each row starts (same length as rows)
    row_pages: list[int] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return self.rows[0] if self.rows and self.header_rows else []

    @property
    def body(self) -> list[list[str]]:
        return self.rows[self.header_rows :]

    def as_text(self) -> str:
        return table_text(self.rows)

    def cell_offset(self, row: int, col: int) -> int:
        """Offset of a cell's text within the table block's text."""
        pos = 0
        for r in range(row):
            pos += len(CELL_SEPARATOR.join(self.rows[r])) + len(ROW_SEPARATOR)
        for c in range(col):
            pos += len(self.rows[row][c]) + len(CELL_SEPARATOR)
        return pos


def table_text(rows: list[list[str]]) -> str:
    """The text a table block carries: cells joined by ' | ', rows by newlines."""
    return ROW_SEPARATOR.join(CELL_SEPARATOR.join(c.replace("\n", " ") for c in r) for r in rows)


@dataclass
class Footnote:
    label: str  # "1", "2", "*" ...
    text: str
    page: int
    block: int = -1  # id of the footnote block
    markers: list[int] = field(default_factory=list)  # offsets of the marker in the text


@dataclass
class Sentence:
    start: int
    end: int
    block: int
    page: int
    text: str


@dataclass
class ReviewDocument:
    source: str  # file name as given
    format: Literal["pdf", "docx", "text"]
    page_count: int
    blocks: list[Block] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    furniture: list[Block] = field(default_factory=list)  # running headers/footers
    metadata: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    warnings: list[str] = field(default_factory=list)
    # True when page numbers (and page_count) are estimates: a Word file has no fixed
    # pages, and one that records too few page breaks for its length gets its pages
    # estimated from the words (sfo_nlp/ingest/pages.py)
    pages_approximate: bool = False
    # what a Word file holds that no reader reads, yet Word can show: "comments", "tracked
    # changes", "hidden text" (victims.shareable and redact must not call such a file clean)
    unseen: list[str] = field(default_factory=list)
    text: str = ""
    _starts: list[int] = field(default_factory=list, repr=False)
    _spacy: Any = field(default=None, repr=False)
    _sentences: Any = field(default=None, repr=False)  # built once from the one parse

    # -- building ---------------------------------------------------------------
    @classmethod
    def build(
        cls,
        source: str,
        format: Literal["pdf", "docx", "text"],
        page_count: int,
        blocks: list[Block],
        **kw: Any,
    ) -> "ReviewDocument":
        """Assign ids, offsets and sections to body blocks and join the text."""
        doc = cls(source=source, format=format, page_count=page_count, **kw)
        parts: list[str] = []
        pos = 0
        section: str | None = None
        for i, b in enumerate(blocks):
            b.id = i
            if b.type == "heading":
                section = b.text
            b.section = section if b.type != "heading" else b.text
            b.start = pos
            b.end = pos + len(b.text)
            parts.append(b.text)
            pos = b.end + len(BLOCK_SEPARATOR)
        doc.blocks = blocks
        doc.text = BLOCK_SEPARATOR.join(parts)
        doc._starts = [b.start for b in blocks]
        for t in doc.tables:
            if not t.row_pages:
                t.row_pages = [t.pages[0]] * len(t.rows)
        return doc

    # -- lookups ----------------------------------------------------------------
    def block_at(self, offset: int) -> Block | None:
        """The body block that contains a character offset."""
        if not self._starts:
            self._starts = [b.start for b in self.blocks]
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return None
        b = self.blocks[i]
        return b if offset <= b.end else None

    def page_at(self, offset: int) -> int | None:
        b = self.block_at(offset)
        if b is None:
            return None
        if b.type == "table" and b.table is not None:
            t = self.tables[b.table]
            row = b.text.count(ROW_SEPARATOR, 0, max(0, offset - b.start))
            if row < len(t.row_pages):
                return t.row_pages[row]
        return b.page_of(offset - b.start)

    @property
    def page_note(self) -> str | None:
        """The one line to show with page numbers that are estimates, else None."""
        return APPROXIMATE_PAGES_NOTE if self.pages_approximate else None

    def quote(self, start: int, end: int) -> str:
        return self.text[start:end]

    def iter_blocks(self, *types: str) -> Iterator[Block]:
        return (b for b in self.blocks if not types or b.type in types)

    @property
    def prose_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.is_prose]

    def page_text(self, page: int) -> str:
        """Body text of one page, joined from the blocks that start on it."""
        return BLOCK_SEPARATOR.join(b.text for b in self.blocks if page in b.pages)

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    # -- spaCy ------------------------------------------------------------------
    @property
    def spacy(self) -> "Doc":
        """The spaCy Doc of the whole body text, parsed once and cached."""
        if self._spacy is None:
            from sfo_nlp.nlp import parse

            self._spacy = parse(self)
        return self._spacy

    @property
    def sentences(self) -> list[Sentence]:
        if self._sentences is None:
            self._sentences = self._build_sentences()
        return list(self._sentences)  # every analysis.* check reads them: build them once

    def _build_sentences(self) -> list[Sentence]:
        out = []
        for s in self.spacy.sents:
            text = s.text.strip()
            if not text:
                continue
            start = s.start_char + (len(s.text) - len(s.text.lstrip()))
            b = self.block_at(start)
            out.append(
                Sentence(
                    start=start,
                    end=start + len(text),
                    block=b.id if b else -1,
                    page=self.page_at(start) or (b.page if b else 1),
                    text=text,
                )
            )
        return out

    # -- output -----------------------------------------------------------------
    def to_dict(self, include_text: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "source": self.source,
            "format": self.format,
            "sha256": self.sha256,
            "pages": self.page_count,
            "pages_approximate": self.pages_approximate,
            "unseen": self.unseen,
            "metadata": self.metadata,
            "blocks": [asdict(b) for b in self.blocks],
            "tables": [asdict(t) for t in self.tables],
            "footnotes": [asdict(f) for f in self.footnotes],
            "furniture": [asdict(b) for b in self.furniture],
            "warnings": self.warnings,
        }
        if include_text:
            d["text"] = self.text
        return d
