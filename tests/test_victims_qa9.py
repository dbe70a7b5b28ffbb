"""QA 9: a staff name after an authoring label ("reviewer:", "Prepared by") in a footer or a
paragraph; a sentence date before a court read as an address; victim-blaming wording about
what the victim wore, letting him in and withdrawing statements."""

from __future__ import annotations

import zipfile

import pytest

from docgen import make_docx
from sfo_nlp.checks import run_checks
from sfo_nlp.checks.victims_recognizers import scan
from sfo_nlp.ingest import load

TITLE = ("h1", "Serious Further Offence Review: Callum Ridley")


def _shareable(tmp_path, text: str):
    p = tmp_path / "r.md"
    p.write_text("# Serious Further Offence Review: Callum Ridley\n\n" + text + "\n")
    return run_checks(load(p), ["victims.shareable"])["victims.shareable"]


@pytest.mark.parametrize("text, name", [
    ("Prepared by Bethan Aldous.", "Bethan Aldous"),
    ("OFFICIAL-SENSITIVE - reviewer: Gareth Pennington", "Gareth Pennington"),
    ("Author: Mr J. Okafor", "Mr J. Okafor"),
    ("Reviewing manager: Joanne Priestley", "Joanne Priestley"),
    ("Countersigned by Aled Pritchard, 30 October 2024.", "Aled Pritchard"),
    ("The reviewer, Gareth Pennington, spoke to the victim's sister.", "Gareth Pennington"),
    ("Prepared by Bethan Aldous Senior Probation Officer", "Bethan Aldous"),
    ("| Reviewed by | S Gill (PO) |", "S Gill"),
])
def test_a_name_after_a_staff_label_is_a_staff_name(tmp_path, text, name):
    """QA 9: "Prepared by Bethan Aldous." and "reviewer: Gareth Pennington" were not found:
    no role word beside them, and the model did not always tag the name."""
    res = _shareable(tmp_path, text)
    assert ("staff_name", name) in {(f.data["kind"], f.quote) for f in res.findings}


@pytest.mark.parametrize("text", [
    "Countersigned by the Head of the Thornbury Vale PDU, 30 October 2024.",
    "Reviewing manager: Senior probation officer, Cardiff and Vale PDU.",
    "Reviewing manager: SPO, Cumbria PDU. Date completed: 12 December 2024.",
    "Prepared by Probation Service Wales for the regional SFO team.",
    "The reviewer read the case record. Callum Ridley was interviewed.",
    "Author: Callum Ridley",  # the person on probation, whom the family know
])
def test_a_staff_label_before_a_role_or_the_subject_names_no_one(tmp_path, text):
    assert not [f.quote for f in _shareable(tmp_path, text).findings]


HEADER = "Prepared by Bethan Aldous, Senior Probation Officer"
FOOTER = "OFFICIAL-SENSITIVE - reviewer: Gareth Pennington"
BODY = [TITLE, ("p", "1.1 The probation practitioner saw him weekly and the SPO reviewed the plan.")]


def test_the_footer_reviewer_is_found_and_redacted(tmp_path, run_cli):
    """QA 9 (hf.docx): the header's name was removed but the footer's stayed in the copy."""
    src = make_docx(tmp_path / "hf.docx", BODY, header=HEADER, footer=FOOTER)
    res = run_checks(load(src), ["victims.shareable"])["victims.shareable"]
    running = {(f.data["kind"], f.quote) for f in res.findings if f.data.get("furniture")}
    assert {("staff_name", "Bethan Aldous"), ("staff_name", "Gareth Pennington")} <= running
    out = tmp_path / "red.docx"
    code, _, err = run_cli("redact", src, "-o", out)
    assert code == 0, err
    with zipfile.ZipFile(out) as z:
        text = " ".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
    assert "Pennington" not in text and "Aldous" not in text
    assert "reviewer: [REDACTED: staff name]" in text and "OFFICIAL-SENSITIVE" in text


