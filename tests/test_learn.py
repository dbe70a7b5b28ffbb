"""Training is reproducible and fast, models round-trip through skops, and loading refuses
files it should not trust."""

import json
from datetime import date

import pytest

from sfo_nlp.errors import SfoError
from sfo_nlp.learn.dates import parse_date
from sfo_nlp.learn.model import Bundle

# A tiny labelled set written for this test only (the shipped model learns from corpus_samples).
J = [
    ("The practitioner did not review the risk assessment after the arrest.", True, "individual", "deficit"),
    ("The PO should have made domestic abuse enquiries with the police.", True, "individual", "deficit"),
    ("The SPO countersigned the assessment without challenge.", True, "management", "deficit"),
    ("Management oversight was absent during the period under review.", True, "management", "deficit"),
    ("High workloads in the PDU left no time for home visits.", True, "system", "deficit"),
    ("The allocation process did not take account of the case's complexity.", True, "system", "deficit"),
    ("Police did not share the call-out with probation.", True, "partnership", "deficit"),
    ("The MAPPA referral was made late and the minutes were unclear.", True, "partnership", "deficit"),
    ("The practitioner's assessment was thorough and well evidenced.", True, "individual", "good"),
    ("Information sharing with children's services was timely and effective.", True, "partnership", "good"),
    ("He was released on licence on 3 March 2023.", False, None, None),
    ("The review read the case records and interviewed four staff.", False, None, None),
    ("OASys is the assessment tool used by probation.", False, None, None),
    ("Practitioners must complete safeguarding checks within ten days.", False, None, None),
    ("Two weeks later he was arrested for the further offence.", False, None, None),
    ("The SPO will deliver a briefing to the team.", False, None, None),
]
A = [
    ("Remind staff of the recall policy.", "", "", False, False, True, False, "local", False, "weak"),
    ("Deliver training on domestic abuse enquiries to all PDU staff by March 2025, with a dip sample of 20 cases after three months.",
     "Head of PDU", "31/03/2025", True, True, True, True, "local", True, "strong"),
    ("Improve practice.", "", "", False, False, False, False, "individual", False, "weak"),
    ("The practitioner will attend reflective supervision with the SPO within one month.", "SPO", "", True, False, True, True, "individual", True, "moderate"),
    ("Agree a joint protocol with police for sharing call-outs, audited quarterly by the MAPPA board.", "MAPPA board", "June 2025", True, True, True, True, "multi-agency", True, "strong"),
    ("HMPPS to revise national guidance on allocation and monitor compliance rates.", "HMPPS", "", True, True, True, False, "national", True, "strong"),
]


