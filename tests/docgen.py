"""Generate PDF and DOCX reviews with KNOWN content, for ingestion tests.

Other tests may import this module, so its API is small and stable:

    blocks = [
        ("h1", "Summary"),                        # h1/h2/h3 headings
        ("p", "Text with a marker[^1] and a line-end hyphen assess-\\nment."),
        ("li", "a bullet item"), ("ol", "a numbered item"),
        ("np", "3.2 a numbered paragraph, the number hanging in the margin"),
        ("quote", "quoted interview text"),
        ("table", [["Action", "Owner"], ["Train staff", "SPO"]]),
        ("pagebreak", None),
    ]
    make_pdf(path, blocks, footnotes={"1": "OASys is ..."}, header="OFFICIAL - SENSITIVE",
             footer="Page {page} of {pages}", password=None)
    make_docx(path, blocks, footnotes={...}, header=..., footer=...)
    blocks, footnotes = long_review(pages=40)   # a realistic review that fills ~40 PDF pages

Conventions: ``[^n]`` in text is a footnote marker (a superscript in the PDF, a real Word
footnote reference in the DOCX). ``-\\n`` inside paragraph text forces a line break right
after the hyphen in the PDF (so the ingester must repair it); in the DOCX the two parts
are simply joined, as Word would store them.

Everything is deterministic (reportlab ``invariant=1``) and fast (a 40-page PDF in about
a second).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

Block = tuple[str, Any]
MARKER = re.compile(r"\[\^([^\]]+)\]")
_RAISED = re.compile(r"[1-9][\d.]* Ts \(([^)]+)\) Tj")

# -- shared helpers ------------------------------------------------------------


def plain(text: str) -> str:
    """The words a reader sees: markers dropped, forced hyphen breaks joined."""
    return MARKER.sub("", text.replace("-\n", ""))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- PDF -----------------------------------------------------------------------


def make_pdf(
    path: str | Path,
    blocks: Sequence[Block],
    footnotes: dict[str, str] | None = None,
    *,
    font: str = "Helvetica",
    size: float = 10.5,
    header: str | Callable[[int], str] | None = "OFFICIAL - SENSITIVE",
    footer: str | None = "Page {page} of {pages}",
    password: str | None = None,
    owner_password: str | None = None,
    footnote_rule: bool = True,
    note_label: str = "plain",
    repeat_header: bool = True,
) -> Path:
    """Write a review PDF the way Word/reportlab would lay it out; returns the path.

    ``note_label``: "plain" starts each footnote with its number in the note's font
    (reportlab style), "super" with a raised number (Word style).
    ``repeat_header``: repeat a table's header row on each page it runs onto.
    ``header``: a running header; a function of the page number for one that changes.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen import canvas as rl_canvas
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

    footnotes = dict(footnotes or {})
    bold = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold"}.get(font, font)
    lead = size * 1.25
    body = ParagraphStyle("body", fontName=font, fontSize=size, leading=lead, spaceAfter=size * 0.8)
    styles = {
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=16, leading=20, spaceBefore=8, spaceAfter=8),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=12.5, leading=16, spaceBefore=6, spaceAfter=6),
        "h3": ParagraphStyle("h3", fontName=bold, fontSize=11, leading=14, spaceBefore=4, spaceAfter=4),
        "p": body,
        "li": ParagraphStyle("li", parent=body, leftIndent=18, bulletIndent=6, spaceAfter=3),
        "quote": ParagraphStyle("quote", parent=body, leftIndent=30, rightIndent=30, fontName=font),
        "np": ParagraphStyle("np", parent=body, leftIndent=30, bulletIndent=0),
    }
    cell = ParagraphStyle("cell", fontName=font, fontSize=size - 1, leading=(size - 1) * 1.2)
    cell_head = ParagraphStyle("cellh", parent=cell, fontName=bold)
    note_style = ParagraphStyle("note", fontName=font, fontSize=7.5, leading=9)
    width, height = A4
    left, right, top, note_area, bottom = 60, 60, 70, 90, 45

    def para(kind: str, text: str, number: int | None = None):
        markup = _esc(text).replace("-\n", "-<br/>")
        markup = MARKER.sub(lambda m: f"<super>{m.group(1)}</super>", markup)
        kw = {}
        if kind == "np":  # "3.2 text": the number hangs in the margin, the text aligned
            number, markup = markup.split(" ", 1)
            kw["bulletText"] = number
        elif kind == "li":
            kw["bulletText"] = "\u2022"
        elif kind == "ol":
            kw["bulletText"] = f"{number}."
        style = styles["li" if kind == "ol" else kind]
        return Paragraph(markup, style, **kw)

    story = []
    numbered = 0
    for kind, content in blocks:
        numbered = numbered + 1 if kind == "ol" else 0
        if kind == "pagebreak":
            story.append(PageBreak())
        elif kind == "table":
            rows = [
                [Paragraph(MARKER.sub(lambda m: f"<super>{m.group(1)}</super>", _esc(c)),
                           cell_head if r == 0 else cell) for c in row]
                for r, row in enumerate(content)
            ]
            ncol = max(len(r) for r in content)
            t = Table(rows, colWidths=[(width - left - right) / ncol] * ncol, repeatRows=1 if repeat_header else 0)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [t, Spacer(1, size)]
        else:
            story.append(para(kind, content, numbered))

    def page_begin(canv, doc):
        canv._sfo_notes = []
        if header:
            canv.setFont(font, 9)
            text = header(canv.getPageNumber()) if callable(header) else header
            canv.drawCentredString(width / 2, height - 40, text)

    def page_end(canv, doc):
        notes = [n for n in canv._sfo_notes if n in footnotes]
        if not notes:
            return
        label = "<super>{}</super>" if note_label == "super" else "{} "
        paras = [Paragraph(label.format(n) + _esc(footnotes[n]), note_style) for n in notes]
        sizes = [p.wrap(width - left - right, note_area) for p in paras]
        y = bottom + 12 + sum(h + 2 for _, h in sizes)
        if footnote_rule:
            canv.setLineWidth(0.5)
            canv.line(left, y + 4, left + 120, y + 4)
        for p, (_, h) in zip(paras, sizes):
            y -= h + 2
            p.drawOn(canv, left, y)

    class NumberedCanvas(rl_canvas.Canvas):
        """Defers the footer until the page count is known ('Page 3 of 17')."""

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._saved: list[dict] = []

        def drawText(self, tx):
            # a raised number drawn on this page is a footnote marker: queue its note
            # (done here because a paragraph split over two pages loses any label list)
            self._sfo_notes.extend(_RAISED.findall(tx.getCode()))
            super().drawText(tx)

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                if footer:
                    self.setFont(font, 9)
                    self.drawCentredString(width / 2, 25, footer.format(page=self._pageNumber, pages=total))
                super().showPage()
            super().save()

    encrypt = None
    if password is not None or owner_password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(password or "", ownerPassword=owner_password, canPrint=1, canCopy=0)
    path = Path(path)
    doc = BaseDocTemplate(
        str(path), pagesize=A4, leftMargin=left, rightMargin=right, topMargin=top,
        bottomMargin=bottom + note_area, invariant=1, encrypt=encrypt,
        title="Generated review", author="docgen",
    )
    frame = Frame(left, bottom + note_area, width - left - right, height - top - bottom - note_area, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=page_begin, onPageEnd=page_end)])
    doc.build(story, canvasmaker=NumberedCanvas)
    return path


