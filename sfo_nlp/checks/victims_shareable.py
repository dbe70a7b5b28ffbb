"""victims.shareable: personal data that must not go to a family in a shared review.

Two sources of hits:
- pattern recognizers with checksums and context words (victims_recognizers), run over
  every body block including tables and footnotes, and the running headers/footers;
- names: spaCy PERSON entities next to a role word ("probation officer Jane Smith") are
  staff names; next to a relation word ("her son, Tyler") third-party names; the
  values of name fields in tables ("Reviewing manager | Jane Smith") and names straight
  after a staff label ("reviewer: Gareth Pennington", "Prepared by Bethan Aldous") are
  staff names.
  The person on probation (named in the case details or the title) is the subject of
  the review, which the family knows, so is not flagged; nor are role titles, nor
  PERSON entities with no role or relation nearby (most are the subject or the victim,
  whom the family know; flagging them all would bury the real hits).
- what a hit gives away where it recurs: the street of an address found ("on Brindley
  Road") and the initials of a name found ("KW", a practitioner signing case notes).
Running headers and footers get all of the above, read as a document of their own. A
Word file's comments, tracked changes and hidden text are never read: one finding of kind
``hidden_content`` says the file holds them, as "0 items" would wrongly mean safe to share.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.checks.registry import register
from sfo_nlp.checks.victims_abbrev import is_acronym, key
from sfo_nlp.checks.victims_context import word_rx
from sfo_nlp.checks.victims_recognizers import Hit, scan
from sfo_nlp.results import CheckResult, Finding

CHECK = "victims.shareable"
HIDDEN_CONTENT = "hidden_content"  # the finding kind (and summary key) for what Word hides from view
_TITLE_NAME = re.compile(r"(?:review|SFO)\s*[:\-\u2013]\s*(?:of\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,3})\s*$", re.I)
# Capitalised words that follow relation words but are not names ("her son, The ...").
_NOT_NAMES = {"the", "a", "an", "and", "but", "he", "she", "they", "his", "her", "it", "this", "that", "who",
              "when", "while", "was", "had", "in", "on", "at", "mr", "mrs", "ms", "miss",
              "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+", re.I)
_ROLE_NOTE = re.compile(r"\s*\([^)]*\)$")
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][a-z'\u2019-]+)(?![\w])")
_PREV_WORD = re.compile(r"(?<![\w.])([A-Z][a-z'\u2019-]*\.?)[ \t]+$")


@lru_cache(maxsize=1)
def name_rules() -> dict:
    cfg = dict(rules.load("shareable")["names"])
    cfg["_role"] = word_rx(tuple(cfg["role_words"]))
    cfg["_relation"] = word_rx(tuple(cfg["relation_words"]))
    cfg["_name_field"] = [re.compile(p, re.I) for p in cfg["name_fields"]]
    cfg["_subject_field"] = [re.compile(p, re.I) for p in cfg["subject_fields"]]
    cfg["_name_value"] = re.compile(cfg["name_value"])
    cfg["not_names"] = set(cfg.get("not_names", ()))
    cfg["place_words"] = set(cfg.get("place_words", ()))
    rel = "|".join(re.escape(w) for w in sorted(cfg["relation_words"], key=len, reverse=True))
    cfg["_relation_name"] = re.compile(
        # on one line: a table's next row ("former partner" then "Sentence") is no name
        rf"\b(?:{rel}),?[ \t]+(?:(?:called|named)[ \t]+)?([A-Z][a-z'-]+(?:[ \t]+[A-Z][a-z'-]+)?)\b"
    )
    labels = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(cfg["staff_labels"], key=len, reverse=True))
    # The label in any case, then a colon, dash, comma or cell edge, then capitalised words
    # (a title, initials, names) on the same line: what they hold is checked by _label_name.
    cfg["_label_name"] = re.compile(
        rf"(?<![\w'])(?i:{labels})(?:[ \t]*[:,|\u2013-][ \t]*|[ \t]+)"
        r"((?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+)?(?:(?:[A-Z]\.|[A-Z][\w'\u2019-]*)(?![\w'\u2019-])[ \t]*){1,4})"
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
    text = _stop_at_sentence_end(doc, start, text)
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
    return (start, end) if _looks_like_name(text) else None


def _looks_like_name(text: str) -> bool:
    """Whether a span read as a person (by the model, or after a staff label) is a name."""
    cfg = name_rules()
    words = re.findall(r"[A-Za-z][\w'-]*", _HONORIFIC.sub("", text))
    if not words or not all(w[0].isupper() for w in words):
        return False
    if any(is_acronym(w) for w in words) or any(w in cfg["not_names"] for w in words):
        return False  # RoSH, "Victim": not names
    if words[-1] in cfg["place_words"]:
        return False  # "Gill Road"
    full = [w for w in words if len(w) > 1]
    # A first name and surname, a title and surname or an initial and surname ("J. Smith"):
    # a lone word ("Kent", "Cap") is too often a place or a misread, and "Ms K" is a
    # pseudonym chosen to be shared.
    if not full or (len(full) < 2 and not _HONORIFIC.match(text) and len(words) < 2):
        return False
    return not cfg["_role"].fullmatch(text)


_INITIAL_STOP = re.compile(r"(?<![\w.])[A-Z]\.(?=[ \t]+([A-Z][\w'\u2019-]*))")


def _stop_at_sentence_end(doc, start: int, text: str) -> str:
    """Cut an entity at an initial whose full stop ends a sentence: in "called Ms R.
    Through her officer" the model runs the pseudonym on into the next sentence's
    first word. A word after an initial that is not a proper noun ("Through", "When")
    starts a new sentence; a surname ("Mr J. Smith") is one."""
    for m in _INITIAL_STOP.finditer(text):
        w0 = start + m.start(1)
        if not _word_ok(doc, w0, w0 + len(m.group(1)), m.group(1)):
            return text[:m.end()]
    return text


def _is_place(text: str, name: str, cfg: dict) -> bool:
    """A name the review uses as a place anywhere ("in Hollins Vale", "Hollins Vale PDU"):
    the model tags a two-word place as a person, and the place is no one's personal data."""
    n = re.escape(name)
    return any(re.search(p.format(name=n), text) for p in cfg["place_context"])