def _corpus(tmp_path):
    lab = tmp_path / "labelled"
    lab.mkdir()
    rows = []
    for i, (text, j, t, p) in enumerate(J * 2):
        rows.append({"id": f"j{i:03d}", "text": text, "is_judgement": j, "target": t, "polarity": p,
                     "evidence": "records" in text, "why": "workload" in text.lower(), "significance": False,
                     "split": "test" if i % 4 == 3 else "train"})
    (lab / "judgements.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    rows = []
    for i, (text, o, d, s, m, ow, tb, lv, dev, st) in enumerate(A * 3):
        rows.append({"id": f"a{i:03d}", "text": text, "owner_field": o, "date_field": d, "specific": s, "measurable": m,
                     "owner": ow, "time_bound": tb, "level": lv, "developmental": dev, "strength": st,
                     "split": "test" if i % 3 == 2 else "train"})
    (lab / "actions.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return tmp_path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from sfo_nlp.learn.train import train

    base = tmp_path_factory.mktemp("c")
    corpus = _corpus(base)
    models = base / "models"
    reports = train(corpus_dir=corpus, models_dir=models, dev_dir=base / "no-dev")
    return corpus, models, reports


def test_train_writes_models_and_cards(trained):
    corpus, models, reports = trained
    for kind in ("judgements", "actions"):
        p = models / f"{kind}.skops"
        assert p.is_file() and p.stat().st_size < 5_000_000
        card = (models / f"{kind}.md").read_text()
        assert "| dataset | metric |" in card and "rules only" in card and "bag of words" in card
    rep = {r.kind: r for r in reports}
    assert set(rep["judgements"].scores) == {"rules only", "bag of words", "combined"}
    assert rep["judgements"].seconds < 60 and rep["actions"].seconds < 60


def test_training_is_reproducible(trained, tmp_path):
    from sfo_nlp.learn.train import train_kind

    corpus, models, _ = trained
    rep = train_kind("judgements", corpus, tmp_path, dev_dir=tmp_path / "no-dev", write_card=False)
    a, b = Bundle.load(models / "judgements.skops"), Bundle.load(tmp_path / "judgements.skops")
    texts = [t for t, *_ in J]
    assert a.predict(texts, [{}] * len(texts)) == b.predict(texts, [{}] * len(texts))
    assert rep.n_train > 0


def test_trained_model_learns(trained):
    from sfo_nlp import nlp
    from sfo_nlp.learn.infer import NEEDS, classify_judgements

    corpus, models, _ = trained
    nlp.require(NEEDS)
    spans = [d[:] for d in nlp.parse_texts([t for t, *_ in J])]
    out = classify_judgements(spans, model=Bundle.load(models / "judgements.skops"))
    correct = sum(o["is_judgement"] == j for o, (_, j, _, _) in zip(out, J))
    assert correct >= len(J) - 2  # seen in training: a model that learnt nothing fails this


def test_load_refuses_garbage_and_foreign_types(tmp_path):
    import zipfile

    import skops.io as sio

    bad = tmp_path / "bad.skops"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SfoError):
        Bundle.load(bad)
    foreign = tmp_path / "foreign.skops"
    foreign.write_bytes(sio.dumps({"x": date(2020, 1, 1)}, compression=zipfile.ZIP_DEFLATED))
    with pytest.raises(SfoError, match="trust|not an sfo-nlp"):
        Bundle.load(foreign)


def test_train_cli_sample(tmp_path, run_cli):
    corpus = _corpus(tmp_path)
    code, out, err = run_cli("train", "--kind", "actions", "--corpus", corpus, "--models", tmp_path / "m", "--sample", "10")
    assert code == 0, err
    assert (tmp_path / "m" / "actions.skops").is_file()
    code, out, err = run_cli("train", "--kind", "nonsense")
    assert code == 2 and err.startswith("error:")


@pytest.mark.parametrize("text,expected", [
    ("by 31 March 2025", date(2025, 3, 31)),
    ("31/03/2025", date(2025, 3, 31)),
    ("June 2025", date(2025, 6, 30)),
    ("Q2 2025", date(2025, 6, 30)),
    ("within three months", None),
    ("ongoing", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_evaluators_score_installed_models(trained, monkeypatch, tmp_path):
    from sfo_nlp import settings
    from sfo_nlp.evaluation import EvalContext, all_evaluators

    corpus, models, _ = trained
    monkeypatch.setattr(settings, "MODELS_DIR", models)
    dev = tmp_path / "dev"
    dev.mkdir()
    (dev / "judgements.dev.jsonl").write_text(json.dumps(
        {"id": "d1", "text": J[0][0], "is_judgement": True, "target": "individual", "polarity": "deficit"}) + "\n")
    evs = all_evaluators()
    metrics = evs["judgements"](EvalContext(corpus_dir=corpus, dev_real_dir=dev))
    names = {(m.dataset, m.name) for m in metrics}
    assert ("labelled-test", "judgement F1") in names and ("dev-real", "target macro-F1") in names
    dev_f1 = next(m for m in metrics if m.dataset == "dev-real" and m.name == "judgement F1")
    assert dev_f1.target == 0.90 and dev_f1.n == 1 and dev_f1.note == ""
    actions = evs["actions"](EvalContext(corpus_dir=corpus, dev_real_dir=dev))
    assert any(m.name == "SMART mean accuracy" for m in actions)


def test_train_without_data_is_a_clean_error(tmp_path, run_cli):
    (tmp_path / "labelled").mkdir()
    code, out, err = run_cli("train", "--corpus", tmp_path, "--models", tmp_path / "m")
    assert code == 2 and err.startswith("error:") and "no labelled data" in err
    assert not (tmp_path / "m").exists() or not any((tmp_path / "m").iterdir())


def test_bad_labelled_line_names_file_and_line(tmp_path, run_cli):
    lab = tmp_path / "labelled"
    lab.mkdir()
    (lab / "judgements.jsonl").write_text('{"id": "x", "text": "ok", "is_judgement": false}\n{not json\n')
    code, out, err = run_cli("train", "--kind", "judgements", "--corpus", tmp_path, "--models", tmp_path / "m")
    assert code == 2 and "judgements.jsonl:2" in err


def test_train_refuses_models_file_before_training(tmp_path, run_cli):
    # QA bug 8: a file given as --models used to train for minutes, then crash on save.
    corpus = _corpus(tmp_path)
    not_a_folder = tmp_path / "random.pdf"
    not_a_folder.write_bytes(b"%PDF-1.4 junk")
    code, out, err = run_cli("train", "--kind", "actions", "--corpus", corpus, "--models", not_a_folder, "--sample", "10")
    assert code == 2
    assert err.strip().splitlines() == [f"error: --models {not_a_folder} is a file, not a folder"]
    assert "training items" not in out  # refused before any work
    assert not_a_folder.read_bytes() == b"%PDF-1.4 junk"


REVIEW_MD = """---
id: sfo-90
title: "Serious Further Offence Review: test"
---

# What happened

He was released on licence on 3 March 2023. The practitioner did not review the risk assessment after the arrest. Two weeks later he was arrested for the further offence.

# Learning

The SPO countersigned the assessment without challenge.
"""


def _review_corpus(tmp_path, split):
    corpus = _corpus(tmp_path)
    (corpus / "reviews" / "src").mkdir(parents=True)
    (corpus / "reviews" / "gold").mkdir()
    (corpus / "reviews" / "src" / "sfo-90.md").write_text(REVIEW_MD)
    gold = {"id": "sfo-90", "split": split,
            "judgements": [{"text": "The practitioner did not review the risk assessment after the arrest.",
                            "target": "individual", "polarity": "deficit", "evidence": False, "why": False},
                           {"text": "The SPO countersigned the assessment without challenge.",
                            "target": "management", "polarity": "deficit", "evidence": False, "why": False}],
            "non_judgements": []}
    import yaml
    (corpus / "reviews" / "gold" / "sfo-90.yaml").write_text(yaml.safe_dump(gold))
    return corpus


def test_review_prose_outside_gold_judgements_is_non_judgement(tmp_path):
    from sfo_nlp.learn import data
    from sfo_nlp.learn.review_sentences import reviews_items

    corpus = _review_corpus(tmp_path, "train")
    items = reviews_items(data.gold_files(corpus, "train"), corpus)
    texts = [it["text"] for it in items]
    assert "He was released on licence on 3 March 2023." in texts
    assert "Two weeks later he was arrested for the further offence." in texts
    assert not any("did not review" in t or "countersigned" in t for t in texts)  # gold judgements kept out
    assert all(it["is_judgement"] is False for it in items)


def test_test_split_reviews_never_train(tmp_path):
    from sfo_nlp.learn.train import _items

    corpus = _review_corpus(tmp_path, "test")
    sets = _items("judgements", corpus, tmp_path / "no-dev", None)
    assert not any(it.get("review") == "sfo-90" for it in sets["train"])
    whole = sets["corpus-reviews"]
    assert {it["is_judgement"] for it in whole} == {True, False}
    assert any(it["text"].startswith("Two weeks later") for it in whole)


def _tiny_judgement_fit(setting: str):
    from sfo_nlp import nlp
    from sfo_nlp.learn.features import judgement_features
    from sfo_nlp.learn.infer import NEEDS
    from sfo_nlp.learn.train import fit_judgements

    nlp.require(NEEDS)
    spans = [d[:] for d in nlp.parse_texts([t for t, *_ in J])]
    items = [{"is_judgement": j, "target": t, "polarity": p, "evidence": False, "why": False, "significance": False}
             for _, j, t, p in J]
    return spans, fit_judgements(setting, [s.text for s in spans], [judgement_features(s) for s in spans], items)


@pytest.mark.parametrize("setting", ["rules", "target_parse", "threshold60"])
def test_model_settings_survive_skops(setting, tmp_path):
    from sfo_nlp.learn.infer import classify_judgements

    spans, model = _tiny_judgement_fit(setting)
    model.save(tmp_path / "m.skops")
    loaded = Bundle.load(tmp_path / "m.skops")
    assert loaded.opts["threshold"] == model.opts["threshold"]
    assert list(loaded.opts["parse_only"]) == list(model.opts["parse_only"])
    assert classify_judgements(spans, model=loaded) == classify_judgements(spans, model=model)


def test_threshold_moves_the_judgement_decision():
    spans, model = _tiny_judgement_fit("default")
    texts = [s.text for s in spans]
    from sfo_nlp.learn.features import judgement_features

    feats = [judgement_features(s) for s in spans]
    n_default = sum(p["is_judgement"][0] == "True" for p in model.predict(texts, feats))
    model.opts["threshold"] = 0.999  # nothing is that sure: no sentence is a judgement
    assert sum(p["is_judgement"][0] == "True" for p in model.predict(texts, feats)) == 0 < n_default


def test_target_from_subject_lets_the_subject_role_decide():
    from sfo_nlp import nlp
    from sfo_nlp.learn.features import judgement_features
    from sfo_nlp.learn.infer import classify_features

    _, model = _tiny_judgement_fit("default")
    # a wording the tiny model never saw, whose subject is a partner agency
    span = next(iter(nlp.parse_texts(["Children's services closed the referral without any assessment."])))[:]
    f = judgement_features(span)
    model.opts["target_from_subject"] = "subject"
    assert classify_features([span.text], [f], model)[0]["target"] == "partnership"


def test_subject_below_lets_the_subject_decide_only_unsure_targets():
    from sfo_nlp import nlp
    from sfo_nlp.learn.features import judgement_features
    from sfo_nlp.learn.infer import classify_features

    _, model = _tiny_judgement_fit("default")
    # the target head answers "individual", 0.5 sure; the subject names a partner agency
    fitted = model.predict
    model.predict = lambda texts, feats: [{**p, "target": ("individual", 0.5)} for p in fitted(texts, feats)]
    span = next(iter(nlp.parse_texts(["Housing officers closed the case early."])))[:]
    f = judgement_features(span)
    model.opts["target_from_subject"] = "subject"
    model.opts["subject_below"] = 0.5  # the head is exactly this sure: not unsure enough
    assert classify_features([span.text], [f], model)[0]["target"] == "individual"
    model.opts["subject_below"] = 0.51
    assert classify_features([span.text], [f], model)[0]["target"] == "partnership"


def test_selection_folds_hold_out_whole_groups_and_registers():
    from sfo_nlp.learn.selection import _folds

    items = []
    for g in range(12):
        reg = "case-review" if g % 2 else "inspectorate"
        items += [{"group": f"g{g:04d}", "register": reg} for _ in range(3)]
    items += [{"group": "review-sfo-01", "register": "case-review"} for _ in range(4)]
    folds = _folds(items)
    for name, (train, held) in folds.items():
        assert held and not set(train) & set(held), name
        if name.startswith("groups"):  # whole passages out; review prose is only ever trained on
            assert not {items[i]["group"] for i in train} & {items[i]["group"] for i in held}
            assert all(not items[i]["group"].startswith("review-") for i in held)
    assert {items[i]["register"] for i in folds["case->inspectorate"][0]} == {"case-review"}
    assert {items[i]["register"] for i in folds["case->inspectorate"][1]} == {"inspectorate"}
    assert {items[i]["register"] for i in folds["inspectorate->case"][0]} == {"inspectorate"}


def test_vocabularies_are_packed_into_arrays_and_rebuilt_on_load(tmp_path):
    import json
    import zipfile

    from sfo_nlp.learn.infer import classify_judgements

    spans, model = _tiny_judgement_fit("default")
    before = classify_judgements(spans, model=model)
    model.save(tmp_path / "m.skops")
    # one node per term made loading take most of a second; now the schema stays small
    schema = zipfile.ZipFile(tmp_path / "m.skops").read("schema.json").decode()
    terms = list(model.data["tfidf"].vocabulary_) + list(model.data["dv"].feature_names_)
    assert terms and not any(json.dumps(json.dumps(t)) in schema or json.dumps(t) + ":" in schema for t in terms)
    assert classify_judgements(spans, model=model) == before  # saving leaves the model whole
    loaded = Bundle.load(tmp_path / "m.skops")
    assert loaded.data["tfidf"].vocabulary_ == model.data["tfidf"].vocabulary_
    assert loaded.data["dv"].feature_names_ == model.data["dv"].feature_names_
    assert "packed_vocabularies" not in loaded.data
    assert classify_judgements(spans, model=loaded) == before


def test_skops_is_imported_without_all_of_scikit_learn():
    """skops builds a default trust list by importing every estimator (pytest included);
    the tool names the trusted types itself, so its model load skips that."""
    import subprocess
    import sys

    code = ("import sys; from sfo_nlp.learn.model import skops_io; from sfo_nlp.learn import infer; "
            "assert infer.load_model('judgements') is not None; "
            "print(sorted(m for m in ('pytest', 'sklearn.utils._testing') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
