"""PDF reviews: positioned characters (pypdfium2) -> lines -> blocks.

Steps, each a small function below:
1. ``open_pdf``: open with pdfium; encrypted, corrupt, truncated and oversized files
   are refused with a message saying what to do.
2. ``read_chars``: every character with position, size and weight (pdfium is fast);
   ``page_rules``: the page's ruling lines, which pdfplumber's table finder turns into
   grids without parsing the page again (it parses a page only when a whole grid is
   drawn as one path).
3. Running headers/footers (lines repeated in the top/bottom band across pages, digits
   blanked) and page numbers go to ``furniture``; footnotes (small print at the foot of
   the page, starting with a number) become footnote blocks.
4. Lines become blocks by vertical gaps, indentation, font and bullets; paragraphs cut
   by a page break are joined; hyphens at line ends are repaired.
"""

from __future__ import annotations

import ctypes
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from sfo_nlp.document import Block, Footnote, ReviewDocument, Table, table_text
from sfo_nlp.errors import EncryptedError, InputError, LimitError, NoTextError
from sfo_nlp.ingest import guards, tables
from sfo_nlp.ingest.hyphens import Vocabulary, line_break
from sfo_nlp.ingest.layout import Char, FontStats, Line, font_stats, group_lines, normalise_furniture
from sfo_nlp.ingest.structure import (NUMBERED_PARA, TERMINAL, MarkerSpot, mark_contents, mark_headings,
                                      marker_positions)
from sfo_nlp.settings import Settings

# Bands at the top and bottom of a page where running headers and footers live.
FURNITURE_BAND = 0.10
# A line repeated (digits blanked) in a band on this share of pages is furniture.
FURNITURE_SHARE = 0.3
# Government security classifications printed on every page
PROTECTIVE_MARKING = re.compile(
    r"^(?:official|official\s*[-\u2013:]?\s*sensitive|not protectively marked|restricted|secret)"
    r"(?:\s*[-\u2013:]\s*[a-z ]+)?$", re.I)
PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-\u2013(\[]?\s*#\s*[-\u2013)\]]?(?:\s*(?:of|/)\s*#)?$", re.I)
# Footnotes: smaller than the body text, in the lower part of the page.
FOOTNOTE_MAX_RATIO = 0.92
FOOTNOTE_ZONE = 0.35
FOOTNOTE_START = re.compile(r"^(\d{1,3}|[*\u2020\u2021])[.)]?\s+(?=\S)")
# bullets as Word and others export them (Symbol/Wingdings glyphs land in U+F0xx)
BULLET = re.compile(
    r"^[\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u2013\-\u25a0\u25a1\u25c6\u25ba\u27a2\u2713\u2714"
    r"\u2192\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8o]\s+")
DASH_BULLETS = set("-\u2013o")
NUMBERED_ITEM = re.compile(r"^(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s+|^\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)\s+")
# typographic ligatures are letters to a reader (and to a word count)
LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}
# pdfium font flags: bit 19 (1-based) is ForceBold
_FORCE_BOLD = 1 << 18
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi", re.I)


# -- 1. opening ----------------------------------------------------------------


def open_pdf(path: Path, password: str | None):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == 4 or "password" in str(exc).lower():
            if password is None:
                raise EncryptedError(
                    f"{path.name}: the PDF is encrypted; give its password with --password"
                ) from exc
            raise EncryptedError(f"{path.name}: wrong password for this encrypted PDF") from exc
        raise InputError(f"{path.name}: not a readable PDF (the file is corrupt or damaged)") from exc
    except Exception as exc:  # pdfium wrappers raise plain errors for odd files
        raise InputError(f"{path.name}: not a readable PDF ({type(exc).__name__})") from exc


# -- 2. characters ---------------------------------------------------------------


