import re
from pathlib import Path

import pytest

from sfo_nlp.errors import SfoError
from sfo_nlp.results import CheckResult, Finding, PromptAnswer, composite_label
from sfo_nlp.settings import SHARED_DIR
from sfo_nlp.standards import answer_standards, load_standards
from sfo_nlp.standards.engine import answer_prompt
from sfo_nlp.standards.ratings import rate

STANDARDS_MD = Path(SHARED_DIR) / "domain" / "standards.md"
IDS_2023 = (
    [f"1{c}" for c in "abcdefgh"] + [f"2{c}" for c in "abcdefg"] + [f"3.1{c}" for c in "abcdef"]
    + [f"3.2{c}" for c in "abcdefg"] + [f"4{c}" for c in "abcdef"]
)


def _md_questions() -> list[str]:
    out = []
    for line in STANDARDS_MD.read_text().splitlines():
        m = re.match(r"^- [a-h]\) (?:\(new\) )?(.*?)(?: \(new wording\))?$", line)
        if m:
            out.append(m.group(1))
    return out


@pytest.mark.skipif(not STANDARDS_MD.exists(), reason="shared domain folder not present")
def test_2023_prompt_texts_match_standards_md_exactly():
    spec = load_standards("2023")
    assert spec.prompt_ids() == IDS_2023
    assert [p["question"] for _, p in spec.prompts()] == _md_questions()
    assert [s["key"] for s in spec.standards] == ["analysis", "judgements", "learning", "victims"]


def test_2021_has_four_key_questions_and_inherits_the_rest():
    spec = load_standards("2021")
    analysis = spec.standard("analysis")
    assert len(analysis["groups"]) == 4 and len(analysis["prompts"]) == 20
    assert spec.standard("victims") == load_standards("2023").standard("victims")
    assert len(spec.prompt_ids()) == 20 + 7 + 13 + 6


def test_unknown_version_is_a_clean_error():
    with pytest.raises(SfoError, match="unknown standards version"):
        load_standards("1999")


def _finding(quote="All reasonable steps were taken.", **data):
    return Finding("x", "info", "m", quote=quote, page=2, block=3, start=10, end=10 + len(quote), data=data)


RULE = {
    "id": "9z", "question": "Q?",
    "rule": {
        "signals": [{"name": "n", "check": "c", "key": "by_group.g", "at_least": {"yes": 3, "partly": 1}}],
        "evidence": [{"check": "c", "where": {"groups": "g"}}],
        "reason": {"yes": "{n} found", "partly": "only {n}", "no": "none"},
        "searched": "the thing",
    },
}


@pytest.mark.parametrize("n,answer", [(0, "no"), (1, "partly"), (2, "partly"), (3, "yes"), (7, "yes")])
def test_thresholds_grade_the_answer(n, answer):
    res = {"c": CheckResult("c", [_finding(groups=["g"]), _finding("Other.", groups=["h"])], {"by_group": {"g": n}})}
    a = answer_prompt("9", RULE, res)
    assert a.answer == answer
    assert a.reason == {"yes": f"{n} found", "partly": f"only {n}", "no": "none"}[answer]
    assert [f.quote for f in a.evidence] == ["All reasonable steps were taken."]  # filtered by group
    assert 0 < a.confidence <= 0.9


def test_missing_check_is_not_evidenced_never_guessed():
    a = answer_prompt("9", RULE, {})
    assert a.answer == "not_evidenced" and a.confidence == 0 and a.searched == "the thing" and not a.evidence


def test_at_most_per_and_combine():
    rule = {"id": "9y", "question": "Q?", "rule": {"combine": "mean", "signals": [
        {"name": "share", "check": "a", "key": "measurable", "per": "count", "at_least": {"yes": 0.7, "partly": 0.35}},
        {"name": "hits", "check": "b", "key": "hits", "at_most": {"yes": 0, "partly": 2}},
    ], "reason": {"partly": "{share:.0%} and {hits}"}}}
    res = {"a": CheckResult("a", [], {"measurable": 4, "count": 5}), "b": CheckResult("b", [], {"hits": [1, 2, 3]})}
    a = answer_prompt("9", rule, res)
    assert a.answer == "partly" and a.reason == "80% and 3"  # yes (2) and no (0) average to partly


