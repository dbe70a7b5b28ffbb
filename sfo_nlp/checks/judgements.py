"""Check "judgements": find the review's judgement sentences and say, for each, whose
practice or which factor it judges (target), its polarity, and whether it cites evidence,
explains why and states significance. The summary is what the standards layer reads
(issue 5): counts and shares by target and polarity, levels never judged, judgements
without evidence.

Uses the document's single spaCy parse; the author's own prose only (paragraphs and list
items: quotations are interviewees' words, tables hold the action plan and case details).
"""

from __future__ import annotations

from collections import Counter

from sfo_nlp.checks.registry import CheckContext, register
from sfo_nlp.learn.baseline import TARGETS
from sfo_nlp.learn.infer import NEEDS, classify_judgements
from sfo_nlp.results import CheckResult, Finding

CHECK_ID = "judgements"
POLARITIES = ("deficit", "good", "mixed")
PROSE_TYPES = ("paragraph", "list_item")


def _action_list_blocks(doc) -> set[int]:
    """Blocks of an action plan written as a list: actions, not judgements (QA bug 6: the
    plan's "Level: Individual." lines were read as deficit findings)."""
    from sfo_nlp.checks.actions_plan import find_plan

    plan = find_plan(doc)
    if plan.source != "list":
        return set()
    blocks = (doc.block_at(it.start) for it in plan.items)
    return {b.id for b in blocks if b is not None}


# A fragment of one or two words ("No.", "Yes.", "Agreed.", "No issues.") answers the
# heading or question before it: read alone, as the model reads it, it judges nothing,
# yet the model gave such fragments a target and a polarity (QA round 9; in the corpus
# it took six for judgements, of which only sfo-03's terse "Appropriate." is one in the
# gold files). A short clause with its own subject ("It failed.", "Neither happened.")
# still states something, and the gold files count it.
MIN_WORDS = 3
_SUBJECTS = ("nsubj", "nsubjpass")


def _stands_alone(span) -> bool:
    words = [t for t in span if not (t.is_punct or t.is_space)]
    return len(words) >= MIN_WORDS or any(t.dep_ in _SUBJECTS for t in words)


def judgement_spans(doc) -> list:
    """(span, start, end) of each prose sentence in the document's one parse that can be a
    judgement on its own (the check's candidates, and the training data's negatives)."""
    out = []
    plan_blocks = _action_list_blocks(doc)
    for s in doc.spacy.sents:
        text = s.text.strip()
        if not _stands_alone(s):
            continue
        start = s.start_char + (len(s.text) - len(s.text.lstrip()))
        block = doc.block_at(start)
        if block is None or block.type not in PROSE_TYPES or block.id in plan_blocks:
            continue
        out.append((s, start, start + len(text)))
    return out


def _message(r: dict) -> str:
    parts = [f"{r['polarity']} judgement on {r['target']} practice"]
    parts.append("cites evidence" if r["evidence"] else "no evidence cited")
    if r["why"]:
        parts.append("explains why")
    if r["significance"]:
        parts.append("states significance")
    return "; ".join(parts).capitalize() + "."


def summarise(results: list[dict], n_sentences: int) -> dict:
    count = len(results)
    by_target = Counter(r["target"] for r in results)
    by_polarity = Counter(r["polarity"] for r in results)
    return {
        "count": count,
        "by_target": {t: by_target.get(t, 0) for t in TARGETS},
        "by_polarity": {p: by_polarity.get(p, 0) for p in POLARITIES},
        "share_by_target": {t: round(by_target.get(t, 0) / count, 3) if count else 0.0 for t in TARGETS},
        "levels_not_judged": [t for t in TARGETS if not by_target.get(t)],
        "without_evidence": sum(not r["evidence"] for r in results),
        "with_why": sum(bool(r["why"]) for r in results),
        "with_significance": sum(bool(r["significance"]) for r in results),
        "sentences": n_sentences,
        # which findings stand behind each figure (indices into the findings list)
        "findings_by_target": {t: [i for i, r in enumerate(results) if r["target"] == t] for t in TARGETS},
        "findings_without_evidence": [i for i, r in enumerate(results) if not r["evidence"]],
        "source": results[0]["source"] if results else None,
    }


@register(CHECK_ID, "Judgement sentences: target, polarity, evidence, why and significance", needs=NEEDS)
def check_judgements(doc, ctx: CheckContext) -> CheckResult:
    spans = judgement_spans(doc)
    answers = classify_judgements([s for s, _, _ in spans])
    findings, kept = [], []
    for (span, start, end), r in zip(spans, answers):
        if not r["is_judgement"]:
            continue
        kept.append(r)
        severity = "warning" if r["polarity"] != "good" and not r["evidence"] else "info"
        findings.append(Finding.at(doc, start, end, CHECK_ID, severity, _message(r),
                                   confidence=r["confidence"], data=r))
    return CheckResult(CHECK_ID, findings, summarise(kept, len(spans)))
