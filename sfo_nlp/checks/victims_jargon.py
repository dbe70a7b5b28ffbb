"""victims.jargon: acronyms and terms of art a family cannot be expected to know.

For every acronym (PDU, SPOs, RoSH, OASys, nDelius ...) and every glossary term of art
used in the review, decide whether it is explained for a lay reader and where: inline
("probation delivery unit (PDU)" or "OASys (Offender Assessment System)"), in a
footnote attached to it, or in a glossary section; or whether it is common knowledge.
An explanation counts as "before first use" when it is at or before the first place
the term is used in the body. A postcode ("EM3 9LT") holds no acronym, and a person's
initials ("JMO", the person on probation) are their name, not jargon.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from sfo_nlp.checks.registry import register
from sfo_nlp.checks.victims_abbrev import WORD, find_definitions, is_acronym, is_roman, key
from sfo_nlp.checks.victims_glossary import glossary_sections, load
from sfo_nlp.checks.victims_recognizers import recognizers
from sfo_nlp.results import CheckResult, Finding

CHECK = "victims.jargon"
USE_BLOCKS = ("paragraph", "list_item", "table", "quote")
# A footnote marker this close after a term is taken to explain it ("OASys[^1]", "OASys.3").
_MARKER_GAP = 3
# A term of art explained where it is used: "approved premises, which is supervised
# accommodation", "tier (the level of ...)", or a next sentence "This scheme gives ...".
# Brackets explain only with words in them: "(25 days)" or "(RAR)" explain nothing.
_TERM_DEF_AFTER = re.compile(
    r"^(?:\s*\((?=\s*[A-Za-z][^()]*\s)|,?\s+(?:which|that|this|who)\s+(?:is|are|means|was|were|refers)\b|,\s+(?:a|an|the)\s+\w+"
    r"|\s+(?:means|refers to|is when|is where|is a|is an|is the|are the|describes)\b"
    r"|[^.]{0,120}\.\s+(?:This|These|It|They|That)\s+(?:\w+\s+)?(?:is|are|means|gives|provides|refers|allows|helps)\b)",
    re.I,
)


@dataclass
class Term:
    key: str
    kind: str  # "acronym" | "term"
    forms: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    uses: list[tuple[int, int]] = field(default_factory=list)  # (start, end) in the body
    explanations: list[tuple[int, str, str]] = field(default_factory=list)  # (at, how, text)
    entry: dict | None = None

    @property
    def display(self) -> str:
        if self.entry and self.kind == "acronym" and not any(key(f) == self.key for f in self.forms):
            # Only ever spelled out ("extended determinate sentence"): the words the review used.
            return max(self.forms.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if self.entry:
            return self.entry["term"]
        return max(self.forms.items(), key=lambda kv: (kv[1], kv[0].isupper()))[0]


def _acronym_occurrences(blocks, gl, skip=()) -> list[tuple[str, int, int, int]]:
    """(word, start, end, block id) for every acronym-shaped word in ``blocks``, leaving
    words inside ``skip`` spans (document offsets) and inside postcodes ("EM3 9LT")."""
    out = []
    for b in blocks:
        words = [(m.group(1), m.start(1), m.end(1)) for m in WORD.finditer(b.text)]
        taken = [(b.start + s, b.start + e) for s, e in _postcode_spans(b.text)] + list(skip)
        for i, (w, s, e) in enumerate(words):
            if _within(taken, b.start + s, b.start + e):
                continue
            k = term_key(w, gl)
            if k in gl.not_terms and k not in gl.acronyms:
                continue
            known = k in gl.acronyms
            # "led" is not LED: a glossary acronym still needs its shape (or its exact spelling).
            if not is_acronym(w) and not (known and w == gl.acronyms[k]["term"]):
                continue
            if not known and gl.options.get("ignore_roman_numerals", True) and is_roman(w):
                continue
            if not known and w.isupper() and _shouting(b.text, words, i, gl):
                continue
            out.append((w, b.start + s, b.start + e, b.id))
    return out


def term_key(word: str, gl) -> str:
    """key(), and a numbered role (PP1, SPO2) counts as its role (PP, SPO). Letters and
    digits of anything else the glossary knows are a code of their own: "EM3" of a
    postcode is not electronic monitoring (EM)."""
    k = key(word)
    if k in gl.acronyms:
        return k
    base = re.sub(r"(?<=[A-Z]{2})\d+$", "", k)
    known = gl.acronyms.get(base)
    return base if known is None or known.get("role") else k


def _postcode_spans(text: str) -> list[tuple[int, int]]:
    """Postcodes, found by victims.shareable's postcode pattern: "EM3" in "EM3 9LT" is
    part of an address, not an acronym."""
    return [m.span() for r in recognizers() if r["kind"] == "postcode" for m in r["_rx"].finditer(text)]


def _within(spans, s: int, e: int) -> bool:
    return any(a <= s and e <= z for a, z in spans)


def _key_at(spans: dict[tuple[int, int], str], s: int, e: int) -> str | None:
    return next((k for (a, z), k in spans.items() if a <= s and e <= z), None)


def _shouting(text, words, i, gl) -> bool:
    """An all-capitals word next to another all-capitals word that is not an acronym we
    know: a shouted label ("FICTIONAL DOCUMENT"), not jargon."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(words):
            w, s, e = words[j]
            lo, hi = sorted((words[i][2], s)) if j > i else sorted((e, words[i][1]))
            gap = text[lo:hi]
            if w.isupper() and len(w) >= 3 and key(w) not in gl.acronyms and re.fullmatch(r"[\s:\-,]*", gap):
                return True
    return False