def read_chars(textpage) -> list[Char]:
    """All characters of a page with position, size and weight; spaces become flags."""
    import pypdfium2.raw as raw

    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    box = raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    # Made once: a page has thousands of characters, and each call below is one ctypes call.
    box_ref, ox_ref, oy_ref = ctypes.byref(box), ctypes.byref(ox), ctypes.byref(oy)
    get_unicode, get_object = raw.FPDFText_GetUnicode, raw.FPDFText_GetTextObject
    get_box, get_origin, get_size = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin, raw.FPDFText_GetFontSize
    as_address, void_p = ctypes.cast, ctypes.c_void_p
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    last_obj = None
    bold = False
    size = 0.0
    out: list[Char] = []
    space = False
    for i in range(n):
        u = get_unicode(tp, i)
        if u in (13, 10, 0xFFFE, 0xFFFF, 0):
            space = True
            continue
        # pdfium reports a hyphen it judges to be a line-end hyphenation as 0x02
        ch = "-" if u == 2 else LIGATURES.get(u) or chr(u)
        if ch.isspace():
            space = True
            continue
        obj = as_address(get_object(tp, i), void_p).value
        if obj != last_obj or obj is None:  # font and size can only change with the text object
            last_obj = obj
            raw.FPDFText_GetFontInfo(tp, i, buf, 128, ctypes.byref(flags))
            bold = bool(flags.value & _FORCE_BOLD) or bool(_BOLD_NAME.search(buf.value.decode("latin-1")))
            if not bold:
                bold = raw.FPDFText_GetFontWeight(tp, i) >= 600
            size = get_size(tp, i)
        # the loose box spans the glyph's advance, so gaps between boxes are real spaces
        get_box(tp, i, box_ref)
        get_origin(tp, i, ox_ref, oy_ref)
        out.append(Char(ch, box.left, max(box.right, box.left), oy.value, size, bold, space))
        space = False
    return out


def page_rules(page) -> tuple[list[tuple[float, float, float, float]], list[tuple[float, float, float, float]]]:
    """Bounding boxes of the page's path objects (ruling lines, cell borders, boxes), and
    of the paths too complex for their box to describe (a whole grid drawn as one path,
    or a vector logo)."""
    import pypdfium2.raw as raw

    boxes, complex_boxes = [], []
    l, b, r, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=1):
        if not raw.FPDFPageObj_GetBounds(obj.raw, ctypes.byref(l), ctypes.byref(b), ctypes.byref(r), ctypes.byref(t)):
            continue
        box = (l.value, b.value, r.value, t.value)
        thin = min(box[2] - box[0], box[3] - box[1]) <= tables.THIN
        if not thin and raw.FPDFPath_CountSegments(obj.raw) > 6:
            complex_boxes.append(box)
        boxes.append(box)
    return boxes, complex_boxes


def _has_images(page) -> bool:
    import pypdfium2.raw as raw

    return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _grid_in_one_path(complex_boxes, chars: list[Char]) -> bool:
    """A complex path holding text may be a whole table grid (a logo holds no text)."""
    for x0, y0, x1, y1 in complex_boxes:
        inside = sum(1 for c in chars if x0 <= c.cx <= x1 and y0 <= c.y <= y1)
        if inside >= 10:
            return True
    return False


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[tables.TablePart] = field(default_factory=list)
    table_chars: list[list[Char]] = field(default_factory=list)  # parallel to tables
    furniture: list[tuple[str, Line]] = field(default_factory=list)
    footnotes: list[list[Line]] = field(default_factory=list)


# -- the reader ------------------------------------------------------------------------


def read_pdf(path: Path, password: str | None = None, settings: Settings | None = None) -> ReviewDocument:
    settings = settings or Settings()
    guards.check_pdf_tail(path)
    deadline = guards.Deadline(settings.max_seconds, path.name)
    pdf = open_pdf(path, password)
    try:
        n = len(pdf)
        if n == 0:
            raise InputError(f"{path.name}: the PDF has no pages")
        if n > settings.max_pages:
            raise LimitError(
                f"{path.name}: {n} pages, over the limit of {settings.max_pages} "
                "(raise it with SFO_NLP_MAX_PAGES)"
            )
        read = _read_all_pages(pdf, path, password, n, deadline)
    finally:
        pdf.close()

    states = {pc.number: state for pc, state, _ in read}
    if not any(pc.lines or any(pc.table_chars) for pc, _, _ in read):  # no page gave any characters
        if "scanned" not in states.values():
            raise InputError(f"{path.name}: no readable text in the PDF (it is blank or damaged)")
        raise NoTextError(
            f"{path.name}: the PDF has no text layer (it looks scanned); add one with OCR, "
            "e.g. 'ocrmypdf in.pdf out.pdf', then try again"
        )
    warnings: list[str] = []
    damaged = [p for p, state in states.items() if state == "damaged"]
    if damaged:
        warnings.append("page(s) could not be read (damaged?) and were skipped: " + ", ".join(map(str, damaged[:10])))
    blank = [p for p, state in states.items() if state in ("scanned", "blank")]
    if blank:
        warnings.append(
            f"{len(blank)} page(s) have no text layer and were skipped (scanned?): "
            + ", ".join(map(str, blank[:10]))
        )
    warnings += [w for _, _, page_warnings in read for w in page_warnings]

    pages = [pc for pc, _, _ in read]
    _split_furniture(pages)
    stats = font_stats([p.lines for p in pages])
    _split_footnotes(pages, stats)
    vocab = Vocabulary(ln.text for p in pages for ln in p.lines + [x for f in p.footnotes for x in f])
    joiner = _Joiner(vocab)
    for p in pages:
        for part, chars in zip(p.tables, p.table_chars):
            tables.fill(part, chars, joiner.join)
    return _assemble(path, pages, stats, joiner, warnings)


