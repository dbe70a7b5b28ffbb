"""The typed YAML rules compiled once: which cues a text contains, and the words that fired.

Rules are data (rules/*.yaml). ``existence`` rules fire when any pattern matches; role
terms fire as whole words or phrases. Every hit keeps the matched words so a finding can
say what decided it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.errors import SfoError


@dataclass(frozen=True)
class Rule:
    name: str
    type: str
    severity: str
    message: str
    suggestion: str | None
    patterns: tuple[re.Pattern, ...]
    examples: dict

    def find(self, text: str) -> list[str]:
        """The words in ``text`` that this rule matches (empty when it does not fire)."""
        out: list[str] = []
        for p in self.patterns:
            out.extend(m.group(0).strip() for m in p.finditer(text))
        return out


def _compile(name: str, spec: dict, source: str) -> Rule:
    if spec.get("type") != "existence":
        raise SfoError(f"rules/{source}.yaml: rule {name} has unsupported type {spec.get('type')!r}")
    flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
    try:
        pats = tuple(re.compile(p, flags) for p in spec["patterns"])
    except (KeyError, re.error) as exc:
        raise SfoError(f"rules/{source}.yaml: rule {name} has bad patterns: {exc}") from exc
    return Rule(name, spec["type"], spec.get("severity", "info"), spec.get("message", ""),
                spec.get("suggestion"), pats, spec.get("examples") or {})


@lru_cache(maxsize=None)
def ruleset(source: str, section: str = "rules") -> dict[str, Rule]:
    """Compiled rules of one section (``rules:`` by default) of rules/<source>.yaml, by name."""
    data = rules.load(source)
    return {name: _compile(name, spec, source) for name, spec in (data.get(section) or {}).items()}


@lru_cache(maxsize=None)
def rule(source: str, key: str) -> Rule:
    """One rule stored at the top level of rules/<source>.yaml (e.g. smart's ``joint_cue``)."""
    spec = rules.load(source).get(key)
    if not isinstance(spec, dict):
        raise SfoError(f"rules/{source}.yaml: no rule {key!r}")
    return _compile(key, spec, source)


@lru_cache(maxsize=4096)
def hits(source: str, text: str) -> dict[str, list[str]]:
    """Rule name -> matched words, for the rules of ``source`` that fire on ``text``.

    Cached (callers only read the answer): the judgement check asks twice per sentence,
    once for the model's features and once to say which words decided it."""
    out = {}
    for name, rule in ruleset(source).items():
        found = rule.find(text)
        if found:
            out[name] = found
    return out


def _term_pattern(terms: list[str]) -> re.Pattern:
    # longest first so "probation practitioner" wins over "practitioner"
    alts = sorted({str(t).lower() for t in terms}, key=len, reverse=True)
    # plurals too: "SPOs", "heads of PDU" are the same roles as "SPO", "head of PDU"
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in alts) + r")(?:s|es|'s)?(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=None)
def term_groups(section: str) -> dict[str, re.Pattern]:
    """rules/roles.yaml ``section`` (targets | levels) compiled: group -> pattern."""
    data = rules.load("roles").get(section) or {}
    out = {}
    for group, spec in data.items():
        terms = spec["terms"] if isinstance(spec, dict) else spec
        out[group] = _term_pattern(terms)
    return out


@lru_cache(maxsize=None)
def owner_pattern() -> re.Pattern:
    return _term_pattern(rules.load("roles")["owners"]["terms"])


def term_hits(section: str, text: str) -> dict[str, list[str]]:
    """Group -> matched terms of rules/roles.yaml ``section`` in ``text``."""
    out = {}
    for group, pat in term_groups(section).items():
        found = [m.group(0) for m in pat.finditer(text)]
        if found:
            out[group] = found
    return out


def term_spans(section: str, text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, group, words) of each term of rules/roles.yaml ``section`` in ``text``;
    a term inside a longer term of another group does not count: "reviewing managers"
    names the review's author (individual), not a manager (labels.md)."""
    spans = [(m.start(), m.end(), group, m.group(0))
             for group, pat in term_groups(section).items() for m in pat.finditer(text)]
    return [(a0, a1, group, word) for a0, a1, group, word in spans
            if not any(b0 <= a0 and a1 <= b1 and (b1 - b0) > (a1 - a0) for b0, b1, g, _ in spans if g != group)]


def term_hits_longest(section: str, text: str) -> dict[str, list[str]]:
    """Like ``term_hits``, with ``term_spans``' rule for terms inside longer terms."""
    out: dict[str, list[str]] = {}
    for _, _, group, word in term_spans(section, text):
        out.setdefault(group, []).append(word)
    return out
