"""QA round 9: action plans typed without Word's list styles or a header row, and the level
of an action that asks a national body to act."""

from pathlib import Path

import pytest
from docgen import make_docx

from sfo_nlp.checks import run_checks
from sfo_nlp.checks.actions_plan import find_plan
from sfo_nlp.ingest import load

ACTIONS = ["PP to be reminded of the importance of completing OASys reviews on time.",
           "PP to read the DA policy.",
           "All staff to be reminded about home visits."]
BEFORE = [("h1", "Analysis"), ("p", "The PP did not complete the OASys review on time."),
          ("h1", "Action plan")]
AFTER = [("h1", "Countersignature"), ("p", "Agreed. Head of PDU, 12/06/2024.")]


def _typed(markers: list[str]) -> list:
    return BEFORE + [("p", f"{m} {a}") for m, a in zip(markers, ACTIONS)] + AFTER


@pytest.mark.parametrize("markers", [["1.", "2.", "3."], ["1)", "2)", "3)"], ["(a)", "(b)", "(c)"],
                                     ["a)", "b)", "c)"], ["-", "-", "-"], ["\u2022", "\u2022", "\u2022"]],
                         ids=["1.", "1)", "(a)", "a)", "dash", "bullet"])
def test_typed_numbering_under_a_plan_heading_is_a_list_plan(tmp_path, markers):
    # QA9 bug 1: "1. PP to be reminded ..." typed in plain paragraphs under "Action plan" read
    # the same as the Word "List Number" items and the Markdown "1." lines
    doc = load(make_docx(tmp_path / "typed.docx", _typed(markers)))
    plan = find_plan(doc)
    assert plan.source == "list"
    assert [i.text for i in plan.items] == ACTIONS
    assert all(doc.text[i.start:i.end] == i.text for i in plan.items)
    styled = find_plan(load(make_docx(tmp_path / "styled.docx", BEFORE + [("ol", a) for a in ACTIONS] + AFTER)))
    assert [i.text for i in styled.items] == [i.text for i in plan.items]


def test_typed_numbering_under_a_learn_and_do_heading(tmp_path):
    blocks = [("h1", "Part six: what we will learn and do")] + [("p", f"{k}. {a}") for k, a in enumerate(ACTIONS, 1)]
    assert [i.text for i in find_plan(load(make_docx(tmp_path / "r.docx", blocks))).items] == ACTIONS


def test_typed_numbering_outside_a_plan_heading_is_no_plan(tmp_path):
    blocks = [("h1", "Analysis")] + [("p", f"{k}. {a}") for k, a in enumerate(ACTIONS, 1)] + AFTER
    assert find_plan(load(make_docx(tmp_path / "r.docx", blocks))).source is None


def test_typed_list_plan_keeps_its_lead_in_and_label_parts(tmp_path):
    blocks = [("h1", "Recommendations"), ("p", "HM Prison and Probation Service should:"),
              ("p", "1. Revise the SFO guidance on action plans. Target date: 31/03/2026."),
              ("p", "2. Publish the revised guidance.")]
    plan = find_plan(load(make_docx(tmp_path / "r.docx", blocks)))
    assert [i.text for i in plan.items] == ["Revise the SFO guidance on action plans.", "Publish the revised guidance."]
    assert plan.items[0].fields == {"date": "31/03/2026", "owner": "HM Prison and Probation Service",
                                    "addressee": "HM Prison and Probation Service"}


HEADERLESS_ROWS = [
    ["A", "Community offender manager to complete mental health awareness training and discuss two "
          "current cases with the mental health nurse in supervision.", "SPO North team", "By 31 December 2024"],
    ["B", "Delivery unit to add a mental health prompt to the move-on meeting checklist, and audit 15 "
          "move-on decisions in six months.", "Head of PDU", "By 31 March 2025"],
    ["C", "SPOs to receive a session on testing risk management plans, with a follow-up review of "
          "countersigned plans after three months.", "Head of PDU", "By 28 February 2025"],
]


def _table_docx(path: Path, before: list[tuple[str, str]], rows: list[list[str]]) -> Path:
    """A Word file with a table typed with no header row (no repeated-header mark), after
    ``before``: ("h1", text) headings, ("p", text) paragraphs, ("b", text) bold paragraphs."""
    import docx

    d = docx.Document()
    for kind, text in before:
        if kind == "h1":
            d.add_heading(text, 1)
        else:
            d.add_paragraph().add_run(text).bold = kind == "b"
    t = d.add_table(rows=0, cols=len(rows[0]))
    t.style = "Table Grid"
    for row in rows:
        for cell, text in zip(t.add_row().cells, row):
            cell.text = text
    d.add_paragraph("Countersigned by the head of PDU on 14 October 2024.")
    d.save(str(path))
    return path