# A PDF this long has its second half read by a forked child where a second core is free
# (sfo_nlp/parallel.py): reading characters and laying out lines is most of the ingest
# time, page by page, and pages do not depend on each other until furniture and footnotes.
PARALLEL_MIN_PAGES = 12

# content, state ('' when the page gave characters, else damaged, scanned or blank), warnings
PageRead = tuple["PageContent", str, list[str]]


def _read_all_pages(pdf, path: Path, password: str | None, n: int, deadline) -> list[PageRead]:
    from sfo_nlp import parallel

    if n < PARALLEL_MIN_PAGES or not parallel.available():
        return _read_pages(pdf, path, password, range(1, n + 1), deadline)
    half = n // 2
    second = range(half + 1, n + 1)
    # The child opens the file itself: a handle shared across fork shares its file offset.
    job = parallel.Forked(_read_pages, None, path, password, second, deadline)
    try:
        first = _read_pages(pdf, path, password, range(1, half + 1), deadline)
        try:
            rest = job.result(timeout=max(deadline.end - time.monotonic(), 0) + 30 if deadline.seconds > 0 else 3600)
        except parallel.ChildFailed:  # whatever went wrong there, read those pages here
            rest = _read_pages(pdf, path, password, second, deadline)
    finally:
        job.close()
    return first + rest


def _read_pages(pdf, path: Path, password: str | None, numbers: range, deadline) -> list[PageRead]:
    """Characters, rules, tables and lines of the pages ``numbers`` (1-based), in order."""
    own = pdf is None
    if own:
        pdf = open_pdf(path, password)
    plumber: list = []  # opened on the first page whose grid only pdfplumber can read
    out: list[PageRead] = []
    try:
        for number in numbers:
            width, height, chars, rules = 595.0, 842.0, [], ([], [])
            state = ""
            try:
                page = pdf[number - 1]
                try:
                    width, height = page.get_size()
                    textpage = page.get_textpage()
                    chars = read_chars(textpage)
                    textpage.close()
                    rules = page_rules(page) if chars else ([], [])
                    if not chars:
                        state = "scanned" if _has_images(page) else "blank"
                finally:
                    page.close()
            except Exception:  # pdfium raises plain errors for a damaged page: skip it
                state = "damaged"
            deadline.check(f"page {number}")
            warnings: list[str] = []
            pc = _layout_page(path, password, number, width, height, chars, rules, plumber, warnings)
            deadline.check(f"page {number} tables")
            out.append((pc, state, warnings))
    finally:
        for doc in plumber:
            doc.close()
        if own:
            pdf.close()
    return out


