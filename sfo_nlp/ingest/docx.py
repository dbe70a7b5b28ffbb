"""Word (.docx) reviews: the body XML in order, so paragraphs and tables keep their places.

- Headings come from paragraph styles ("Title", "Heading N") or an outline level; in a
  file without heading styles, from the words (structure.mark_headings), where a short
  paragraph all in bold counts as set apart like one in capitals ("WHAT WENT WELL").
- List items from "List ..." styles or numbering properties (w:numPr).
- Tables: merged cells keep the grid; a vertically merged cell's words are in each row it
  covers, a cell across columns in each column, and one cell across the whole first row
  (a title over the column headers) is read as a paragraph before the table.
- Footnotes and endnotes: read from word/footnotes.xml and word/endnotes.xml, linked to
  the w:footnoteReference / w:endnoteReference markers (endnotes labelled i, ii, ...);
  the marker is not put in the text (as for PDFs), its offset is kept in Footnote.markers.
- Page numbers: Word's last rendered page breaks when present, else explicit page
  breaks (w:br, "page break before", section breaks starting a new page); where those
  are too few for the length, pages are estimated from the words and the document is
  marked ``pages_approximate`` (pages.py). docProps/app.xml's <Pages> is used when the
  text does not contradict it (files not saved by Word often say 1).
- Comments, tracked deletions and hidden text are not read: ``ReviewDocument.unseen`` says
  the file holds them, and a warning in the words redact refuses such a file with (``unseen_note``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from sfo_nlp.document import APPROXIMATE_PAGES_NOTE, Block, Footnote, ReviewDocument, Table, table_text
from sfo_nlp.errors import InputError
from sfo_nlp.ingest.pages import word_pages
from sfo_nlp.ingest.structure import CONTENTS_STYLE, MarkerSpot, mark_contents, mark_headings, marker_positions
from sfo_nlp.settings import Settings

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.I)
_QUOTE_STYLE = re.compile(r"quote", re.I)
_LIST_STYLE = re.compile(r"^list", re.I)
_TOC_STYLE = re.compile(r"^toc\s*\d$", re.I)
_TITLE_STYLES = ("title", "toc heading")  # headings, but not of the review's sections
_OFF = ("0", "false", "off")


def read_docx(path: Path, settings: Settings | None = None) -> ReviewDocument:
    import docx

    try:
        d = docx.Document(str(path))
    except Exception as exc:  # lxml or zip errors from a damaged file
        raise InputError(f"{path.name}: not a readable DOCX (the file is corrupt or damaged)") from exc
    styles = _style_names(d)
    notes_xml = _footnotes(d)
    reader = _BodyReader(styles, notes_xml, _bold_styles(d))
    reader.read(d.element.body)
    furniture = _furniture(d)
    mark_contents(reader.blocks)
    mark_headings(reader.blocks, bold=[] if _has_section_styles(reader.blocks) else reader.bold)
    stated = _page_count(path)
    pages = word_pages([b for b in reader.blocks if b.type != "footnote"], reader.tables, reader.page, stated,
                       rendered=reader.rendered_breaks)
    warnings: list[str] = []
    if pages.approximate:
        warnings.append(APPROXIMATE_PAGES_NOTE)
    elif stated is None:
        warnings.append(f"page count estimated as {pages.count} from page breaks (the file does not record it)")
    unseen = unseen_content(path)
    if unseen:
        warnings.append(unseen_note(path.name, unseen))
    doc = ReviewDocument.build(path.name, "docx", pages.count, reader.blocks, tables=reader.tables,
                               furniture=furniture, warnings=warnings, pages_approximate=pages.approximate,
                               unseen=unseen)
    for b in doc.blocks:
        if b.table is not None:
            doc.tables[b.table].block = b.id
    for f in reader.footnotes:
        f.block = next(b.id for b in doc.blocks if b.type == "footnote" and b.footnote == f.label)
    for pos, label in marker_positions(doc.blocks, reader.marker_spots):
        fn = next((f for f in reader.footnotes if f.label == label), None)
        if fn is not None:
            fn.markers.append(pos)
    doc.footnotes = reader.footnotes
    _note_pages(doc)
    return doc


def _note_pages(doc: ReviewDocument) -> None:
    """A note is printed on the page of its first marker (which may have been estimated)."""
    for f in doc.footnotes:
        page = doc.page_at(f.markers[0]) if f.markers else None
        if page is not None:
            f.page = page
            doc.blocks[f.block].page, doc.blocks[f.block].pages = page, [page]


def _has_section_styles(blocks: list[Block]) -> bool:
    """The writer gave sections Word's heading styles: a paragraph all in bold is then
    emphasis within a section (sfo-28's "First missed opportunity: ..."), not a section."""
    return any(b.type == "heading" and (b.style or "").lower() not in _TITLE_STYLES for b in blocks)


def _style_names(d) -> dict[str, str]:
    """style id -> style name ('Heading1' -> 'Heading 1')."""
    out = {}
    for s in d.styles.element.findall(f"{W}style"):
        sid = s.get(f"{W}styleId")
        name = s.find(f"{W}name")
        if sid:
            out[sid] = name.get(f"{W}val") if name is not None else sid
    return out


def _bold_styles(d) -> set[str]:
    """Ids of the styles that make their text bold ("Strong"; a paragraph style made for
    headings without Word's heading styles). A style's own setting only: basedOn chains
    to a bold style are rare in reviews."""
    return {s.get(f"{W}styleId") for s in d.styles.element.findall(f"{W}style")
            if _on(s.find(f"{W}rPr/{W}b"))}


def _on(prop) -> bool:
    """A Word on/off property: present and not switched off (<w:b w:val="0"/>)."""
    return prop is not None and prop.get(f"{W}val", "true") not in _OFF


def _all_bold(p, bold_styles: set[str]) -> bool:
    """Every run of the paragraph that has words is bold: by its own setting, else its
    character style, else the paragraph's style. Bold words that start a paragraph of
    normal text ("PP1 said ...") leave it a paragraph."""
    pstyle = p.find(f"{W}pPr/{W}pStyle")
    para_bold = pstyle is not None and pstyle.get(f"{W}val") in bold_styles
    runs = [r for r in p.iter(f"{W}r") if any((t.text or "").strip() for t in r.findall(f"{W}t"))]
    return bool(runs) and all(_run_bold(r, bold_styles, para_bold) for r in runs)


def _run_bold(r, bold_styles: set[str], para_bold: bool) -> bool:
    own = r.find(f"{W}rPr/{W}b")
    if own is not None:
        return _on(own)
    rstyle = r.find(f"{W}rPr/{W}rStyle")
    return para_bold or (rstyle is not None and rstyle.get(f"{W}val") in bold_styles)


_NOTE_PARTS = {"/footnotes": "footnote", "/endnotes": "endnote"}
_NOTE_REFS = {f"{W}footnoteReference": "footnote", f"{W}endnoteReference": "endnote"}


def _footnotes(d) -> dict[tuple[str, str], str]:
    """(kind, id) -> text for every footnote and endnote (separators skipped)."""
    from lxml import etree

    notes: dict[tuple[str, str], str] = {}
    for rel in d.part.rels.values():
        kind = next((k for suffix, k in _NOTE_PARTS.items() if rel.reltype.endswith(suffix)), None)
        if kind is None or rel.is_external:
            continue
        root = etree.fromstring(rel.target_part.blob)
        for fn in root.findall(f"{W}{kind}"):
            if fn.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = " ".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in fn.iter(f"{W}p"))
            notes[(kind, fn.get(f"{W}id"))] = " ".join(text.split())
    return notes


