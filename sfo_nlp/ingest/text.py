"""Plain text and Markdown: paragraphs split on blank lines, '#' headings, list items,
'|' tables and '>' quotations. Page count is 1 unless form feeds mark pages."""

from __future__ import annotations

import re
from pathlib import Path

from sfo_nlp.document import Block, Footnote, ReviewDocument, Table, table_text
from sfo_nlp.ingest.hyphens import Vocabulary, join_wrapped
from sfo_nlp.ingest.structure import mark_contents
from sfo_nlp.settings import Settings

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def read_text(path: Path, data: bytes, settings: Settings | None = None) -> ReviewDocument:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    # YAML front matter (id, title, render options) is about the file, not the review
    text = _FRONT_MATTER.sub("", text, count=1)
    text = _STRONG.sub(r"\1", text)  # **bold** is emphasis, not words
    pages = text.split("\f")
    vocab = Vocabulary(text.splitlines())  # to repair "assess-" / "ment" in wrapped text
    blocks: list[Block] = []
    tables: list[Table] = []
    footnotes_raw: list[tuple[str, str, int]] = []
    for page_no, page in enumerate(pages, start=1):
        for chunk in re.split(r"\n\s*\n", page):
            lines = [ln.rstrip() for ln in chunk.split("\n") if ln.strip()]
            if not lines:
                continue
            _add_chunk(lines, page_no, blocks, tables, footnotes_raw, vocab)

    footnotes = []
    for label, body, page_no in footnotes_raw:
        blocks.append(Block(id=-1, type="footnote", text=body, page=page_no, footnote=label))
        footnotes.append(Footnote(label=label, text=body, page=page_no))
    mark_contents(blocks)
    doc = ReviewDocument.build(path.name, "text", len(pages), blocks, tables=tables)
    for t in doc.tables:
        t.block = next(b.id for b in doc.blocks if b.table == t.id)
    doc.footnotes = footnotes
    _link_footnotes(doc)
    return doc


def _add_chunk(lines, page_no, blocks, tables, footnotes_raw, vocab: Vocabulary) -> None:
    m = _HEADING.match(lines[0])
    if m and len(lines) == 1:
        blocks.append(Block(id=-1, type="heading", text=m.group(2), page=page_no, level=len(m.group(1))))
        return
    if m:  # heading followed directly by text
        blocks.append(Block(id=-1, type="heading", text=m.group(2), page=page_no, level=len(m.group(1))))
        lines = lines[1:]
    if all(ln.lstrip().startswith("|") for ln in lines) and len(lines) >= 2:
        rows = [
            [c.strip() for c in ln.strip().strip("|").split("|")]
            for ln in lines
            if not _TABLE_RULE.match(ln)
        ]
        tid = len(tables)
        tables.append(Table(id=tid, rows=rows, pages=[page_no]))
        blocks.append(Block(id=-1, type="table", text=table_text(rows), page=page_no, table=tid))
        return
    fm = _FOOTNOTE_DEF.match(lines[0])
    if fm:
        footnotes_raw.append((fm.group(1), " ".join([fm.group(2)] + [ln.strip() for ln in lines[1:]]), page_no))
        return
    if all(ln.lstrip().startswith(">") for ln in lines):
        body = " ".join(ln.lstrip()[1:].strip() for ln in lines)
        blocks.append(Block(id=-1, type="quote", text=body, page=page_no))
        return
    if _LIST.match(lines[0]):
        item: list[str] = []
        for ln in lines:
            if _LIST.match(ln):
                if item:
                    blocks.append(Block(id=-1, type="list_item", text=" ".join(item), page=page_no))
                item = [_LIST.sub("", ln, count=1).strip()]
            else:
                item.append(ln.strip())
        if item:
            blocks.append(Block(id=-1, type="list_item", text=" ".join(item), page=page_no))
        return
    blocks.append(Block(id=-1, type="paragraph", text=join_wrapped(lines, vocab), page=page_no))


def _link_footnotes(doc: ReviewDocument) -> None:
    """Markdown footnote markers '[^1]' in the body point to their footnote."""
    by_label = {f.label: f for f in doc.footnotes}
    for f in doc.footnotes:
        f.block = next((b.id for b in doc.blocks if b.type == "footnote" and b.footnote == f.label), -1)
    for m in re.finditer(r"\[\^([^\]]+)\]", doc.text):
        fn = by_label.get(m.group(1))
        if fn is not None:
            fn.markers.append(m.start())