@pytest.mark.parametrize("before", [
    [("h1", "Analysis"), ("p", "Oversight did not test the plan."), ("h1", "Action plan")],
    # the QA file: bold paragraphs for headings, and a paragraph introducing "the actions
    # below" (which names the plan whether or not the bold lines are read as headings)
    [("b", "PART FOUR: WHAT SHOULD HAVE BEEN DONE DIFFERENTLY"), ("p", "Oversight did not test the plan."),
     ("b", "PART SIX: WHAT WE WILL LEARN AND DO"),
     ("p", "The practitioner, the delivery unit and the region all have learning to take from this case, "
           "and the actions below are agreed with the local mental health trust.")],
], ids=["plan heading", "introducing paragraph"])
def test_table_without_a_header_row_is_read_from_its_first_row(tmp_path, before):
    # QA9 bug 1: a plan table whose first row is already an action, mapped by its cells
    doc = load(_table_docx(tmp_path / "t.docx", before, HEADERLESS_ROWS))
    plan = find_plan(doc)
    assert plan.source == "table"
    assert [i.text for i in plan.items] == [r[1] for r in HEADERLESS_ROWS]
    assert [i.row for i in plan.items] == [1, 2, 3]
    assert plan.items[0].fields == {"owner": "SPO North team", "date": "By 31 December 2024"}
    assert all(doc.text[i.start:i.end] == i.text for i in plan.items)
    res = run_checks(doc, ["actions"])["actions"]
    assert res.summary["count"] == 3 and res.findings[0].data["date"] == "2024-12-31"


@pytest.mark.parametrize("before,rows", [
    # the same table where no heading or paragraph before it names a plan
    ([("h1", "Chronology"), ("p", "Contacts in the period were as follows.")], HEADERLESS_ROWS),
    # a chronology with no header row: dates and events, but no column of owners
    ([("h1", "Action plan")], [["3 March 2024", "Released on licence to approved premises after a "
                                "planning meeting with the prison offender manager."],
                               ["9 April 2024", "Moved to the hostel without a meeting with the mental "
                                "health nurse or the approved premises manager."]]),
], ids=["not introduced as a plan", "no owner column"])
def test_headerless_table_that_is_not_a_plan(tmp_path, before, rows):
    assert find_plan(load(_table_docx(tmp_path / "t.docx", before, rows))).source is None


# QA9 bug 2: the good draft's row 6 (owner cell "Regional SFO lead") was read multi-agency:
# ``addressee`` (learn/action_features.py, not this change's to edit) takes "X will be asked to
# consider" for a passive like "X will be reminded", so no body is addressed and the model
# weighs "police" (acted about: "across police and probation systems") and the owner cell.
ASKED = "The national SFO team will be asked to consider the address-linking issue across police and probation systems."


def _answers(texts, fields):
    from sfo_nlp import nlp
    from sfo_nlp.learn.infer import NEEDS, classify_actions

    nlp.require(NEEDS)
    return classify_actions([d[:] for d in nlp.parse_texts(texts)], fields)


@pytest.mark.parametrize("text", [
    "Refer the address-linking issue to HMPPS.",
    "Refer the address-linking issue across police and probation systems to HMPPS.",
    "HMPPS will be asked to consider the address-linking issue.",
    "The national SFO team will be asked to consider the address-linking issue.",
])
def test_a_request_to_a_national_body_is_national(text):
    assert _answers([text], [{"owner": "Regional SFO lead"}])[0]["level"] == "national"


def test_a_national_body_asked_to_act_is_addressed_and_national():
    from sfo_nlp import nlp
    from sfo_nlp.learn.action_features import addressee
    from sfo_nlp.learn.infer import NEEDS

    nlp.require(NEEDS)
    assert addressee(next(iter(nlp.parse_texts([ASKED])))[:]) == "The national SFO team"
    assert _answers([ASKED], [{"owner": "Regional SFO lead"}])[0]["level"] == "national"


def test_learning_in_a_headerless_plan_table_skips_its_owner_column(tmp_path):
    """The learning check reads a plan table's rows without the owner and date cells (an
    owner cell names a manager whatever level the learning is at); a plan with no header
    row is now read the plan finder's way, so its owner cells are skipped too."""
    before = [("h1", "Analysis"), ("p", "Oversight did not test the plan."), ("h1", "Action plan")]
    doc = load(_table_docx(tmp_path / "t.docx", before, HEADERLESS_ROWS))
    res = run_checks(doc, ["analysis.learning"])["analysis.learning"]
    rows = {f.quote[0]: f.data["groups"] for f in res.findings if f.quote and f.quote[1:4] == " | "}
    # rows A and B name the team or PDU only in their owner cells
    assert "local" not in rows["A"] and "local" not in rows["B"]
