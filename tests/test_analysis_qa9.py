"""QA 9: analysis checks and themes reading what a review says, not what it names.

A countersigner's challenge in other words, a counterfactual "would have been good
practice", a statement of the review's purpose, an assessment interview with the person on
probation, "no interviews took place", the corpus's fictional-document notice, and a theme
named only to say it did not apply.
"""

from __future__ import annotations

import pytest

from sfo_nlp.checks.analysis_patterns import load_rules


def _groups(check: str, text: str) -> list[str]:
    return load_rules()[check].groups_in(text)


def _run(tmp_path, text: str, check_ids: list[str]):
    from sfo_nlp import checks
    from sfo_nlp.ingest import load

    p = tmp_path / "r.md"
    p.write_text(text)
    doc = load(p)
    return doc, checks.run_checks(doc, check_ids)


@pytest.mark.parametrize("text", [
    "I have read the review and challenged the reviewer on the conclusion in section 5; after discussion I agree "
    "that not all reasonable steps were taken.",
    "Countersigned by Marcus Bell, Head of the Greyfield PDU, on 14 October 2024, after asking the reviewer to "
    "strengthen the regional learning in part six.",
    "I asked the reviewer to look again at the analysis of management oversight.",
])
def test_countersigner_challenge_to_the_reviewer_is_recorded(text):
    assert "challenge" in _groups("countersigner", text)


def test_countersigner_agreement_or_a_direction_is_still_no_challenge():
    assert _groups("countersigner", "I have read the review and agree with its conclusions.") == []
    assert "challenge" not in _groups("countersigner", "The reviewer challenged the practitioner's account of the visit.")
    assert "challenge" not in _groups(
        "countersigner", "I have asked the regional head of public protection to report to me on action 7.")


@pytest.mark.parametrize("text", [
    "It would have been good practice for a three-way meeting to be held between Mr Ackroyd, the Probation Officer "
    "and Compass Point at this stage.",
    "It would be good practice to hold a three-way meeting at the end of a treatment requirement.",
    "A home visit should have been completed, in line with good practice.",
    "Good practice would have been to review the assessment when he moved.",
])
def test_practice_that_did_not_happen_is_not_good_practice_highlighted(text):
    assert _groups("exceptional", text) == []


def test_good_practice_that_happened_is_still_highlighted():
    assert "good_practice" in _groups("exceptional", "The police shared intelligence with the Probation Officer in "
                                                      "January 2025, which is considered to be good practice.")


PURPOSE = ("It is the purpose of this review to examine, in a thorough and comprehensive manner, the management of the "
           "case by the Probation Service during the period under review, to consider whether the practice delivered "
           "was in line with the expected standards and relevant policy and guidance, and to identify any learning.")


@pytest.mark.parametrize("check", ["policy_judged", "policy_referenced", "systemic", "performance"])
def test_a_statement_of_the_reviews_purpose_judges_nothing(check):
    assert _groups(check, PURPOSE) == []
    assert _groups(check, "1.2 The purpose of this review is to consider whether policy was followed.") == []


def test_policy_is_still_judged_outside_a_purpose_statement():
    assert "national" in _groups("policy_judged", "National guidance gives practitioners no practical help in "
                                                   "detecting undeclared devices.")


def test_no_interviews_is_read_as_nothing_heard():
    assert "not_heard" in _groups("interviews", "7.1 No interviews took place.")
    assert "not_heard" in _groups("interviews", "2.4 No staff were interviewed.")
    assert "not_heard" in _groups("interviews", "The SPO was not asked for a view.")


@pytest.mark.parametrize("text", [
    "5.5 PP1 started the OASys interview on 11 March 2025.",
    "The practitioner completed an induction interview with him on his release.",
    "6.3.3 PP1 took Mr Morrow's account of the police stop at face value.",
    "7.1 No interviews took place with the practitioner or the police.",
])
def test_interviews_with_the_person_on_probation_are_no_staff_interviewed(text):
    assert _groups("interviewees", text) == []


def test_the_person_on_probations_words_are_no_staff_view():
    assert "staff_view" not in _groups("interviews", "Mr Morrow said he had been drinking all day.")
    assert "staff_view" in _groups("interviews", "The SPO said that she had not read the handover note.")


