"""Read a text file of one item per line (sentences or actions) for --sentences / --items.

Blank lines keep their place in the output, so line N of the input is line N of the JSONL.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

from sfo_nlp import nlp
from sfo_nlp.errors import InputError
from sfo_nlp.ingest.guards import not_text_kind
from sfo_nlp.ingest.text import decode
from sfo_nlp.learn.infer import NEEDS

MAX_LINES = 100_000
# A name that says "document" where the bytes cannot (an empty or damaged review.pdf): the
# user meant a review, and "no items in review.pdf" would hide that.
_DOCUMENT_SUFFIXES = {".pdf": "a PDF", ".docx": "a Word file", ".doc": "an old Word file", ".rtf": "an RTF file",
                      ".odt": "an OpenDocument file"}


def read_lines(path: Path) -> list[str]:
    """The file's lines, stripped; refused (before any model loads) when the file is a
    folder, a document or image, or holds no item: each gave silent or nonsense output."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a text file with one item per line")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    data = path.read_bytes()
    what = not_text_kind(data[:8])
    named = _DOCUMENT_SUFFIXES.get(path.suffix.lower())
    if what or named:
        raise InputError(f"{path.name} is {what or 'named as ' + named}, not a text file of one item per line "
                         "(to check a whole review, give it as PATH instead)")
    lines = _text(path, data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the file's final newline is not a blank item
    if len(lines) > MAX_LINES:
        raise InputError(f"{path.name}: {len(lines)} lines; at most {MAX_LINES} at a time")
    lines = [ln.strip() for ln in lines]
    if not any(lines):
        raise InputError(f"no items in {path}: give a text file with one item per line")
    return lines


def _text(path: Path, data: bytes) -> str:
    """The file as text. Windows tools save "Unicode" text as UTF-16 with a byte-order
    mark, whose NUL bytes are characters, not the sign of a binary file."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")  # reads the mark for the byte order, and drops it
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: starts as UTF-16 text but is damaged; save it again as "
                             "UTF-8 text, one item per line") from None
    if b"\x00" in data[:4096]:
        raise InputError(f"{path.name}: not a text file (one item per line expected)")
    return decode(data)  # UTF-8, with or without its mark, else Windows-1252


def parse_lines(lines: list[str]) -> dict[int, object]:
    """Line index -> spaCy span of the non-blank lines, each line parsed as one item."""
    idx = [i for i, ln in enumerate(lines) if ln]
    nlp.require(NEEDS)
    return {i: doc[:] for i, doc in zip(idx, nlp.parse_texts([lines[i] for i in idx]))}


def classify_file_jsonl(path: Path, classify, keys: tuple[str, ...], blank: dict) -> str:
    """JSONL, one object per input line in order: ``classify(lines, order, spans)`` answers
    the non-blank lines; a blank line gets ``blank`` so line N stays line N."""
    lines = read_lines(path)
    spans = parse_lines(lines)
    order = sorted(spans)
    answers = dict(zip(order, classify(lines, order, spans)))
    out = []
    for i, text in enumerate(lines):
        a = answers.get(i)
        row = {"text": text, **(blank if a is None else {k: a[k] for k in keys})}
        out.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(out) + ("\n" if out else "")
