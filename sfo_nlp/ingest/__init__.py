"""Ingestion: one entry point, ``load(path)``, from a file to a ``ReviewDocument``.

The file type is decided from its first bytes, not its name, so a renamed or
mislabelled file is still read correctly or refused with a clear message.
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