def make_image_pdf(path: str | Path, pages: int = 1) -> Path:
    """A 'scanned' PDF: each page is only an image, with no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas as rl_canvas
    from PIL import Image, ImageDraw

    img = Image.new("L", (400, 560), 255)
    draw = ImageDraw.Draw(img)
    for y in range(40, 520, 14):  # grey bars that look like lines of print
        draw.rectangle([40, y, 360, y + 6], fill=90)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(pages):
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return Path(path)


def make_blank_pdf(path: str | Path, pages: int) -> Path:
    """A PDF with ``pages`` pages of one short line each (for page-limit tests)."""
    from reportlab.pdfgen import canvas as rl_canvas

    c = rl_canvas.Canvas(str(path), invariant=1)
    for i in range(pages):
        c.drawString(72, 720, f"Page {i + 1} text.")
        c.showPage()
    c.save()
    return Path(path)


# -- DOCX ----------------------------------------------------------------------

_FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_FOOTNOTES_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(
    path: str | Path,
    blocks: Sequence[Block],
    footnotes: dict[str, str] | None = None,
    *,
    header: str | None = "OFFICIAL - SENSITIVE",
    footer: str | None = "Review reference SFO/TEST/01",
    pages: int | None = None,
    endnotes: bool = False,
) -> Path:
    """Write a Word review: Heading styles, List styles, real tables and real footnotes.

    ``pages``: if given, written to docProps/app.xml as Word does (else the part is left
    without a page count so the reader has to estimate it).
    ``endnotes``: write the notes as Word endnotes (numbered i, ii, ... by Word).
    """
    import docx
    from docx.enum.text import WD_BREAK
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    footnotes = dict(footnotes or {})
    note = "endnote" if endnotes else "footnote"
    d = docx.Document()
    d.core_properties.author = "docgen"
    ids = {label: i for i, label in enumerate(footnotes, start=1)}
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            d.add_heading(plain(content), level=int(kind[1]))
        elif kind == "pagebreak":
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif kind == "table":
            ncol = max(len(r) for r in content)
            t = d.add_table(rows=len(content), cols=ncol)
            t.style = "Table Grid"
            for r, row in enumerate(content):
                for c, text in enumerate(row):
                    _add_runs(t.cell(r, c).paragraphs[0], text, ids, note)
            # header row repeats on each page, as in real reviews
            trPr = t.rows[0]._tr.get_or_add_trPr()
            trPr.append(parse_xml(f'<w:tblHeader xmlns:w="{_W}"/>'))
        else:
            style = {"p": None, "np": None, "li": "List Bullet", "ol": "List Number", "quote": "Quote"}[kind]
            _add_runs(d.add_paragraph(style=style), content, ids, note)
    section = d.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    if footnotes:
        notes = "".join(
            f'<w:{note} w:id="{ids[label]}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:{note}Ref/></w:r><w:r><w:t xml:space="preserve"> {_esc(text)}</w:t></w:r></w:p></w:{note}>'
            for label, text in footnotes.items()
        )
        xml = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{note}s xmlns:w="{_W}">'
            f'<w:{note} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{note}>'
            f'<w:{note} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{note}>'
            f"{notes}</w:{note}s>"
        ).encode()
        ct = _FOOTNOTES_CT.replace("footnotes", f"{note}s")
        part = Part(PackURI(f"/word/{note}s.xml"), ct, xml, d.part.package)
        d.part.relate_to(part, _FOOTNOTES_RT.replace("footnotes", f"{note}s"))
    buf = io.BytesIO()
    d.save(buf)
    data = _set_app_pages(buf.getvalue(), pages)
    path = Path(path)
    path.write_bytes(data)
    return path


def _add_runs(p, content: str, ids: dict[str, int], note: str) -> None:
    """Text runs, with each '[^n]' as a real w:footnoteReference (or endnoteReference)."""
    from docx.oxml import parse_xml

    for i, part in enumerate(MARKER.split(content.replace("-\n", ""))):
        if i % 2 == 0:
            if part:
                p.add_run(part)
        else:
            run = p.add_run()
            run._r.get_or_add_rPr().append(parse_xml(f'<w:vertAlign xmlns:w="{_W}" w:val="superscript"/>'))
            run._r.append(parse_xml(f'<w:{note}Reference xmlns:w="{_W}" w:id="{ids[part]}"/>'))


def _set_app_pages(data: bytes, pages: int | None) -> bytes:
    """Rewrite docProps/app.xml with (or without) a <Pages> count."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "docProps/app.xml":
                text = re.sub(rb"<Pages>\d+</Pages>", b"", raw)
                if pages is not None:
                    text = text.replace(b"</Properties>", f"<Pages>{pages}</Pages></Properties>".encode())
                raw = text
            dst.writestr(info, raw)
    return out.getvalue()


