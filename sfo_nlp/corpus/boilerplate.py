"""Paragraphs that say nothing about the case: left out of theme evidence.

Three rules, all configured in the ``boilerplate`` entry of rules/themes.yaml:

- **sections**: paragraphs under a heading such as a glossary, the terms of reference,
  the list of records read or the countersignature: they name every theme in passing;
- **patterns**: disclaimers, protective markings, handling notices and page furniture,
  each a regular expression shipped with examples that must and must not match;
- **repetition**: a paragraph whose wording many reviews share almost word for word is
  template text (a region's standard introduction, a notice on every cover page), not
  an account of practice. "Almost word for word" is measured with runs of consecutive
  words (shingles), so a template with a different name or date filled in still counts,
  while two reviews that merely use the same phrases in their own sentences do not.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

from sfo_nlp.errors import SfoError

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Pattern:
    id: str
    why: str
    regex: re.Pattern
    fire: tuple[str, ...]
    quiet: tuple[str, ...]


def load_patterns(cfg: dict[str, Any]) -> list[Pattern]:
    out = []
    for i, p in enumerate(cfg.get("patterns") or []):
        try:
            regex = re.compile(p["pattern"], re.IGNORECASE)
        except (KeyError, TypeError, re.error) as exc:
            raise SfoError(f"rules/themes.yaml boilerplate pattern {i + 1}: {exc}") from None
        out.append(Pattern(str(p.get("id", i + 1)), str(p.get("why", "")), regex,
                           tuple(p.get("fire") or ()), tuple(p.get("quiet") or ())))
    return out


@dataclass(frozen=True)
class SectionRule:
    regex: re.Pattern | None
    fire: tuple[str, ...] = ()
    quiet: tuple[str, ...] = ()


def load_section_rule(cfg: dict[str, Any]) -> SectionRule:
    spec = cfg.get("sections") or {}
    if not spec.get("pattern"):
        return SectionRule(None)
    try:
        regex = re.compile(spec["pattern"], re.IGNORECASE)
    except re.error as exc:
        raise SfoError(f"rules/themes.yaml boilerplate sections: {exc}") from None
    return SectionRule(regex, tuple(spec.get("fire") or ()), tuple(spec.get("quiet") or ()))


def _shingles(text: str, n: int) -> set[int]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {hash(tuple(words[i:i + n])) for i in range(len(words) - n + 1)}


def find_boilerplate(paragraphs: Sequence[tuple[str, str]], cfg: dict[str, Any],
                     sections: Sequence[str | None] | None = None) -> dict[int, str]:
    """Index -> why, for the (review sha256, text) pairs that are boilerplate; ``sections``
    gives each paragraph's section heading, when known."""
    found: dict[int, str] = {}
    section_rule = load_section_rule(cfg)
    if section_rule.regex is not None and sections is not None:
        for i, title in enumerate(sections):
            if title and section_rule.regex.search(title):
                found[i] = "in a section that lists sources, defines terms or signs off"
    for pattern in load_patterns(cfg):
        for i, (_, text) in enumerate(paragraphs):
            if i not in found and pattern.regex.search(text):
                found[i] = pattern.why
    rep = cfg.get("repeated") or {}
    n = int(rep.get("shingle", 5))
    reviews = {sha for sha, _ in paragraphs}
    need = max(int(rep.get("min_reviews", 3)), math.ceil(float(rep.get("min_share", 0.3)) * len(reviews)))
    if len(reviews) < need:
        return found  # too few reviews to tell a template from a coincidence
    shingles = [_shingles(text, n) if len(_WORD.findall(text)) >= int(rep.get("min_words", 8)) else set()
                for _, text in paragraphs]
    reviews_with: dict[int, set[str]] = defaultdict(set)
    for (sha, _), sh in zip(paragraphs, shingles):
        for s in sh:
            reviews_with[s].add(sha)
    min_overlap = float(rep.get("min_overlap", 0.8))
    for i, sh in enumerate(shingles):
        if i in found or not sh:
            continue
        shared = sum(1 for s in sh if len(reviews_with[s]) >= need)
        if shared / len(sh) >= min_overlap:
            found[i] = f"wording repeated in {need} or more reviews"
    return found
