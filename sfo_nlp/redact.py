"""Redaction: a copy of a review with the personal data found by victims.shareable removed,
and a log of what was removed.

Output by the extension of the output file:
- ``.docx`` from a DOCX input: the original file with the text replaced inside Word's XML
  (every part: body, tables, headers, footers, footnotes, comments, document properties,
  and hyperlink targets), so layout and styles are kept;
- ``.docx`` from a PDF or text input: a new, plain Word document built from the blocks
  (headings, paragraphs, lists, tables, footnotes as notes at the end); a PDF cannot be
  redacted in place by this tool;
- ``.txt``: plain text; any other extension is refused.

Every occurrence of each removed string is replaced, not only the one the check found,
and the finished file is searched again (for DOCX, every part of the zip, with runs
joined per paragraph): if any removed string is still there, nothing is written.

The log lies beside the copy meant for a family, so by default it does not repeat what
was removed: each item has its kind, page, length and a keyed fingerprint. The removed
strings are in it only when the user asks (``--log-text``), with a warning.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from sfo_nlp.errors import SfoError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MIN_LEN = 2  # a one-character "string" would redact half the document
_BUILT_FROM = {"pdf": "the text of the PDF", "text": "the text/Markdown file"}


@dataclass
class Removal:
    kind: str
    label: str
    text: str
    page: int | None
    replacement: str
    occurrences: int = 0
    match_case: bool = False  # initials ("KW"): the word "kw" or "Kw" is not them


def removals_from(doc, findings) -> list[Removal]:
    """One removal per distinct string found by victims.shareable."""
    seen: dict[str, Removal] = {}
    for f in findings:
        text = f.quote.strip()
        if len(text) < _MIN_LEN or text.lower() in seen:
            continue
        label = f.data.get("kind", "personal data").replace("_", " ")
        seen[text.lower()] = Removal(f.data.get("kind", "personal_data"), label, text, f.page, f"[REDACTED: {label}]",
                                     match_case=bool(f.data.get("match_case")))
    removals = list(seen.values()) + _recurring_localities(doc, list(seen.values()), set(seen))
    # Longest first, so "Jane Smith" goes before a bare "Smith".
    return sorted(removals, key=lambda r: -len(r.text))


def _recurring_localities(doc, removals: list[Removal], taken: set[str]) -> list[Removal]:
    """The locality of a removed address where it recurs alone ("moved back to Loxley
    Vale"): like the street, it still says where the person lived. Only where it recurs
    outside the address itself, so the log holds no entry that removed nothing."""
    addresses = [r for r in removals if r.kind == "address"]
    rest = document_text(doc)
    for r in addresses:
        rest = _pattern(r.text, r.match_case).sub(" ", rest)
    out: dict[str, Removal] = {}
    for r in addresses:
        loc = address_locality(r.text)
        if loc and loc.lower() not in taken and _pattern(loc, match_case=True).search(rest):
            out.setdefault(loc, Removal(r.kind, r.label, loc, r.page, r.replacement, match_case=True))
    return list(out.values())


_PLACE_NAME = re.compile(r"[A-Z][a-z'\u2019-]+(?: [A-Z][a-z'\u2019-]+){0,2}")


def address_locality(address: str) -> str | None:
    """The locality of a street address ("Loxley Vale" of "27 Brindley Road, Loxley Vale,
    Walsall"; the town after it is left, as it names the area a review is about anyway).
    None unless it is a capitalised name with a word that is not an everyday one: "Town
    Centre" or "North" removed wherever they occur would cut ordinary sentences."""
    from sfo_nlp.checks.victims_shareable import HOUSE_NUMBER

    m = HOUSE_NUMBER.match(address)
    parts = address[m.end():].split(",") if m else []
    locality = " ".join(parts[1].split()) if len(parts) > 1 else ""
    if not _PLACE_NAME.fullmatch(locality):
        return None
    common = _common_words()
    return None if all(w.lower() in common for w in locality.split()) else locality


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Everyday English (textstat's Dale-Chall list) and the words the address and name
    rules already treat as not part of a name (stop words, place words such as "Centre")."""
    from textstat.backend.utils import get_lang_easy_words

    from sfo_nlp import rules

    cfg = rules.load("shareable")
    words = set(get_lang_easy_words("en")) | set(cfg["names"]["place_words"])
    for r in cfg["recognizers"]:
        words |= set((r.get("extend_locality") or {}).get("stop_words", ()))
    return frozenset(w.lower() for w in words)


def _pattern(text: str, match_case: bool = False) -> re.Pattern:
    """Case-insensitive (unless ``match_case``), any run of whitespace where the string
    has whitespace."""
    parts = [re.escape(p) for p in text.split()]
    return re.compile(r"(?<![\w])" + r"\s+".join(parts) + r"(?![\w])" if text[:1].isalnum() and text[-1:].isalnum()
                      else r"\s+".join(parts), 0 if match_case else re.I)


def redact_string(text: str, removals: list[Removal]) -> str:
    for r in removals:
        text, n = _pattern(r.text, r.match_case).subn(r.replacement, text)
        r.occurrences += n
    return text


def remaining(text: str, removals: list[Removal]) -> list[str]:
    """Removed strings still present (case-insensitive, any whitespace, at word edges)."""
    return [r.text for r in removals if _pattern(r.text, r.match_case).search(text)]


# -- text ------------------------------------------------------------------------------


# A furniture line (digits blanked) that is nothing but a page label: "Page 3 of 8",
# "- 3 -", "pg 1/7", or Word's "Page of" with its fields left out.
_PAGE_LABEL = re.compile(r"(?:[\W_#]|\b(?:page|pg|of)\b)*")


def document_text(doc) -> str:
    """The review as plain text: its running headers once at the top, the body, then its
    running footers once at the foot. A PDF's furniture is read page by page, so each
    line is kept once however many pages repeat it (page numbers aside), and page
    labels are left out: they number pages the text copy does not have."""
    head, foot = _running_lines(doc, "header"), _running_lines(doc, "footer")
    return (head + "\n\n" if head else "") + doc.text + "\n" + ("\n" + foot + "\n" if foot else "")


def _running_lines(doc, kind: str) -> str:
    from sfo_nlp.ingest.layout import normalise_furniture

    seen: dict[str, str] = {}
    for b in doc.furniture:
        norm = normalise_furniture(b.text)
        if b.type == kind and not _PAGE_LABEL.fullmatch(norm):
            seen.setdefault(norm, _without_page_label(b.text))
    return "\n".join(seen.values())


def _without_page_label(line: str) -> str:
    """"KSS SFO 2024-008 | Page 1 of 21" -> "KSS SFO 2024-008": the line kept for every
    page must not say it is page 1."""
    from sfo_nlp.ingest.layout import normalise_furniture

    parts = re.split(r"(\s+[|\u2013-]\s+)", line)  # pieces and, between them, their separators
    kept = [p for p in parts[::2] if not _PAGE_LABEL.fullmatch(normalise_furniture(p))]
    seps = parts[1::2]
    return "".join(p + (seps[i] if i < len(kept) - 1 else "") for i, p in enumerate(kept)) if kept else line


def redact_text(doc, removals: list[Removal]) -> bytes:
    out = redact_string(document_text(doc), removals)
    left = remaining(out, removals)
    if left:
        raise SfoError(f"redaction incomplete: {len(left)} removed string(s) still present; nothing written")
    return out.encode("utf-8")


# -- DOCX --------------------------------------------------------------------------------


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


_BREAKS = {f"{{{W_NS}}}br", f"{{{W_NS}}}cr", f"{{{W_NS}}}tab"}


def _paragraph_nodes(p) -> list[tuple[object, str]]:
    """A paragraph's text nodes in order, with a line break or tab standing as a space
    (node None): "Jane<w:br/>Smith" reads as "Jane Smith"."""
    out = []
    for el in p.iter():
        if el.tag == f"{{{W_NS}}}t":
            out.append((el, el.text or ""))
        elif el.tag in _BREAKS:
            out.append((None, " "))
    return out


def _redact_paragraphs(root, removals: list[Removal]) -> None:
    """Runs split a word anywhere ("Jane Sm" + "ith"): join each paragraph's text nodes,
    redact the joined text, put the replacement in the first text node of each match and
    take the matched characters out of the others."""
    for p in root.iter(f"{{{W_NS}}}p"):
        nodes = _paragraph_nodes(p)
        joined = "".join(text for _, text in nodes)
        spans = sorted(
            ((m.start(), m.end(), r) for r in removals for m in _pattern(r.text, r.match_case).finditer(joined)),
            key=lambda s: (s[0], -(s[1] - s[0])),
        )
        kept = []
        for sp in spans:
            if not kept or sp[0] >= kept[-1][1]:
                kept.append(sp)
        if not kept:
            continue
        bounds, pos = [], 0
        for _, text in nodes:
            bounds.append((pos, pos + len(text)))
            pos += len(text)
        new = [list(text) for _, text in nodes]
        for start, end, r in reversed(kept):
            r.occurrences += 1
            placed = False
            for i, (a, b) in enumerate(bounds):
                lo, hi = max(a, start), min(b, end)
                if lo >= hi or nodes[i][0] is None:
                    continue  # outside the match, or a break (left in place)
                new[i][lo - a:hi - a] = list(r.replacement if not placed else "")
                placed = True
        for (el, _), chars in zip(nodes, new):
            if el is not None:
                el.text = "".join(chars)
                el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _redact_everywhere(root, removals: list[Removal]) -> None:
    """Any other text or attribute (document properties, hyperlink targets, alt text)."""
    for el in root.iter():
        if isinstance(el.tag, str):
            if el.text:
                el.text = redact_string(el.text, removals)
            for k, v in list(el.attrib.items()):
                new = redact_string(v, removals)
                if new != v:
                    el.set(k, new)
        if el.tail:
            el.tail = redact_string(el.tail, removals)


def _docx_leftovers(data: bytes, removals: list[Removal]) -> list[str]:
    """Removed strings found in any part of the DOCX: raw bytes (also XML-escaped) and,
    for Word XML, the text of each paragraph with its runs joined."""
    from lxml import etree

    found = set()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            raw = z.read(name)
            for r in removals:
                for form in {r.text, escape(r.text), escape(r.text, {'"': "&quot;", "'": "&apos;"})}:
                    # Word edges, so "Tyler" is not found inside the markup "tblStyleRowBandSize".
                    rx = re.compile(rb"(?<![A-Za-z0-9])" + re.escape(form.encode("utf-8")) + rb"(?![A-Za-z0-9])",
                                    0 if r.match_case else re.I)
                    if rx.search(raw):
                        found.add(r.text)
            if _is_xml(name):
                try:
                    root = etree.fromstring(raw)
                except etree.XMLSyntaxError:
                    continue
                texts = ["".join(text for _, text in _paragraph_nodes(p)) for p in root.iter(f"{{{W_NS}}}p")]
                texts.append(" ".join(root.itertext()))
                found.update(remaining("\n".join(texts), removals))
    return sorted(found)


def redact_docx(src: Path, removals: list[Removal], unseen: list[str] = ()) -> bytes:
    """``unseen``: what the reader found Word hiding (``ReviewDocument.unseen``)."""
    from lxml import etree

    from sfo_nlp.ingest.docx import unseen_note

    # Text a reader never sees is never checked for personal data, yet Word can reveal it:
    # such a file is refused, not redacted.
    if unseen:
        raise SfoError(unseen_note(src.name, list(unseen)) + ", then run redact again")
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if _is_xml(info.filename):
                try:
                    root = etree.fromstring(data)
                except etree.XMLSyntaxError:
                    root = None
                if root is not None:
                    _redact_paragraphs(root, removals)
                    _redact_everywhere(root, removals)
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zout.writestr(info, data)
    result = out.getvalue()
    left = _docx_leftovers(result, removals)
    if left:
        raise SfoError(f"redaction incomplete: {len(left)} removed string(s) still present in the DOCX; nothing written")
    return result


def build_docx(doc, removals: list[Removal]) -> bytes:
    """A new, plain DOCX of the redacted blocks (for PDF or text input)."""
    import docx

    d = docx.Document()
    for prop in ("author", "title", "subject", "keywords", "comments", "last_modified_by"):
        setattr(d.core_properties, prop, "")
    for b in doc.blocks:
        if b.type == "footnote":
            continue
        if b.type == "heading":
            d.add_heading(redact_string(b.text, removals), level=min(max(b.level or 1, 1), 3))
        elif b.type == "table" and b.table is not None:
            rows = doc.tables[b.table].rows
            width = max(len(r) for r in rows) if rows else 1
            t = d.add_table(rows=len(rows), cols=width)
            t.style = "Table Grid"
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    t.cell(i, j).text = redact_string(cell, removals)
        elif b.type == "list_item":
            d.add_paragraph(redact_string(b.text, removals), style="List Bullet")
        elif b.type == "quote":
            d.add_paragraph(redact_string(b.text, removals), style="Quote")
        else:
            d.add_paragraph(redact_string(b.text, removals))
    notes = [b for b in doc.blocks if b.type == "footnote"]
    if notes:
        d.add_heading("Notes", level=2)
        for b in notes:
            d.add_paragraph(f"[{b.footnote}] " + redact_string(b.text, removals))
    buf = io.BytesIO()
    d.save(buf)
    return _check_docx(buf.getvalue(), removals)


def _check_docx(data: bytes, removals: list[Removal]) -> bytes:
    left = _docx_leftovers(data, removals)
    if left:
        raise SfoError(f"redaction incomplete: {len(left)} removed string(s) still present in the DOCX; nothing written")
    return data


# -- entry point ---------------------------------------------------------------------------


def redact(doc, findings, source: Path, output: Path, log_text: bool = False) -> tuple[bytes, dict]:
    """The redacted file's bytes and the log, for ``output``'s format. Writes nothing.

    The log says what was removed without repeating it (see ``log_entry``) unless
    ``log_text`` asks for the removed strings in clear."""
    removals = removals_from(doc, findings)
    to_docx = output.suffix.lower() == ".docx"
    if to_docx and doc.format == "docx":
        data, how = redact_docx(source, removals, doc.unseen), "DOCX redacted in place (layout kept)"
    elif to_docx:
        data, how = build_docx(doc, removals), f"new DOCX built from {_BUILT_FROM.get(doc.format, 'the text')} (layout not kept)"
    elif output.suffix.lower() != ".txt":
        raise SfoError("--output must end in .docx or .txt")
    else:
        data, how = redact_text(doc, removals), "plain text"
    key = _fingerprint_key(doc)
    log = {
        "source": doc.source,
        "sha256": doc.sha256,
        "output": str(output),
        "output_format": how,
        "holds_removed_text": log_text,
        "removed": [log_entry(r, key, log_text) for r in removals],
        "count": len(removals),
        "note": LOG_NOTE_TEXT if log_text else LOG_NOTE_SAFE,
    }
    return data, log


LOG_NOTE_SAFE = ("This log does not hold the removed personal data: each item is recorded by its kind, first page, "
                 "length and a fingerprint that can be checked only against the original review.")
LOG_NOTE_TEXT = ("This log lists the removed personal data in clear: keep it as securely as the original review "
                 "and never send it with the redacted copy.")


def _fingerprint_key(doc) -> bytes:
    # Keyed on the original's text (not recorded in the log): someone holding the
    # original can check which string an entry stands for, but a reader of the log alone
    # cannot test guessed names against the fingerprints.
    return hashlib.sha256(doc.text.encode("utf-8")).digest()


def fingerprint(text: str, key: bytes) -> str:
    """A short keyed hash of a removed string (case and spacing ignored)."""
    norm = " ".join(text.lower().split()).encode("utf-8")
    return hmac.new(key, norm, hashlib.sha256).hexdigest()[:12]


def log_entry(r: Removal, key: bytes, with_text: bool) -> dict:
    entry = {"kind": r.kind, "label": r.label, "page": r.page, "length": len(r.text),
             "fingerprint": fingerprint(r.text, key), "replacement": r.replacement, "occurrences": r.occurrences}
    if with_text:
        entry["text"] = r.text
    return entry


def log_path(output: Path) -> Path:
    return output.with_name(output.name + ".redaction-log.json")


def log_json(log: dict) -> str:
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
