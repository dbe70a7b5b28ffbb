"""Renders a review to PDF with reportlab platypus, laid out like a Word-authored review.

Conventions the ingestion code relies on (agreed for the fictional corpus): A4; running
header 'OFFICIAL - SENSITIVE' and a footer with the page number on every page; headings
bold and larger than the body; tables with grid lines whose header row repeats when they
run across pages; footnotes at the foot of the page where their marker appears, in a
smaller font, each starting with its number; markers as superscript numbers.
Output is byte-for-byte deterministic (invariant=1, fixed metadata dates).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from source import INLINE, Review, contents

BOLD_FONT = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold"}
ITALIC_FONT = {"Helvetica": "Helvetica-Oblique", "Times-Roman": "Times-Italic"}
NOTE_SIZE = 8
MARGIN = 2.3 * cm


def markup(text: str) -> str:
    """Source inline markup -> reportlab paragraph markup (escaped)."""
    out, pos = [], 0
    for m in INLINE.finditer(text):
        out.append(escape(text[pos : m.start()]))
        if m.group("bold") is not None:
            out.append(f"<b>{escape(m.group('bold'))}</b>")
        else:
            out.append(f"<super>{m.group('note')}</super>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


class Styles:
    def __init__(self, font: str, size: float, spacing: float):
        bold = BOLD_FONT[font]
        lead = round(size * spacing, 1)
        self.body = ParagraphStyle("body", fontName=font, fontSize=size, leading=lead, spaceAfter=size * 0.7, alignment=TA_LEFT)
        self.h = {
            1: ParagraphStyle("h1", fontName=bold, fontSize=15.5, leading=19, spaceBefore=10, spaceAfter=8, keepWithNext=1),
            2: ParagraphStyle("h2", fontName=bold, fontSize=12.5, leading=16, spaceBefore=9, spaceAfter=6, keepWithNext=1),
            3: ParagraphStyle("h3", fontName=bold, fontSize=11, leading=14, spaceBefore=6, spaceAfter=4, keepWithNext=1),
        }
        self.title = ParagraphStyle("title", parent=self.h[1], fontSize=16, leading=20, spaceBefore=0)
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=size - 1, leading=round((size - 1) * 1.3, 1))
        self.head_cell = ParagraphStyle("headcell", parent=self.cell, fontName=bold)
        self.item = ParagraphStyle("item", parent=self.body, leftIndent=0.8 * cm, bulletIndent=0.2 * cm, spaceAfter=size * 0.4)
        self.quote = ParagraphStyle("quote", parent=self.body, fontName=ITALIC_FONT[font], leftIndent=1.0 * cm, rightIndent=1.0 * cm)
        self.note = ParagraphStyle("note", fontName=font, fontSize=NOTE_SIZE, leading=NOTE_SIZE * 1.25, leftIndent=0.4 * cm, firstLineIndent=-0.4 * cm)
        self.furniture = (font, 8.5)


class NotedParagraph(Paragraph):
    """A paragraph whose footnotes must sit at the foot of the page it lands on.

    It asks the frame for its own height plus its notes' height, so it is only placed
    where both fit; once drawn, the doc template hands the notes' height back at the
    current position and takes it from the bottom of the frame instead, where the
    notes are drawn at the end of the page. Splitting is refused so a marker and its
    note never end up on different pages.
    """

    def __init__(self, text, style, notes: list[Paragraph], bullet: str | None = None):
        super().__init__(text, style, bulletText=bullet)
        self.notes = notes
        self.notes_height = 0.0

    def wrap(self, aW, aH):
        w, h = super().wrap(aW, aH)
        self.notes_height = sum(n.wrap(aW, aH)[1] + 2 for n in self.notes) + 6
        return w, h + self.notes_height

    def draw(self):
        self.canv.saveState()
        self.canv.translate(0, self.notes_height)
        super().draw()
        self.canv.restoreState()

    def split(self, aW, aH):
        return []


class ReviewDocTemplate(BaseDocTemplate):
    def __init__(self, buf, review: Review, styles: Styles):
        super().__init__(
            buf,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=2.4 * cm,
            bottomMargin=2.2 * cm,
            title=review.title,
            author="Fictional reviewing manager",
            subject="FICTIONAL serious further offence review",
            keywords=review.stamp,
            creator="sfo-nlp corpus_samples/tools/build.py",
            invariant=1,
        )
        self.review, self.styles = review, styles
        self.page_notes: list[Paragraph] = []
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._start_page, onPageEnd=self._end_page)])

    def afterFlowable(self, flowable):
        if isinstance(flowable, NotedParagraph):
            # Give the space back here and take it from the bottom of the frame
            # (_y1p is the padded bottom that Frame.add tests against).
            self.frame.__dict__["_y"] += flowable.notes_height
            self.frame.__dict__["_y1p"] += flowable.notes_height
            self.page_notes += flowable.notes

    def _start_page(self, canv, doc):
        self.page_notes = []
        # afterFlowable raised the frame's bottom for this page's notes; reportlab resets
        # the frame's top on a new page but not its bottom, so each page would lose the
        # notes' room of every page before it
        for frame in self.pageTemplates[0].frames:
            frame.__dict__["_y1p"] = frame._y1 + frame._bottomPadding
        font, size = self.styles.furniture
        canv.saveState()
        canv.setFont(BOLD_FONT[font], size)
        canv.drawCentredString(A4[0] / 2, A4[1] - 1.3 * cm, self.review.render["header"])
        canv.restoreState()

    def _end_page(self, canv, doc):
        if not self.page_notes:
            return
        y = self.bottomMargin
        for note in reversed(self.page_notes):
            _, h = note.wrap(self.width, self.height)
            note.drawOn(canv, self.leftMargin, y)
            y += h + 2
        canv.saveState()
        canv.setLineWidth(0.5)
        canv.line(self.leftMargin, y + 2, self.leftMargin + 5 * cm, y + 2)
        canv.restoreState()


def numbered_canvas(footer: str, font: str, size: float):
    """A canvas that holds pages back until the end so the footer can say 'of N'."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, size)
                text = footer.format(page=self._pageNumber, pages=total)
                self.drawCentredString(A4[0] / 2, 1.2 * cm, text)
                super().showPage()
            super().save()

    return NumberedCanvas