def _layout_page(path, password, number, width, height, chars, rules, plumber: list, warnings: list[str]) -> PageContent:
    """Lines of one page, with the characters inside ruled tables set aside for the cells."""
    pc = PageContent(number, width, height)
    boxes, complex_boxes = rules
    try:
        if complex_boxes and _grid_in_one_path(complex_boxes, chars):
            # the grid may be inside one path: let pdfplumber parse the whole page
            if not plumber:
                import pdfplumber

                plumber.append(pdfplumber.open(str(path), password=password or ""))
            pc.tables = tables.find_tables(plumber[0].pages[number - 1], number, height)
        elif len(boxes) >= 4:  # a grid needs at least four ruling lines
            pc.tables = tables.find_tables_from_rules(boxes, number, width, height)
    except Exception as exc:  # a damaged page: read its text, skip its tables
        warnings.append(f"page {number}: tables could not be read ({type(exc).__name__})")
    rest = chars
    if pc.tables:
        rest = []
        pc.table_chars = [[] for _ in pc.tables]
        for c in chars:
            owner = next((k for k, t in enumerate(pc.tables) if t.contains(c)), None)
            if owner is None:
                rest.append(c)
            else:
                pc.table_chars[owner].append(c)
    pc.lines = group_lines(rest, number)
    return pc


# -- 3. furniture and footnotes ----------------------------------------------------------


def _split_furniture(pages: list[PageContent]) -> None:
    """Move running headers, footers and page numbers out of the body lines.

    Furniture is a band line whose text (digits blanked) repeats across pages, or a page
    number, or a protective marking; or, in the top band, small print at the same height
    on many pages (a running header naming the current section changes its text)."""
    seen: dict[tuple[str, str], int] = {}
    header_heights: dict[int, int] = {}
    body = font_stats([p.lines for p in pages]).body_size
    for p in pages:
        for where, ln in _band_lines(p):
            key = (where, normalise_furniture(ln.text))
            seen[key] = seen.get(key, 0) + 1
            if where == "header" and ln.size < 0.95 * body:
                header_heights[round(ln.y)] = header_heights.get(round(ln.y), 0) + 1
    need = max(2, FURNITURE_SHARE * len(pages))
    for p in pages:
        markers = {lab for ln in p.lines for _, lab in ln.markers}
        drop: set[int] = set()
        for where, ln in _band_lines(p):
            norm = normalise_furniture(ln.text)
            fn = FOOTNOTE_START.match(ln.text)
            if ln.starts_with_marker() or (fn and fn.group(1) in markers):
                continue  # a footnote at the foot of the page, not a footer
            running_header = where == "header" and ln.size < 0.95 * body and header_heights.get(round(ln.y), 0) >= need
            if PAGE_NUMBER.match(norm) or PROTECTIVE_MARKING.match(norm) or seen[(where, norm)] >= need \
                    or running_header:
                p.furniture.append((where, ln))
                drop.add(id(ln))
        p.lines = [ln for ln in p.lines if id(ln) not in drop]


def _band_lines(p: PageContent):
    for ln in p.lines:
        if ln.y > p.height * (1 - FURNITURE_BAND):
            yield "header", ln
        elif ln.y < p.height * FURNITURE_BAND:
            yield "footer", ln


def _split_footnotes(pages: list[PageContent], stats: FontStats) -> None:
    """Small print at the foot of a page that starts with a number is footnotes; so is a
    line there starting with the label of a marker on the page, whatever its size (on a
    short page the notes can be most of the text, which skews the body size)."""
    last_notes: list[list[Line]] = []
    for p in pages:
        labels = _page_marker_labels(p)
        zone: list[Line] = []
        for ln in reversed(p.lines):
            if ln.y >= p.height * FOOTNOTE_ZONE:
                break
            small = ln.size <= stats.body_size * FOOTNOTE_MAX_RATIO
            continued = bool(zone) and abs(zone[-1].size - ln.size) < 0.3 and ln.y - zone[-1].y < 2 * ln.size
            if small or _footnote_label(ln) in labels or continued:
                zone.append(ln)
            else:
                break
        zone.reverse()
        first = next((i for i, ln in enumerate(zone) if _footnote_label(ln)), None)
        # small print above the first note (or instead of any) at the foot of a page after
        # a page with notes: a long note continued from that page
        head = zone[: len(zone) if first is None else first]
        if head and last_notes and all(ln.size <= stats.body_size * FOOTNOTE_MAX_RATIO for ln in head):
            last_notes[-1] += head
            moved = {id(ln) for ln in head}
            p.lines = [ln for ln in p.lines if id(ln) not in moved]
        if first is None:
            last_notes = []
            continue
        notes: list[list[Line]] = []
        for ln in zone[first:]:
            if _footnote_label(ln) or not notes:
                notes.append([ln])
            else:
                notes[-1].append(ln)
        p.footnotes = notes
        last_notes = notes
        keep = {id(ln) for ln in zone[first:]}
        p.lines = [ln for ln in p.lines if id(ln) not in keep]


