"""Action-plan finding (tables with any header wording, lists under a heading), the "actions"
check's per-row answers and summary, and `sfo-nlp actions`."""

import json
from pathlib import Path

import pytest

from sfo_nlp.checks import run_checks
from sfo_nlp.checks.actions_plan import find_plan, map_columns
from sfo_nlp.ingest import load

REVIEW = """# Judgements

The practitioner did not make domestic abuse enquiries with the police. Management oversight of the risk assessment was insufficient.

# Action plan

| No. | What we will do | Who will do it | Tier | By when | How we will know it has worked |
|---|---|---|---|---|---|
| 1 | Deliver domestic abuse enquiry training to the practitioner, followed by an audit of two cases in supervision. | SPO | Individual | 31 March 2025 | Audit of two cases recorded on the supervision log. |
| 2 | Staff to be reminded of the policy. | | | | |

# Countersignature

| Role | Name | Date |
|---|---|---|
| Countersigning manager | Signed | 2 July 2024 |
"""

LIST_REVIEW = """# Chronology

| Date | Event |
|---|---|
| 3 March 2023 | Released on licence |

# Recommendations

1. The region will introduce a checklist for MAPPA referrals by June 2025.
2. Improve practice.
"""

SUMMARY_KEYS = {"count", "levels_covered", "deficit_levels", "levels_missing", "smart", "developmental", "weak",
                "partner_sharing", "findings_without_action", "actions_without_finding"}


def _load(tmp_path, text, name="r.md"):
    p = tmp_path / name
    p.write_text(text)
    return load(p)


@pytest.mark.parametrize("header,expected", [
    (["Action", "Owner", "Level", "Target date", "How impact will be measured"],
     {"action": 0, "owner": 1, "level": 2, "date": 3, "measure": 4}),
    (["Recommendation", "Lead", "Timescale", "Evidence of impact", "Status"],
     {"action": 0, "owner": 1, "date": 2, "measure": 3, "status": 4}),
    (["Action owner", "Learning", "RAG"], {"owner": 0, "action": 1, "status": 2}),
])
def test_columns_mapped_by_meaning(header, expected):
    assert map_columns(header, [["x"] * len(header)]) == expected


def test_column_found_by_content_when_header_says_nothing():
    roles = map_columns(["Action", "Owner", "When?"], [["Do a thing", "SPO", "31/03/2025"], ["Another", "PDU", "June 2025"]])
    assert roles["date"] == 2


def test_plan_table_found_and_other_tables_ignored(tmp_path):
    doc = _load(tmp_path, REVIEW)
    plan = find_plan(doc)
    assert plan.source == "table" and len(plan.items) == 2
    first = plan.items[0]
    assert first.row == 1 and first.fields["owner"] == "SPO" and first.fields["date"] == "31 March 2025"
    assert doc.text[first.start:first.end] == first.text and first.text.startswith("Deliver domestic abuse")


def test_plan_from_list_items_when_no_table(tmp_path):
    plan = find_plan(_load(tmp_path, LIST_REVIEW))
    assert plan.source == "list"
    assert [i.text[:10] for i in plan.items] == ["The region", "Improve pr"]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    doc = _load(tmp_path_factory.mktemp("a"), REVIEW)
    return doc, run_checks(doc, ["actions"])


def test_check_rows_and_summary(checked):
    doc, results = checked
    res = results["actions"]
    s = res.summary
    assert SUMMARY_KEYS <= set(s) and s["count"] == 2
    good, weak = (f.data for f in res.findings)
    # the row's own cells settle owner, date, level and measure
    assert good["owner"] and good["time_bound"] and good["measurable"] and good["level"] == "individual"
    assert good["date"] == "2025-03-31" and good["row"] == 1
    assert good["decided_by"]["owner"][0] == "SPO"
    assert not weak["measurable"] and not weak["time_bound"] and not weak["owner"]
    assert weak["strength"] == "weak" and not weak["developmental"]
    assert set(weak["missing"]) >= {"measurable", "owner", "time_bound", "developmental"}
    assert s["smart"]["owner"] == 1 and s["weak"] >= 1
    assert "individual" in s["levels_covered"]
    # every level is counted, 0 when absent: prompt 3.2b takes a share per local action
    assert set(s["levels_count"]) == {"individual", "local", "regional", "national", "multi-agency"}
    assert sum(s["levels_count"].values()) == s["count"]


def test_actions_linked_to_deficits(checked):
    doc, results = checked
    judged = results["judgements"]
    good = results["actions"].findings[0].data
    assert good["relevant"], "the training action should address the domestic abuse enquiry judgement"
    linked = judged.findings[good["relevant"][0]["finding"]].quote
    assert "domestic abuse enquiries" in linked
    assert results["actions"].summary["actions_without_finding"] >= 0


