"""Done-when checks of issue 7 on the corpus test split, and the evaluate command.

Each test-split review is analysed once per session (shared fixture): that is most of
the cost, so every corpus assertion reads the same results.
"""

import json

import pytest

from sfo_nlp.evaluation.prompts import GoldReview, compare, gold_reviews
from sfo_nlp.settings import CORPUS_DIR
from sfo_nlp.standards import load_standards

TEST_REVIEWS = gold_reviews(CORPUS_DIR, "test")
IDS_2023 = load_standards("2023").prompt_ids()


@pytest.fixture(scope="session")
def analysed_test_split():
    from sfo_nlp.analyse import analyse_path

    out = []
    for rev in TEST_REVIEWS:
        doc, analysis = analyse_path(rev.path)
        out.append((rev, doc, json.loads(json.dumps(analysis.to_dict(), default=str))))
    return out


@pytest.mark.skipif(not TEST_REVIEWS, reason="corpus test split not built yet")
def test_every_test_review_validates_answers_all_prompts_and_quotes_exactly(analysed_test_split):
    from sfo_nlp.report import validate

    for rev, doc, result in analysed_test_split:
        validate(result)
        assert [a["prompt_id"] for a in result["answers"]] == IDS_2023, rev.id
        assert not [a["prompt_id"] for a in result["answers"] if a["answer"] == "not_evidenced"], rev.id
        for a in result["answers"]:
            assert a["reason"] and 0 <= a["confidence"] <= 1
            assert a["evidence"] or a["searched"], (rev.id, a["prompt_id"])
            for f in a["evidence"]:
                assert f["quote"] == doc.text[f["start"] : f["end"]], (rev.id, a["prompt_id"])
                assert f["quote"] in doc.page_text(f["page"]), (rev.id, a["prompt_id"], f["page"], f["quote"][:60])


@pytest.mark.skipif(not TEST_REVIEWS, reason="corpus test split not built yet")
def test_reasons_are_filled_and_evidence_is_shareable_and_on_topic(analysed_test_split):
    from sfo_nlp.standards.engine import _evidence_rules

    prose_blocks, background = _evidence_rules()
    sources = {p["id"]: p["rule"].get("evidence", []) for _, p in load_standards("2023").prompts()}
    for rev, doc, result in analysed_test_split:
        private = [(f["start"], f["end"]) for f in result["checks"]["victims.shareable"]["findings"]
                   if f["start"] is not None]
        for a in result["answers"]:
            where = (rev.id, a["prompt_id"], a["reason"])
            # no unfilled template value: reasons are statements, never "analyses ? of 4"
            assert "?" not in a["reason"] and "{" not in a["reason"] and "()" not in a["reason"], where
            prose_only = all(s.get("from", "prose") == "prose" for s in sources[a["prompt_id"]])
            for f in a["evidence"]:
                assert not any(f["start"] < e and s < f["end"] for s, e in private), (where, f["quote"])
                if prose_only:
                    block = doc.blocks[f["block"]]
                    assert block.type in prose_blocks and not background.search(block.section or ""), (
                        where, f["quote"], block.type, block.section)
            if a["prompt_id"] == "2a":
                assert not [f for f in a["evidence"] if f["quote"].lower().startswith(("pop ", "says "))], where


@pytest.mark.skipif(not TEST_REVIEWS, reason="corpus test split not built yet")
def test_prompt_metrics_on_test_split(analysed_test_split):
    metrics = {m.name: m for m in compare([(rev, result) for rev, _, result in analysed_test_split], "corpus-test")}
    m = metrics["prompt agreement (all prompts)"]
    assert m.n == 34 * len(analysed_test_split) and m.target == 0.8
    assert 0.0 <= m.value <= 1.0
    # the figures are reported, with their targets, by `sfo-nlp evaluate`; here a floor guards
    # against a regression that would break the drafts altogether
    assert m.value >= 0.5
    assert metrics["rating agreement within one grade"].value >= 0.75


def _gold(answers: dict, ratings: dict) -> GoldReview:
    return GoldReview("sfo-99", None, {"prompts": {k: {"answer": v} for k, v in answers.items()},
                                       "ratings": ratings, "composite": {"label": "Good"}})


