"""victims.shareable: personal data that must not go to a family in a shared review.

Two sources of hits:
- pattern recognizers with checksums and context words (victims_recognizers), run over
  every body block including tables and footnotes, and the running headers/footers;
- names: spaCy PERSON entities next to a role word ("probation officer Jane Smith") are
  staff names; next to a relation word ("her son, Tyler") third-party names; and the
  values of name fields in tables ("Reviewing manager | Jane Smith") are staff names.
  The person on probation (named in the case details or the title) is the subject of
  the review, which the family knows, so is not flagged; nor are role titles, nor
  PERSON entities with no role or relation nearby (most are the subject or the victim,
  whom the family know; flagging them all would bury the real hits).
"""

from __future__ import annotations

import re
from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.checks.registry import register
from sfo_nlp.checks.victims_abbrev import is_acronym
from sfo_nlp.checks.victims_context import word_rx
from sfo_nlp.checks.victims_recognizers import Hit, scan
from sfo_nlp.results import CheckResult, Finding

CHECK = "victims.shareable"
_TITLE_NAME = re.compile(r"(?:review|SFO)\s*[:\-\u2013]\s*(?:of\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,3})\s*$", re.I)
# Capitalised words that follow relation words but are not names ("her son, The ...").
_NOT_NAMES = {"the", "a", "an", "and", "but", "he", "she", "they", "his", "her", "it", "this", "that", "who",
              "when", "while", "was", "had", "in", "on", "at", "mr", "mrs", "ms", "miss"}
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+", re.I)


@lru_cache(maxsize=1)
def name_rules() -> dict:
    cfg = dict(rules.load("shareable")["names"])
    cfg["_role"] = word_rx(tuple(cfg["role_words"]))
    cfg["_relation"] = word_rx(tuple(cfg["relation_words"]))
    cfg["_name_field"] = [re.compile(p, re.I) for p in cfg["name_fields"]]
    cfg["_subject_field"] = [re.compile(p, re.I) for p in cfg["subject_fields"]]
    cfg["_name_value"] = re.compile(cfg["name_value"])
    cfg["not_names"] = set(cfg.get("not_names", ()))
    rel = "|".join(re.escape(w) for w in sorted(cfg["relation_words"], key=len, reverse=True))
    cfg["_relation_name"] = re.compile(
        rf"\b(?:{rel}),?\s+(?:(?:called|named)\s+)?([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)\b"
    )
    return cfg


def subject_names(doc) -> set[str]:
    """Name tokens of the person on probation: from the case details or the title."""
    cfg = name_rules()
    names: list[str] = []
    for t in doc.tables[:3]:
        for row in t.rows:
            if len(row) >= 2 and any(p.search(row[0].strip()) for p in cfg["_subject_field"]):
                names.append(row[1])
    for b in doc.blocks[:5]:
        if b.type == "heading":
            m = _TITLE_NAME.search(b.text)
            if m:
                names.append(m.group(1))
    title = doc.metadata.get("title") if isinstance(doc.metadata, dict) else None
    if title:
        m = _TITLE_NAME.search(str(title))
        if m:
            names.append(m.group(1))
    return {tok.lower() for n in names for tok in re.findall(r"[A-Za-z][\w'-]+", _HONORIFIC.sub("", n)) if len(tok) > 1}


def _is_subject(name: str, subject: set[str]) -> bool:
    toks = [t.lower() for t in re.findall(r"[A-Za-z][\w'-]+", _HONORIFIC.sub("", name))]
    return bool(toks) and any(t in subject for t in toks)


def _clean_person(doc, ent) -> tuple[int, int] | None:
    """Trim a PERSON entity to its name (spaCy's small model often swallows a role word
    or punctuation); None when what is left does not look like a name."""
    cfg = name_rules()
    start, end = ent.start_char, ent.end_char
    text = re.split(r"\n| \| ", doc.text[start:end])[0]  # an entity never runs across cells or lines
    end = start + len(text)
    m = cfg["_role"].match(text)
    while m and m.end() < len(text):
        start += m.end()
        text = doc.text[start:end]
        lead = len(text) - len(text.lstrip(" ,:"))
        start += lead
        text = text[lead:]
        m = cfg["_role"].match(text)
    text = re.sub(r"['\u2019]s?$", "", text.rstrip(" ,.;:")).rstrip(" ,.;:")  # "Ms L's" -> "Ms L"
    end = start + len(text)
    words = re.findall(r"[A-Za-z][\w'-]*", _HONORIFIC.sub("", text))
    if not words or not all(w[0].isupper() for w in words):
        return None
    if any(is_acronym(w) for w in words) or any(w in cfg["not_names"] for w in words):
        return None  # RoSH, "Victim": not names
    full = [w for w in words if len(w) > 1]
    # A first name and surname, or a title and surname: a lone word ("Kent", "Cap") is
    # too often a place or a misread, and "Ms K" is a pseudonym chosen to be shared.
    if not full or (len(full) < 2 and not _HONORIFIC.match(text)):
        return None
    if cfg["_role"].fullmatch(text):
        return None
    return start, end