def _roman(n: int) -> str:
    """Word numbers endnotes i, ii, iii... by default."""
    out = ""
    for value, digits in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + digits, n - value
    return out


class _BodyReader:
    def __init__(self, styles: dict[str, str], notes: dict[tuple[str, str], str], bold_styles: set[str]):
        self.styles = styles
        self.notes = notes
        self.bold_styles = bold_styles
        self.blocks: list[Block] = []
        self.bold: list[Block] = []  # paragraphs all in bold (structure.mark_headings)
        self.tables: list[Table] = []
        self.footnotes: list[Footnote] = []
        self.marker_spots: list[MarkerSpot] = []
        self.labels: dict[tuple[str, str], str] = {}  # (kind, id) -> label shown (1, 2 / i, ii)
        self.page = 1
        self.rendered_breaks = False
        self.note_pages: dict[tuple[str, str], int] = {}

    def read(self, body) -> None:
        self.rendered_breaks = body.find(f".//{W}lastRenderedPageBreak") is not None
        # a section's w:type (how it starts) is in its own sectPr, the one that ends it
        # (a tracked change keeps the old sectPr inside the new one: not a section)
        self.section_starts = [_section_start(s) for s in body.iter(f"{W}sectPr")
                               if s.getparent().tag in (f"{W}pPr", body.tag)]
        self.sections_ended = 0
        self._children(body)
        for key, label in self.labels.items():  # notes in order of first reference
            text = self.notes.get(key, "")
            page = self.note_pages.get(key, 1)
            self.blocks.append(Block(id=-1, type="footnote", text=text, page=page, footnote=label))
            self.footnotes.append(Footnote(label=label, text=text, page=page))

    def _label(self, ref) -> str:
        """Word numbers notes in order of their first reference: footnotes 1, 2, 3...,
        endnotes i, ii, iii..."""
        key = (_NOTE_REFS[ref.tag], ref.get(f"{W}id"))
        if key not in self.labels:
            n = 1 + sum(k[0] == key[0] for k in self.labels)
            self.labels[key] = str(n) if key[0] == "footnote" else _roman(n)
            self.note_pages[key] = self.page
        return self.labels[key]

    def _children(self, parent) -> None:
        for el in parent:
            tag = el.tag
            if tag == f"{W}p":
                self._paragraph(el)
            elif tag == f"{W}tbl":
                self._table(el)
            elif tag == f"{W}sdt":  # content control: its content is body content
                content = el.find(f"{W}sdtContent")
                if content is not None:
                    self._children(content)

    # -- paragraphs --------------------------------------------------------------
    def _paragraph(self, p) -> None:
        # Word's rendered breaks already include the pages these start
        if not self.rendered_breaks and self.blocks and _breaks_page_before(p):
            self.page += 1
        self._paragraph_text(p)
        if _ends_section(p):
            self.sections_ended += 1
            starts = self.section_starts[self.sections_ended : self.sections_ended + 1]
            if not self.rendered_breaks and starts and starts[0] != "continuous":
                self.page += 1

    def _paragraph_text(self, p) -> None:
        page = self.page
        parts: list[str] = []
        markers: list[tuple[int, str]] = []
        for node in p.iter():
            tag = node.tag
            if tag == f"{W}t":
                parts.append(node.text or "")
            elif tag == f"{W}tab":
                parts.append(" ")
            elif tag in _NOTE_REFS:
                markers.append((len("".join(parts)), self._label(node)))
            elif tag in (f"{W}br", f"{W}cr") and node.get(f"{W}type") != "page":
                parts.append(" ")
            elif (tag == f"{W}br" and not self.rendered_breaks) or (
                tag == f"{W}lastRenderedPageBreak" and self.rendered_breaks
            ):
                self.page += 1
                if not "".join(parts).strip():
                    page = self.page  # a break before any text: the paragraph starts overleaf
        raw = "".join(parts)
        text = " ".join(raw.split())
        if not text:
            return
        # whitespace is collapsed: a marker goes to the end of the word before it
        markers = [(len(" ".join(raw[:pos].split())), lab) for pos, lab in markers]
        kind, level, style = self._kind(p)
        block = Block(id=-1, type=kind, text=text, page=page,  # type: ignore[arg-type]
                      pages=sorted({page, self.page}), level=level, style=style)
        self.marker_spots += [(block, min(pos, len(text)), lab) for pos, lab in markers]
        self.blocks.append(block)
        if kind == "paragraph" and _all_bold(p, self.bold_styles):
            self.bold.append(block)

    def _kind(self, p) -> tuple[str, int | None, str | None]:
        ppr = p.find(f"{W}pPr")
        sid = None
        if ppr is not None:
            ps = ppr.find(f"{W}pStyle")
            sid = ps.get(f"{W}val") if ps is not None else None
        name = self.styles.get(sid or "", sid or "Normal")
        if name.lower() in _TITLE_STYLES:
            return "heading", 1, name
        if _TOC_STYLE.match(name):  # Word's generated table of contents
            return "list_item", None, CONTENTS_STYLE
        m = _HEADING_STYLE.match(name)
        if m:
            return "heading", int(m.group(1)), name
        if ppr is not None:
            outline = ppr.find(f"{W}outlineLvl")
            if outline is not None and outline.get(f"{W}val", "9").isdigit() and int(outline.get(f"{W}val")) < 9:
                return "heading", int(outline.get(f"{W}val")) + 1, name
            if ppr.find(f"{W}numPr") is not None:
                return "list_item", None, name
        if _LIST_STYLE.match(name):
            return "list_item", None, name
        if _QUOTE_STYLE.search(name):
            return "quote", None, name
        return "paragraph", None, name

    # -- tables --------------------------------------------------------------------
    def _table(self, tbl) -> None:
        page = self.page
        rows: list[list[str]] = []
        row_pages: list[int] = []
        header_rows = 0
        cell_markers: list[tuple[int, int, int, str]] = []  # row, column, offset, label
        above: list[str] = []  # the row before, whose merged cells run down into this one
        spans: list[int] = []  # cells of each row, to know a title row across the table
        for tr in tbl.findall(f"{W}tr"):
            row_page = self.page
            cells: list[str] = []
            tcs = tr.findall(f"{W}tc")
            for tc in tcs:
                span, continued = _cell_merge(tc)
                text, found = self._cell_text(tc)
                col = len(cells)
                if continued:  # Word shows the merged cell's words in every row it covers
                    text, found = (above[col] if col < len(above) else ""), []
                cell_markers += [(len(rows), col, pos, lab) for pos, lab in found]
                # a cell across columns ("Regional, 30/11/2024" over Level and Date) is
                # read in each: the Date column has its date
                cells += [text] + [text if len(tcs) > 1 else ""] * (span - 1)
            trpr = tr.find(f"{W}trPr")
            if trpr is not None and trpr.find(f"{W}tblHeader") is not None and len(rows) == header_rows:
                header_rows += 1
            above = cells
            if any(c.strip() for c in cells):
                rows.append(cells)
                row_pages.append(row_page)
                spans.append(len(tcs))
            else:
                cell_markers = [m for m in cell_markers if m[0] != len(rows)]
        if _title_row(rows, spans):
            # one cell across the whole table above its column headers ("13. Action plan")
            # is the table's title, not its header: it is read as a paragraph before it
            title = Block(id=-1, type="paragraph", text=rows[0][0], page=row_pages[0])
            self.marker_spots += [(title, pos, lab) for r, _, pos, lab in cell_markers if r == 0]
            self.blocks.append(title)
            cell_markers = [(r - 1, k, pos, lab) for r, k, pos, lab in cell_markers if r > 0]
            rows, row_pages, page = rows[1:], row_pages[1:], row_pages[1]
            header_rows = max(0, header_rows - 1)
        if not rows:
            return
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        tid = len(self.tables)
        pages = sorted(set(row_pages))
        table = Table(id=tid, rows=rows, pages=pages, header_rows=max(1, header_rows), row_pages=row_pages)
        self.tables.append(table)
        block = Block(id=-1, type="table", text=table_text(rows), page=page, pages=pages, table=tid)
        self.marker_spots += [(block, table.cell_offset(r, k) + pos, lab) for r, k, pos, lab in cell_markers]
        self.blocks.append(block)

    def _cell_text(self, tc) -> tuple[str, list[tuple[int, str]]]:
        """A cell's paragraphs (and any nested table) joined with spaces, and its markers."""
        words: list[str] = []
        markers: list[tuple[int, str]] = []
        for node in tc.iter():
            if node.tag == f"{W}t":
                words.append(node.text or "")
            elif node.tag in (f"{W}p", f"{W}tab", f"{W}br"):
                words.append(" ")
            elif node.tag == f"{W}lastRenderedPageBreak" and self.rendered_breaks:
                self.page += 1
            elif node.tag in _NOTE_REFS:
                markers.append((len("".join(words)), self._label(node)))
        raw = "".join(words)
        return " ".join(raw.split()), [(len(" ".join(raw[:pos].split())), lab) for pos, lab in markers]