@lru_cache(maxsize=1024)
def _term_rx(forms: tuple[str, ...]) -> re.Pattern:
    alts = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True))
    # An optional plural s: "safeguarding enquiry" also matches "enquiries" through forms.
    return re.compile(rf"(?<![\w-])(?:{alts})s?(?![\w-])", re.I)


def _term_pattern(entry: dict) -> re.Pattern:
    return _term_rx((entry["term"], *entry.get("forms", [])))


def _add_term_uses(k: str, entry: dict, rx: re.Pattern, body, term, kind: str = "acronym") -> None:
    """Every use of a phrase in the body, each with an inline explanation if one follows."""
    for b in body:
        for m in rx.finditer(b.text):
            _add_use(term(k, kind, entry), b, m.start(), m.end())


def _add_use(t: Term, b, s: int, e: int) -> None:
    """One use of ``t`` at ``s:e`` of block ``b``'s text, and the explanation that follows it, if any."""
    t.forms[b.text[s:e]] += 1
    t.uses.append((b.start + s, b.start + e))
    if _TERM_DEF_AFTER.match(b.text[e:e + 200]):
        t.explanations.append((b.start + s, "inline", b.text[s:e + 80]))


def _add_code_uses(gl, body, term) -> None:
    """Codes such as tier codes ("Tier C3"): each code found is a term of its own ("C3")."""
    for spec in gl.codes:
        for b in body:
            for m in spec["rx"].finditer(b.text):
                code = m.group("code").upper()
                entry = {"term": code, "plain": spec["plain"], "code": spec["name"]}
                _add_use(term("code:" + code, "term", entry), b, *m.span("code"))


def _title_spells_out(doc, body, terms: dict, gl) -> None:
    """An acronym whose long form is in the review's title ("Serious Further Offence
    Review: ...") is explained before any use: the reader meets the words first."""
    title = next((b for b in doc.blocks if b.type == "heading"), None)
    if title is None or (body and title.start > body[0].start):
        return
    for k, t in terms.items():
        e = gl.acronyms.get(k)
        if t.kind == "acronym" and e and _term_rx((e["long"], *e.get("long_forms", ()))).search(title.text):
            t.explanations.append((title.start, "inline", title.text))


def _explained_late(t: Term, first: int) -> bool:
    return bool(t.explanations) and min(a for a, _, _ in t.explanations) > first