def name_hits(doc) -> list[Hit]:
    cfg = name_rules()
    subject = subject_names(doc)
    hits: list[Hit] = []
    w = cfg["window"]
    for ent in doc.spacy.ents:
        if ent.label_ != "PERSON":
            continue
        b = doc.block_at(ent.start_char)
        if b is None or b.type == "heading":
            continue
        span = _clean_person(doc, ent)
        if span is None:
            continue
        s, e = span
        name = doc.text[s:e]
        if _is_subject(name, subject):
            continue
        lo, hi = max(b.start, s - w), min(b.end, e + w)
        around = doc.text[lo:s] + " " + doc.text[e:hi]
        if cfg["_role"].search(around):
            hits.append(Hit("staff_name", cfg["staff_label"], s, e, name, 0.75, "person's name next to a role word"))
        elif cfg["_relation"].search(around):
            hits.append(Hit("third_party_name", cfg["third_party_label"], s, e, name, 0.7,
                            "person's name next to a family or relationship word"))
    # "her son, Tyler": the small model often misses a lone first name after a relation word.
    for b in doc.blocks:
        if b.type == "heading":
            continue
        for m in cfg["_relation_name"].finditer(b.text):
            s, e = b.start + m.start(1), b.start + m.end(1)
            name = m.group(1)
            if cfg["_role"].fullmatch(name) or _is_subject(name, subject) or name.lower() in _NOT_NAMES:
                continue
            hits.append(Hit("third_party_name", cfg["third_party_label"], s, e, name, 0.6,
                            "capitalised name straight after a family or relationship word"))
    for t in doc.tables:
        blk = doc.blocks[t.block] if 0 <= t.block < len(doc.blocks) else None
        if blk is None:
            continue
        for r, row in enumerate(t.rows):
            label = row[0].strip() if row else ""
            if len(row) < 2 or any(p.search(label) for p in cfg["_subject_field"]):
                continue
            if not any(p.search(label) for p in cfg["_name_field"]):
                continue
            value = row[1].strip()
            if not cfg["_name_value"].match(value) or cfg["_role"].search(value) or _is_subject(value, subject):
                continue
            s = blk.start + t.cell_offset(r, 1) + (len(row[1]) - len(row[1].lstrip()))
            if doc.text[s:s + len(value)] == value:
                hits.append(Hit("staff_name", cfg["staff_label"], s, s + len(value), value, 0.9, "name field"))
    return hits


def find_hits(doc) -> list[Hit]:
    """All personal-data hits in the body, each once, in reading order."""
    hits: list[Hit] = []
    for b in doc.blocks:
        hits.extend(scan(b.text, offset=b.start))
    hits.extend(name_hits(doc))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[Hit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def furniture_hits(doc) -> list[tuple[int, Hit]]:
    """Hits in running headers and footers: (page, hit) with offsets into that block."""
    return [(b.page, h) for b in doc.furniture for h in scan(b.text)]


@register(CHECK, "Personal data that should not be shared with a family", needs=("ner",))
def check(doc, ctx) -> CheckResult:
    findings = []
    for h in find_hits(doc):
        findings.append(Finding.at(
            doc, h.start, h.end, CHECK, "warning",
            f"{h.label[0].upper() + h.label[1:]} in a document that may be shared with the family.",
            suggestion="Remove it or replace it with a role or description (e.g. 'the probation practitioner', "
                       "'her son', 'an address in the town'); `sfo-nlp redact` writes a redacted copy.",
            confidence=h.confidence, data={"kind": h.kind, "reason": h.reason},
        ))
    for page, h in furniture_hits(doc):
        findings.append(Finding(
            check=CHECK, severity="warning", message=f"{h.label} in the running header or footer.",
            quote=h.text, page=page, confidence=h.confidence, data={"kind": h.kind, "reason": h.reason, "furniture": True},
        ))
    by_kind: dict[str, int] = {}
    for f in findings:
        by_kind[f.data["kind"]] = by_kind.get(f.data["kind"], 0) + 1
    return CheckResult(CHECK, findings, {"hits": len(findings), "by_kind": by_kind})