def _cell_merge(tc) -> tuple[int, bool]:
    """(grid columns the cell spans, whether it continues the merged cell above it)."""
    tcpr = tc.find(f"{W}tcPr")
    if tcpr is None:
        return 1, False
    gs = tcpr.find(f"{W}gridSpan")
    vm = tcpr.find(f"{W}vMerge")
    span = int(gs.get(f"{W}val", "1")) if gs is not None and gs.get(f"{W}val", "1").isdigit() else 1
    return max(1, span), vm is not None and vm.get(f"{W}val", "continue") == "continue"


def _title_row(rows: list[list[str]], spans: list[int]) -> bool:
    """The first row is one cell across a table of several columns, over a row that
    fills more than one column."""
    return (len(rows) >= 2 and spans[0] == 1 and len(rows[0]) >= 2 and len(rows[0]) == max(map(len, rows))
            and sum(bool(c.strip()) for c in rows[1]) >= 2)


def _breaks_page_before(p) -> bool:
    ppr = p.find(f"{W}pPr")
    return ppr is not None and _on(ppr.find(f"{W}pageBreakBefore"))


def _ends_section(p) -> bool:
    ppr = p.find(f"{W}pPr")
    return ppr is not None and ppr.find(f"{W}sectPr") is not None


def _section_start(sect) -> str:
    """How a section starts: 'nextPage' (Word's default), 'continuous', 'oddPage'..."""
    kind = sect.find(f"{W}type")
    return kind.get(f"{W}val", "nextPage") if kind is not None else "nextPage"


