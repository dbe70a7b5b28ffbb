"""Ingestion: one entry point, ``load(path)``, from a file to a ``ReviewDocument``.

The file type is decided from its first bytes, not its name, so a renamed or
mislabelled file is still read correctly or refused with a clear message.

Modules:
  guards.py     checks before parsing: type sniffing, size/page/zip-bomb limits, time limit
  pdf.py        PDF reader (pypdfium2 characters -> lines -> blocks)
  layout.py     lines, superscript markers and font statistics from positioned characters
  tables.py     ruled tables (pdfplumber's grid finder fed with pdfium's ruling lines),
                merged when a table runs over a page break
  hyphens.py    line-end hyphen repair ("assess-/ment" joined, "risk-/assessment" kept)
  docx.py       Word reader (body XML in order, styles, numbering, footnotes part)
  pages.py      Word page numbers: recorded breaks, or estimated and marked approximate
  text.py       plain text / Markdown reader
  structure.py  what the PDF, DOCX and text readers share: contents pages, and headings told by their words ("12. Learning", "Part 3") where no style or font marks them, or by bold or capitals alone in a Word file without heading styles
  metadata.py   case details (rules/metadata.yaml)

Footnote markers (superscript digits in a PDF, w:footnoteReference in a DOCX) are NOT
kept in the body text, so words stay intact ("oversight", not "oversight2"); each
``Footnote.markers`` holds the offset in ``doc.text`` where its marker stood (the end of
the word it was attached to). Markdown keeps its literal "[^1]" markers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sfo_nlp.document import ReviewDocument
from sfo_nlp.errors import InputError
from sfo_nlp.ingest import guards
from sfo_nlp.ingest.metadata import extract_metadata
from sfo_nlp.settings import Settings


def load(path: str | Path, password: str | None = None, settings: Settings | None = None) -> ReviewDocument:
    settings = settings or Settings.from_env()
    path = Path(path)
    kind = guards.check_file(path, settings)
    data = path.read_bytes()
    if kind == "pdf":
        from sfo_nlp.ingest.pdf import read_pdf

        doc = read_pdf(path, password=password, settings=settings)
    elif kind == "docx":
        from sfo_nlp.ingest.docx import read_docx

        doc = read_docx(path, settings=settings)
    elif kind == "text":
        from sfo_nlp.ingest.text import read_text

        doc = read_text(path, data, settings=settings)
    else:  # guards.check_file only returns the kinds above
        raise InputError(f"{path.name}: unsupported file type")
    if not doc.text.strip():
        raise InputError(f"{path.name}: no text found in the document")
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.metadata = extract_metadata(doc)
    return doc


__all__ = ["load"]
