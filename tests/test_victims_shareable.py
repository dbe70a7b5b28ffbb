"""victims.shareable: recognizer examples, checksums, names by context, role titles."""

from __future__ import annotations

import json

import pytest

from sfo_nlp.checks import run_checks
from sfo_nlp.checks.victims_recognizers import nhs_mod11, ni_prefix, pnc_check, recognizers, scan
from sfo_nlp.ingest import load

RECS = recognizers()

REVIEW = """# Serious Further Offence Review: Daniel Harper

| Field | Detail |
|---|---|
| Name of person on probation | Daniel Harper |
| Reviewing manager | Susan Blake |
| CRN | X123456 |

Mr Harper was supervised by probation officer Jane Smith from May. The SPO, Mark Evans, countersigned the plan.
He lived at 14 Mill Lane, Leeds LS6 2AB with his son, Tyler. His mobile was 07700 900123 and his email
dan.h@example.com. NHS number 943 476 5919. PNC 98/1234567L. Prison number A1234BC.

The probation practitioner and the senior probation officer met Daniel Harper, who was born on 3 May 1989.
"""
EXPECTED = {
    ("staff_name", "Susan Blake"), ("crn", "X123456"), ("staff_name", "Jane Smith"), ("staff_name", "Mark Evans"),
    ("address", "14 Mill Lane, Leeds"), ("postcode", "LS6 2AB"), ("third_party_name", "Tyler"), ("phone", "07700 900123"),
    ("email", "dan.h@example.com"), ("nhs_number", "943 476 5919"), ("pnc_number", "98/1234567L"),
    ("prison_number", "A1234BC"), ("date_of_birth", "3 May 1989"),
}


@pytest.mark.parametrize("rec", RECS, ids=[r["kind"] for r in RECS])
def test_recognizer_examples(rec):
    assert rec["fire"] and rec["quiet"]
    for s in rec["fire"]:
        assert any(h.kind == rec["kind"] for h in scan(s)), f"{rec['kind']} should fire on: {s}"
    for s in rec["quiet"]:
        assert not any(h.kind == rec["kind"] for h in scan(s)), f"{rec['kind']} should be quiet on: {s}"


def test_checksums():
    assert nhs_mod11("943 476 5919") and not nhs_mod11("943 476 5918") and not nhs_mod11("0000000000")
    assert ni_prefix("AB123456C") and not ni_prefix("GB123456A")
    assert pnc_check("98/1234567L") is True and pnc_check("98/1234567T") is None


def test_review_hits(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text(REVIEW)
    doc = load(p)
    res = run_checks(doc, ["victims.shareable"])["victims.shareable"]
    got = {(f.data["kind"], f.quote) for f in res.findings}
    assert got == EXPECTED
    # The person on probation (the subject, whom the family know) and role titles are not hits.
    assert not any("Harper" in f.quote or "practitioner" in f.quote for f in res.findings)
    assert all(f.page == 1 and doc.text[f.start:f.end] == f.quote for f in res.findings)
    assert res.summary["hits"] == res.summary["distinct"] == len(EXPECTED) and res.summary["by_kind"]["staff_name"] == 3
    code, out, err = run_cli("shareable", p, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["hits"] == len(EXPECTED)


def test_pseudonyms_possessives_and_lone_words(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("The probation officer spoke to Ms L's mother. The SPO said Kent police were told. "
                 "The PP met Mr Daniel Reeve's manager.\n")
    res = run_checks(load(p), ["victims.shareable"])["victims.shareable"]
    assert [(f.data["kind"], f.quote) for f in res.findings] == [("staff_name", "Mr Daniel Reeve")]


NAMES = """# Serious Further Offence Review: Daniel Harper

| Field | Detail |
|---|---|
| Name of person on probation | Daniel Harper |
| OM | Priya Kaur (PO) |

2.1 The case was held by the officer responsible for the case, Mr Colin Ashworth, from May.
2.2 Harper punched a pedestrian, Mr Harold Finch, aged 81. Finch fell and was taken to hospital.
2.3 Mr Ashworth did not review the plan. PO Kaur took over in June and P Kaur recorded the contact.
2.4 Ashworth said he had too many cases; on Monday Ashworth Road was closed. Harper lived at Flat 3, 27 Brindley Road, Loxley Vale, LV4 7QT.
"""


def test_names_widened_and_every_mention_found(tmp_path):
    p = tmp_path / "r.md"
    p.write_text(NAMES)
    doc = load(p)
    res = run_checks(doc, ["victims.shareable"])["victims.shareable"]
    got = [f.quote for f in res.findings]
    # The model's "Mr Harold" is carried on to the surname; later mentions of a name found
    # as personal data are found too (title + surname, initial + surname, surname alone,
    # role + surname: the role is left, as role titles are fine to share).
    for name in ("Mr Harold Finch", "Finch", "Mr Colin Ashworth", "Mr Ashworth", "Ashworth", "Priya Kaur",
                 "Kaur", "P Kaur", "Flat 3, 27 Brindley Road, Loxley Vale", "LV4 7QT"):
        assert name in got, (name, got)
    assert not any("Harper" in q or q.startswith("PO") or "Road" in q and "Brindley" not in q or "Monday" in q
                   for q in got), got
    assert all(doc.text[f.start:f.end] == f.quote for f in res.findings if f.start is not None)


def test_redacted_copy_keeps_no_part_of_a_name(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text(NAMES)
    out = tmp_path / "r.txt"
    code, _, err = run_cli("redact", p, "-o", out)
    assert code == 0, err
    text = out.read_text()
    for word in ("Finch", "Harold", "Ashworth", "Colin", "Kaur", "Priya", "Loxley", "Brindley"):
        assert word not in text, word
    assert "Harper" in text and "PO [REDACTED" in text


def test_text_report_lists_each_item_once(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text(NAMES)
    code, out, err = run_cli("shareable", p)
    assert code == 0, err
    assert "items of personal data in" in out and "mentions" in out
    assert sum(line.count("Mr Ashworth") for line in out.splitlines()) == 1


def test_a_name_stops_at_an_initial_that_ends_a_sentence(tmp_path, run_cli):
    """QA (sfo-30): "asked to be called Ms R. Through her victim liaison officer..." was
    reported as the staff name "Ms R. Through", and redaction cut the sentence. The name
    stops at the initial; "Ms R." alone is a pseudonym, not a full name. A surname after
    an initial is still part of the name."""
    p = tmp_path / "r.md"
    p.write_text("1.2 His former partner has asked to be called Ms R. Through her victim liaison officer she "
                 "asked four questions.\n\n1.3 The victim asked to be called Ms K. She met the officer in May.\n\n"
                 "1.4 The probation officer Mr J. Smith met him in May.\n")
    res = run_checks(load(p), ["victims.shareable"])["victims.shareable"]
    assert [(f.data["kind"], f.quote) for f in res.findings] == [("staff_name", "Mr J. Smith")]
    out = tmp_path / "r.txt"
    code, _, err = run_cli("redact", p, "-o", out)
    assert code == 0, err
    text = out.read_text()
    assert "called Ms R. Through her victim liaison officer" in text
    assert "probation officer [REDACTED: staff name] met him" in text