def name_hits(doc, subject: set[str] | None = None) -> list[Hit]:
    cfg = name_rules()
    subject = subject_names(doc) if subject is None else subject
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
        if _is_subject(name, subject) or _is_place(doc.text, name, cfg):
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
            if (cfg["_role"].fullmatch(name) or _is_subject(name, subject) or name.lower() in _NOT_NAMES
                    or name.split()[0] in cfg["not_names"]):
                continue
            hits.append(Hit("third_party_name", cfg["third_party_label"], s, e, name, 0.6,
                            "capitalised name straight after a family or relationship word"))
    # A label's name first: where the model's entity for the same name is also near a
    # relation word ("The reviewer, Gareth Pennington, spoke to her sister"), the label decides.
    hits = label_hits(doc, subject) + [_extend_hit(doc, h, subject) for h in hits]
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
            value = _ROLE_NOTE.sub("", row[1].strip())  # "Sandeep Gill (PO)"
            if not cfg["_name_value"].match(value) or cfg["_role"].search(value) or _is_subject(value, subject):
                continue
            s = blk.start + t.cell_offset(r, 1) + (len(row[1]) - len(row[1].lstrip()))
            if doc.text[s:s + len(value)] == value:
                hits.append(Hit("staff_name", cfg["staff_label"], s, s + len(value), value, 0.9, "name field"))
    return hits + other_mentions(doc, hits, subject)


