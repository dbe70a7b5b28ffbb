"""victims.disclosure: every rule's own fire/quiet examples, one finding per sentence,
quoted speech left alone, the `shareable` command's report and prompt 4e."""

from __future__ import annotations

import json
import re

import pytest

from sfo_nlp.checks import run_checks
from sfo_nlp.checks.victims_context import match_in_sentence
from sfo_nlp.checks.victims_disclosure import disclosure_rules
from sfo_nlp.ingest import load

RULES = disclosure_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_rule_examples(rule):
    assert rule["fire"] and rule["quiet"], "every rule ships examples"
    assert rule["severity"] in ("info", "warning", "error") and rule["message"] and rule["suggestion"] and rule["kind"]
    for s in rule["fire"]:
        assert match_in_sentence(rule, s), f"{rule['id']} should fire on: {s}"
    for s in rule["quiet"]:
        assert not match_in_sentence(rule, s), f"{rule['id']} should be quiet on: {s}"


REVIEW = (
    "# Review of the management of Mr A\n\n"
    "Mr A was charged with assault and awaits trial. The police investigation indicates that he "
    "had planned the assault.\n\n"
    "The PP, interviewed with a trade union representative, said that the capability framework "
    "had been mentioned to her.\n\n"
    'The SPO said "there was talk of a personnel file note" at interview.\n\n'
    "A colleague was on long-term sick leave, so the PP covered her cases.\n"
)


def test_one_finding_per_sentence_quoting_it_exactly(tmp_path):
    p = tmp_path / "r.md"
    p.write_text(REVIEW)
    doc = load(p)
    res = run_checks(doc, ["victims.disclosure"])["victims.disclosure"]
    assert [f.data["kind"] for f in res.findings] == ["untried_evidence", "staff_employment_matter"]
    assert res.summary == {"passages": 2, "by_kind": {"untried_evidence": 1, "staff_employment_matter": 1}}
    for f in res.findings:
        assert doc.text[f.start:f.end] == f.quote and f.page == 1
        assert f.quote.endswith(".") and f.data["cue"] in f.quote


def test_shareable_command_lists_the_passages(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text(REVIEW)
    code, out, err = run_cli("shareable", p, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["check"] == "victims.shareable"
    assert data["disclosure"]["summary"]["passages"] == 2
    code, out, err = run_cli("shareable", p)
    assert code == 0, err
    assert "2 passages to clear" in out and "untried evidence" in out


def test_prompt_4e_is_partly_with_a_passage_to_clear_and_never_quotes_it(tmp_path):
    from sfo_nlp.analyse import analyse_path

    p = tmp_path / "r.md"
    p.write_text(REVIEW)
    _, a = analyse_path(p)
    ans = next(x for x in a.answers if x.prompt_id == "4e")
    assert ans.answer == "partly"
    assert re.search(r"\b\d+ passages? to clear", ans.reason) and "untried evidence (page 1)" in ans.reason
    assert not any("trade union" in e.quote or "investigation indicates" in e.quote for e in ans.evidence)
