"""Checks made before a file is parsed, so that bad input fails fast and clearly.

The type is sniffed from magic bytes; size limits are applied before reading; a
DOCX (a zip) is checked for zip bombs from its central directory, before anything
is inflated.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from sfo_nlp.errors import InputError, LimitError
from sfo_nlp.settings import Settings

Kind = Literal["pdf", "docx", "text"]
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
_IMAGE_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"BM": "a bitmap image",
}
# Documents people give where a text file of one item per line is expected: a PDF has no
# NUL byte near its start, so a text reader would take its syntax for items (QA 7)
_DOCUMENT_MAGIC = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a Word or zip file",
    b"\xd0\xcf\x11\xe0": "an old Word file",
    b"{\\rtf": "an RTF file",
}


# Never unpacked, not even looked into: an archive can hide path-traversal names, nested
# archives and zip bombs, and unzipping is a step the user can see and check.
ZIP_NOT_READ = "zip archives are not read: unzip it first and pass the folder"


def not_text_kind(head: bytes) -> str | None:
    """What a file is when its first bytes say it is a document or an image, not text.
    Two-byte signatures ("BM") are left out: a line of text may start with them."""
    for magic, what in {**_DOCUMENT_MAGIC, **_IMAGE_MAGIC}.items():
        if len(magic) > 2 and head.startswith(magic):
            return what
    return None


def check_file(path: Path, settings: Settings) -> Kind:
    name = path.name or str(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file (use 'sfo-nlp batch' for folders)")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{name}: the file is empty")
    if size > settings.max_file_mb * 1024 * 1024:
        raise LimitError(
            f"{name}: the file is {_mb(size)}, over the {settings.max_file_mb:g} MB limit "
            "(raise it with SFO_NLP_MAX_FILE_MB)"
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if path.suffix.lower() == ".zip":
            raise InputError(f"{name}: {ZIP_NOT_READ} ('sfo-nlp batch FOLDER') or one review from it")
        check_docx_zip(path, settings)
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{name}: an old-style Word .doc file or a password-protected Word file; "
            "save it as an unprotected .docx or PDF and try again"
        )
    for magic, what in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            raise InputError(f"{name}: is {what}, not a review; give a PDF, DOCX or text file")
    if path.suffix.lower() == ".pdf":
        raise InputError(f"{name}: not a valid PDF (the file does not start with %PDF); it may be corrupt")
    if path.suffix.lower() == ".docx":
        raise InputError(f"{name}: not a valid DOCX (it is not a zip file); it may be corrupt")
    if looks_like_text(path):
        if size > settings.max_text_mb * 1024 * 1024:
            raise LimitError(
                f"{name}: {size / 1048576:.1f} MB of text is far longer than a review "
                f"(limit {settings.max_text_mb:g} MB; raise it with SFO_NLP_MAX_TEXT_MB)"
            )
        return "text"
    raise InputError(f"{name}: not a PDF, DOCX or text file (unrecognised binary content)")


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size >= 104858 else f"{size / 1024:.0f} KB"


def looks_like_text(path: Path, sample: int = 65536) -> bool:
    with path.open("rb") as fh:
        chunk = fh.read(sample)
    if b"\x00" in chunk:
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the sample's end is still text
        if exc.start < len(chunk) - 4:
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError:
                return False
            # cp1252 decodes almost anything: insist on mostly printable characters
            text = chunk.decode("cp1252")
            printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
            return printable / max(1, len(text)) > 0.97
    return True


def check_docx_zip(path: Path, settings: Settings) -> None:
    """Refuse a zip that is not a DOCX or that would inflate past the limits."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{name}: not a valid DOCX (the zip container is corrupt: {exc})") from exc
    if len(infos) > settings.max_zip_members:
        raise LimitError(f"{name}: the DOCX holds {len(infos)} parts, over the limit of {settings.max_zip_members}")
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise InputError(f"{name}: a zip archive, not a Word document (no word/document.xml); {ZIP_NOT_READ}")
    total = 0
    limit = settings.max_inflated_mb * 1024 * 1024
    for info in infos:
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > settings.max_zip_ratio and info.file_size > 1024 * 1024:
            raise LimitError(
                f"{name}: refused, part {info.filename} would inflate {info.file_size / info.compress_size:.0f}x "
                f"(a zip bomb?); limit {settings.max_zip_ratio:g}x"
            )
        if total > limit:
            raise LimitError(
                f"{name}: refused, its parts would inflate to over {settings.max_inflated_mb:g} MB "
                "(raise the limit with SFO_NLP_MAX_INFLATED_MB)"
            )


def check_pdf_tail(path: Path, data_tail: bytes | None = None) -> None:
    """A PDF must end with '%%EOF' (near the end): without it the file was cut short.

    pdfium repairs many truncated files silently and would return part of a review
    as if it were whole, so a missing end marker is refused outright.
    """
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise InputError(
            f"{path.name}: the PDF is truncated or corrupt (no end-of-file marker); "
            "get a complete copy of the file"
        )


class Deadline:
    """A per-file time limit, checked between pages, so a pathological PDF cannot hang
    a batch run. (Library calls cannot be interrupted safely from Python, but no single
    page call of pdfium or pdfplumber runs for long on a file within the size limits.)"""

    def __init__(self, seconds: float, name: str):
        import time

        self._clock = time.monotonic
        self.name = name
        self.seconds = seconds
        self.end = self._clock() + seconds

    def check(self, where: str = "") -> None:
        if self.seconds > 0 and self._clock() > self.end:
            raise LimitError(
                f"{self.name}: gave up after {self.seconds:g} s{' at ' + where if where else ''}; "
                "the file may be malformed (raise the limit with SFO_NLP_MAX_SECONDS)"
            )
