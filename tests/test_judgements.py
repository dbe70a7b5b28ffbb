"""The "judgements" check and `sfo-nlp judgements` on a small review and on sentence files."""

import json

import pytest

from sfo_nlp.checks import run_checks
from sfo_nlp.ingest import load

REVIEW = """# Analysis of practice

He was released on licence on 3 March 2023. The practitioner did not review the risk assessment after the arrest, and should have made domestic abuse enquiries with the police.

The SPO countersigned the assessment without challenge.

> I did not know about the call-out.

| Action | Owner |
|---|---|
| Deliver training on domestic abuse enquiries | Head of PDU |
"""

SUMMARY_KEYS = {"count", "by_target", "by_polarity", "share_by_target", "levels_not_judged",
                "without_evidence", "with_why", "with_significance", "sentences"}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    p = tmp_path_factory.mktemp("r") / "review.md"
    p.write_text(REVIEW)
    doc = load(p)
    return doc, run_checks(doc, ["judgements"])["judgements"]


def test_summary_keys_and_consistency(result):
    doc, res = result
    s = res.summary
    assert SUMMARY_KEYS <= set(s)
    assert s["count"] == len(res.findings) == sum(s["by_target"].values()) == sum(s["by_polarity"].values())
    assert set(s["levels_not_judged"]) == {t for t, n in s["by_target"].items() if n == 0}
    assert s["sentences"] == 3  # prose only: the quotation and the table are not the author's judgements


def test_findings_quote_the_document(result):
    doc, res = result
    quotes = [f.quote for f in res.findings]
    assert any("did not review the risk assessment" in q for q in quotes)
    assert not any("released on licence" in q for q in quotes)
    for f in res.findings:
        assert doc.text[f.start:f.end] == f.quote
        assert set(f.data) >= {"is_judgement", "target", "polarity", "evidence", "why", "significance", "confidence"}
        assert f.data["target"] in ("individual", "management", "system", "partnership")
        assert 0 <= f.confidence <= 1


def test_management_sentence_is_management(result):
    _, res = result
    spo = [f for f in res.findings if f.quote.startswith("The SPO countersigned")]
    assert spo and spo[0].data["target"] == "management"


def test_sentences_cli_keeps_order_and_blank_lines(tmp_path, run_cli):
    p = tmp_path / "s.txt"
    p.write_text("The practitioner should have contacted the police.\n\nHe was sentenced to 18 months in custody.\nWas the plan sufficient?\n")
    code, out, err = run_cli("judgements", "--sentences", p)
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["text"] for r in rows] == ["The practitioner should have contacted the police.", "",
                                         "He was sentenced to 18 months in custody.", "Was the plan sufficient?"]
    assert set(rows[0]) == {"text", "is_judgement", "target", "polarity", "evidence", "why", "confidence"}
    assert rows[0]["is_judgement"] is True and rows[0]["polarity"] == "deficit"
    assert rows[1]["is_judgement"] is False and rows[3]["is_judgement"] is False


def test_review_cli_formats(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text(REVIEW)
    code, out, err = run_cli("judgements", p, "--format", "json")
    assert code == 0, err
    assert SUMMARY_KEYS <= set(json.loads(out)["summary"])
    code, out, err = run_cli("judgements", p, "--format", "jsonl")
    assert code == 0 and all(json.loads(x)["check"] == "judgements" for x in out.splitlines())
    target = tmp_path / "out.txt"
    code, out, err = run_cli("judgements", p, "-o", target)
    assert code == 0 and "judgements in" in target.read_text()


@pytest.mark.parametrize("args", [(), ("--sentences", "/no/such/file"), ("x.md", "--sentences", "y.txt")])
def test_bad_input_is_one_line_error(args, run_cli, tmp_path):
    code, out, err = run_cli("judgements", *args)
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1


def test_binary_sentences_file_refused(tmp_path, run_cli):
    p = tmp_path / "b.txt"
    p.write_bytes(b"\x00\x01\x02binary")
    code, out, err = run_cli("judgements", "--sentences", p, "-o", tmp_path / "o.jsonl")
    assert code == 2 and not (tmp_path / "o.jsonl").exists()


def test_check_uses_the_document_parse_only(tmp_path, monkeypatch):
    from sfo_nlp import nlp

    p = tmp_path / "r.md"
    p.write_text(REVIEW)
    doc = load(p)
    doc.spacy  # the one parse

    def no_reparse(*a, **k):
        raise AssertionError("a check re-parsed text instead of using doc.spacy")

    monkeypatch.setattr(nlp, "parse_texts", no_reparse)
    monkeypatch.setattr(nlp, "parse", no_reparse)
    results = run_checks(doc, ["judgements", "actions"])
    assert results["judgements"].summary["count"] >= 1


@pytest.mark.parametrize("text,expected,absent", [
    ("The probation officer accepted that she had not read the police summary.", {"frame=reported", "reporter_role=individual"}, {"frame=author"}),
    ("I found that the assessment was insufficient.", {"frame=author", "tense=past"}, {"frame=reported"}),
    ("The SPO countersigned the assessment without challenge.", {"subj_role=management"}, {"subj_role=individual"}),
    # the relative clause's PP is not the subject
    ("Neither of the two SPOs who supervised the PP asked about MAPPA.", {"subj_role=management", "subj_tree_role=individual"}, {"subj_role=individual"}),
    ("The assessment was not reviewed by the senior probation officer.", {"agent_role=management", "neg_verb", "passive"}, set()),
    ("The PP should have contacted the police.", {"tense=modal_perfect", "cue=should_have"}, {"tense=past"}),
    # "reviewing managers" is the review's author (individual), not a manager inside it
    ("Reviewing managers seldom explained the criteria they used.",
     {"subj_head_role=individual", "subj_role=individual"}, {"subj_role=management"}),
    # the head noun's role, not its modifier's
    ("Regional leadership teams did not act on the findings.", {"subj_role=management"}, {"subj_head_role=system"}),
    # "children's services" survives the parse's "children 's"; a housing officer is a partner's
    ("Children's services closed the referral without an assessment.", {"subj_role=partnership", "subj_head_role=partnership"}, set()),
    ("Housing officers closed the case early.", {"subj_head_role=partnership"}, {"subj_head_role=individual"}),
    ("The regional SPO did not act on the findings.", {"subj_head_role=management"}, {"subj_head_role=system"}),
])
def test_parse_features(text, expected, absent):
    from sfo_nlp import nlp
    from sfo_nlp.learn.features import judgement_features
    from sfo_nlp.learn.infer import NEEDS

    nlp.require(NEEDS)
    f = judgement_features(next(iter(nlp.parse_texts([text])))[:])
    assert expected <= set(f), sorted(f)
    assert not absent & set(f), sorted(f)