def _page_count(path: Path) -> int | None:
    """Pages as Word last counted them (docProps/app.xml), if recorded."""
    try:
        with zipfile.ZipFile(path) as z:
            if "docProps/app.xml" not in z.namelist():
                return None
            info = z.getinfo("docProps/app.xml")
            if info.file_size > 1_000_000:
                return None
            m = re.search(rb"<(?:\w+:)?Pages>\s*(\d+)\s*<", z.read(info))
    except Exception:  # a damaged properties part only loses the page count
        return None
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


# Text a reader never sees on screen, yet Word can reveal ("Show markup", hidden text,
# comments): the body reader skips it, so no check reads it for personal data.
_UNSEEN = {
    "tracked changes": re.compile(rb"<w:(?:del|ins|moveFrom|moveTo)\b"),
    "hidden text": re.compile(rb"<w:(?:vanish|specVanish)\b"),
}
_UNSEEN_CANNOT = " that redaction cannot check; "


def unseen_content(path: Path) -> list[str]:
    """What of that the file holds: "comments", "tracked changes", "hidden text"."""
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.startswith("word/")]
            found = ["comments"] if any(n.startswith("word/comments") for n in names) else []
            xml = [z.read(n) for n in names if n.endswith((".xml", ".rels"))]  # guards capped their size
    except Exception:  # python-docx has read the body: a damaged part only loses this warning
        return []
    return found + [what for what, rx in _UNSEEN.items() if any(rx.search(data) for data in xml)]


def unseen_note(name: str, unseen: list[str]) -> str:
    """The one wording of the warning (shareable, analyse) and of redact's refusal."""
    return (f"{name} holds {', '.join(unseen)}{_UNSEEN_CANNOT}in Word accept or reject all changes, delete "
            "comments and hidden text, and save")


def _furniture(d) -> list[Block]:
    """Section headers and footers: kept apart from the body, once each."""
    out: list[Block] = []
    seen: set[tuple[str, str]] = set()
    for section in d.sections:
        for kind, part in (("header", section.header), ("footer", section.footer)):
            try:
                if part.is_linked_to_previous and out:
                    continue
                text = " ".join(" ".join(p.text for p in part.paragraphs).split())
            except Exception:  # a damaged header part should not stop the body being read
                continue
            if text and (kind, text) not in seen:
                seen.add((kind, text))
                out.append(Block(id=len(out), type=kind, text=text, page=1))  # type: ignore[arg-type]
    return out