def test_rating_bands_and_key_cap():
    spec = load_standards("2023")
    std = spec.standard("victims")
    mk = lambda pid, ans: PromptAnswer("4", pid, "q", ans, 0.8, "r")
    ids = [p["id"] for p in std["prompts"]]
    assert rate(std, [mk(i, "yes") for i in ids], spec.bands).label == "Outstanding"
    assert rate(std, [mk(i, "no") for i in ids], spec.bands).label == "Inadequate"
    # a "no" on a key prompt caps an otherwise Good standard
    answers = [mk(i, "yes") for i in ids[:-1]] + [mk(ids[-1], "no")]
    key_ids = [p["id"] for p in std["prompts"] if p.get("key")]
    answers = [mk(i, "no" if i == key_ids[0] else "yes") for i in ids]
    r = rate(std, answers, spec.bands)
    assert r.score == spec.bands["key_cap"] and "capped" in r.basis and r.basis.startswith("DRAFT")
    r = rate(std, [mk(i, "not_evidenced") for i in ids], spec.bands)
    assert r.score == 0 and "no prompt could be assessed" in r.basis


def test_answer_standards_answers_every_prompt_without_checks():
    spec = load_standards("2023")
    answers, ratings = answer_standards(spec, None, {})
    assert [a.prompt_id for a in answers] == IDS_2023
    assert {a.answer for a in answers} == {"not_evidenced"}
    assert len(ratings) == 4 and composite_label(sum(r.score for r in ratings)) == "Inadequate"


def test_every_prompt_rule_names_signals_and_a_search():
    for version in ("2023", "2021"):
        for _, p in load_standards(version).prompts():
            rule = p["rule"]
            assert rule["signals"] and rule.get("searched"), p["id"]
            for s in rule["signals"]:
                assert ("key" in s or "count" in s) and ("at_least" in s or "at_most" in s), p["id"]
                th = s.get("at_least") or s.get("at_most")
                assert set(th) <= {"yes", "partly"}, (p["id"], th)  # YAML yes/no keys normalised
            assert set(rule.get("reason", {})) <= {"yes", "partly", "no"}, p["id"]


def test_reason_templates_only_name_their_signals():
    for version in ("2023", "2021"):
        for _, p in load_standards(version).prompts():
            names = {s.get("name", s.get("key", s["check"])).replace(".", "_") for s in p["rule"]["signals"]}
            for answer, template in (p["rule"].get("reason") or {}).items():
                for field in re.findall(r"\{(\w+)", template):
                    assert field in names, (version, p["id"], answer, field)


def test_fit_prompt_moves_a_threshold_only_for_a_real_gain():
    from sfo_nlp.standards.fit import fit_prompt

    prompt = {"id": "9x", "question": "Q?", "rule": {"signals": [
        {"name": "n", "check": "c", "key": "n", "at_least": {"yes": 10, "partly": 5}}]}}
    cases = [({"c": CheckResult("c", [], {"n": n})}, gold) for n, gold in
             [(1, "no"), (2, "partly"), (3, "partly"), (4, "yes"), (6, "yes")]]
    changed, before, after = fit_prompt("9", prompt, cases, min_gain=2)
    assert before == 1 and after == 5
    assert changed == {"n": {"at_least": {"yes": 4.0, "partly": 2.0}}}
    assert prompt["rule"]["signals"][0]["at_least"] == {"yes": 10, "partly": 5}  # the input is not mutated
    unchanged, _, _ = fit_prompt("9", prompt, cases[:1], min_gain=2)
    assert unchanged == {}


def test_fitted_file_overrides_named_thresholds(tmp_path, monkeypatch):
    import shutil

    from sfo_nlp import rules, settings
    from sfo_nlp.standards import load_standards

    (tmp_path / "standards").mkdir()
    for v in ("2023", "2021"):
        shutil.copy(Path(settings.RULES_DIR) / "standards" / f"{v}.yaml", tmp_path / "standards")
    (tmp_path / "standards" / "2023.fitted.yaml").write_text(
        "prompts:\n  1c:\n    signals:\n      missed: {at_least: {yes: 7, partly: 3}}\n")
    monkeypatch.setattr(settings, "RULES_DIR", tmp_path)
    rules.load.cache_clear()
    load_standards.cache_clear()
    try:
        sig = next(p for _, p in load_standards("2023").prompts() if p["id"] == "1c")["rule"]["signals"][0]
        assert sig["at_least"] == {"yes": 7, "partly": 3}
        raw = next(p for _, p in load_standards("2023", fitted=False).prompts() if p["id"] == "1c")
        assert raw["rule"]["signals"][0]["at_least"] != {"yes": 7, "partly": 3}
    finally:
        rules.load.cache_clear()
        load_standards.cache_clear()