def test_rows_without_a_finding_count_from_1_like_each_rows_own_number(checked, tmp_path):
    res = checked[1]["actions"]
    unlinked = [f.data["row"] for f in res.findings if not f.data["relevant"]]
    assert unlinked == [2]  # "Staff to be reminded of the policy." addresses no judgement
    assert res.summary["actions_without_finding_rows"] == unlinked
    # a list plan has no table rows: its items are numbered from 1 in plan order
    listed = run_checks(_load(tmp_path, LIST_REVIEW), ["actions"])["actions"]
    assert [f.data["row"] for f in listed.findings] == [None, None]
    assert listed.summary["actions_without_finding_rows"] == [1, 2]


def test_items_cli_order_and_blank_lines(tmp_path, run_cli):
    p = tmp_path / "items.txt"
    p.write_text("Remind staff of the recall policy.\n\nThe SPO will audit 10 cases by 31 March 2025 and report the compliance rate to the PDU board.\n")
    code, out, err = run_cli("actions", "--items", p)
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert len(rows) == 3 and rows[1]["text"] == ""
    assert set(rows[0]) == {"text", "specific", "measurable", "owner", "time_bound", "level", "developmental",
                            "strength", "confidence"}
    assert rows[0]["strength"] == "weak" and not rows[0]["time_bound"]
    assert rows[2]["time_bound"] and rows[2]["measurable"] and rows[2]["owner"]


