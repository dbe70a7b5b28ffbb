"""Model selection for the judgement model on a shift we can see without dev-real.

Real reviews and HMIP reports are worded differently from any one part of the training
data, so a setting is chosen by how well it carries across a register it was not trained
on, not by the labelled test split (same writers, same wording):

- ``case->inspectorate``: train on the case-review register (labelled case-review groups
  and the fictional reviews), score on the inspectorate-register train groups;
- ``inspectorate->case``: the reverse (labelled inspectorate groups only -> case-review
  train groups);
- ``groups``: 3 folds by passage over all labelled train groups (within-register topics).

Only train-split data is read: test splits and dev-real are for measuring the chosen
setting afterwards (``sfo-nlp train`` / ``sfo-nlp evaluate``).

Run: ``python -m sfo_nlp.learn.selection [--settings NAME ...]`` (prints one row per setting).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sfo_nlp import settings as app_settings
from sfo_nlp.learn import data
from sfo_nlp.learn.features import judgement_features
from sfo_nlp.learn.model import SETTINGS, Bundle
from sfo_nlp.learn.scoring import score_judgements

GROUP_FOLDS = 3
RULES_ONLY = "rules-only"  # the baseline, for reference
THRESHOLDS = (0.5, 0.6, 0.7)
# "family<p": the subject's role decides only where the target head's probability is below p
TARGET_FROM_SUBJECT = ("", "subject", "subject_poss", "subject_poss<0.5", "subject_poss<0.6", "subject_poss<0.7")
METRICS = ("judgement F1", "non-judgements recognised", "target macro-F1", "polarity macro-F1")


def _train_items(corpus_dir: Path) -> list[dict]:
    from sfo_nlp.learn.review_sentences import reviews_items

    rows = [r for r in data.labelled("judgements", corpus_dir) if r.get("split", "train") != "test"]
    golds = data.gold_files(corpus_dir, "train")
    reviews = data.gold_judgements(golds) + reviews_items(golds, corpus_dir)
    for r in reviews:
        r["register"], r["group"] = "case-review", f"review-{r.get('review')}"
    return sorted(rows, key=lambda r: r["id"]) + reviews


def _parsed(items: list[dict]):
    from sfo_nlp import nlp
    from sfo_nlp.learn.infer import NEEDS

    nlp.require(NEEDS)
    spans = [d[:] for d in nlp.parse_texts([it["text"] for it in items])]
    return [s.text for s in spans], [judgement_features(s) for s in spans]


def _fit_predict(setting: str, tr: list[int], te: list[int], texts, feats, items) -> dict[tuple, list[dict]]:
    """Predictions at each threshold and target_from_subject option (one fit: both only
    change how the fitted model's answers are read)."""
    from sfo_nlp.learn.train import fit_judgements
    from sfo_nlp.learn.infer import classify_features

    if setting == RULES_ONLY:
        rules_pred = classify_features([texts[i] for i in te], [feats[i] for i in te], None)
        return {(t, tfs): rules_pred for t in THRESHOLDS for tfs in TARGET_FROM_SUBJECT}
    # the flags (evidence, why, significance) do not depend on the setting: not fitted here
    model: Bundle = fit_judgements(setting, [texts[i] for i in tr], [feats[i] for i in tr], [items[i] for i in tr],
                                   labels=("is_judgement", "target", "polarity"))
    out = {}
    for t in THRESHOLDS:
        for tfs in TARGET_FROM_SUBJECT:
            family, _, below = tfs.partition("<")
            model.opts["threshold"], model.opts["target_from_subject"] = t, family
            model.opts["subject_below"] = float(below or 1.0)
            out[(t, tfs)] = classify_features([texts[i] for i in te], [feats[i] for i in te], model)
    return out


def _folds(items: list[dict]) -> dict[str, tuple[list[int], list[int]]]:
    idx = range(len(items))
    labelled = [i for i in idx if not str(items[i]["group"]).startswith("review-")]
    case = [i for i in idx if items[i]["register"] == "case-review"]
    insp = [i for i in idx if items[i]["register"] == "inspectorate"]
    folds = {"case->inspectorate": (case, insp),
             "inspectorate->case": (insp, sorted(set(case) & set(labelled)))}
    groups = sorted({items[i]["group"] for i in labelled})
    for k in range(GROUP_FOLDS):
        held = set(groups[k::GROUP_FOLDS])
        folds[f"groups{k}"] = ([i for i in idx if items[i]["group"] not in held],
                               [i for i in labelled if items[i]["group"] in held])
    return folds


def run(names: list[str], corpus_dir: Path, cache: Path | None = None) -> dict[str, dict[str, float]]:
    items = _train_items(corpus_dir)
    cached = json.loads(cache.read_text()) if cache and cache.is_file() else None
    if cached and cached[0] == [it["text"] for it in items]:  # same data: reuse the parse
        texts, feats = cached
    else:
        texts, feats = _parsed(items)
        if cache:
            cache.write_text(json.dumps([texts, feats]))
    out = {}
    for name in names:
        keys = [(t, tfs) for t in THRESHOLDS for tfs in TARGET_FROM_SUBJECT]
        per: dict[tuple, dict[str, dict[str, float]]] = {k: {} for k in keys}
        for fold, (tr, te) in _folds(items).items():
            for t, pred in _fit_predict(name, tr, te, texts, feats, items).items():
                sc = score_judgements([items[i] for i in te], pred)
                per[t][fold] = {m: sc[m][0] for m in METRICS if m in sc}
        for t in keys:
            row = {}
            for fold in ("case->inspectorate", "inspectorate->case"):
                for m, v in per[t][fold].items():
                    row[f"{fold} {m}"] = v
            for m in METRICS:
                vals = [per[t][f][m] for f in per[t] if f.startswith("groups") and m in per[t][f]]
                row[f"groups {m}"] = sum(vals) / len(vals)
            label = f"{name}@{t[0]}" + (f"+{t[1]}" if t[1] else "")
            out[label] = row
            print(label, json.dumps({k: round(v, 3) for k, v in row.items()}), flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--settings", nargs="*", default=list(SETTINGS))
    ap.add_argument("--cache", type=Path, default=None, help="keep the parse features in this JSON file")
    args = ap.parse_args(argv)
    run(args.settings, Path(app_settings.CORPUS_DIR), args.cache)


if __name__ == "__main__":
    main()