def make_zip_bomb_docx(path: str | Path, inflated_mb: int = 300) -> Path:
    """A DOCX-shaped zip whose document part inflates to ``inflated_mb`` MB of zeros.

    Written in streamed chunks so the test itself never holds the inflated bytes.
    """
    path = Path(path)
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            for _ in range(inflated_mb):
                fh.write(chunk)
    return path


# -- a realistic long review ---------------------------------------------------

_TOPICS = [
    "assessment", "planning", "implementation", "review", "risk of serious harm",
    "management oversight", "partnership work", "enforcement and recall",
]
_SENTENCES = [
    "The probation practitioner met the person on probation {n} times during the period under review.",
    "Records show that the risk-assessment was not updated after the arrest in month {n}.",
    "Information from the police about domestic abuse call-outs was requested but not followed up.",
    "The senior probation officer countersigned the plan without recording any management oversight.",
    "Home visits were planned but only {n} took place, which limited the understanding of risk.",
    "The reviewing manager considers that the sentence plan did not address the drivers of offending.",
    "Contact with the victim liaison service was timely and well recorded in the case notes.",
    "Workload pressures in the team were high, with caseloads above the expected level for {n} months.",
]


def long_review(pages: int = 40, table_rows: int = 60) -> tuple[list[Block], dict[str, str]]:
    """A review with case details, numbered sections, lists, footnotes, hyphenated line
    ends and an action plan table of ``table_rows`` rows that runs across pages.
    Sized to fill about ``pages`` A4 pages at 10.5pt."""
    blocks: list[Block] = [
        ("h1", "Serious Further Offence Review: Alex Example"),
        ("p", "FICTIONAL DOCUMENT: generated for testing; all names are invented."),
        ("table", [["Field", "Detail"], ["Offence", "Wounding with intent"], ["Region", "North West"],
                   ["RoSH level", "High"], ["MAPPA", "Category 2, Level 1"], ["Tier", "A3"]]),
    ]
    footnotes: dict[str, str] = {}
    # measured: one section fills about 0.7 page, ten table rows about one page
    n_sections = max(1, round((pages - table_rows / 10) / 0.66))
    note = 0
    for s in range(n_sections):
        topic = _TOPICS[s % len(_TOPICS)]
        blocks.append(("h2", f"{s + 1}. Analysis of {topic} (part {s + 1})"))
        for k in range(4):
            sents = [_SENTENCES[(s + k + j) % len(_SENTENCES)].format(n=s + k + j + 2) for j in range(5)]
            text = f"{s + 1}.{k + 1} " + " ".join(sents)
            if k == 1:
                note += 1
                footnotes[str(note)] = f"Note {note}: the Offender Assessment System (OASys) record dated month {note}."
                text = text.replace("management oversight", f"management oversight[^{note}]", 1)
                if f"[^{note}]" not in text:
                    text += f" See the case record[^{note}]."
            if k == 2:  # a hyphen forced at a line end: 'assess-' / 'ment'
                text = f"{s + 1}.{k + 1} The manager completed the safeguarding assess-\nment late. " + text.split(" ", 1)[1]
            blocks.append(("p", text))
        blocks.append(("h3", "Summary of findings"))
        blocks.append(("li", f"Practice in {topic} fell short of the expected standard in {s + 2} contacts."))
        blocks.append(("li", "Management oversight was recorded but was not effective."))
    blocks.append(("h2", "Action plan"))
    rows = [["Action", "Owner", "Level", "Target date", "Measure of impact"]]
    for i in range(table_rows):
        rows.append([
            f"Action {i + 1}: deliver refresher training on risk management to the team",
            "Head of PDU" if i % 2 else "SPO",
            "local" if i % 3 else "regional",
            f"{(i % 28) + 1} March 2025",
            f"Audit of {10 + i} cases shows improved quality of risk assessments",
        ])
    blocks.append(("table", rows))
    blocks.append(("h2", "Countersignature"))
    blocks.append(("p", "Countersigned by the Head of Public Protection for the region."))
    return blocks, footnotes


def expected_words(blocks: Iterable[Block], footnotes: dict[str, str] | None = None) -> list[str]:
    """The words of the generated content, as a reader would see them."""
    words: list[str] = []
    for kind, content in blocks:
        if kind == "table":
            for row in content:
                for c in row:
                    words += c.split()
        elif kind != "pagebreak":
            words += plain(content).split()
    for label, text in (footnotes or {}).items():
        words += [label] + text.split()
    return words