@pytest.mark.parametrize("text", [
    "Date of sentence 6 February 2025, Pontyrhos Crown Court (fictional)",
    "He was sentenced on 3 May 2024, Leeds Magistrates' Court, to a community order.",
    "The order was made in 2023 at the hearing; in 2024 Eastmoor Youth Court extended it.",
    "Sentenced 6/2/25, Pontyrhos Crown Court, to 30 months.",
])
def test_a_sentence_date_and_a_court_are_not_an_address(text):
    """QA 9 (sfo-25.pdf): "2025, Pontyrhos Crown Court" was reported as a street address."""
    assert not [h.text for h in scan(text) if h.kind == "address"]


@pytest.mark.parametrize("text, address", [
    ("She lived at 2 Crown Court, Leeds with her son.", "2 Crown Court, Leeds"),
    ("He moved to 14 Mill Lane in October 2025, Police attended.", "14 Mill Lane"),
    ("The address was Flat 3, 27 Kingsley Road.", "Flat 3, 27 Kingsley Road"),
    ("Sentenced on 6 February 2025, he moved to 112 Court Lane, Pontyrhos.", "112 Court Lane, Pontyrhos"),
])
def test_real_addresses_are_still_found(text, address):
    assert [h.text for h in scan(text) if h.kind == "address"] == [address]


def _sensitivity(tmp_path, text: str) -> set[tuple[str, str]]:
    p = tmp_path / "r.md"
    p.write_text("# Review\n\n" + text + "\n")
    res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
    return {(f.data["rule"], f.quote) for f in res.findings if f.start is not None}


def test_victim_blaming_in_the_qa_drafts_is_flagged(tmp_path):
    """QA 9 (poor_draft.docx, names.md): what the victim wore, letting him in and withdrawn
    statements were not flagged."""
    draft = ("The victim had been drinking on the night and had let him into the flat, and she was wearing "
             "only a nightdress when police arrived. The victim had previously withdrawn statements.")
    names = ("The victim had let him into the flat and was wearing only a nightdress when police arrived. "
             "She had previously withdrawn statements.")
    for text in (draft, names):
        rules = {rule for rule, _ in _sensitivity(tmp_path, text)}
        assert {"victim-let-him-in", "victim-clothing", "victim-withdrawal"} <= rules, (text, rules)


@pytest.mark.parametrize("text", [
    "The practitioner had let him into the office early so that she could see him before the MARAC.",
    "The AP staff let him into the building after the curfew, and she was not told.",
    "He was wearing only boxer shorts when police arrived at her flat.",
    "The probation officer had previously withdrawn the referral because she was on leave.",
    "She did not feel able to support a prosecution, and the police did not pursue it.",
])
def test_practitioners_actions_are_not_victim_blaming(tmp_path, text):
    rules = {rule for rule, _ in _sensitivity(tmp_path, text)}
    assert not rules & {"victim-let-him-in", "victim-clothing", "victim-withdrawal"}, (text, rules)


def test_a_place_the_model_tags_as_a_person_is_no_staff_name(tmp_path):
    """sfo-44 (a new review, session 9): "Hollins Vale", the PDU, was tagged a person next
    to "Head of PDU" and reported as a staff name five times; the review also says "the
    Hollins Vale PDU" and "her flat in Hollins Vale", so it is a place."""
    text = ("The case was held by the Hollins Vale PDU. He asked to move to his sister's flat in "
            "Hollins Vale.\n\n| Role | Name |\n|---|---|\n| Head of PDU | Hollins Vale |\n\n"
            "The senior probation officer, Karen Doyle, approved the move.")
    found = {(f.data["kind"], f.quote) for f in _shareable(tmp_path, text).findings}
    assert not any(q == "Hollins Vale" for _, q in found)
    assert ("staff_name", "Karen Doyle") in found


def test_a_relation_word_ending_a_table_row_names_no_one_in_the_next_row(tmp_path):
    """sfo-44: "... on a former partner" ended one case-details row and "Sentence" began the
    next; the two were read as "partner Sentence", a third party's name."""
    text = ("| Item | Detail |\n|---|---|\n| Index offence | Assault on a former partner |\n"
            "| Sentence | 5 years' imprisonment |\n\nHer son, Tyler, was at home.")
    found = {(f.data["kind"], f.quote) for f in _shareable(tmp_path, text).findings}
    assert not any(q == "Sentence" for _, q in found)
    assert ("third_party_name", "Tyler") in found
