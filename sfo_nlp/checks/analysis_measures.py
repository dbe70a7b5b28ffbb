"""analysis.measures: does each action say how its impact will be evidenced, in figures?

HMIP found that 61% of action plans lacked measures of impact. A measure column that
only records an output ("minutes of the meeting", "attendance register") shows that
something happened, not that practice changed; a quantified measure (an audit with a
target, a baseline, a percentage) does. The plan is read with the actions check's own
finder (``actions_plan.find_plan``), so both checks agree on which rows are actions.
Patterns live in ``rules/analysis.yaml`` under ``measures``.
"""

from __future__ import annotations

import re

from sfo_nlp import rules
from sfo_nlp.checks.actions_plan import find_plan
from sfo_nlp.checks.registry import register
from sfo_nlp.results import CheckResult, Finding

CHECK_ID = "analysis.measures"


def _either(patterns) -> str:
    """One pattern, or a list of patterns any of which may match."""
    return "|".join(f"(?:{p})" for p in patterns) if isinstance(patterns, list) else patterns


def classify(measure: str, cfg: dict) -> str:
    """'quantified', 'output_only', 'unquantified' or 'none' for one measure cell."""
    text = measure.strip()
    if not text or re.fullmatch(cfg["empty"], text, re.I):
        return "none"
    if re.search(_either(cfg["quantified"]), text, re.I):
        return "quantified"
    if re.search(cfg["output_only"], text, re.I):
        return "output_only"
    return "unquantified"


@register(CHECK_ID, "Measures of impact in the action plan: quantified, output-only or missing")
def check_measures(doc, ctx) -> CheckResult:
    cfg = rules.load("analysis")["measures"]
    plan = find_plan(doc)
    counts = {"quantified": 0, "output_only": 0, "unquantified": 0, "none": 0}
    findings: list[Finding] = []
    for item in plan.items:
        measure = item.fields.get("measure", "")
        kind = classify(measure, cfg)
        counts[kind] += 1
        if kind == "none":
            continue
        pos = doc.text.find(measure.strip(), item.start)
        block = doc.block_at(item.start)
        if pos < 0 or (block is not None and pos > block.end):
            continue  # the cell is not verbatim in the text: no quote rather than a wrong one
        msg = cfg["messages"][kind]
        findings.append(Finding.at(
            doc, pos, pos + len(measure.strip()), CHECK_ID, "info" if kind == "quantified" else "warning",
            msg, suggestion=None if kind == "quantified" else cfg["suggestion"], data={"kind": kind, "row": item.row},
        ))
    rows = len(plan.items)
    summary = {
        "actions": rows,
        "measure_column": "measure" in plan.columns,
        **counts,
        "quantified_share": round(counts["quantified"] / rows, 3) if rows else 0.0,
    }
    return CheckResult(CHECK_ID, findings, summary)
