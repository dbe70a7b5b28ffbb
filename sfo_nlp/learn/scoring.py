"""Scores of predictions against labels, the same for training, the card and evaluate."""

from __future__ import annotations

from typing import Any

from sklearn.metrics import accuracy_score, f1_score

from sfo_nlp.learn.data import SMART

# The issues' targets (issue 5: judgements on dev-real; issue 6: actions).
TARGETS = {
    "judgement F1": 0.90,
    "non-judgements recognised": 0.70,
    "target macro-F1": 0.80,
    "SMART mean accuracy": 0.90,
    "level accuracy": 0.85,
}


def _s(v: Any) -> str:
    return str(v)


def score_judgements(gold: list[dict], pred: list[dict]) -> dict[str, tuple[float, int]]:
    """name -> (value, n). Target and polarity are scored on the gold judgements, from the
    model's target/polarity answer for them (so detection errors are not counted twice)."""
    out: dict[str, tuple[float, int]] = {}
    y = [bool(g["is_judgement"]) for g in gold]
    p = [bool(x["is_judgement"]) for x in pred]
    if gold:
        out["judgement F1"] = (f1_score(y, p, zero_division=0), len(y))
        neg = [i for i, v in enumerate(y) if not v]
        if neg:
            out["non-judgements recognised"] = (sum(not p[i] for i in neg) / len(neg), len(neg))
    for label, name in (("target", "target macro-F1"), ("polarity", "polarity macro-F1")):
        idx = [i for i, g in enumerate(gold) if g["is_judgement"] and g.get(label)]
        if idx:
            yt = [_s(gold[i][label]) for i in idx]
            pt = [_s(pred[i][label]) for i in idx]
            out[name] = (f1_score(yt, pt, average="macro", labels=sorted(set(yt)), zero_division=0), len(idx))
    for label in ("evidence", "why", "significance"):
        idx = [i for i, g in enumerate(gold) if g.get(label) is not None and g["is_judgement"]]
        if idx:
            out[f"{label} accuracy"] = (accuracy_score([bool(gold[i][label]) for i in idx],
                                                       [bool(pred[i][label]) for i in idx]), len(idx))
    return out


def score_actions(gold: list[dict], pred: list[dict]) -> dict[str, tuple[float, int]]:
    out: dict[str, tuple[float, int]] = {}
    accs = []
    for label in SMART + ("developmental",):
        idx = [i for i, g in enumerate(gold) if g.get(label) is not None]
        if idx:
            a = accuracy_score([bool(gold[i][label]) for i in idx], [bool(pred[i][label]) for i in idx])
            out[f"{label} accuracy"] = (a, len(idx))
            if label in SMART:
                accs.append(a)
    if accs:
        out["SMART mean accuracy"] = (sum(accs) / len(accs), len(gold))
    for label in ("level", "strength"):
        idx = [i for i, g in enumerate(gold) if g.get(label)]
        if idx:
            out[f"{label} accuracy"] = (accuracy_score([gold[i][label] for i in idx], [pred[i][label] for i in idx]), len(idx))
    return out