def label_hits(doc, subject: set[str]) -> list[Hit]:
    """Names straight after a staff label ("reviewer: Gareth Pennington", "Prepared by
    Bethan Aldous"): the label says who they are, so no role word or model tag is needed."""
    cfg = name_rules()
    hits: list[Hit] = []
    for b in doc.blocks:
        if b.type == "heading":
            continue
        for m in cfg["_label_name"].finditer(b.text):
            span = _label_name(doc, b.start + m.start(1), m.group(1))
            if span is None or _is_subject(doc.text[span[0]:span[1]], subject):
                continue
            hits.append(Hit("staff_name", cfg["staff_label"], *span, doc.text[span[0]:span[1]], 0.85,
                            "person's name after a staff label (reviewer, prepared by, author)"))
    return hits


def _label_name(doc, start: int, words: str) -> tuple[int, int] | None:
    """The name at the start of the capitalised words after a label: a title and initials,
    then names up to a role or a word that cannot be a name ("Bethan Aldous Senior Probation
    Officer" is cut before "Senior"; "Senior probation officer" holds no name)."""
    role = name_rules()["_role"]
    end = start
    for m in re.finditer(r"\S+", words):
        w = m.group()
        s = start + m.start()
        if role.match(doc.text, s) or not (_HONORIFIC.match(w + " ") or re.fullmatch(r"[A-Z]\.", w)
                                           or _word_ok(doc, s, s + len(w), w)):
            break
        end = s + len(w)
    text = doc.text[start:end]
    return (start, end) if end > start and _looks_like_name(text) else None


def _word_ok(doc, start: int, end: int, word: str) -> bool:
    """A capitalised word that can be part of a name: not a stop word, role, acronym or
    one of the words the model mistakes for names, and tagged a proper noun."""
    cfg = name_rules()
    if word.lower() in _NOT_NAMES or word in cfg["not_names"] or is_acronym(word) or cfg["_role"].fullmatch(word):
        return False
    span = doc.spacy.char_span(start, end)
    return span is None or all(t.tag_ in ("NNP", "NNPS") or t.pos_ == "PROPN" for t in span)


def _extend_hit(doc, h: Hit, subject: set[str]) -> Hit:
    """Carry a name on over the surname the model left out ("Mr Harold" + "Finch"): up to
    two following capitalised proper nouns on the same line; and back over a title the
    model left out ("Mr" + "Colin Ashworth")."""
    b = doc.block_at(h.start)
    start = _widen_back(doc, h.start, b.start) if b is not None else h.start
    end = h.end
    for _ in range(2):
        m = _NEXT_WORD.match(doc.text, end)
        if not m or not _word_ok(doc, m.start(1), m.end(1), m.group(1)) or m.group(1).lower() in subject:
            break
        end = m.end(1)
    if (start, end) == (h.start, h.end):
        return h
    return Hit(h.kind, h.label, start, end, doc.text[start:end], h.confidence, h.reason)


def _surname(name: str) -> str | None:
    words = re.findall(r"[A-Za-z][\w'-]+", _HONORIFIC.sub("", name))
    return words[-1] if words and len(words[-1]) > 2 and words[-1][0].isupper() else None


def other_mentions(doc, hits: list[Hit], subject: set[str]) -> list[Hit]:
    """Once a name is personal data, every other mention of it is too: the full name, the
    surname alone or after a title, initial or role ("Mr Ellery", "S Gill", "PO Gill").
    Each mention is widened back over a title, initials and a first name; a role before
    it stays (role titles are fine to share)."""
    cfg = name_rules()
    by_surname: dict[str, Hit] = {}
    for h in hits:
        if h.kind in ("staff_name", "third_party_name"):
            sn = _surname(h.text)
            if sn and sn.lower() not in subject and sn not in cfg["not_names"]:
                by_surname.setdefault(sn, h)
    taken = [(h.start, h.end) for h in hits]
    out: list[Hit] = []
    for sn, first in by_surname.items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(sn)}(?![\w-])", doc.text):
            s, e = m.start(), m.end()
            b = doc.block_at(s)
            if b is None or b.type == "heading" or any(a < e and s < z for a, z in taken):
                continue
            nxt = _NEXT_WORD.match(doc.text, e)
            if nxt and nxt.group(1) in cfg["place_words"]:
                continue  # "Gill Road" is a street
            widened = _widen_back(doc, s, b.start)
            if widened == s and not _word_ok(doc, s, e, sn):
                continue  # a lone "Hale" or "Will" the tagger reads as an ordinary word
            s = widened
            if any(a < e and s < z for a, z in taken):
                continue
            taken.append((s, e))
            out.append(Hit(first.kind, first.label, s, e, doc.text[s:e], 0.7,
                           f"another mention of {first.text}, found as personal data"))
    return out


