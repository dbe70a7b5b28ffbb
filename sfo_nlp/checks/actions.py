"""Check "actions": read the action plan row by row and say what each action lacks
(specific, measurable, owner, time-bound, level, developmental, strength), which deficit
judgements it addresses and which deficits no action addresses (issue 6).

Reads the "judgements" check for the deficit findings; uses the document's single spaCy
parse for both (table cells and list items are part of the parsed body text).
"""

from __future__ import annotations

from collections import Counter

from sfo_nlp import rules
from sfo_nlp.checks.actions_link import link
from sfo_nlp.checks.actions_plan import find_plan, plan_headings
from sfo_nlp.checks.registry import CheckContext, register
from sfo_nlp.learn import cues
from sfo_nlp.learn.baseline import LEVELS
from sfo_nlp.learn.infer import NEEDS, classify_actions
from sfo_nlp.results import CheckResult, Finding

CHECK_ID = "actions"
SMART_KEYS = ("specific", "measurable", "owner", "time_bound")
LABELS = {"specific": "specific", "measurable": "a measure of impact", "owner": "an owner",
          "time_bound": "a date or timescale", "developmental": "developmental activity"}


def _span(doc, start: int, end: int):
    return doc.spacy.char_span(start, end, alignment_mode="expand") or doc.spacy[0:0]


def _message(res: dict) -> str:
    res["missing"] = [k for k in res["missing"] if k in LABELS]
    if not res["missing"] and res["strength"] != "weak":
        return f"SMART {res['level']}-level action ({res['strength']})."
    lacks = ", ".join(LABELS[k] for k in res["missing"])
    msg = f"{res['strength'].capitalize()} {res['level']}-level action"
    return msg + (f"; lacks {lacks}." if lacks else ".")


def _deficit_levels(deficit_targets: set[str]) -> tuple[list[str], dict[str, list[str]]]:
    mapping = rules.load("smart")["target_levels"]
    accept = {t: mapping[t] for t in deficit_targets if t in mapping}
    return sorted({lv[0] for lv in accept.values()}, key=LEVELS.index), accept


def _partner_sharing(doc, plan) -> bool:
    """Does the plan, or the prose under the learning/action headings, say how learning
    will be shared with partner agencies (prompt 3.2g)?"""
    sharing = cues.ruleset("smart")["sharing"]
    texts = [it.text + " " + it.fields.get("measure", "") for it in plan.items]
    pat = plan_headings()
    texts += [b.text for b in doc.blocks if b.is_prose and b.section and pat.search(b.section)]
    return any(sharing.find(t) for t in texts)


def _plan_ranges(doc, plan) -> list[tuple[int, int]]:
    """Character ranges of the plan's items with their whole block (a list action's
    "Owner: ..." parts lie outside its action text)."""
    out = []
    for it in plan.items:
        b = doc.block_at(it.start)
        out.append((min(it.start, b.start), max(it.end, b.end)) if b is not None else (it.start, it.end))
    return out


def _row_number(item, k: int) -> int:
    """The row as users see it: the 1-based table row each finding's ``row`` gives, or for a
    list item (no table row) its 1-based place in the plan. Never the 0-based index."""
    return item.row if item.row is not None else k + 1


@register(CHECK_ID, "Action plan: SMART features, level, strength and link to deficit findings",
          needs=NEEDS, reads=("judgements",))
def check_actions(doc, ctx: CheckContext) -> CheckResult:
    plan = find_plan(doc)
    spans = [_span(doc, it.start, it.end) for it in plan.items]
    answers = classify_actions(spans, [it.fields for it in plan.items])

    judged = ctx.results.get("judgements")
    own = _plan_ranges(doc, plan)
    # the plan's own lines are never a finding an action addresses (QA bug 6)
    deficits = [(i, f) for i, f in enumerate(judged.findings if judged else [])
                if f.data.get("polarity") in ("deficit", "mixed")
                and not any(f.start < e and s < f.end for s, e in own)]
    links = link(spans, [_span(doc, f.start, f.end) for _, f in deficits])
    by_action: dict[int, list[dict]] = {}
    linked_findings: set[int] = set()
    for ln in links:
        fidx = deficits[ln.finding][0]
        by_action.setdefault(ln.action, []).append({"finding": fidx, "similarity": ln.similarity, "shared": ln.shared})
        linked_findings.add(fidx)

    findings = []
    for k, (it, res) in enumerate(zip(plan.items, answers)):
        relevant = sorted(by_action.get(k, []), key=lambda d: -d["similarity"])
        data = {**{key: res[key] for key in ("specific", "measurable", "owner", "time_bound", "level",
                                             "developmental", "strength", "date", "confidence", "confidences")},
                "missing": res["missing"], "row": it.row, "table": it.table, "fields": it.fields,
                "decided_by": res["decided_by"], "relevant": relevant, "source": res["source"]}
        severity = "warning" if res["missing"] or res["strength"] == "weak" else "info"
        findings.append(Finding.at(doc, it.start, it.end, CHECK_ID, severity, _message(res),
                                   confidence=res["confidence"], data=data,
                                   suggestion=cues.ruleset("smart")["weak"].suggestion if res["strength"] == "weak" else None))
        findings[-1].page = it.page  # the row's own page (a table runs across pages)

    covered = sorted({r["level"] for r in answers}, key=LEVELS.index)
    deficit_targets = {f.data["target"] for _, f in deficits}
    deficit_levels, accept = _deficit_levels(deficit_targets)
    missing_levels = sorted({lv[0] for t, lv in accept.items() if not set(lv) & set(covered)}, key=LEVELS.index)
    unaddressed = [i for i, _ in deficits if i not in linked_findings]
    summary = {
        "count": len(answers),
        "plan_source": plan.source,
        "columns": plan.columns,
        "levels_covered": covered,
        # every level, 0 when none: a prompt's share "per" a level's actions needs the key
        "levels_count": {lv: sum(r["level"] == lv for r in answers) for lv in LEVELS},
        "deficit_levels": deficit_levels,
        "levels_missing": missing_levels,
        "smart": {k: sum(bool(r[k]) for r in answers) for k in SMART_KEYS},
        "developmental": sum(bool(r["developmental"]) for r in answers),
        "weak": sum(r["strength"] == "weak" for r in answers),
        "strength": dict(Counter(r["strength"] for r in answers)),
        "partner_sharing": _partner_sharing(doc, plan),
        "findings_without_action": len(unaddressed),
        "actions_without_finding": sum(1 for k in range(len(answers)) if k not in by_action),
        # the judgement findings (indices into the "judgements" check) behind the figure
        "unaddressed_findings": unaddressed,
        "actions_without_finding_rows": [_row_number(plan.items[k], k) for k in range(len(answers))
                                         if k not in by_action],
    }
    return CheckResult(CHECK_ID, findings, summary)