def _page_marker_labels(p: PageContent) -> set[str]:
    """Labels of the superscript markers on a page, in its text and in its table cells."""
    # a marker at the very start of a line is a Word-style note's own label, not evidence
    labels = {lab for ln in p.lines for pos, lab in ln.markers if pos > 0}
    for chars in p.table_chars:
        labels |= {lab for ln in group_lines(chars, p.number) for _, lab in ln.markers}
    return labels


def _footnote_label(ln: Line) -> str | None:
    label = ln.starts_with_marker()
    if label:
        return label
    m = FOOTNOTE_START.match(ln.text)
    return m.group(1) if m else None


# -- 4. blocks ------------------------------------------------------------------------------


class _Joiner:
    """Joins the lines of one block into text, repairing hyphens and keeping markers."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    def join(self, lines: list[Line], skip_label: bool = False,
             page_breaks: list[tuple[int, int]] | None = None) -> tuple[str, list[tuple[int, str]]]:
        """The text and its markers; ``page_breaks`` collects (offset, page) where a
        line on a later page starts."""
        text = ""
        markers: list[tuple[int, str]] = []
        for i, ln in enumerate(lines):
            piece, offset = ln.text, 0
            line_markers = ln.markers
            if i == 0 and skip_label:
                m = FOOTNOTE_START.match(piece)
                if m and not ln.starts_with_marker():
                    offset = m.end()
                line_markers = [mk for mk in line_markers if mk[0] != 0]
            piece = piece[offset:]
            if text:
                drop, sep = line_break(text, piece, self.vocab)
                text = text[: len(text) - drop] + sep
            base = len(text)
            text += piece
            markers += [(base + pos - offset, lab) for pos, lab in line_markers]
            if page_breaks is not None and i and ln.page != lines[i - 1].page:
                page_breaks.append((base, ln.page))
        return text, markers


@dataclass
class _Draft:
    type: str
    page: int
    lines: list[Line] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    level: int | None = None
    style: str | None = None
    part: tables.TablePart | None = None


def _kind(ln: Line, stats: FontStats) -> str:
    ratio = ln.size / stats.body_size if stats.body_size else 1.0
    if ratio >= stats.heading_ratio and len(ln.text) < 200:
        return "heading"
    # a bold run at the start of a paragraph ("**PP1** has been...") is not a heading
    if ln.bold_share >= 0.95 and ratio >= 0.95 and len(ln.text) < 120 and not ln.text.endswith("."):
        return "heading"
    if BULLET.match(ln.text):
        # a dash or "o" at the margin may be a wrapped sentence ("- and then"): only an
        # indented one is a bullet
        if ln.text[0] not in DASH_BULLETS or ln.x0 > stats.left + 0.4 * ln.size:
            return "list_item"
    if NUMBERED_ITEM.match(ln.text) and not NUMBERED_PARA.match(ln.text) and ln.x0 > stats.left + 0.4 * ln.size:
        return "list_item"
    return "paragraph"


def _starts_new(d: _Draft, ln: Line, kind: str, stats: FontStats) -> bool:
    prev = d.lines[-1]
    if kind == "heading" or d.type == "heading":
        same = kind == d.type and abs(prev.size - ln.size) < 0.3 and prev.bold == ln.bold
        return not (same and prev.y - ln.y <= 1.6 * ln.size)
    if kind == "list_item":
        return True  # every bullet starts an item
    if prev.y - ln.y > stats.para_gap(ln.size) or abs(prev.size - ln.size) > 0.6:
        return True
    if NUMBERED_PARA.match(ln.text) and prev.text.endswith(TERMINAL):
        return True
    if d.type == "list_item":
        # back left of the item's text after a finished sentence: the list has ended
        starts = d.lines[0].word_starts()
        text_x0 = starts[1] if len(starts) > 1 else d.lines[0].x0
        return ln.x0 < text_x0 - 0.5 * ln.size and prev.text.endswith(TERMINAL)
    starts = d.lines[0].word_starts()
    if len(starts) > 1 and abs(ln.x0 - starts[1]) < 0.5 * ln.size:
        return False  # hanging indent: aligned with the text after "3.2"
    if ln.x0 > prev.x0 + 0.8 * ln.size:
        return True  # first-line indent or an indented quotation
    # a sentence ending a line with room left for the next word: the author broke the
    # line there, so it closes a paragraph (written without spacing between paragraphs)
    room = stats.right - prev.x1 - 0.3 * ln.size
    if prev.text.endswith(TERMINAL) and room > ln.first_word_width() + ln.size and not ln.text[:1].islower():
        return True
    return False


def _continues_over_page(d: _Draft | None, ln: Line, kind: str, stats: FontStats, floor: float | None) -> bool:
    """A paragraph cut by a page break: it did not end a sentence, the next page goes on.

    ``floor``: the lowest baseline body text reaches on a page (None when unknown, e.g.
    the page has footnotes)."""
    if d is None or d.type not in ("paragraph", "list_item", "quote") or kind != "paragraph":
        return False
    if not d.lines or abs(d.lines[-1].size - ln.size) > 0.6:
        return False
    if ln.text[:1].islower():
        return True
    if NUMBERED_PARA.match(ln.text) or ln.x0 > stats.left + 0.8 * ln.size:
        return False
    last = d.lines[-1]
    leading = stats.leading.get(round(last.size, 1), 1.2 * last.size)
    if floor is not None and last.y - 2 * leading >= floor - 1:
        return False  # two more lines would have fitted on the page: the paragraph ended
    if stats.right - last.x1 - 0.3 * ln.size > ln.first_word_width() + ln.size:
        return False  # the next word would have fitted: the paragraph ended there
    # a full last line means the paragraph ran on, even if a sentence ended there
    return not last.text.endswith(TERMINAL) or last.x1 >= stats.right - 2 * last.size


def _drafts(pages: list[PageContent], stats: FontStats) -> list[_Draft]:
    drafts: list[_Draft] = []
    last_part: tables.TablePart | None = None  # a table that may continue overleaf
    bottoms = [p.lines[-1].y for p in pages if p.lines and not p.footnotes]
    floor = min(bottoms) if len(bottoms) >= 2 else None
    by_number = {p.number: p for p in pages}
    for p in pages:
        items: list[tuple[float, object]] = [(ln.y + ln.size, ln) for ln in p.lines]
        items += [(t.top, t) for t in p.tables]
        items.sort(key=lambda it: -it[0])
        first_on_page = True
        for _, item in items:
            cur = drafts[-1] if drafts else None
            if isinstance(item, tables.TablePart):
                if not item.rows:
                    continue
                if first_on_page and last_part is not None and cur is not None and cur.part is last_part \
                        and tables.continues(last_part, item):
                    tables.merge(last_part, item)
                    if p.number not in cur.pages:
                        cur.pages.append(p.number)
                else:
                    drafts.append(_Draft("table", p.number, pages=[p.number], part=item))
                    last_part = item
                first_on_page = False
                continue
            ln: Line = item  # type: ignore[assignment]
            kind = _kind(ln, stats)
            prev_page = by_number.get(cur.lines[-1].page) if cur is not None and cur.lines else None
            page_floor = floor if prev_page is not None and not prev_page.footnotes else None
            if first_on_page and _continues_over_page(cur, ln, kind, stats, page_floor):
                cur.lines.append(ln)  # type: ignore[union-attr]
                cur.pages.append(p.number)  # type: ignore[union-attr]
            elif cur is None or cur.type == "table" or cur.lines[-1].page != p.number or _starts_new(cur, ln, kind, stats):
                drafts.append(_Draft(kind, p.number, [ln], [p.number],
                                     style=f"{ln.size:g}pt{' bold' if ln.bold else ''}"))
            else:
                cur.lines.append(ln)
            first_on_page = False
        if items:
            last_is_table = isinstance(items[-1][1], tables.TablePart)
            last_part = last_part if last_is_table else None
    for d in drafts:  # an indented block of plain paragraphs is a quotation
        if d.type == "paragraph" and d.lines and all(ln.x0 >= stats.left + 2 * ln.size for ln in d.lines):
            d.type = "quote"
    _heading_levels(drafts)
    return drafts


def _heading_levels(drafts: list[_Draft]) -> None:
    """Bigger headings are higher: level 1 for the largest style in the document."""
    styles = sorted(
        {(round(d.lines[0].size * 2) / 2, d.lines[0].bold) for d in drafts if d.type == "heading"},
        key=lambda s: (-s[0], not s[1]),
    )
    # sizes within 5% are one level (a 16pt title over 15.5pt chapter headings)
    rank: dict[tuple[float, bool], int] = {}
    level, prev = 0, None
    for size, bold in styles:
        if prev is None or bold != prev[1] or size < prev[0] * 0.95:
            level += 1
            prev = (size, bold)
        rank[(size, bold)] = level
    for d in drafts:
        if d.type == "heading":
            d.level = min(6, rank[(round(d.lines[0].size * 2) / 2, d.lines[0].bold)])


def _assemble(path: Path, pages: list[PageContent], stats: FontStats, joiner: _Joiner,
              warnings: list[str]) -> ReviewDocument:
    blocks: list[Block] = []
    doc_tables: list[Table] = []
    marker_spots: list[MarkerSpot] = []
    for d in _drafts(pages, stats):
        if d.type == "table" and d.part is not None:
            tid = len(doc_tables)
            doc_tables.append(Table(id=tid, rows=d.part.rows, pages=list(d.part.pages), row_pages=d.part.row_pages))
            block = Block(id=-1, type="table", text=table_text(d.part.rows), page=d.page,
                          pages=list(d.part.pages), table=tid)
            marker_spots += [(block, doc_tables[-1].cell_offset(r, k) + pos, lab)
                             for r, k, pos, lab in d.part.markers]
            blocks.append(block)
            continue
        breaks: list[tuple[int, int]] = []
        text, markers = joiner.join(d.lines, page_breaks=breaks)
        strip = 0
        if d.type == "list_item":  # the bullet or number is layout, not text
            m = BULLET.match(text) or NUMBERED_ITEM.match(text)
            strip = m.end() if m else 0
        text = text[strip:]
        if text.strip():
            block = Block(id=-1, type=d.type, text=text, page=d.page, pages=d.pages,  # type: ignore[arg-type]
                          level=d.level, style=d.style, page_breaks=[(max(0, at - strip), pg) for at, pg in breaks])
            marker_spots += [(block, max(0, pos - strip), lab) for pos, lab in markers]
            blocks.append(block)
    mark_contents(blocks)
    mark_headings(blocks)  # a heading in the body font, as Word prints one typed in Normal
    notes: list[Footnote] = []
    for p in pages:
        for lines in p.footnotes:
            label = _footnote_label(lines[0]) or str(len(notes) + 1)
            text, _ = joiner.join(lines, skip_label=True)
            blocks.append(Block(id=-1, type="footnote", text=text, page=p.number, footnote=label,
                                style=f"{lines[0].size:g}pt"))
            notes.append(Footnote(label=label, text=text, page=p.number, block=len(blocks) - 1))
    furniture = [
        Block(id=i, type=where, text=ln.text, page=p.number)  # type: ignore[arg-type]
        for i, (p, (where, ln)) in enumerate((p, f) for p in pages for f in p.furniture)
    ]
    doc = ReviewDocument.build(path.name, "pdf", len(pages), blocks, tables=doc_tables,
                               furniture=furniture, warnings=warnings)
    for b in doc.blocks:
        if b.table is not None:
            doc.tables[b.table].block = b.id
    _link_markers(doc, notes, marker_spots)
    return doc


def _link_markers(doc: ReviewDocument, notes: list[Footnote], spots: list[MarkerSpot]) -> None:
    """Each marker goes to the footnote with its label on the same page or the next one after."""
    doc.footnotes = notes
    for pos, label in marker_positions(doc.blocks, spots):
        page = doc.page_at(pos) or 1
        same = [f for f in notes if f.label == label]
        if not same:
            continue
        best = min(same, key=lambda f: (f.page < page, abs(f.page - page)))
        best.markers.append(pos)
    unlinked = [f.label for f in notes if not f.markers]
    if unlinked:
        doc.warnings.append("footnote(s) without a marker in the text: " + ", ".join(unlinked[:10]))
