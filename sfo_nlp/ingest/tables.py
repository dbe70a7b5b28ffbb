"""Ruled tables in a PDF: find them, fill their cells, and merge those split by a page.

pdfplumber's "lines" strategy finds the table grid from the ruling lines; the cell
text comes from the same pdfium characters as the rest of the page, so the two never
disagree. Only pages that have ruling lines are given to pdfplumber (it is the slow
part of reading a PDF).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sfo_nlp.ingest.layout import Char, Line, group_lines

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
# x-positions of two tables' columns within this many points count as the same grid
COLUMN_TOLERANCE = 3.0

BBox = tuple[float, float, float, float]  # x0, y0 (bottom), x1, y1 (top), PDF coordinates


@dataclass
class TablePart:
    """A table as found on one page (a table split by a page break has several)."""

    page: int
    bbox: BBox
    cells: list[list[BBox | None]]  # None: covered by a merged cell
    col_x: list[float]
    rows: list[list[str]] = field(default_factory=list)
    row_pages: list[int] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    markers: list[tuple[int, int, int, str]] = field(default_factory=list)  # row, col, offset, label

    @property
    def top(self) -> float:
        return self.bbox[3]

    def contains(self, c: Char) -> bool:
        x0, y0, x1, y1 = self.bbox
        return x0 <= c.cx <= x1 and y0 <= c.y + c.size * 0.3 <= y1


def find_tables(plumber_page: Any, page_no: int, height: float) -> list[TablePart]:
    """Ruled tables on a pdfplumber page (pdfplumber parses the whole page: slow)."""
    return _parts(plumber_page.find_tables(TABLE_SETTINGS), page_no, height)


def find_tables_from_rules(rules: list[BBox], page_no: int, width: float, height: float) -> list[TablePart]:
    """Ruled tables from the bounding boxes of the page's lines and boxes (from pdfium).

    pdfplumber's table finder is given these as explicit edges, so it does not have to
    parse the page again: same grid logic as the "lines" strategy, a fraction of the time.
    """
    from types import SimpleNamespace

    from pdfplumber.table import TableFinder

    edges = []
    for x0, y0, x1, y1 in rules:
        top, bottom = height - y1, height - y0
        w, h = x1 - x0, y1 - y0
        if h <= THIN and w > THIN:
            edges.append(_edge("h", x0, x1, (top + bottom) / 2, (top + bottom) / 2))
        elif w <= THIN and h > THIN:
            edges.append(_edge("v", (x0 + x1) / 2, (x0 + x1) / 2, top, bottom))
        elif w > THIN and h > THIN:  # a box: its four sides
            edges += [_edge("h", x0, x1, top, top), _edge("h", x0, x1, bottom, bottom),
                      _edge("v", x0, x0, top, bottom), _edge("v", x1, x1, top, bottom)]
    if sum(e["orientation"] == "v" for e in edges) < 2 or sum(e["orientation"] == "h" for e in edges) < 2:
        return []
    settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                "explicit_vertical_lines": edges, "explicit_horizontal_lines": edges}
    finder = TableFinder(SimpleNamespace(bbox=(0, 0, width, height)), settings)  # type: ignore[arg-type]
    return _parts(finder.tables, page_no, height)


# a ruling line is at most this thick (points)
THIN = 2.0


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    return {"object_type": f"{orientation}_edge", "orientation": orientation, "x0": x0, "x1": x1,
            "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top}


def _parts(found, page_no: int, height: float) -> list[TablePart]:
    """TablePart per pdfplumber table, in PDF coordinates; one-cell boxes are not tables."""
    parts = []
    for t in found:
        cells = [[_flip(c, height) if c else None for c in row.cells] for row in t.rows]
        if not cells or (len(cells) == 1 and len(cells[0]) == 1):
            continue  # a box drawn around a paragraph
        widest = max(cells, key=lambda r: sum(c is not None for c in r))
        col_x = [c[0] for c in widest if c is not None]
        parts.append(TablePart(page=page_no, bbox=_flip(t.bbox, height), cells=cells, col_x=col_x))
    return parts


def _flip(b: tuple[float, float, float, float], height: float) -> BBox:
    x0, top, x1, bottom = b
    return (x0, height - bottom, x1, height - top)


def fill(part: TablePart, chars: list[Char],
         join: Callable[[list[Line]], tuple[str, list[tuple[int, str]]]]) -> None:
    """Put each character in its cell; a cell's lines are joined into one string.
    Footnote markers in cells are kept as (row, column, offset in cell, label)."""
    buckets: dict[tuple[int, int], list[Char]] = {}
    for c in chars:
        for r, row in enumerate(part.cells):
            hit = next(
                (k for k, b in enumerate(row) if b and b[0] <= c.cx <= b[2] and b[1] <= c.y + c.size * 0.3 <= b[3]),
                None,
            )
            if hit is not None:
                buckets.setdefault((r, hit), []).append(c)
                break
    rows: list[list[str]] = []
    markers: list[tuple[int, int, int, str]] = []
    for r, row in enumerate(part.cells):
        cells = []
        for k, b in enumerate(row):
            text, found = join(group_lines(buckets.get((r, k), []), part.page)) if b else ("", [])
            cells.append(text)
            markers += [(len(rows), k, pos, label) for pos, label in found]
        if any(cell.strip() for cell in cells):
            rows.append(cells)
        else:
            markers = [m for m in markers if m[0] != len(rows)]
    part.rows = rows
    part.markers = markers
    part.row_pages = [part.page] * len(part.rows)
    part.pages = [part.page]


def _norm(row: list[str]) -> list[str]:
    return [" ".join(c.lower().split()) for c in row]


def continues(prev: TablePart, nxt: TablePart) -> bool:
    """Does ``nxt`` (first on its page) continue ``prev`` (last on the page before)?"""
    if not prev.rows or not nxt.rows:
        return False
    if _norm(prev.rows[0]) == _norm(nxt.rows[0]):
        return True  # header row repeated
    if len(prev.col_x) != len(nxt.col_x):
        return False
    return all(abs(a - b) <= COLUMN_TOLERANCE for a, b in zip(prev.col_x, nxt.col_x))


def merge(prev: TablePart, nxt: TablePart) -> None:
    """Append ``nxt``'s rows to ``prev``, dropping a repeated header row."""
    rows, pages, markers = nxt.rows, nxt.row_pages, nxt.markers
    if _norm(prev.rows[0]) == _norm(nxt.rows[0]):
        rows, pages = rows[1:], pages[1:]
        markers = [(r - 1, k, pos, lab) for r, k, pos, lab in markers if r > 0]
    if rows and _split_row(prev.rows, rows[0]):
        # Word lets a row break across pages: its second half has no first cell
        last = prev.rows[-1]
        joined = [" ".join(p for p in (a, b) if p) for a, b in zip(last, rows[0])] + last[len(rows[0]):]
        for r, k, pos, lab in markers:
            if r == 0:
                shift = len(joined[k]) - len(rows[0][k])
                prev.markers.append((len(prev.rows) - 1, k, pos + shift, lab))
        prev.rows[-1] = joined
        rows, pages = rows[1:], pages[1:]
        markers = [(r - 1, k, pos, lab) for r, k, pos, lab in markers if r > 0]
    prev.markers += [(r + len(prev.rows), k, pos, lab) for r, k, pos, lab in markers]
    prev.rows += rows
    prev.row_pages += pages
    if nxt.page not in prev.pages:
        prev.pages.append(nxt.page)


def _split_row(rows: list[list[str]], first: list[str]) -> bool:
    """Is ``first`` (the first row overleaf) the rest of the last row before the break?
    Only when the first column is otherwise always filled, as a date or action column is."""
    body = rows[1:] if len(rows) > 1 else rows
    return bool(first) and not first[0].strip() and any(c.strip() for c in first[1:]) \
        and all(r and r[0].strip() for r in body) and len(first) == len(rows[-1])