def analyse_terms(doc) -> list[Term]:
    gl = load()
    gloss_blocks, gloss_entries = glossary_sections(doc)
    body = [b for b in doc.blocks if b.type in USE_BLOCKS and b.id not in gloss_blocks]
    headings = [b for b in doc.blocks if b.type == "heading"]
    terms: dict[str, Term] = {}

    def term(k: str, kind: str, entry=None) -> Term:
        if k not in terms:
            terms[k] = Term(k, kind, entry=entry)
        return terms[k]

    # Short forms first ("RM plan" is the RMP): the acronym inside one is not a use of its own.
    for k, entry in gl.acronyms.items():
        if entry.get("short_forms"):
            _add_term_uses(k, entry, _term_rx(tuple(entry["short_forms"])), body, term)
    short_forms = {span: k for k, t in terms.items() for span in t.uses}
    for w, s, e, _ in _acronym_occurrences(body, gl, skip=short_forms):
        k = term_key(w, gl)
        t = term(k, "acronym", gl.acronyms.get(k))
        t.forms[w] += 1
        t.uses.append((s, e))
    if not gl.options.get("ignore_heading_only", True):
        for w, s, e, _ in _acronym_occurrences(headings, gl):
            k = term_key(w, gl)
            t = term(k, "acronym", gl.acronyms.get(k))
            t.forms[w] += 1
            t.uses.append((s, e))
    if gl.options.get("report_terms_of_art", True):
        # Spelled-out acronyms that are still terms of art count as uses of the acronym.
        for k, entry in gl.acronyms.items():
            if entry.get("long_is_jargon"):
                _add_term_uses(k, entry, _term_rx((entry["long"], *entry.get("long_forms", ()))), body, term)
        for entry in gl.terms:
            if not entry.get("report", True):
                continue  # an everyday word a family knows, kept for its plain-English meaning
            _add_term_uses("term:" + entry["term"].lower(), entry, _term_pattern(entry), body, term, "term")
        _add_code_uses(gl, body, term)
    _title_spells_out(doc, body, terms, gl)

    # Inline definitions, wherever they are (body, footnote or glossary section).
    where = {b.id: ("glossary" if b.id in gloss_blocks else "footnote" if b.type == "footnote" else "inline")
             for b in doc.blocks}
    for d in find_definitions(doc.text, is_short=lambda w: is_acronym(w) or key(w) in gl.acronyms):
        blk = doc.block_at(d.short_start)
        if blk is None or blk.type == "heading":
            continue
        k = _key_at(short_forms, d.short_start, d.short_start + len(d.short)) or term_key(d.short, gl)
        if k in terms:
            terms[k].explanations.append((d.start, where[blk.id], d.long))

    # Glossary sections: an entry explains the acronyms in its term column ("Approved
    # premises (AP)") and any term of art its term matches ("Child safeguarding enquiry").
    for ent in gloss_entries:
        done = set()
        for cand in (ent.term, *re.split(r"\s*[/(),]\s*", ent.term)):
            cand = cand.strip()
            k = term_key(cand, gl) if cand else ""
            if k in terms and k not in done:
                terms[k].explanations.append((ent.start, "glossary", ent.meaning))
                done.add(k)
        for t in terms.values():
            if t.kind == "term" and t.key not in done and _term_pattern(t.entry).search(ent.term):
                t.explanations.append((ent.start, "glossary", ent.meaning))
                done.add(t.key)

    # Footnotes attached to a use of the term.
    for fn in doc.footnotes:
        for marker in fn.markers:
            for t in terms.values():
                for s, e in t.uses:
                    near = 0 <= marker - e <= _MARKER_GAP
                    mentioned = s < marker <= s + 200 and _mentions(fn.text, t)
                    if near or mentioned:
                        t.explanations.append((s, "footnote", fn.text))
                        break

    for t in terms.values():
        if t.kind == "acronym" and (t.key in gl.common or _everyday_only(doc.text, t, gl)):
            t.explanations.append((-1, "common", ""))

    people = _person_initials(doc.text, terms, gl)
    return [t for t in terms.values() if t.uses and t.key not in people]


# A person's initials: two to four capitals ("JMO").
_INITIALS = re.compile(r"[A-Z]{2,4}")


def _person_initials(text: str, terms: dict[str, Term], gl) -> set[str]:
    """Keys of the capitals tokens the review uses as a person's name (rules/common_terms.yaml
    ``person_initials``): the reader knows who "JMO" is, so it is no jargon to explain."""
    cfg = gl.person
    if not cfg:
        return set()
    named = _initials_of_names(text, gl)
    return {
        k for k, t in terms.items()
        if t.kind == "acronym" and t.entry is None and k not in gl.common and _INITIALS.fullmatch(k)
        and (k in named or any(_used_as_person(text, s, e, cfg) for s, e in t.uses))
    }


def _used_as_person(text: str, s: int, e: int, cfg: dict) -> bool:
    """"Mr JMO", or "JMO told" with no determiner before it ("the CGL said" is a service)."""
    before = text[max(0, s - 30):s]
    if cfg["title_before"].search(before):
        return True
    prev = re.search(r"(\w+)\W*$", before)
    if prev and prev.group(1).lower() in cfg["determiners"]:
        return False
    return bool(cfg["verb_after"].match(text, e))