def _widen_back(doc, start: int, floor: int) -> int:
    """Take in a title, initials and a first name before a surname ("Mr Mark Ellery")."""
    for _ in range(3):
        m = _PREV_WORD.search(doc.text, floor, start)
        if not m:
            break
        w = m.group(1)
        if _HONORIFIC.match(w + " ") or re.fullmatch(r"[A-Z]\.?", w):
            start = m.start(1)
            continue
        if w[0].isupper() and _word_ok(doc, m.start(1), m.start(1) + len(w), w) and not _HONORIFIC.match(w):
            start = m.start(1)
            continue
        break
    return start


def find_hits(doc, subject: set[str] | None = None) -> list[Hit]:
    """All personal-data hits in the body, each once, in reading order."""
    hits: list[Hit] = []
    for b in doc.blocks:
        hits.extend(scan(b.text, offset=b.start))
    names = name_hits(doc, subject)
    hits.extend(names)
    hits.extend(street_mentions(doc, hits))
    hits.extend(initials_mentions(doc, names))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[Hit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


# What comes before the street in an address hit: "Flat 3, 27 " of "Flat 3, 27 Brindley Road".
HOUSE_NUMBER = re.compile(r"^(?:(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+")


def street_mentions(doc, hits: list[Hit]) -> list[Hit]:
    """Once an address is personal data, its street is too wherever it recurs ("seen
    driving on Brindley Road"): without the number it still says where the person lived."""
    out: list[Hit] = []
    for street, first in _streets(hits).items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(street)}(?![\w-])", doc.text):
            if doc.block_at(m.start()) is None or any(h.start < m.end() and m.start() < h.end for h in hits + out):
                continue
            out.append(Hit(first.kind, first.label, m.start(), m.end(), street, 0.8,
                           f"the street of {first.text}, found as personal data"))
    return out


def _streets(hits: list[Hit]) -> dict[str, Hit]:
    """The street of each address hit: after the house number, before the locality."""
    out: dict[str, Hit] = {}
    for h in hits:
        if h.kind == "address":
            m = HOUSE_NUMBER.match(h.text)
            street = h.text[m.end():].split(",")[0].strip() if m else ""
            if len(street.split()) >= 2:
                out.setdefault(street, h)
    return out


def initials_mentions(doc, names: list[Hit]) -> list[Hit]:
    """A practitioner signs case notes with their initials ("... next appt. KW"): once
    "Kerry Walsh" is personal data, so is a standalone "KW". Only initials made from a
    name found here, and never ones that are also a word or an abbreviation the review
    may use in its own right ("ME", "PO", "DA"), so ordinary acronyms are left alone."""
    out: list[Hit] = []
    taken = [(h.start, h.end) for h in names]
    for initials, first in _initials(names).items():
        for m in re.finditer(rf"(?<![\w&/-]){re.escape(initials)}(?![\w&/-])", doc.text):
            b = doc.block_at(m.start())
            if b is None or b.type == "heading" or any(a < m.end() and m.start() < z for a, z in taken):
                continue
            out.append(Hit(first.kind, first.label, m.start(), m.end(), initials, 0.7,
                           f"the initials of {first.text}, found as personal data", match_case=True))
    return out