def test_compare_counts_not_evidenced_as_disagreement_and_yaml_booleans():
    result = {
        "answers": [{"prompt_id": "1a", "standard": "1", "answer": "yes"},
                    {"prompt_id": "1b", "standard": "1", "answer": "not_evidenced"},
                    {"prompt_id": "4a", "standard": "4", "answer": "no"}],
        "ratings": [{"standard": "1", "score": 2}, {"standard": "4", "score": 0}],
        "composite": {"label": "Good"},
    }
    gold = _gold({"1a": True, "1b": "partly", "4a": False}, {"analysis": 3, "victims": 2})
    m = {x.name: x for x in compare([(gold, result)], "t")}
    assert m["prompt agreement (all prompts)"].value == pytest.approx(2 / 3, abs=1e-3)
    assert m["prompt 1b agreement"].value == 0.0
    assert m["rating agreement exact"].value == 0.0
    assert m["rating agreement within one grade"].value == 0.5
    assert m["composite band exact"].value == 1.0


def test_second_reading_gives_the_readers_agreement_and_the_drafts_with_each():
    result = {
        "answers": [{"prompt_id": "1a", "standard": "1", "answer": "yes"},
                    {"prompt_id": "1b", "standard": "1", "answer": "partly"},
                    {"prompt_id": "4a", "standard": "4", "answer": "no"}],
        "ratings": [{"standard": "1", "score": 2}], "composite": {"label": "Good"},
    }
    # gold after adjudication: 4a was first read "partly", the second reader said "no", decided "no"
    gold = _gold({"1a": True, "1b": "no", "4a": False}, {"analysis": 3, "victims": 1})
    gold.second = {"prompts": {"1a": {"answer": True}, "1b": {"answer": "partly"}, "4a": {"answer": "no"}},
                   "ratings": {"analysis": 1, "victims": 1}}
    gold.adjudication = {"prompts": {"4a": {"first": "partly", "second": "no", "final": "no"}},
                         "ratings": {"first": {"analysis": 2, "victims": 0}}}
    m = {x.name: x for x in compare([(gold, result)], "t")}
    assert m["prompt agreement (all prompts)"].value == pytest.approx(2 / 3, abs=1e-3)
    assert m["readers' agreement before adjudication (prompts)"].value == pytest.approx(1 / 3, abs=1e-3)
    assert m["draft agreement with the first reading"].value == pytest.approx(1 / 3, abs=1e-3)
    assert m["draft agreement with the second reading"].value == 1.0
    assert m["readers' ratings within one grade"].value == 1.0
    gold.second = None  # a review read once adds no such rows
    assert not [x for x in compare([(gold, result)], "t") if "reading" in x.name]


def test_evaluate_cli_on_a_tiny_corpus(tmp_path, run_cli):
    (tmp_path / "reviews" / "src").mkdir(parents=True)
    (tmp_path / "reviews" / "gold").mkdir()
    (tmp_path / "reviews" / "src" / "sfo-90.md").write_text(
        "# Review\n\nFICTIONAL DOCUMENT.\n\nNot all reasonable steps were taken. This was a missed opportunity to recall him.\n")
    prompts = "\n".join(f"  '{p}': {{answer: partly, rationale: x}}" for p in IDS_2023)
    (tmp_path / "reviews" / "gold" / "sfo-90.yaml").write_text(
        f"id: sfo-90\nsplit: test\nratings: {{analysis: 1, judgements: 1, learning: 1, victims: 1}}\n"
        f"composite: {{score: 4, label: Requires improvement}}\nprompts:\n{prompts}\n")
    code, out, err = run_cli("evaluate", "--only", "prompts", "--corpus", tmp_path, "--format", "json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["prompt agreement (all prompts)"]["n"] == 34 and rows["prompt agreement (all prompts)"]["target"] == 0.8
    code, _, err = run_cli("evaluate", "--only", "nonsense")
    assert code == 2 and "unknown evaluator" in err


def test_prompt_diagnostic_shows_draft_gold_signals_and_rationale_on_train_only(tmp_path):
    from sfo_nlp.evaluation.prompts import diagnose

    (tmp_path / "reviews" / "src").mkdir(parents=True)
    (tmp_path / "reviews" / "gold").mkdir()
    (tmp_path / "reviews" / "src" / "sfo-91.md").write_text(
        "# Review\n\n## Analysis\n\nThis was a missed opportunity to recall him.\n")
    (tmp_path / "reviews" / "gold" / "sfo-91.yaml").write_text(
        "id: sfo-91\nsplit: train\nprompts:\n  1c: {answer: partly, rationale: Named but not analysed.}\n")
    out = diagnose("train", ["1c"], corpus_dir=tmp_path)
    assert "sfo-91 1c: draft=yes gold=partly [missed=1" in out and "Named but not analysed." in out
    assert out.startswith("XX ")  # disagreement marked
    assert diagnose("train", ["1c"], only_wrong=True, corpus_dir=tmp_path) == out
    with pytest.raises(SystemExit):
        diagnose("test", ["1c"], corpus_dir=tmp_path)
