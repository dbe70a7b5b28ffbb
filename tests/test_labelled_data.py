"""The labelled training data: valid records, fixed group split, no leakage, and a data card
whose label counts match the files (so the card cannot go stale)."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "corpus_samples" / "labelled"
TOOLS = ROOT / "corpus_samples" / "tools"

TARGETS = {"individual", "management", "system", "partnership"}
POLARITIES = {"deficit", "good", "mixed"}
REGISTERS = {"case-review", "inspectorate"}
SPLITS = {"train", "test"}
LEVELS = {"individual", "local", "regional", "national", "multi-agency"}
STRENGTHS = {"weak", "moderate", "strong"}
JUDGEMENT_KEYS = {"id", "text", "is_judgement", "target", "polarity", "evidence", "why", "significance",
                  "group", "register", "split"}
ACTION_KEYS = {"id", "text", "specific", "measurable", "owner", "time_bound", "level", "developmental",
               "strength", "group", "register", "split"}
ACTION_OPTIONAL = {"owner_field", "date_field"}


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(f"labelled_{name}", TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(name: str) -> list[dict]:
    with (LABELLED / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def judgements() -> list[dict]:
    return _load("judgements.jsonl")


@pytest.fixture(scope="module")
def actions() -> list[dict]:
    return _load("actions.jsonl")


@pytest.fixture(scope="module")
def diversity():
    return _tool("diversity").report(_tool("diversity").DEFAULT_THRESHOLD)


def test_jsonl_is_built_from_the_current_source():
    assert _tool("split").main(["--check"]) == 0, "run: python corpus_samples/tools/split.py"


def test_judgement_records_are_valid(judgements):
    for r in judgements:
        assert set(r) == JUDGEMENT_KEYS, r["id"]
        assert re.fullmatch(r"s\d{5}", r["id"]) and re.fullmatch(r"g\d{4}", r["group"])
        assert isinstance(r["text"], str) and r["text"].strip() == r["text"] and len(r["text"].split()) >= 3
        for flag in ("is_judgement", "evidence", "why", "significance"):
            assert isinstance(r[flag], bool), (r["id"], flag)
        if r["is_judgement"]:
            assert r["target"] in TARGETS and r["polarity"] in POLARITIES, r["id"]
        else:
            assert r["target"] is None and r["polarity"] is None, r["id"]
        assert r["register"] in REGISTERS and r["split"] in SPLITS


def test_action_records_are_valid(actions):
    for r in actions:
        assert ACTION_KEYS <= set(r) <= ACTION_KEYS | ACTION_OPTIONAL, r["id"]
        assert re.fullmatch(r"a\d{5}", r["id"]) and re.fullmatch(r"ag\d{4}", r["group"])
        for flag in ("specific", "measurable", "owner", "time_bound", "developmental"):
            assert isinstance(r[flag], bool), (r["id"], flag)
        assert r["level"] in LEVELS and r["strength"] in STRENGTHS
        assert r["register"] in REGISTERS and r["split"] in SPLITS
        # An Owner column names who is responsible, so the row has an owner by definition.
        if "owner_field" in r:
            assert r["owner"], r["id"]


def test_ids_unique_and_no_exact_duplicate_texts(judgements, actions):
    for records in (judgements, actions):
        assert len({r["id"] for r in records}) == len(records)
        normalised = Counter(" ".join(r["text"].lower().split()) for r in records)
        assert [t for t, n in normalised.items() if n > 1] == []


def test_minimum_sizes_and_balance(judgements, actions):
    assert len(judgements) >= 2500
    assert len(actions) >= 500
    share = sum(r["is_judgement"] for r in judgements) / len(judgements)
    assert 0.45 <= share <= 0.65
    targets = Counter(r["target"] for r in judgements if r["is_judgement"])
    assert min(targets[t] for t in TARGETS) >= 300, targets
    polarities = Counter(r["polarity"] for r in judgements if r["is_judgement"])
    assert polarities["deficit"] > polarities["good"] > polarities["mixed"] > 0
    for records in (judgements, actions):
        inspectorate = sum(r["register"] == "inspectorate" for r in records) / len(records)
        assert inspectorate >= 0.30
    assert set(Counter(r["level"] for r in actions)) == LEVELS


def test_split_is_by_group_and_about_one_fifth_test(judgements, actions):
    for records in (judgements, actions):
        split_of_group = {}
        for r in records:
            assert split_of_group.setdefault(r["group"], r["split"]) == r["split"], r["group"]
        test_share = sum(r["split"] == "test" for r in records) / len(records)
        assert 0.15 <= test_share <= 0.25
    # Judgement and action groups use separate id spaces, so none can straddle files.
    assert not {r["group"] for r in judgements} & {r["group"] for r in actions}


def test_no_near_duplicate_crosses_the_split(diversity):
    for kind, data in diversity.items():
        crossing = [d for d in data["near_duplicates"] if d["cross_split"]]
        assert crossing == [], (kind, crossing[:3])


def test_no_near_duplicate_of_the_review_gold_crosses_the_split(diversity):
    # sfo-nlp train merges the reviews' gold files into training, so a labelled test sentence
    # must not repeat a gold train sentence (nor a gold test one a labelled train sentence).
    for kind, data in diversity.items():
        assert data["gold_leakage"]["cross_split_pairs"] == [], kind


def test_near_duplicates_stay_rare(diversity):
    for kind, data in diversity.items():
        assert len(data["near_duplicates"]) <= 0.01 * data["records"], kind


def test_data_card_counts_match_the_files(diversity):
    card = (LABELLED / "DATA_CARD.md").read_text(encoding="utf-8")
    markdown = _tool("diversity").to_markdown(diversity, _tool("diversity").DEFAULT_THRESHOLD)
    assert markdown.strip() in card, "re-paste: python corpus_samples/tools/diversity.py --markdown"


def test_relabel_sample_refers_to_real_sentences(judgements, diversity):
    ids = {r["id"] for r in judgements}
    rows = [l.split() for l in (LABELLED / "agreement" / "relabel_sample.txt").read_text(encoding="utf-8").splitlines()
            if l.strip() and not l.startswith("#")]
    assert len(rows) >= 100
    code = re.compile(r"N|[IMSP][dgm]")
    for row in rows:
        assert len(row) == 3 and row[0] in ids and code.fullmatch(row[1]) and code.fullmatch(row[2]), row
    assert diversity["judgements"]["relabel_agreement"]["n"] == len(rows)


def test_near_duplicate_detector_fires_and_stays_quiet():
    near_duplicates = _tool("diversity").near_duplicates
    base = {"group": "g", "split": "train"}
    fire = [dict(base, id="1", text="The PP did not complete a risk review after the arrest."),
            dict(base, id="2", text="The PP did not complete a risk review after his arrest.")]
    quiet = [dict(base, id="1", text="The PP did not complete a risk review after the arrest."),
             dict(base, id="2", text="In 2023/24, 770 SFO notifications were received.")]
    assert len(near_duplicates(fire, 0.85)) == 1
    assert near_duplicates(quiet, 0.85) == []


def test_split_tool_rejects_bad_notation(tmp_path, monkeypatch):
    split = _tool("split")
    (tmp_path / "judgements_01.txt").write_text("@ cr\nXq | A sentence with a bad label.\n", encoding="utf-8")
    monkeypatch.setattr(split, "SOURCE", tmp_path)
    with pytest.raises(split.SourceError, match="bad label"):
        split.build("judgements")