def test_review_cli(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text(REVIEW)
    code, out, err = run_cli("actions", p, "--format", "json")
    assert code == 0, err
    assert SUMMARY_KEYS <= set(json.loads(out)["summary"])
    code, out, err = run_cli("actions", p)
    assert code == 0 and "2 actions" in out and "lacks" in out
    q = tmp_path / "none.md"
    q.write_text("# Summary\n\nNo plan here.\n")
    code, out, err = run_cli("actions", q)
    assert code == 0 and "no action plan found" in out


@pytest.mark.parametrize("args", [(), ("--items", "/no/such/file"), ("x.md", "--items", "y.txt"),
                                  ("--items", "/etc/hostname", "--format", "json")])
def test_bad_input_is_one_line_error(args, run_cli):
    code, out, err = run_cli("actions", *args)
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1


def test_row_pages_kept_for_a_table_merged_across_pages():
    from sfo_nlp.checks.registry import CheckContext
    from sfo_nlp.document import Block, ReviewDocument, Table, table_text

    rows = [["Action", "Lead", "By when"],
            ["Deliver MAPPA training to all staff and share the learning with the MAPPA board.", "Head of PDU", "June 2025"],
            ["Remind staff of the policy.", "SPO", "Ongoing"]]
    blocks = [Block(id=-1, type="heading", text="Action plan", page=3, level=1),
              Block(id=-1, type="table", text=table_text(rows), page=3, pages=[3, 4], table=0)]
    doc = ReviewDocument.build("x.pdf", "pdf", 4, blocks, tables=[Table(id=0, rows=rows, pages=[3, 4], row_pages=[3, 3, 4])])
    doc.tables[0].block = 1
    res = run_checks(doc, ["actions"], CheckContext())["actions"]
    assert [f.page for f in res.findings] == [3, 4]
    assert [f.data["row"] for f in res.findings] == [1, 2]
    first, second = (f.data for f in res.findings)
    assert first["time_bound"] and first["date"] == "2025-06-30"
    assert not second["time_bound"]  # "Ongoing" sets no deadline
    assert res.summary["partner_sharing"] is True


BULLET_PLAN = """# Findings

The practitioner did not complete a DA SARA after the callout. Management oversight of the downgrade was insufficient.

# Action plan

- PQiP to complete DA SARA training and two observed SARAs with PTA. Owner: PTA. Level: Individual. By 31/08/24. Measure: 2 SARAs QA'd by PTA.
- Agree process with HMP Thamesbank for IRs relevant to COMs. Lead: HoPDU / HMP Head of OMU. Level: Multi-agency. Target date: 31/10/24.
"""


def test_list_plan_reads_label_value_parts_as_columns(tmp_path):
    # QA bug 6: "Owner: PTA." in a bullet was missed, and "Level: Individual." was taken
    # as a deficit judgement that the action "addressed".
    plan = find_plan(_load(tmp_path, BULLET_PLAN))
    assert plan.source == "list"
    first, second = plan.items
    assert first.text == "PQiP to complete DA SARA training and two observed SARAs with PTA."
    assert first.fields == {"owner": "PTA", "level": "Individual", "date": "31/08/24", "measure": "2 SARAs QA'd by PTA"}
    assert second.fields["owner"] == "HoPDU / HMP Head of OMU" and second.fields["date"] == "31/10/24"


def test_list_plan_owner_and_no_self_links(tmp_path):
    doc = _load(tmp_path, BULLET_PLAN)
    results = run_checks(doc, ["actions"])
    acts = results["actions"]
    assert acts.summary["smart"]["owner"] == 2 and acts.summary["smart"]["time_bound"] == 2
    assert [f.data["level"] for f in acts.findings] == ["individual", "multi-agency"]
    plan_start = doc.text.index("PQiP to complete")
    judged = results["judgements"].findings
    assert all(f.start < plan_start for f in judged), "the plan's own lines are not judgements"
    for f in acts.findings:
        for r in f.data["relevant"]:
            assert judged[r["finding"]].start < plan_start


def test_items_cli_reads_label_value_parts(tmp_path, run_cli):
    f = tmp_path / "items.txt"
    f.write_text("Attend RoSH training. Owner: PTA. Level: Individual. By 31/08/24.\n")
    code, out, err = run_cli("actions", "--items", f)
    assert code == 0, err
    row = json.loads(out.splitlines()[0])
    assert row["owner"] and row["time_bound"] and row["level"] == "individual"


def _gold_reviews():
    import yaml

    from sfo_nlp import settings

    root = Path(settings.CORPUS_DIR) / "reviews"
    out = []
    for g in sorted((root / "gold").glob("*.yaml")):
        gold = yaml.safe_load(g.read_text(encoding="utf-8")) or {}
        if gold.get("actions"):
            out += [(root / fmt / f"{g.stem}.{fmt}", [a["text"] for a in gold["actions"]]) for fmt in ("pdf", "docx")]
    return out


@pytest.mark.parametrize("path,gold", _gold_reviews(), ids=lambda v: v.name if isinstance(v, Path) else "")
def test_corpus_plans_found_row_for_row(path, gold):
    # every gold action of every bundled review, in PDF and Word, is read from its plan, and
    # nothing else is (a "Learning point | Action" plan, a table of MAPPA actions agreed)
    plan = find_plan(load(path))

    def norm(s):
        return " ".join(s.split()).lower()

    # a plan written as a table in the review's source is read as a table (with any bullets of
    # actions in the same plan section), a numbered list as a list
    source = (path.parents[1] / "src" / f"{path.stem}.md").read_text(encoding="utf-8")
    rows = [norm(line) for line in source.splitlines() if line.lstrip().startswith("|")]
    in_table = any(norm(g)[:40] in row for g in gold for row in rows)
    assert plan.source == ("table" if in_table else "list")
    assert sorted(norm(i.text) for i in plan.items) == sorted(norm(t) for t in gold)


@pytest.mark.parametrize("text,who,level", [
    ("HMPPS should revise the national guidance on home visits.", "HMPPS", "national"),
    ("We recommend that the Probation Service introduces a structured handover.", "the Probation Service", "national"),
    ("2. Regional probation directors must appoint a lead for learning.", "Regional probation directors", "regional"),
    ("By March 2026, heads of PDU should hold a case discussion each month.", "heads of PDU", "local"),
    ("The police and the PDU should agree how call-outs are shared.", "The police and the PDU", "multi-agency"),
    ("The central SFO team should provide a template.", "The central SFO team", "national"),
    ("Deliver a briefing on MAPPA to the team.", "", None),
    ("Recording standards to be improved by the PP.", "", None),
])
def test_addressee_of_a_recommendation(text, who, level):
    from sfo_nlp import nlp
    from sfo_nlp.learn.action_features import addressee, addressee_level
    from sfo_nlp.learn.infer import NEEDS

    nlp.require(NEEDS)
    span = next(iter(nlp.parse_texts([text])))[:]
    assert addressee(span) == who
    assert addressee_level(addressee(span)) == level


def test_combination_from_rules_and_measure_needs_naming():
    from sfo_nlp import rules
    from sfo_nlp.learn.infer import _combine, combination

    cfg = rules.load("smart")["combine"]
    assert cfg["default"] in cfg["choices"] and combination() == cfg["choices"][cfg["default"]]
    how = {"level": "addressee", "addressee_levels": ["national"], "measurable": "model_and_rule"}
    res, probs = {"level": "regional", "measurable": True}, {"level": 0.6, "measurable": 0.7}
    # the model's yes without a measure named in the wording is overruled; the body addressed sets the level
    _combine(res, probs, {"addressee_level=national": 1.0}, {"measurable": False}, "HMPPS should ...", {}, how)
    assert res == {"level": "national", "measurable": False}
    res = {"level": "regional", "measurable": True}
    _combine(res, {"measurable": 0.7}, {"addressee_level=local": 1.0}, {"measurable": True}, "The SPO will ...", {}, how)
    assert res == {"level": "regional", "measurable": True}  # a role, not a body: the model decides
    # the tried "bare imperative" choice: no addressee, owner or level term -> its level
    bare = dict(how, bare_imperative="national")
    res = {"level": "local", "measurable": False}
    _combine(res, {}, {"imperative": 1.0}, {"measurable": False}, "Review the guidance on home visits.", {}, bare)
    assert res["level"] == "national"
    for text, fields in (("Review the PDU's duty rota.", {}), ("Review the guidance on home visits.", {"owner": "SPO"})):
        res = {"level": "local", "measurable": False}
        _combine(res, {}, {"imperative": 1.0}, {"measurable": False}, text, fields, bare)
        assert res["level"] == "local", text


def test_items_recommendations_to_bodies(tmp_path, run_cli):
    f = tmp_path / "recs.txt"
    f.write_text("HMPPS should keep the national guidance on licence conditions under review.\n"
                 "The Probation Service should publish each year the proportion of reviews rated good, by region.\n")
    code, out, err = run_cli("actions", "--items", f)
    assert code == 0, err
    first, second = (json.loads(x) for x in out.splitlines())
    assert first["level"] == "national" and first["owner"] and not first["measurable"] and not first["time_bound"]
    assert second["level"] == "national" and second["measurable"]


HMIP_STYLE = """# Findings

Countersigning managers did not test whether judgements were supported by evidence.

# Recommendations

HM Prison and Probation Service should:

1. Revise the SFO guidance so that every review states the underlying cause of each deficiency.
2. Give reviewing managers protected time to complete reviews.

Regional probation directors should:

3. Arrange for reviews to be written by a manager from another PDU.

The following actions will follow:

4. Publish the revised guidance.
"""


def test_list_plan_lead_in_names_the_body_addressed(tmp_path):
    doc = _load(tmp_path, HMIP_STYLE)
    plan = find_plan(doc)
    assert [i.fields.get("addressee") for i in plan.items] == [
        "HM Prison and Probation Service", "HM Prison and Probation Service", "Regional probation directors", None]
    res = run_checks(doc, ["actions"])["actions"]
    levels = [f.data["level"] for f in res.findings]
    assert levels[:3] == ["national", "national", "regional"]
    assert all(f.data["owner"] for f in res.findings[:3])


@pytest.mark.parametrize("text,level", [
    # a body acting with a partner is multi-agency (labels.md: "partners jointly")
    ("HMPPS should work with the police to agree a single route for requests.", "multi-agency"),
    ("The Probation Service, in partnership with police and children's services, should agree a protocol.", "multi-agency"),
    ("Regional probation directors should agree with each police force a response time.", "multi-agency"),
    ("Develop, with police forces, a standard information request.", "multi-agency"),
    ("HMPPS and NHS England should agree a referral route.", "multi-agency"),
    # a partner only acted about, or a person addressed, keeps the addressee's level
    ("HMPPS should issue guidance on judging the work of partner agencies.", "national"),
    ("Regional probation directors should appoint a learning lead in each PDU.", "regional"),
    ("PP to make a joint home visit with the police.", "individual"),
    ("Review the national guidance on action plans.", None),
])
def test_stated_level_of_a_recommendation(text, level):
    from sfo_nlp import nlp
    from sfo_nlp.learn.action_features import stated_level
    from sfo_nlp.learn.infer import NEEDS

    nlp.require(NEEDS)
    span = next(iter(nlp.parse_texts([text])))[:]
    assert stated_level(span) == level


def test_selection_table_lists_combinations_and_level_errors():
    from sfo_nlp.learn.action_selection import METRICS, table

    row = {sub: {m: 0.5 for m in METRICS} for sub in ("recommendations", "all")}
    scores = {"model": row, "body_addressee": row, "_n": {"recommendations": {"n": 4.0}, "all": {"n": 9.0}},
              "_confusion": {"national -> local": 2.0, "multi-agency -> national": 3.0}}
    out = table(scores)
    assert "| model |" in out and "| body_addressee |" in out and "_confusion" not in out
    assert out.splitlines()[-1].endswith("multi-agency -> national 3, national -> local 2")


WEAK_PLAN_TABLE = """# Learning

| Learning point | Detail |
|---|---|
| Risk assessment | Assessments must use the whole history. |

# Action plan

| No. | Area | What will happen |
|---|---|---|
| 1 | Risk assessment | All staff to be reminded about accurate risk assessment. |
| 2 | Alcohol treatment | Practitioners to make sure treatment is followed up. |
"""


def test_table_under_an_action_plan_heading_is_the_plan_without_owner_or_date(tmp_path):
    # a weak plan has no owner, date or measure column; under "Action plan" it is still the plan,
    # while a two-column table under "Learning" is not
    plan = find_plan(_load(tmp_path, WEAK_PLAN_TABLE))
    assert plan.source == "table"
    assert [i.text for i in plan.items] == ["All staff to be reminded about accurate risk assessment.",
                                             "Practitioners to make sure treatment is followed up."]
