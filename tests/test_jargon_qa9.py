"""QA 9 on victims.jargon: explanations in brackets after the short form, postcodes,
wrong expansions (DASH, "RM plan") and a person's initials listed as jargon."""

from __future__ import annotations

import pytest

from sfo_nlp.checks import run_checks
from sfo_nlp.ingest import load


def _jargon(tmp_path, text: str) -> dict[str, dict]:
    p = tmp_path / "r.md"
    p.write_text(text)
    return {t["term"]: t for t in run_checks(load(p), ["victims.jargon"])["victims.jargon"].summary["terms"]}


@pytest.mark.parametrize("text,term", [
    ("The case sat with the Probation Delivery Unit (PDU: the local probation office and its teams).", "PDU"),
    ("Interviews were held with her senior probation officer (SPO: the line manager).", "SPO"),
    ("Records were shared through the Multi-Agency Risk Assessment Conference (MARAC: a meeting where "
     "agencies share information about high-risk domestic abuse cases).", "MARAC"),
    ("The reviewer read the OASys assessments (OASys is the national tool probation uses to assess risk).", "OASys"),
    ("The PDU (PDU - the local probation office) held the case.", "PDU"),
])
def test_a_gloss_after_the_short_form_in_brackets_explains_it(tmp_path, text, term):
    """QA 9: "Probation Delivery Unit (PDU: the local ...)" was "no" while "(PDU)" was inline."""
    t = _jargon(tmp_path, text + " Later the " + term + " met.\n")[term]
    assert (t["explained"], t["how"], t["explained_before_first_use"]) == (True, "inline", True), t


@pytest.mark.parametrize("text,term", [
    ("The PP (PP: Jane Smith) met him.", "PP"),  # a name, not an explanation
    ("The PDU (PDU: Thornbury) held the case.", "PDU"),
    ("The OASys (OASys was late) was read.", "OASys"),
])
def test_brackets_that_start_with_the_short_form_but_do_not_explain_it(tmp_path, text, term):
    assert _jargon(tmp_path, text + "\n")[term]["explained"] is False


def test_a_postcode_is_not_an_acronym(tmp_path):
    """QA 9: "EM3" of "EM3 9LT" was expanded as electronic monitoring (EM)."""
    terms = _jargon(tmp_path, "She lived at 14 Larkspur Close, Eastmoor, EM3 9LT. He lived in NG7 2RD.\n")
    assert not {"EM", "EM3", "NG", "NG7"} & set(terms), sorted(terms)
    # Letters and digits are not the acronym in their letters, unless they number a role.
    terms = _jargon(tmp_path, "The EM3 form was sent. He wore an EM tag. PP1 and SPO2 met.\n")
    assert "electronic monitoring" not in terms["EM3"]["suggestion"]
    assert "electronic monitoring" in terms["EM"]["suggestion"]
    assert "probation practitioner (PP)" in terms["PP1"]["suggestion"]
    assert "senior probation officer (SPO)" in terms["SPO2"]["suggestion"]


def test_dash_is_spelled_out_in_full(tmp_path):
    """QA 9: DASH was suggested as "domestic abuse (DASH)": an unquoted comma in the
    glossary's flow mapping cut the expansion short."""
    sug = _jargon(tmp_path, "The PP did not make DA enquiries via the DASH.\n")["DASH"]["suggestion"]
    assert '"domestic abuse, stalking and harassment risk checklist (DASH)"' in sug


def test_glossary_entries_have_only_known_fields():
    """An unquoted comma in a {term: ..., long: a, b} entry makes "b" a field of its own."""
    from sfo_nlp import rules

    known = {"term", "type", "long", "plain", "forms", "report", "long_is_jargon", "long_forms", "everyday",
             "fire", "quiet", "role", "short_forms"}
    for e in rules.load("glossary")["terms"]:
        assert set(e) <= known, (e["term"], set(e) - known)
        assert all(isinstance(v, (str, bool, list)) for v in e.values()), e["term"]


def test_rm_plan_is_the_risk_management_plan(tmp_path):
    """QA 9: "RM plan" was expanded as "reviewing manager (RM)"."""
    terms = _jargon(tmp_path, "The PP did not complete the RM plan within 15 working days.\n")
    assert "RM" not in terms
    assert '"risk management plan (RMP)"' in terms["RM plan"]["suggestion"]
    terms = _jargon(tmp_path, "The RM plans were late. The RMP was weak.\n")
    assert sorted(terms) == ["RMP"] and terms["RMP"]["count"] == 2
    terms = _jargon(tmp_path, "The RM interviewed the PP.\n")
    assert "reviewing manager (RM)" in terms["RM"]["suggestion"]
    terms = _jargon(tmp_path, "The risk management plan (RM plan) was late. The RM plan was not reviewed.\n")
    assert terms["RM plan"]["explained"] is True and terms["RM plan"]["how"] == "inline"


def _person_examples(kind: str) -> list[str]:
    from sfo_nlp import rules

    return rules.load("common_terms")["person_initials"][kind]


@pytest.mark.parametrize("text", _person_examples("fire"))
def test_a_persons_initials_are_not_jargon(tmp_path, text):
    """QA 9: the person on probation's initials "JMO" were listed as jargon and became
    analyse's top fix."""
    assert "JMO" not in _jargon(tmp_path, text + "\n")


@pytest.mark.parametrize("text", _person_examples("quiet"))
def test_capitals_used_as_a_thing_stay_jargon(tmp_path, text):
    terms = _jargon(tmp_path, text + "\n")
    assert {"CGL", "JMO", "KSS"} & set(terms), sorted(terms)


def test_the_poor_draft_from_qa(tmp_path):
    terms = _jargon(tmp_path, "# SFO Review - J.M. Okafor\n\n## Summary\n\n"
                              "JMO was subject to a SSO with RAR. He committed a s18 GBH on his ex-partner at "
                              "her home, 14 Larkspur Close, Eastmoor, EM3 9LT, on 11/05/2024. JMO has 9 "
                              "previous convictions. The PP did not complete the RM plan. The PP did not "
                              "make DA enquiries via the DASH.\n")
    assert not {"JMO", "EM3", "EM", "RM"} & set(terms), sorted(terms)
    assert {"SSO", "RAR", "GBH", "PP", "RM plan", "DA", "DASH"} <= set(terms)
    # Unknown capitals that are no one's initials are still reported.
    assert _jargon(tmp_path, "The NSD on DA was not followed. The CAD log was read.\n").keys() >= {"NSD", "CAD"}
