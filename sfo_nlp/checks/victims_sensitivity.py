"""victims.sensitivity: wording a family would find cold, graphic or blaming the victim,
and whether the review says how the victim and family were considered.

Rules live in rules/sensitivity.yaml. They are matched sentence by sentence so their
context conditions see the whole sentence; headings, quotation blocks and quoted
speech are never flagged. Two things need the whole review, not one sentence: the
victim's surname (a rule built per review flags it used alone, police-report style),
and the name of the person on probation in the title (rules whose subject is a first
name leave it alone).
"""

from __future__ import annotations

import re
from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.checks.registry import register
from sfo_nlp.checks.victims_context import inside, match_in_sentence, own_sentences, quoted_spans
from sfo_nlp.results import CheckResult, Finding

CHECK = "victims.sensitivity"


@lru_cache(maxsize=1)
def config() -> dict:
    """rules/sensitivity.yaml with each ``{PIECE}`` in a pattern replaced by its text from
    ``pieces`` (who counts as a relative is written once, not in every rule)."""
    cfg = rules.load("sensitivity")
    pieces = cfg.get("pieces", {})

    def expand(pattern: str) -> str:
        return re.sub(r"\{([A-Z_]+)\}", lambda m: pieces[m.group(1)] if m.group(1) in pieces else m.group(), pattern)

    out = dict(cfg)
    out["rules"] = [dict(r, pattern=expand(r["pattern"])) if "pattern" in r else r for r in cfg["rules"]]
    return out


@lru_cache(maxsize=1)
def family_patterns() -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    """(patterns, unless patterns) of ``family_considered``, compiled once."""
    spec = config()["family_considered"]
    return (tuple(re.compile(p, re.I) for p in spec["patterns"]),
            tuple(re.compile(p, re.I) for p in spec.get("unless", [])))


def family_considered(sentence: str) -> bool:
    """Whether a sentence shows the victim or family considered: a pattern matches and no
    ``unless`` does ("There was no VLO involvement" names the VLO but considers no one)."""
    patterns, unless = family_patterns()
    return any(p.search(sentence) for p in patterns) and not any(u.search(sentence) for u in unless)


_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")


def victim_surnames(doc) -> dict[str, set[str]]:
    """The victim's surname(s), each with the words that may stand before it (the
    title and first name the review introduced), from ``victim_surname.introduced``."""
    spec = config().get("victim_surname")
    if not spec:
        return {}
    title = _title(doc)
    out: dict[str, set[str]] = {}
    for pattern in spec["introduced"]:
        for m in re.finditer(pattern.replace("{NAME}", spec["name"]), doc.text, re.I):
            *before, surname = m.group("name").split()
            # The review's own subject (in its title) shares a surname with relatives.
            if len(surname) >= 3 and not re.search(rf"\b{re.escape(surname)}\b", title):
                out.setdefault(surname, set()).update(w.rstrip(".") for w in before)
    return out


def _title(doc) -> str:
    """The review's title, which names the person on probation ("... Review: Dean Lowther")."""
    return next((b.text for b in doc.blocks if b.type == "heading"), "")


def _names_the_subject(rule: dict, quote: str, title_words: set[str]) -> bool:
    """A rule whose subject is a first name (``subject_is_name``) is about the person on
    probation, not the victim, when that first name is in the review's title."""
    return bool(rule.get("subject_is_name")) and any(w in title_words for w in quote.split()[:2])


def _surname_rule(cfg: dict, surnames: dict[str, set[str]]) -> list[dict]:
    """A pattern rule, built for this review, that finds each surname with neither a
    title nor the victim's first name before it."""
    spec = cfg.get("victim_surname")
    if not spec or not surnames:
        return []
    alts = []
    for surname, before in sorted(surnames.items()):
        # One look-behind per word (Python's must each have a fixed width).
        not_after = "".join(rf"(?<!\b{re.escape(w)} )(?<!\b{re.escape(w)}\. )" for w in sorted(set(_TITLES) | before))
        # Followed by a capitalised word it is a place or an organisation ("Green Lane").
        alts.append(rf"(?<![\w'-]){not_after}{re.escape(surname)}(?![\w-])(?!\s+[A-Z])")
    return [{"id": "victim-surname-only", "type": "pattern", "category": "cold", "severity": spec["severity"],
             "message": spec["message"], "suggestion": spec["suggestion"], "pattern": "(?-i:" + "|".join(alts) + ")"}]


@register(CHECK, "Cold, graphic or victim-blaming wording, and whether the family was considered")
def check(doc, ctx) -> CheckResult:
    cfg = config()
    findings: list[Finding] = []
    quotes_by_block = {}
    evidence: list[str] = []
    surname_rule = _surname_rule(cfg, victim_surnames(doc))
    title_words = set(re.findall(r"[A-Z][a-z]+", _title(doc)))
    for start, end, b in own_sentences(doc):
        text = doc.text[start:end]
        if b.id not in quotes_by_block:
            quotes_by_block[b.id] = [(b.start + s, b.start + e) for s, e in quoted_spans(b.text)]
        quoted = quotes_by_block[b.id]
        taken: list[tuple[int, int]] = []  # one finding per stretch of text, the first rule's
        for rule in cfg["rules"] + surname_rule:
            for s, e in match_in_sentence(rule, text):
                if inside(quoted, start + s, start + e) or any(s < te and ts < e for ts, te in taken):
                    continue
                if _names_the_subject(rule, text[s:e], title_words):
                    continue
                taken.append((s, e))
                findings.append(Finding.at(
                    doc, start + s, start + e, CHECK, rule["severity"], rule["message"],
                    suggestion=rule["suggestion"], confidence=0.7 if rule["type"] == "existence" else 0.8,
                    data={"rule": rule["id"], "category": rule["category"], "sentence": text},
                ))
        # Evidence of family contact comes from prose: an action-plan row "share the
        # review with the family" is a plan, not a record that it was done.
        if b.type != "table" and family_considered(text):
            evidence.append(text)
    if not evidence:
        findings.append(Finding(
            check=CHECK, severity="warning",
            message="The review does not say how the victim or their family were considered "
                    "(contact through the victim liaison officer, their questions or views, sharing the review).",
            suggestion="Add a short section on how the family were contacted, what they asked and how the review answers it.",
            data={"rule": "family-not-considered", "category": "family"},
        ))
    summary = {
        "flags": sum(1 for f in findings if f.data.get("rule") != "family-not-considered"),
        "by_category": _count(f.data["category"] for f in findings if f.data.get("category") != "family"),
        "family_considered": bool(evidence),
        "family_evidence": evidence[:10],
    }
    return CheckResult(CHECK, findings, summary)


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out
