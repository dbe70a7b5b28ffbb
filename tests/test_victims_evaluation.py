"""The victims evaluator: loose matching and micro precision/recall, on a tiny corpus."""

from __future__ import annotations

import yaml

from sfo_nlp.evaluation import EvalContext
from sfo_nlp.evaluation.victims import evaluate, matches, score


def test_matching_rules():
    assert matches("RoSH", "ROSH") and matches("SPOs", "SPO")
    assert matches("PDU", "PDU quality lead")
    assert matches("UPW", "unpaid work")  # through the glossary's expansion
    assert not matches("PDU", "OASys")
    s = score([(["PDU", "MARAC"], ["PDU quality lead", "tier"]), ([], ["OASys"])])
    assert s == {"precision": 0.5, "recall": 0.3333, "n_pred": 2, "n_gold": 3}
    assert score([([], [])])["precision"] is None


def test_counting_is_one_to_one():
    # A name reported on every page is one item; two forms of one gold name are one true positive.
    s = score([(["Mr Ellery", "Mr Ellery", "Mr Mark Ellery", "Ms Fowler"], ["Mr Mark Ellery"])])
    assert s == {"precision": 0.5, "recall": 1.0, "n_pred": 2, "n_gold": 1}
    # Personal data: a partial name is not a false alarm, but it does not find the whole name.
    assert score([(["Mr Harold"], ["Mr Harold Finch"])], strict=True) == {
        "precision": 1.0, "recall": 0.0, "n_pred": 1, "n_gold": 1}
    assert score([(["Harold Finch"], ["Mr Harold Finch"])], strict=True)["recall"] == 1.0


def test_evaluator_on_a_small_corpus(tmp_path):
    base = tmp_path / "reviews"
    (base / "src").mkdir(parents=True)
    (base / "gold").mkdir()
    (base / "src" / "sfo-01.md").write_text(
        "The probation delivery unit (PDU) held the case. The MARAC was not told.\n\n"
        "He was supervised by probation officer Jane Smith. They had a volatile relationship.\n\n"
        "The victim liaison officer contacted the family.\n"
    )
    gold = {"id": "sfo-01", "split": "test", "unexplained_terms": ["MARAC"],
            "personal_data": [{"text": "Jane Smith", "kind": "staff_name"}],
            "insensitive": ["a volatile relationship"]}
    (base / "gold" / "sfo-01.yaml").write_text(yaml.safe_dump(gold))
    metrics = {(m.area, m.name): m for m in evaluate(EvalContext(corpus_dir=tmp_path, split="test"))}
    for area, what in (("victims.jargon", "unexplained term"), ("victims.shareable", "personal data"),
                       ("victims.sensitivity", "insensitive wording")):
        assert metrics[(area, f"{what} precision")].value == 1.0
        assert metrics[(area, f"{what} recall")].value == 1.0
        assert metrics[(area, f"{what} recall")].n == 1
