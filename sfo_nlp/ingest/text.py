"""Plain text and Markdown: paragraphs split on blank lines, '#' headings, list items,
'|' tables and '>' quotations. Page count is 1 unless form feeds mark pages.

Text copied from a PDF or Word file has no blank lines and no '#': its heading lines are
known by their words (structure.heading_level), and its paragraphs and table rows by
lines that end before the next word had to wrap."""

from __future__ import annotations

import re
from pathlib import Path

from sfo_nlp.document import Block, Footnote, ReviewDocument, Table, table_text
from sfo_nlp.ingest.hyphens import Vocabulary, join_wrapped
from sfo_nlp.ingest.structure import (CONTENTS_TITLE, NUMBERED_PARA, TERMINAL, heading_level, mark_contents,
                                      mark_headings)
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
    mark_headings(blocks)
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
    width = _line_width(lines)
    for level, run in _heading_runs(lines):
        if level is None:
            for para in _paragraph_runs(run, width):
                blocks.append(Block(id=-1, type="paragraph", text=join_wrapped(para, vocab), page=page_no))
        else:
            blocks.append(Block(id=-1, type="heading", text=run[0].strip(), page=page_no, level=level))


# Text copied from a PDF has no blank lines between paragraphs or table rows: a line
# ends early only where the paragraph (or row) ends. A chunk's usual width is taken from
# its longer lines, not its longest, which may be a table row running wide; a break is
# kept where the next word would have fitted with room to spare (proportional fonts fit
# more narrow letters on a line than wide ones).
_MIN_LINES_FOR_WIDTH = 4
_WIDTH_QUANTILE = 0.9
_FIT_SHARE = 0.9


def _line_width(lines: list[str]) -> int | None:
    if len(lines) < _MIN_LINES_FOR_WIDTH:
        return None
    lengths = sorted(len(ln.strip()) for ln in lines)
    return lengths[int(_WIDTH_QUANTILE * len(lengths))]


def _paragraph_runs(lines: list[str], width: int | None) -> list[list[str]]:
    """Lines cut where a line ended before the next line's first word had to wrap, and
    where a numbered paragraph ("12.2 Staff need...") follows a finished sentence."""
    runs: list[list[str]] = [[]]
    for ln in lines:
        prev = runs[-1][-1].strip() if runs[-1] else ""
        nxt = ln.strip()
        ended_early = bool(width) and (nxt[:1].isupper() or nxt[:1].isdigit()) \
            and len(prev) + 1 + len(nxt.split()[0]) <= _FIT_SHARE * width
        numbered = bool(NUMBERED_PARA.match(nxt)) and prev.endswith(TERMINAL)
        if prev and (ended_early or numbered):
            runs.append([])
        runs[-1].append(ln)
    return [r for r in runs if r]


def _heading_runs(lines: list[str]) -> list[tuple[int | None, list[str]]]:
    """A chunk cut at its heading lines: text copied from a PDF or Word has no blank
    lines and no '#', so "13. Action plan" is a line among the others and would be
    joined into the paragraph around it. (level, [line]) for a heading, (None, lines)
    for the text between."""
    runs: list[tuple[int | None, list[str]]] = []
    for ln in lines:
        level = 1 if CONTENTS_TITLE.match(ln.strip()) else heading_level(ln)
        if level is not None:
            runs.append((level, [ln]))
        elif runs and runs[-1][0] is None:
            runs[-1][1].append(ln)
        else:
            runs.append((None, [ln]))
    return runs


def _link_footnotes(doc: ReviewDocument) -> None:
    """Markdown footnote markers '[^1]' in the body point to their footnote."""
    by_label = {f.label: f for f in doc.footnotes}
    for f in doc.footnotes:
        f.block = next((b.id for b in doc.blocks if b.type == "footnote" and b.footnote == f.label), -1)
    for m in re.finditer(r"\[\^([^\]]+)\]", doc.text):
        fn = by_label.get(m.group(1))
        if fn is not None:
            fn.markers.append(m.start())
