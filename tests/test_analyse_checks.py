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


def test_measures_read_checks_written_in_words_not_only_figures():
    from sfo_nlp.checks.analysis_measures import classify

    cfg = rules.load("analysis")["measures"]
    # a sample or audit of a stated number, or at a stated interval, evidences the change
    for text in ("Quarterly audit of ten supervision records.", "Monthly log; sample of 20 items checked for same-day forwarding.",
                 "Check of all MAPPA level 2 and 3 residents' plans each month.", "Number of interpreter bookings reported quarterly"):
        assert classify(text, cfg) == "quantified", text
    # an outcome recorded or a response logged does not
    for text in ("Review completed.", "HMPPS response recorded.", "Shared at team meeting.", "Guidance reviewed and updated."):
        assert classify(text, cfg) != "quantified", text


def test_learning_region_is_not_an_area_for_improvement():
    rule = load_rules()["learning"]
    assert "regional" not in rule.groups_in("An area for improvement is the recording of home visits.")
    assert "regional" in rule.groups_in("The area manager will share the learning across the area.")
    assert rule.sections.search("What needs to change") and rule.sections.search("Lessons learned")
    staff = load_rules()["learning_staff"]
    assert staff.sections.search("Next steps") and not staff.sections.search("Learning and action plan")


def test_countersigner_challenge_in_other_words():
    rule = load_rules()["countersigner"]
    assert rule.groups_in("The original draft lacked any analysis of the team's workload.") == ["challenge"]
    assert "challenge" in rule.groups_in("In response to my comments, the section on MAPPA was rewritten.")
    assert rule.groups_in("I have read the review and I am content with it.") == []
    assert rule.sections.search("Endorsement by the head of PDU") and rule.sections.search("Senior manager's comments")


def test_not_all_reasonable_steps_is_not_a_conclusion_that_all_were_taken():
    rule = load_rules()["reasonable_steps"]
    found = rule.groups_in("The reviewing manager's view is that not all reasonable steps were taken.")
    assert "not_taken" in found and "taken" not in found
    assert "taken" in rule.groups_in("All reasonable steps were taken to manage the risk.")


INTERVIEWS = """# Review

## Sources

The review drew on the case record and on interviews.

3.3 Interviews:

- the prison offender manager at HMP Thamesbank;
- the caseworker at the accommodation provider.

The probation practitioner wrote the pre-sentence report.

## Staff interviews - summary

SPO: confirmed she countersigned the downgrade without reading the OASys assessment.

## Analysis of practice

The police were not asked for call-out information.

Partners involved were

- the police domestic abuse unit;
- the senior probation officer.
"""


def test_interviewees_listed_under_a_lead_in_or_an_interviews_heading(tmp_path):
    from sfo_nlp import checks
    from sfo_nlp.ingest import load

    p = tmp_path / "r.md"
    p.write_text(INTERVIEWS)
    doc = load(p)
    res = checks.run_checks(doc, ["analysis.interviewees"])["analysis.interviewees"]
    by_group = res.summary["by_group"]
    # the bullets under "Interviews:" count
    assert by_group["prison"] == 1 and by_group["other_partners"] == 1
    # a paragraph after the list, a heading's paragraphs and a list without the lead-in do not
    assert by_group["manager"] == 0 and by_group["police"] == 0
    assert not any("pre-sentence report" in f.quote for f in res.findings)
    for f in res.findings:
        assert doc.text[f.start : f.end] == f.quote


PLAN_TABLE = """# Review

## Action plan

| No. | Area | Action | Owner | Target date |
|---|---|---|---|---|
| 1 | Recording | The PP will complete recording training. Her SPO checks two records a month. | Head of PDU | 31 March 2026 |
| 2 | Partners | Agree with police a route for callout information. | Regional head of public protection | 30 June 2026 |
"""


def test_learning_reads_plan_rows_whole_without_header_or_owner_cells(tmp_path):
    from sfo_nlp import checks
    from sfo_nlp.ingest import load

    p = tmp_path / "r.md"
    p.write_text(PLAN_TABLE)
    doc = load(p)
    res = checks.run_checks(doc, ["analysis.learning"])["analysis.learning"]
    # one finding per row, though the first row's action cell holds two sentences
    assert res.summary["count"] == 2
    by_group = res.summary["by_group"]
    # "Area" heads a column, "Head of PDU" and "Regional head ..." own the actions: neither is learning
    assert by_group["regional"] == 0 and by_group["local"] == 1
    assert by_group["individual"] == 1 and by_group["multi_agency"] == 1
    for f in res.findings:
        assert doc.text[f.start : f.end] == f.quote and f.quote.startswith(("1 |", "2 |"))
