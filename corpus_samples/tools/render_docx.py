"""Renders a review to DOCX with python-docx, as a reviewing manager's Word file would be.

Headings use Word's 'Heading 1/2/3' styles, lists 'List Bullet'/'List Number' (each
numbered list restarts at its own first number), tables are real Word tables with the
header row marked to repeat, the running header and the page-number footer live in the
section header and footer, and footnotes are real Word footnotes: python-docx has no
footnote API, so the footnotes part (word/footnotes.xml) is written here as XML and
each marker is a <w:footnoteReference>. The zip is rewritten with fixed timestamps and
the core properties are fixed, so the bytes are the same on every build.
"""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import datetime, timezone

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from xml.sax.saxutils import escape

from source import INLINE, Review, contents

FIXED_DATE = datetime(2024, 6, 3, 9, 0, 0, tzinfo=timezone.utc)
ZIP_DATE = (2024, 6, 3, 9, 0, 0)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
DOCX_FONT = {"Helvetica": "Arial", "Times-Roman": "Times New Roman"}


def _footnotes_xml(review: Review, font: str) -> bytes:
    """The footnotes part: Word's two separator notes (ids -1 and 0), then one per label."""
    notes = [
        f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
    ]
    rpr = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/><w:sz w:val="16"/></w:rPr>'
    for label in sorted(review.footnotes, key=int):
        notes.append(
            f'<w:footnote w:id="{int(label)}"><w:p>'
            f'<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="16"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r>{rpr}<w:t xml:space="preserve"> {escape(review.footnotes[label])}</w:t></w:r>'
            f"</w:p></w:footnote>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">'
        + "".join(notes)
        + "</w:footnotes>"
    ).encode("utf-8")


def _declare_separators(document) -> None:
    """Word's own files name the separator notes in settings.xml; it goes before w:compat
    because Word checks the schema's element order."""
    settings = document.settings.element
    pr = parse_xml(f'<w:footnotePr xmlns:w="{W_NS}"><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(pr)
    else:
        settings.append(pr)


def _add_inline(paragraph, text: str, bold: bool = False) -> None:
    """Adds text with '**bold**' runs and footnote markers as real footnote references."""
    pos = 0
    for m in INLINE.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos : m.start()]).bold = bold or None
        if m.group("bold") is not None:
            paragraph.add_run(m.group("bold")).bold = True
        else:
            run = paragraph.add_run()
            run._r.append(parse_xml(f'<w:rPr xmlns:w="{W_NS}"><w:vertAlign w:val="superscript"/></w:rPr>'))
            run._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W_NS}" w:id="{int(m.group("note"))}"/>'))
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:]).bold = bold or None


def _has_style(document, name: str) -> bool:
    return any(s.name == name for s in document.styles)


def _field(paragraph, instr: str) -> None:
    paragraph._p.append(parse_xml(f'<w:fldSimple xmlns:w="{W_NS}" w:instr=" {instr} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))


def _footer(paragraph, footer: str) -> None:
    """The footer pattern ('Page {page} of {pages}', '- {page} -' ...) with live fields."""
    rest = footer
    while rest:
        i = min((rest.find(k) for k in ("{page}", "{pages}") if k in rest), default=-1)
        if i < 0:
            paragraph.add_run(rest)
            break
        if i:
            paragraph.add_run(rest[:i])
        key = "{pages}" if rest.startswith("{pages}", i) else "{page}"
        _field(paragraph, "NUMPAGES" if key == "{pages}" else "PAGE")
        rest = rest[i + len(key) :]


class _Numbering:
    """Gives each numbered list its own w:num so it restarts at its first number."""

    def __init__(self, document):
        self.numbering = document.part.numbering_part.element
        style = document.styles["List Number"]
        num_id = int(style.element.pPr.numPr.numId.val)
        base = next(n for n in self.numbering.findall(qn("w:num")) if int(n.get(qn("w:numId"))) == num_id)
        self.abstract = base.find(qn("w:abstractNumId")).get(qn("w:val"))
        self.next_id = max(int(n.get(qn("w:numId"))) for n in self.numbering.findall(qn("w:num"))) + 1

    def new(self, start: int) -> int:
        num_id, self.next_id = self.next_id, self.next_id + 1
        self.numbering.append(
            parse_xml(
                f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{self.abstract}"/>'
                f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
            )
        )
        return num_id


def _set_num(paragraph, num_id: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _table(document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = document.styles["Table Grid"]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            _add_inline(cell.paragraphs[0], text, bold=(r == 0))
    # Word repeats a header row at the top of each page only if it is marked so.
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader xmlns:w="{W_NS}"/>'))


def _deterministic_zip(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in sorted(zin.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(name))
    return out.getvalue()


def render_docx(review: Review) -> bytes:
    document = Document()
    font = DOCX_FONT[review.render["font"]]
    normal = document.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(float(review.render["size"]))
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        document.styles[name].font.name = font

    props = document.core_properties
    props.title = review.title
    props.author = "Fictional reviewing manager"
    props.last_modified_by = "Fictional reviewing manager"
    props.subject = "FICTIONAL serious further offence review"
    props.comments = "Built by sfo-nlp corpus_samples/tools/build.py"
    props.keywords = review.stamp
    props.created = props.modified = FIXED_DATE
    props.last_printed = FIXED_DATE
    props.revision = 1

    section = document.sections[0]
    head = section.header.paragraphs[0]
    head.add_run(review.render["header"]).bold = True
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _footer(foot, review.render["footer"])

    document.add_heading(review.title, level=1)
    blocks = review.blocks
    if review.render.get("cover"):
        _add_inline(document.add_paragraph(), blocks[0].text)
        document.add_page_break()
        blocks = blocks[1:]
    if review.render.get("contents"):
        # Plain paragraphs, not a TOC field: a field would need Word to fill it in.
        document.add_paragraph("Contents", style="TOC Heading" if _has_style(document, "TOC Heading") else None).runs[0].bold = True
        for h in contents(review):
            _add_inline(document.add_paragraph(), h.text)
        document.add_page_break()
    numbering = _Numbering(document)
    for b in blocks:
        if b.kind == "heading":
            _add_inline(document.add_heading("", level=b.level), b.text)
        elif b.kind == "paragraph":
            _add_inline(document.add_paragraph(), b.text)
        elif b.kind == "quote":
            _add_inline(document.add_paragraph(style="Quote"), b.text)
        elif b.kind == "bullets":
            for item in b.items:
                _add_inline(document.add_paragraph(style="List Bullet"), item)
        elif b.kind == "numbers":
            num_id = numbering.new(b.start)
            for item in b.items:
                p = document.add_paragraph(style="List Number")
                _set_num(p, num_id)
                _add_inline(p, item)
        elif b.kind == "table":
            _table(document, b.rows)
            document.add_paragraph()  # Word needs a paragraph between adjacent tables

    if review.footnotes:
        _declare_separators(document)
        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, _footnotes_xml(review, font), document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)

    buf = io.BytesIO()
    document.save(buf)
    return _deterministic_zip(buf.getvalue())
