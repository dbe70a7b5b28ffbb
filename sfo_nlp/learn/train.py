"""``sfo-nlp train``: fit the judgement and action models on corpus_samples/labelled/
(train split, plus the gold sentences and actions of train-split reviews), compare the
rules-only baseline, a bag-of-words model and the combined model, save the combined model
with skops and write the scores into the model cards.

Deterministic: fixed seeds, sorted inputs, a solver without randomness; the same data gives
the same model and the same card. dev-real is scored for the card and never trained on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sfo_nlp import nlp
from sfo_nlp.errors import SfoError
from sfo_nlp.learn import cards, data
from sfo_nlp.learn.review_sentences import reviews_items
from sfo_nlp.learn.action_features import action_features
from sfo_nlp.learn.features import judgement_features
from sfo_nlp.learn.infer import NEEDS, classify_actions, classify_judgements, with_rules
from sfo_nlp.learn.model import SEED, Bundle, options
from sfo_nlp.learn.scoring import TARGETS, score_actions, score_judgements

KINDS = ("judgements", "actions")
LABELS = {"judgements": data.JUDGEMENT_LABELS, "actions": data.ACTION_LABELS}
# The setting of the shipped judgement model, chosen by ``python -m sfo_nlp.learn.selection``
# (scores across registers; see models/judgements.md).
JUDGEMENT_SETTING = "weight05_threshold60_subject70"
# Only judgement sentences teach target and polarity.
_ONLY_JUDGEMENTS = {"target", "polarity"}


@dataclass
class TrainReport:
    kind: str
    n_train: int
    n_test: int
    seconds: float
    scores: dict[str, dict[str, dict[str, tuple[float, int]]]] = field(default_factory=dict)  # model -> dataset -> metric
    model_path: str = ""
    card_path: str = ""


def _spans(texts: list[str]):
    nlp.require(NEEDS)
    return [d[:] for d in nlp.parse_texts(texts)]


def _items(kind: str, corpus_dir: Path, dev_dir: Path | None, sample: int | None,
           review_prose: bool = True) -> dict[str, list[dict]]:
    rows = data.labelled(kind, corpus_dir)
    rows = sorted(rows, key=lambda r: str(r.get("id", "")))
    train = [r for r in rows if r.get("split", "train") != "test"]
    test = [r for r in rows if r.get("split") == "test"]
    golds_train = data.gold_files(corpus_dir, "train")
    golds_test = data.gold_files(corpus_dir, "test")
    whole: list[dict] = []
    if kind == "judgements":
        gold_train, gold_test = data.gold_judgements(golds_train), data.gold_judgements(golds_test)
        # every other prose sentence of a train-split review is a labelled non-judgement
        # (gold files list all their judgements); test-split reviews are only scored
        if review_prose:
            gold_train += reviews_items(golds_train, corpus_dir)
        whole = [g for g in gold_test if g["is_judgement"]] + reviews_items(golds_test, corpus_dir)
    else:
        gold_train = _with_rows(data.gold_actions(golds_train), corpus_dir)
        gold_test = _with_rows(data.gold_actions(golds_test), corpus_dir)
    train += gold_train
    if sample:
        train, test = train[:sample], test[: max(1, sample // 3)]
        whole = whole[: max(1, sample // 3)] if whole else whole
    if not train:
        raise SfoError(f"no training items for {kind} in {corpus_dir}/labelled")
    return {"train": train, "test": test, "corpus-gold": gold_test, "corpus-reviews": whole,
            "dev-real": data.dev_real(kind, dev_dir)}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _with_rows(items: list[dict], corpus_dir: Path) -> list[dict]:
    """Give each gold action the cells of its row in the review's action plan (read from
    the review's source with the same plan finder the check uses), because its gold
    labels judge the whole row: an owner or date may sit only in its column."""
    from sfo_nlp.checks.actions_plan import find_plan
    from sfo_nlp.ingest import load

    plans: dict[str, dict[str, dict]] = {}
    out = []
    for it in items:
        rid = it.get("review")
        if rid not in plans:
            src = Path(corpus_dir) / "reviews" / "src" / f"{rid}.md"
            try:
                plan = find_plan(load(src)) if src.is_file() else None
            except SfoError:
                plan = None
            plans[rid] = {_norm(p.text): p.fields for p in plan.items} if plan else {}
        cells = plans[rid].get(_norm(it["text"]), {})
        out.append({**it, "owner_field": cells.get("owner", ""), "date_field": cells.get("date", ""),
                    "measure_field": cells.get("measure", ""), "level_field": cells.get("level", "")})
    return out


def _fit(kind: str, model_kind: str, spans, items: list[dict]) -> Bundle:
    texts = [s.text for s in spans]
    if kind == "judgements":
        setting = JUDGEMENT_SETTING if model_kind == "combined" else "default"
        return fit_judgements(setting, texts, [judgement_features(s) for s in spans], items,
                              None if model_kind == "combined" else model_kind)
    feats = [action_features(s, it.get("owner_field") or "", it.get("date_field") or "") for s, it in zip(spans, items)]
    return _fit_labels(LABELS[kind], model_kind, texts, feats, items)


def _fit_labels(labels, model_kind: str, texts: list[str], feats: list[dict], items: list[dict],
                opts: dict | None = None) -> Bundle:
    y = {lab: [it.get(lab) for it in items] for lab in labels}
    mask = {}
    for lab in labels:
        mask[lab] = [it.get(lab) is not None and (lab not in _ONLY_JUDGEMENTS or bool(it.get("is_judgement")))
                     for it in items]
    return Bundle(model_kind, labels, opts=opts).fit(texts, feats, y, mask)


def fit_judgements(setting: str, texts: list[str], feats: list[dict], items: list[dict],
                   model_kind: str | None = None, labels=LABELS["judgements"]) -> Bundle:
    """The judgement model with the named setting of ``model.SETTINGS`` (``model_kind``
    overrides the setting's kind: the comparison's bag-of-words model)."""
    opts = options(setting)
    model_kind = model_kind or opts["kind"]
    if opts["rules_as_features"] and model_kind == "combined":
        feats = [with_rules(f) for f in feats]
    return _fit_labels(labels, model_kind, texts, feats, items, opts)


def row_fields(item: dict) -> dict[str, str]:
    """The row cells of a labelled action (labelled data: owner_field/date_field; gold
    actions: the cells of their row in the review's plan, added by ``_with_rows``)."""
    return {"owner": item.get("owner_field") or "", "date": item.get("date_field") or "",
            "measure": item.get("measure_field") or "", "level": item.get("level_field") or ""}


def _predict(kind: str, spans, items: list[dict], model: Bundle | None) -> list[dict]:
    if kind == "judgements":
        return classify_judgements(spans, model=model, use_model=model is not None, raw=True)
    return classify_actions(spans, [row_fields(it) for it in items], model=model, use_model=model is not None)


# Whole reviews: detection only (their judgements' labels are already scored as corpus-gold).
_WHOLE_METRICS = ("judgement F1", "non-judgements recognised")


def _score(kind: str, gold: list[dict], pred: list[dict], dataset: str = ""):
    if kind != "judgements":
        return score_actions(gold, pred)
    sc = score_judgements(gold, pred)
    if dataset == "corpus-reviews":
        sc = {m: v for m, v in sc.items() if m in _WHOLE_METRICS}
    return sc


def train_kind(kind: str, corpus_dir: Path, models_dir: Path, dev_dir: Path | None = None,
               sample: int | None = None, write_card: bool = True, log: Callable[[str], Any] = lambda m: None,
               review_prose: bool = True) -> TrainReport:
    t0 = time.perf_counter()
    sets = _items(kind, corpus_dir, dev_dir, sample, review_prose)
    spans = {name: _spans([it["text"] for it in items]) for name, items in sets.items()}
    log(f"{kind}: {len(sets['train'])} training items, {len(sets['test'])} test items")
    models: dict[str, Bundle | None] = {
        "rules only": None,
        "bag of words": _fit(kind, "bow", spans["train"], sets["train"]),
        "combined": _fit(kind, "combined", spans["train"], sets["train"]),
    }
    report = TrainReport(kind, len(sets["train"]), len(sets["test"]), 0.0)
    for mname, model in models.items():
        report.scores[mname] = {}
        for dname in ("test", "corpus-gold", "corpus-reviews", "dev-real"):
            if sets[dname]:
                report.scores[mname][dname] = _score(kind, sets[dname], _predict(kind, spans[dname], sets[dname], model), dname)
    models_dir.mkdir(parents=True, exist_ok=True)
    path = models_dir / f"{kind}.skops"
    models["combined"].save(path)
    report.model_path = str(path)
    report.seconds = time.perf_counter() - t0
    if write_card:
        report.card_path = str(models_dir / f"{kind}.md")
        cards.update(Path(report.card_path), {"data": _data_block(kind, sets, report), "scores": _scores_block(report)}, kind)
    return report


def score_installed(kind: str, corpus_dir: Path, dev_dir: Path | None = None, split: str = "test",
                    datasets: tuple[str, ...] = ("test", "corpus-gold", "corpus-reviews", "dev-real")) -> dict[str, dict[str, tuple[float, int]]]:
    """Scores of the installed model (models/<kind>.skops) on each dataset: what
    ``sfo-nlp evaluate`` reports. Falls back to the rules when no model is installed.
    ``split="train"`` scores the training side instead (labelled train rows and the gold
    of train-split reviews): a check for under-fitting, not a measure of quality."""
    from sfo_nlp.learn.infer import load_model

    sets = _items(kind, corpus_dir, dev_dir, None)
    if split == "train":
        golds = data.gold_files(corpus_dir, "train")
        gold = (data.gold_judgements(golds) if kind == "judgements"
                else _with_rows(data.gold_actions(golds), corpus_dir))
        sets["test"] = [r for r in data.labelled(kind, corpus_dir) if r.get("split", "train") != "test"]
        sets["corpus-gold"] = gold
        if kind == "judgements":  # the training side: train-split reviews, whole
            sets["corpus-reviews"] = [g for g in gold if g["is_judgement"]] + reviews_items(golds, corpus_dir)
    model = load_model(kind)
    out = {}
    for name in datasets:
        if sets.get(name):
            spans = _spans([it["text"] for it in sets[name]])
            out[name] = _score(kind, sets[name], _predict(kind, spans, sets[name], model), name)
    return out


def train(kinds=KINDS, corpus_dir: Path | None = None, models_dir: Path | None = None, dev_dir: Path | None = None,
          sample: int | None = None, write_card: bool = True, log: Callable[[str], Any] = lambda m: None,
          review_prose: bool = True) -> list[TrainReport]:
    """``review_prose=False`` leaves out the non-judgement sentences of whole train-split
    reviews (to measure what they bring; the shipped model uses them)."""
    from sfo_nlp import settings

    corpus_dir = Path(corpus_dir or settings.CORPUS_DIR)
    models_dir = Path(models_dir or settings.MODELS_DIR)
    return [train_kind(k, corpus_dir, models_dir, dev_dir, sample, write_card, log, review_prose) for k in kinds]


def _count(items: list[dict], key: str) -> str:
    from collections import Counter

    c = Counter(str(it.get(key)) for it in items if it.get(key) is not None)
    return ", ".join(f"{k} {v}" for k, v in sorted(c.items())) or "-"


def _data_block(kind: str, sets: dict[str, list[dict]], report: TrainReport) -> str:
    keys = ("is_judgement", "target", "polarity") if kind == "judgements" else ("level", "strength", "measurable")
    rows = [[name, str(len(items))] + [_count(items, k) for k in keys] for name, items in sets.items()]
    return (f"Generated by `sfo-nlp train` (seed {SEED}).\n\n"
            + cards.table(rows, ["dataset", "items"] + list(keys)))


def _scores_block(report: TrainReport) -> str:
    metrics: list[tuple[str, str]] = []
    for per_set in report.scores.values():
        for dname, sc in per_set.items():
            for m in sc:
                if (dname, m) not in metrics:
                    metrics.append((dname, m))
    names = list(report.scores)
    rows = []
    for dname, m in metrics:
        n = next((report.scores[x][dname][m][1] for x in names if m in report.scores[x].get(dname, {})), 0)
        vals = [f"{report.scores[x][dname][m][0]:.3f}" if m in report.scores[x].get(dname, {}) else "-" for x in names]
        target = f">= {TARGETS[m]:.2f}" if dname == "dev-real" and m in TARGETS else ""
        rows.append([dname, m, str(n)] + vals + [target])
    return ("Comparison (test = labelled test split; corpus-gold = gold files of test-split reviews; "
            "corpus-reviews = every prose sentence of the test-split reviews, judgements from their gold files; "
            "dev-real = real HMIP sentences, validation only). The saved model is **combined**.\n\n"
            + cards.table(rows, ["dataset", "metric", "n"] + names + ["target"]))
