"""The jargon rule data (rules/glossary.yaml, rules/common_terms.yaml) and the review's
own glossary section, if it has one.

A glossary section is a heading such as "Glossary", "Terms used" or "Abbreviations"
followed, until the next heading of the same or a higher level, by a table or list of
"term - meaning" entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.checks.victims_abbrev import key

_HEADING = re.compile(
    r"\b(glossary|terms used|abbreviations|acronyms|key terms|definitions|explanation of terms|terminology)\b", re.I
)
_ENTRY_SPLIT = re.compile(r"\s*(?:\s[-\u2013\u2014=]\s|:\s|\t)\s*")


@dataclass
class Glossary:
    acronyms: dict[str, dict]  # key() -> entry
    terms: list[dict]  # terms of art
    common: set[str]  # key() of common-knowledge abbreviations
    not_terms: set[str]
    options: dict = field(default_factory=dict)
    codes: list[dict] = field(default_factory=list)  # patterns for codes such as tier codes
    everyday: dict[str, re.Pattern] = field(default_factory=dict)  # key() -> context of the everyday meaning
    person: dict = field(default_factory=dict)  # how a person's initials ("JMO") are told from jargon


@lru_cache(maxsize=1)
def load() -> Glossary:
    data = rules.load("glossary")
    g = data["terms"]
    c = rules.load("common_terms")
    return Glossary(
        acronyms={key(e["term"]): e for e in g if e["type"] == "acronym"},
        terms=[e for e in g if e["type"] == "term"],
        common={key(str(t)) for t in c.get("common", [])},
        not_terms={str(t).upper() for t in c.get("not_terms", [])},
        options={k: v for k, v in c.items() if k not in ("common", "not_terms", "person_initials")},
        codes=[dict(spec, rx=re.compile(spec["pattern"], re.I)) for spec in data.get("codes", [])],
        everyday={key(e["term"]): re.compile(e["everyday"], re.I) for e in g if e.get("everyday")},
        person=_person_rules(c.get("person_initials") or {}),
    )


def _person_rules(cfg: dict) -> dict:
    """rules/common_terms.yaml ``person_initials``, compiled."""
    if not cfg:
        return {}
    titles = "|".join(map(re.escape, cfg["titles"]))
    verbs = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(cfg["verbs"], key=len, reverse=True))
    return {
        "title_before": re.compile(rf"(?<![\w.])(?:{titles})\.?[ \t]+$"),
        # "JMO told", "JMO later told": the token as the subject of the verb.
        "verb_after": re.compile(rf"[ \t]+(?:[a-z]+ly[ \t]+)?(?:{verbs})(?!\w)"),
        "determiners": {d.lower() for d in cfg["determiners"]},
        # A name: a title and two or more words, or initials with full stops ("J.M. Okafor").
        "name": re.compile(
            rf"(?P<title>(?<![\w.])(?:{titles})\.?[ \t]+)?"
            r"(?P<run>(?:[A-Z]\.[ \t]?|[A-Z][a-z'\u2019-]+[ \t]+){1,3}[A-Z][a-z'\u2019-]+)"
        ),
        "titles": titles,
    }


@dataclass
class SectionEntry:
    term: str
    meaning: str
    block: int
    start: int  # offset of the entry in the document text


def glossary_sections(doc) -> tuple[set[int], list[SectionEntry]]:
    """Ids of the blocks inside glossary sections, and the entries they define."""
    blocks: set[int] = set()
    entries: list[SectionEntry] = []
    inside_level: int | None = None
    for b in doc.blocks:
        if b.type == "heading":
            if inside_level is not None and (b.level or 1) <= inside_level:
                inside_level = None
            if inside_level is None and _HEADING.search(b.text) and len(b.text.split()) <= 6:
                inside_level = b.level or 1
            continue
        if inside_level is None or b.type == "footnote":
            continue
        blocks.add(b.id)
        if b.type == "table" and b.table is not None:
            t = doc.tables[b.table]
            for r, row in enumerate(t.rows):
                if len(row) >= 2 and row[0].strip() and row[1].strip():
                    entries.append(SectionEntry(row[0].strip(), row[1].strip(), b.id, b.start + t.cell_offset(r, 0)))
        else:
            for line_start, line in _lines(b.text):
                parts = _ENTRY_SPLIT.split(line.strip(), maxsplit=1)
                if len(parts) == 2 and parts[0] and parts[1] and len(parts[0].split()) <= 6:
                    entries.append(SectionEntry(parts[0].strip(" *"), parts[1], b.id, b.start + line_start))
    return blocks, entries


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1