def _notes_for(text: str, review: Review, styles: Styles) -> list[Paragraph]:
    labels = [m.group("note") for m in INLINE.finditer(text) if m.group("note")]
    return [Paragraph(f"{label} {markup(review.footnotes[label])}", styles.note) for label in labels]


def _para(text: str, style, review: Review, styles: Styles, bullet: str | None = None):
    notes = _notes_for(text, review, styles)
    if notes:
        return NotedParagraph(markup(text), style, notes, bullet)
    return Paragraph(markup(text), style, bulletText=bullet)


def _table(rows: list[list[str]], width: float, styles: Styles) -> Table:
    ncols = len(rows[0])
    font = styles.cell.fontName
    # Each column first gets room for its longest word (so words are never broken
    # mid-word); the rest is shared by how much text the column holds, so prose
    # columns (the action text) are wide and dates or levels stay narrow.
    floor = [
        max(stringWidth(w, styles.head_cell.fontName if i == 0 else font, styles.cell.fontSize) for i, r in enumerate(rows) for w in (r[c].split() or [""])) + 8
        for c in range(ncols)
    ]
    weight = [min(max(sum(len(r[c]) for r in rows) / len(rows), 6), 80) for c in range(ncols)]
    spare = max(width - sum(floor), 0)
    widths = [f + spare * w / sum(weight) for f, w in zip(floor, weight)]
    widths = [w * width / sum(widths) for w in widths]
    data = [[Paragraph(markup(c), styles.head_cell if i == 0 else styles.cell) for c in r] for i, r in enumerate(rows)]
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.85, 0.85, 0.85)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return t


def render_pdf(review: Review) -> bytes:
    font, size = review.render["font"], float(review.render["size"])
    styles = Styles(font, size, float(review.render["spacing"]))
    buf = io.BytesIO()
    doc = ReviewDocTemplate(buf, review, styles)
    story = [Paragraph(markup(review.title), styles.title)]
    blocks = review.blocks
    if review.render.get("cover"):
        # A cover page holds the title and the opening notice (the FICTIONAL line).
        story += [Spacer(1, 6 * cm), _para(blocks[0].text, styles.body, review, styles), PageBreak()]
        blocks = blocks[1:]
    if review.render.get("contents"):
        story.append(Paragraph("Contents", styles.h[2]))
        story += [Paragraph(markup(h.text), styles.item) for h in contents(review)]
        story.append(PageBreak())
    for b in blocks:
        if b.kind == "heading":
            story.append(Paragraph(markup(b.text), styles.h[b.level]))
        elif b.kind == "paragraph":
            story.append(_para(b.text, styles.body, review, styles))
        elif b.kind == "quote":
            story.append(_para(b.text, styles.quote, review, styles))
        elif b.kind in ("bullets", "numbers"):
            for n, item in enumerate(b.items, start=b.start):
                bullet = "\u2022" if b.kind == "bullets" else f"{n}."
                story.append(_para(item, styles.item, review, styles, bullet))
        elif b.kind == "table":
            story += [Spacer(1, 4), _table(b.rows, doc.width, styles), Spacer(1, 8)]
        else:  # source.py only produces the kinds above
            raise AssertionError(b.kind)
    doc.build(story, canvasmaker=numbered_canvas(review.render["footer"], font, 8.5))
    return buf.getvalue()