SFO25 = """# Review

## Part 2. Scope of the review

2.4 No staff were interviewed. I have relied on the written record.

## Part 5. Supervision timeline

5.2 On 18 February 2025 Mr Morrow attended his second appointment. He said he was "trying to keep his head down".

5.5 PP1 started the OASys interview on 11 March 2025. The OASys was completed on 14 March 2025.

## Part 6. Analysis

6.3.3 PP1 took Mr Morrow's account of the police stop at face value.

## Part 7. Staff views

7.1 No interviews took place. See paragraph 2.4.
"""


def test_a_review_that_heard_no_one_names_no_interviewee_and_says_so(tmp_path):
    _, res = _run(tmp_path, SFO25, ["analysis.interviews", "analysis.interviewees"])
    assert res["analysis.interviewees"].summary["groups_found"] == []
    assert res["analysis.interviews"].summary["by_group"]["not_heard"] == 2


def test_a_timeline_is_background_not_quoted_as_analysis():
    from sfo_nlp.standards.engine import _evidence_rules

    _, background = _evidence_rules()
    assert background.search("Part 5. Supervision timeline")
    assert not background.search("Timeline and analysis of practice")
    assert not background.search("Part 6. Analysis")


NOTICE = """FICTIONAL DOCUMENT. This review was written as training material for a software project. The staff, \
the police and the approved premises are invented.

# Review

## Analysis of practice

Her caseload was high because of vacancies, and she had not had domestic abuse training.
"""


def test_the_fictional_document_notice_is_not_read_by_the_checks(tmp_path):
    doc, res = _run(tmp_path, NOTICE, ["analysis.causes", "analysis.partnership", "analysis.learning"])
    quotes = [f.quote for r in res.values() for f in r.findings]
    assert quotes and not any("software" in q or "invented" in q for q in quotes)
    assert res["analysis.causes"].summary["by_group"]["training"] == 1  # the analysis still counts


@pytest.fixture(scope="module")
def taxonomy():
    from sfo_nlp.corpus.themes import Taxonomy

    return Taxonomy()


@pytest.mark.parametrize("text,theme", [
    ("He was not managed under MAPPA. He committed the offence on 11 May 2024.", "mappa"),
    ("There was no MAPPA involvement.", "mappa"),
    ("Mr Ackroyd was not subject to MAPPA management, as he did not meet the criteria for any of the MAPPA "
     "categories.", "mappa"),
    ("The case was not referred to MARAC.", "domestic_abuse_safeguarding"),
    ("No referral to MARAC was made or required during the period under review.", "domestic_abuse_safeguarding"),
])
def test_a_theme_named_only_to_say_it_did_not_apply_is_not_counted(taxonomy, text, theme):
    assert theme not in taxonomy.match_texts([text])[0]


@pytest.mark.parametrize("text,theme", [
    ("He should have been managed under MAPPA at level 2.", "mappa"),
    ("He was not referred to MAPPA, although he met the criteria for category 2.", "mappa"),
    ("No MAPPA meeting was held before his release.", "mappa"),
    ("The case was not referred to MARAC despite three police call-outs.", "domestic_abuse_safeguarding"),
    ("He was managed at MAPPA level 1 and was not referred to the programme.", "mappa"),
])
def test_a_theme_still_counts_where_the_review_finds_a_gap_in_it(taxonomy, text, theme):
    assert theme in taxonomy.match_texts([text])[0]


def test_a_negation_rule_that_cannot_work_is_refused():
    import copy

    from sfo_nlp import rules
    from sfo_nlp.corpus.themes import Taxonomy
    from sfo_nlp.errors import SfoError

    spec = copy.deepcopy(rules.load("themes"))
    mappa = next(t for t in spec["themes"] if t["id"] == "mappa")
    mappa["not_when_negated"] = ["MAPPA", "MARAC"]
    with pytest.raises(SfoError, match="not_when_negated names what is not a term or acronym of it: MARAC"):
        Taxonomy(spec)
    spec = copy.deepcopy(rules.load("themes"))
    spec["negation"]["cues"] = ["not", False]  # a bare no in YAML
    with pytest.raises(SfoError, match="every cue must be a quoted word"):
        Taxonomy(spec)
