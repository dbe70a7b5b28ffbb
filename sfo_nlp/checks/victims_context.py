"""Context shared by the victims checks: quoted speech and sentence-level rule matching.

Words inside quotation marks are someone else's, reported as said (an interview, a
text message the court heard): a rule about the author's own wording must not fire
on them.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Double quotes (straight or curly) and curly single quotes; a straight single quote
# is too often an apostrophe to pair reliably.
_QUOTED = re.compile(r'"[^"\n]{2,600}"|\u201c[^\u201d\n]{2,600}\u201d|\u2018[^\u2019\n]{2,600}\u2019')
SKIP_BLOCKS = ("heading", "quote", "header", "footer")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


@lru_cache(maxsize=4096)
def word_rx(words: tuple[str, ...]) -> re.Pattern | None:
    """Whole-word, case-insensitive alternation of phrases (spaces match any whitespace)."""
    if not words:
        return None
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{alts})(?![\w])", re.I)


def rule_rx(rule: dict) -> re.Pattern:
    if rule["type"] == "pattern":
        return re.compile(rule["pattern"], re.I)
    if rule["type"] == "existence":
        return word_rx(tuple(rule["tokens"]))
    raise ValueError(f"unknown rule type {rule['type']!r} in rule {rule.get('id')}")


def match_in_sentence(rule: dict, sentence: str) -> list[tuple[int, int]]:
    """Spans of ``sentence`` where ``rule`` fires, its context conditions applied."""
    hits = [(m.start(), m.end()) for m in rule_rx(rule).finditer(sentence)]
    if not hits:
        return []
    need = word_rx(tuple(rule.get("require_near", ())))
    if need is not None and not need.search(sentence):
        return []
    quiet = word_rx(tuple(rule.get("unless_near", ())))
    if quiet is not None:
        # The matched words themselves do not count as context.
        rest = sentence
        for s, e in hits:
            rest = rest[:s] + " " * (e - s) + rest[e:]
        if quiet.search(rest):
            return []
    return hits


def own_sentences(doc):
    """(start, end, block) of every sentence the author wrote in their own voice: not
    headings, quotation blocks or the running header and footer."""
    for sent in doc.spacy.sents:
        text = sent.text.strip()
        if not text:
            continue
        start = sent.start_char + len(sent.text) - len(sent.text.lstrip())
        b = doc.block_at(start)
        # Table cells are read too: a chronology's entries are the author's wording and
        # reach the family as much as the paragraphs do (the rules are phrases, so labels
        # such as "Index offence | Murder" do not trip them).
        if b is None or b.type in SKIP_BLOCKS:
            continue
        yield start, start + len(text), b