def _initials(names: list[Hit]) -> dict[str, Hit]:
    out: dict[str, Hit] = {}
    for h in names:
        if h.kind not in ("staff_name", "third_party_name"):
            continue
        words = re.findall(r"[A-Za-z][\w'-]*", _HONORIFIC.sub("", h.text))
        if len(words) < 2 or not all(len(w) > 1 and w[0].isupper() for w in words):
            continue  # "Mr Finch" or "P Kaur": no first name to take an initial from
        initials = "".join(w[0] for w in words)
        if not _ordinary_abbreviation(initials):
            out.setdefault(initials, h)
    return out


def _ordinary_abbreviation(initials: str) -> bool:
    """Initials that are also a word ("ME", "AS") or a known abbreviation ("DA", "PO")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    from sfo_nlp.checks.victims_glossary import load as load_glossary

    gl = load_glossary()
    return (initials.lower() in STOP_WORDS or key(initials) in gl.acronyms or key(initials) in gl.common
            or initials in gl.not_terms or bool(name_rules()["_role"].fullmatch(initials)))


def furniture_hits(doc) -> list[tuple[int, Hit]]:
    """Hits in running headers and footers, found as in the body: "Prepared by Kerry Walsh,
    SPO" names staff there as in a paragraph. (page, hit), offsets into their own text."""
    if not doc.furniture:
        return []
    running = running_document(doc)
    return [(running.page_at(h.start) or 1, h) for h in find_hits(running, subject_names(doc))]


def running_document(doc):
    """The headers and footers as a document of their own, so names are found in them by
    the body's rules while the body's text, offsets and one parse stay as they are."""
    from dataclasses import replace

    from sfo_nlp.document import ReviewDocument

    return ReviewDocument.build(doc.source, doc.format, doc.page_count, [replace(b) for b in doc.furniture])


def hidden_content_finding(doc) -> Finding | None:
    """Comments, tracked changes or hidden text in a Word file: never read, so never checked,
    yet Word shows them to anyone who opens the file (prompt 4e counts this kind)."""
    unseen = doc.unseen
    if not unseen:
        return None
    return Finding(
        check=CHECK, severity="warning",
        message=f"The Word file holds {' and '.join(unseen)}, which this check cannot read: remove them before "
                "sharing (accept or reject all changes, delete comments and hidden text).",
        suggestion="In Word: Review > Accept all changes, Delete all comments, then save and check the file again.",
        data={"kind": HIDDEN_CONTENT, "what": unseen},
    )


def _finding_data(h: Hit) -> dict:
    data = {"kind": h.kind, "reason": h.reason}
    if h.match_case:
        data["match_case"] = True  # redact tells initials ("KW") from the same letters in lower case
    return data


@register(CHECK, "Personal data that should not be shared with a family", needs=("ner", "tagger"))
def check(doc, ctx) -> CheckResult:
    findings = []
    for h in find_hits(doc):
        findings.append(Finding.at(
            doc, h.start, h.end, CHECK, "warning",
            f"{h.label[0].upper() + h.label[1:]} in a document that may be shared with the family.",
            suggestion="Remove it or replace it with a role or description (e.g. 'the probation practitioner', "
                       "'her son', 'an address in the town'); `sfo-nlp redact` writes a redacted copy.",
            confidence=h.confidence, data=_finding_data(h),
        ))
    for page, h in furniture_hits(doc):
        findings.append(Finding(
            check=CHECK, severity="warning",
            message=f"{h.label[0].upper() + h.label[1:]} in the running header or footer.",
            quote=h.text, page=page, confidence=h.confidence, data=dict(_finding_data(h), furniture=True),
        ))
    by_kind: dict[str, int] = {}
    for f in findings:
        by_kind[f.data["kind"]] = by_kind.get(f.data["kind"], 0) + 1
    distinct = len({(f.data["kind"], " ".join(f.quote.lower().split())) for f in findings})
    summary = {"hits": len(findings), "distinct": distinct, "by_kind": by_kind, HIDDEN_CONTENT: []}
    hidden = hidden_content_finding(doc)
    if hidden is not None:  # not an item of personal data: kept out of the counts above
        findings.append(hidden)
        summary[HIDDEN_CONTENT] = hidden.data["what"]
    return CheckResult(CHECK, findings, summary)
