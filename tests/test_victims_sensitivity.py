"""victims.sensitivity: every rule's own fire/quiet examples, context, and family consideration."""

from __future__ import annotations

import pytest

from sfo_nlp.checks import run_checks
from sfo_nlp.checks.victims_context import match_in_sentence
from sfo_nlp.checks.victims_sensitivity import config, family_considered
from sfo_nlp.ingest import load

RULES = config()["rules"]


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_rule_examples(rule):
    assert rule["fire"] and rule["quiet"], "every rule ships examples"
    assert rule["severity"] in ("info", "warning", "error") and rule["message"] and rule["suggestion"]
    for s in rule["fire"]:
        assert match_in_sentence(rule, s), f"{rule['id']} should fire on: {s}"
    for s in rule["quiet"]:
        assert not match_in_sentence(rule, s), f"{rule['id']} should be quiet on: {s}"


def test_family_examples():
    fc = config()["family_considered"]
    for s in fc["fire"]:
        assert family_considered(s), s
    # quiet: no pattern, or an ``unless`` (the victim services named only to say they were not involved)
    for s in fc["quiet"]:
        assert not family_considered(s), s


def test_quotes_and_headings_not_flagged(tmp_path):
    p = tmp_path / "r.md"
    p.write_text(
        "# A volatile relationship\n\n"
        "The victim chose to resume the relationship. They had a volatile relationship.\n\n"
        'He told the reviewer "it was a domestic dispute, nothing more" at interview.\n\n'
        "> He snapped, I think, and it was a frenzied attack.\n"
    )
    doc = load(p)
    res = run_checks(doc, ["victims.sensitivity"])["victims.sensitivity"]
    rules = sorted(f.data["rule"] for f in res.findings)
    assert rules == ["family-not-considered", "mutualising-abuse", "victim-blaming-choice"]
    assert res.summary["flags"] == 2 and res.summary["family_considered"] is False
    for f in res.findings:
        if f.start is not None:
            assert doc.text[f.start:f.end] == f.quote and f.page == 1


def test_family_considered(tmp_path, run_cli):
    import json

    p = tmp_path / "r.md"
    p.write_text("The victim liaison officer contacted Ms H's family in May. They asked three questions.\n")
    code, out, err = run_cli("sensitivity", p, "--format", "json")
    assert code == 0, err
    s = json.loads(out)["summary"]
    assert s["family_considered"] is True and s["flags"] == 0
    assert s["family_evidence"] == ["The victim liaison officer contacted Ms H's family in May."]


def test_victim_services_named_only_as_not_involved_is_no_consideration(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("There was no VLO involvement as the index offence did not meet the criteria for the VCS.\n\n"
                 "V was assaulted at the address.\n")
    res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
    assert res.summary["family_considered"] is False and res.summary["family_evidence"] == []
    p.write_text("There was no VLO involvement at first. The family were later offered a meeting with the reviewing manager.\n")
    res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
    assert res.summary["family_evidence"] == ["The family were later offered a meeting with the reviewing manager."]


def test_organisations_called_the_body_are_not_flagged(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("16.5 The learning from this review will be shared with the Strategic Management Board, "
                 "the body that oversees MAPPA in each area.\n\n"
                 "The Board is the body to which the death was reported. The victim liaison officer "
                 "contacted the family.\n\n"
                 "The pedestrian died at the scene; the body was still in the road when his son arrived.\n")
    res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
    assert [(f.data["rule"], f.quote) for f in res.findings] == [("the-body", "the body")]
    assert res.findings[0].page == 1


def test_text_report_counts_match_its_table(tmp_path, run_cli):
    p = tmp_path / "tiny.txt"
    p.write_text("Hello.\n")
    code, out, err = run_cli("sensitivity", p)
    assert code == 0, err
    assert "0 wording flags; family considered: NOT FOUND" in out
    assert "warning: The review does not say how the victim" in out and "Wording to review" not in out


def test_chronology_table_wording_is_read(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("| Date | Event |\n|---|---|\n| 03/03/2024 | Police attended a domestic dispute at the address. |\n"
                 "| 04/03/2024 | Share the review with the family. |\n")
    res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
    assert [f.quote for f in res.findings if f.start is not None] == ["domestic dispute"]
    assert res.summary["family_considered"] is False


@pytest.mark.parametrize("kind", ["fire", "quiet"])
def test_victim_called_by_surname_alone(tmp_path, kind):
    """The victim's surname with no title or first name before it, found through the way
    the review introduces the victim (rules/sensitivity.yaml victim_surname examples)."""
    spec = config()["victim_surname"]
    assert spec[kind]
    for i, ex in enumerate(spec[kind]):
        p = tmp_path / f"r{i}.md"
        p.write_text(ex["text"] + "\n")
        res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
        got = [f.quote for f in res.findings if f.data.get("rule") == "victim-surname-only"]
        assert got == ex["flags"], ex["text"]
        assert all(f.data["category"] == "cold" for f in res.findings if f.data.get("rule") == "victim-surname-only")


def test_surname_shared_with_the_subject_is_left(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("# Serious Further Offence Review: Liam Cotterill\n\n"
                 "He killed his mother, Mrs Jean Cotterill, at home. Cotterill had been released in May.\n")
    res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
    assert not [f for f in res.findings if f.data.get("rule") == "victim-surname-only"]


def test_pieces_are_expanded():
    rules = {r["id"]: r for r in config()["rules"]}
    assert "{RELATIVE}" not in rules["blaming-relatives"]["pattern"]
    assert "{FIRST_NAME}" not in rules["victim-blaming-choice-name"]["pattern"]


def test_surname_in_a_place_name_is_left(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("He killed his neighbour, Mark Green, in May. He lived on Green Lane. Green had complained twice.\n")
    res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
    got = [(f.quote, f.data["sentence"]) for f in res.findings if f.data.get("rule") == "victim-surname-only"]
    assert got == [("Green", "Green had complained twice.")]


def test_first_name_rules_leave_the_person_on_probation(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("# Serious Further Offence Review: Dean Lowther\n\n"
                 "Dean had been drinking all day. Kelly had been drinking at the party. "
                 "Mr Lowther started the fight. Kelly chose to resume the relationship. Dean chose to return to the flat.\n")
    res = run_checks(load(p), ["victims.sensitivity"])["victims.sensitivity"]
    assert [f.quote for f in res.findings if f.start is not None] == [
        "Kelly had been drinking", "Kelly chose to resume"]
    assert all(r.get("subject_is_name") is None or isinstance(r["subject_is_name"], bool) for r in config()["rules"])
