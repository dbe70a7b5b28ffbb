"""Choose how the action model and the rules share the level and measurable answers
(``combine`` in rules/smart.yaml), on held-out labelled data, never on dev-real.

Grouped cross-validation over the TRAIN side only (labelled train split plus the gold
actions of train-split reviews): each fold trains the combined model on the other groups
and every combination answers the held-out groups. Scores are reported for the held-out
recommendations in the inspectorate's register (the register real recommendations are
written in) and for all held-out actions. The test split and dev-real are not read.

    python -m sfo_nlp.learn.action_selection            # table of combinations
    python -m sfo_nlp.learn.action_selection --folds 5
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sfo_nlp import settings
from sfo_nlp.learn import train
from sfo_nlp.learn.infer import classify_actions, combination
from sfo_nlp.learn.scoring import score_actions

METRICS = ("SMART mean accuracy", "measurable accuracy", "level accuracy")


def _group(item: dict) -> str:
    return str(item.get("group") or f"review:{item.get('review')}")


def select(corpus_dir: Path, folds: int = 5) -> dict[str, dict[str, dict[str, float]]]:
    """combination name -> subset ("recommendations" | "all") -> metric -> held-out score."""
    from sklearn.model_selection import GroupKFold

    from sfo_nlp import rules

    items = train._items("actions", corpus_dir, None, None)["train"]
    spans = train._spans([it["text"] for it in items])
    groups = [_group(it) for it in items]
    names = list((rules.load("smart").get("combine") or {}).get("choices") or {})
    preds: dict[str, list[dict | None]] = {n: [None] * len(items) for n in names}
    for fit_idx, held_idx in GroupKFold(n_splits=folds).split(items, groups=groups):
        model = train._fit("actions", "combined", [spans[i] for i in fit_idx], [items[i] for i in fit_idx])
        held_spans = [spans[i] for i in held_idx]
        fields = [train.row_fields(items[i]) for i in held_idx]
        for name in names:
            for i, p in zip(held_idx, classify_actions(held_spans, fields, model=model, combine=combination(name))):
                preds[name][i] = p
    subsets = {"recommendations": [i for i, it in enumerate(items) if it.get("register") == "inspectorate"],
               "all": list(range(len(items)))}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name in names:
        out[name] = {}
        for sub, idx in subsets.items():
            sc = score_actions([items[i] for i in idx], [preds[name][i] for i in idx])
            out[name][sub] = {m: sc[m][0] for m in METRICS}
    out["_n"] = {sub: {"n": float(len(idx))} for sub, idx in subsets.items()}
    # level confusion of the shipped combination on held-out recommendations: which
    # conventions the rules and the model still read differently from the labels
    default = (rules.load("smart").get("combine") or {}).get("default", "")
    confusion: dict[str, float] = {}
    for i in subsets["recommendations"]:
        p = preds.get(default, [None] * len(items))[i]
        if p is not None and p["level"] != items[i]["level"]:
            key = f"{items[i]['level']} -> {p['level']}"
            confusion[key] = confusion.get(key, 0.0) + 1
    out["_confusion"] = confusion
    return out


def table(scores: dict) -> str:
    n = scores["_n"]
    head = ["combination"] + [f"{m} ({sub}, n={int(n[sub]['n'])})" for sub in ("recommendations", "all") for m in METRICS]
    rows = [[name] + [f"{scores[name][sub][m]:.3f}" for sub in ("recommendations", "all") for m in METRICS]
            for name in scores if not name.startswith("_")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    conf = scores.get("_confusion") or {}
    if conf:
        lines += ["", "Level errors of the default combination on held-out recommendations (gold -> answer): "
                  + ", ".join(f"{k} {int(v)}" for k, v in sorted(conf.items(), key=lambda kv: (-kv[1], kv[0])))]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)
    print(table(select(Path(settings.CORPUS_DIR), args.folds)))


if __name__ == "__main__":
    main()