def _initials_of_names(text: str, gl) -> set[str]:
    """Initials of the people the review names: a name with a title ("Mr John Okafor") or
    initials ("J.M. Okafor"), or one right before the initials in brackets whose surname is
    no word the review or the glossary uses in lower case ("Jason Mark Okafor (JMO)", not
    "Joint Management Office (JMO)")."""
    out = set()
    vocabulary = None
    for m in gl.person["name"].finditer(text):
        run = m.group("run")
        parts = re.findall(r"[A-Z][a-z'\u2019-]*", run)
        initials = "".join(p[0] for p in parts)
        if m.group("title") or re.search(r"\b[A-Z]\.", run):
            out.add(initials)
            continue
        br = re.match(r"\s*\(([A-Z]{2,4})\)", text[m.end():m.end() + 12])
        if br and initials.endswith(br.group(1)):
            vocabulary = vocabulary if vocabulary is not None else _lower_words(text, gl)
            if parts[-1].lower() not in vocabulary:
                out.add(br.group(1))
    return out


def _lower_words(text: str, gl) -> set[str]:
    """Every word written in lower case in ``text`` or in the glossary's explanations."""
    gl_text = " ".join(f'{e.get("long", "")} {e["plain"]}' for e in (*gl.acronyms.values(), *gl.terms))
    return set(re.findall(r"\b[a-z][a-z'-]+\b", f"{text} {gl_text}"))


# Characters either side of a use read for the words that show an everyday meaning.
_EVERYDAY_WINDOW = 40


def _everyday_only(text: str, t: Term, gl) -> bool:
    """Every use of an acronym with two meanings ("DNA evidence" / "DNA" for did not
    attend) is in its everyday sense: a family knows it there, but one use in the
    probation sense still needs explaining."""
    rx = gl.everyday.get(t.key)
    return rx is not None and bool(t.uses) and all(_in_everyday_context(text, s, e, rx) for s, e in t.uses)


def _in_everyday_context(text: str, s: int, e: int, rx: re.Pattern) -> bool:
    lo = max(0, s - _EVERYDAY_WINDOW)
    window = text[lo:e + _EVERYDAY_WINDOW]
    return any(m.start() <= s - lo and e - lo <= m.end() for m in rx.finditer(window))


def _mentions(text: str, t: Term) -> bool:
    if t.kind == "acronym":
        gl = load()
        return any(term_key(m.group(1), gl) == t.key for m in WORD.finditer(text))
    return bool(_term_pattern(t.entry).search(text))


def term_record(doc, t: Term) -> dict:
    """The JSON object the issue specifies for one term."""
    first = min(s for s, _ in t.uses)
    best = min(t.explanations, key=lambda x: x[0]) if t.explanations else None
    return {
        "term": t.display,
        "count": len(t.uses),
        "first_page": doc.page_at(first),
        "explained": best is not None,
        "how": best[1] if best else "none",
        "explained_before_first_use": best is not None and best[0] <= first,
        "suggestion": _suggestion(t),
    }


def _suggestion(t: Term) -> str:
    e = t.entry
    if any(how == "common" for _, how, _ in t.explanations):
        return "Common knowledge: no explanation needed."
    if t.kind == "term":
        return f'Explain "{t.display}" where it is first used, e.g. "{t.display} ({e["plain"]})".'
    if e:
        return f'Spell it out at first use: "{e["long"]} ({e["term"]})", {e["plain"]}.'
    return f'Spell out "{t.display}" in full at its first use, or add it to a glossary.'


@register(CHECK, "Acronyms and terms of art, and whether each is explained for a lay reader")
def check(doc, ctx) -> CheckResult:
    records = []
    findings = []
    for t in sorted(analyse_terms(doc), key=lambda t: min(s for s, _ in t.uses)):
        rec = term_record(doc, t)
        records.append(rec)
        first_s, first_e = min(t.uses)
        data = {"term": rec["term"], "type": t.kind, "how": rec["how"], "count": rec["count"]}
        if not rec["explained"]:
            sev = "warning" if t.kind == "acronym" else "info"
            what = "Acronym" if t.kind == "acronym" else "Term"
            findings.append(Finding.at(
                doc, first_s, first_e, CHECK, sev,
                f'{what} "{rec["term"]}" is used {rec["count"]} time(s) but never explained for a lay reader.',
                suggestion=rec["suggestion"], data=data,
            ))
        elif not rec["explained_before_first_use"]:
            at = min(a for a, _, _ in t.explanations)
            findings.append(Finding.at(
                doc, first_s, first_e, CHECK, "info",
                f'"{rec["term"]}" is explained ({rec["how"]}, page {doc.page_at(at)}) only after its first use '
                f'on page {rec["first_page"]}.',
                suggestion="Explain it where it is first used.", data=data,
            ))
    summary = {
        "terms": records,
        "unexplained": sum(not r["explained"] for r in records),
        "explained_late": sum(r["explained"] and not r["explained_before_first_use"] for r in records),
        "explained": sum(r["explained"] for r in records),
    }
    return CheckResult(CHECK, findings, summary)
