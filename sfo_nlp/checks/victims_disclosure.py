"""victims.disclosure: passages that need clearing before a review goes to a family.

Personal data a pattern can find (names, numbers, addresses) is victims.shareable. This
check finds what is unshareable because of its subject: staff employment matters,
allegations never proved, what the evidence shows in a case not yet tried, the childhood
history of the person on probation. Rules live in rules/disclosure.yaml and are matched
sentence by sentence, in the author's own voice only, with the sensitivity rules' engine.
"""

from __future__ import annotations

from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.checks.registry import register
from sfo_nlp.checks.victims_context import inside, match_in_sentence, own_sentences, quoted_spans
from sfo_nlp.results import CheckResult, Finding

CHECK = "victims.disclosure"


@lru_cache(maxsize=1)
def disclosure_rules() -> list[dict]:
    return list(rules.load("disclosure")["rules"])


@register(CHECK, "Passages to clear before sharing with a family: staff HR matters, unproven allegations, "
                 "evidence in a case not yet tried, childhood history")
def check(doc, ctx) -> CheckResult:
    findings: list[Finding] = []
    quotes_by_block: dict[str, list[tuple[int, int]]] = {}
    for start, end, b in own_sentences(doc):
        text = doc.text[start:end]
        if b.id not in quotes_by_block:
            quotes_by_block[b.id] = [(b.start + s, b.start + e) for s, e in quoted_spans(b.text)]
        for rule in disclosure_rules():
            spans = [(s, e) for s, e in match_in_sentence(rule, text)
                     if not inside(quotes_by_block[b.id], start + s, start + e)]
            if spans:
                # the whole sentence is what needs clearing, not the words that gave it away
                findings.append(Finding.at(
                    doc, start, end, CHECK, rule["severity"], rule["message"], suggestion=rule["suggestion"],
                    confidence=0.7, data={"rule": rule["id"], "kind": rule["kind"], "cue": text[spans[0][0]:spans[0][1]]},
                ))
                break  # one finding per sentence
    by_kind: dict[str, int] = {}
    for f in findings:
        by_kind[f.data["kind"]] = by_kind.get(f.data["kind"], 0) + 1
    return CheckResult(CHECK, findings, {"passages": len(findings), "by_kind": by_kind})
