"""Every analysis check ships sentences it must flag and sentences it must not."""

import pytest

from sfo_nlp import rules
from sfo_nlp.checks.analysis_patterns import load_rules

CASES = [
    (name, ex["group"], ex["text"], True)
    for name, spec in rules.load("analysis")["checks"].items()
    for ex in spec["examples"]["fire"]
] + [
    (name, None, text, False)
    for name, spec in rules.load("analysis")["checks"].items()
    for text in spec["examples"]["quiet"]
]


@pytest.mark.parametrize("name,group,text,fires", CASES)
def test_rule_examples(name, group, text, fires):
    found = load_rules()[name].groups_in(text)
    if fires:
        assert group in found, f"{name}: expected group {group} on {text!r}, got {found}"
    else:
        assert found == [], f"{name}: expected nothing on {text!r}, got {found}"


def test_every_check_ships_examples():
    for name, spec in rules.load("analysis")["checks"].items():
        assert spec["examples"]["fire"] and spec["examples"]["quiet"], name
        groups = {ex["group"] for ex in spec["examples"]["fire"]}
        assert groups <= set(spec["groups"]), name


@pytest.mark.parametrize("kind", ["quantified", "output_only", "unquantified", "none"])
def test_measure_examples(kind):
    from sfo_nlp.checks.analysis_measures import classify

    cfg = rules.load("analysis")["measures"]
    for text in cfg["examples"][kind]:
        assert classify(text, cfg) == kind, text


PLAN = """# Review

## Analysis of practice

Background history of the case. This section is about earlier supervision and nothing else at all.

This review looks at the six months before the SFO in detail.

## Action plan

| Action | Owner | Level | Target date | Measure of impact |
|---|---|---|---|---|
| SPO to audit risk assessments in the team | SPO | Local | 31 March 2025 | Audit of 10 cases: target 90% reviewed |
| Staff to be reminded to check police records | SPO | Local | 31 March 2025 | Minutes of team meeting |
"""


def test_measures_and_focus_checks_on_a_document(tmp_path):
    from sfo_nlp import checks
    from sfo_nlp.ingest import load

    p = tmp_path / "r.md"
    p.write_text(PLAN)
    doc = load(p)
    res = checks.run_checks(doc, ["analysis.measures", "analysis.focus"])
    m = res["analysis.measures"]
    assert m.summary["actions"] == 2 and m.summary["quantified"] == 1 and m.summary["output_only"] == 1
    for f in m.findings:
        assert doc.text[f.start : f.end] == f.quote and f.quote in doc.page_text(f.page)
    assert {f.data["kind"] for f in m.findings} == {"quantified", "output_only"}
    focus = res["analysis.focus"].summary
    assert focus["period_stated"] is True and focus["words"] > 20 and not focus["over_length"]
