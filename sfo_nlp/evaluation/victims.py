"""Evaluator "victims": precision and recall of the victims-and-families checks against the
corpus gold files (``corpus_samples/reviews/gold/sfo-NN.yaml``), on the chosen split
(test by default), each review read from its built PDF (else DOCX, else Markdown source).

- victims.jargon: terms reported as never explained (how == "none") against the gold
  ``unexplained_terms``;
- victims.shareable: personal-data hits against the gold ``personal_data``;
- victims.sensitivity: wording flags against the gold ``insensitive`` phrases.

Items are matched loosely, as an inspector would: case-insensitive, acronym plurals
and case variants folded (SPOs = SPO, RoSH = ROSH), and a reported item matches a gold
item when either contains the other at word edges ("PDU" matches "PDU quality lead"),
or, titles aside, the words of one are among the words of the other ("Mr Ellery" is a
later mention of "Mr Mark Ellery").

Counting is one-to-one, so precision and recall share their true positives: each review's
reported strings are taken once each (a name reported on every page is one item), every
reported string that matches a gold item joins that item, and precision is
matched gold items / (matched gold items + reported strings that match no gold item).
For personal data a gold item counts as found only when a reported string covers all of
it (a title aside): "Mr Harold" leaves "Finch" in a redacted copy, so it does not find
"Mr Harold Finch", though it is not a false alarm either.
Figures are micro-averaged over all reviews; a precision with no predictions, or a
recall with no gold items, is left out rather than reported as a number.
"""

from __future__ import annotations

import re

from sfo_nlp.evaluation import EvalContext, Metric, evaluator

DATASET = {"test": "corpus-test", "train": "corpus-train"}


def _norm(text: str) -> str:
    from sfo_nlp.checks.victims_abbrev import WORD, is_acronym, key

    words = []
    for w in str(text).split():
        m = WORD.fullmatch(w.strip(".,;:()"))
        words.append(key(m.group(1)) if m and is_acronym(m.group(1)) else w.strip(".,;:()").lower())
    return " ".join(words)


_TITLE = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr)\.?\s+")


def _contains(a: str, b: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(b)}(?!\w)", a) is not None


def _long_form(term: str) -> str | None:
    """The glossary's expansion of an acronym: UPW and "unpaid work" name the same term."""
    from sfo_nlp.checks.victims_abbrev import key
    from sfo_nlp.checks.victims_glossary import load

    entry = load().acronyms.get(key(term))
    return entry["long"] if entry else None


def matches(pred: str, gold: str) -> bool:
    p, g = _norm(pred), _norm(gold)
    if not (p and g):
        return False
    if p == g or _contains(g, p) or _contains(p, g):
        return True
    # Names: "Mr Ellery" is a later mention of "Mr Mark Ellery" (words, titles aside).
    pw, gw = set(_TITLE.sub("", p).split()), set(_TITLE.sub("", g).split())
    if pw and gw and (pw <= gw or gw <= pw):
        return True
    return any(lf and _norm(lf) == other for lf, other in ((_long_form(pred), g), (_long_form(gold), p)))


def covers(pred: str, gold: str) -> bool:
    """The reported string holds the whole gold string (a leading title aside)."""
    p, g = _norm(pred), _norm(gold)
    return bool(p and g) and any(_contains(p, x) for x in {g, _TITLE.sub("", g)} if x)


def score(pairs: list[tuple[list[str], list[str]]], strict: bool = False) -> dict[str, float | int | None]:
    """Micro precision/recall over (predicted, gold) lists of strings, one pair per review,
    counted one-to-one (see the module docstring). ``strict``: a gold item is found only
    when a prediction covers it."""
    tp = fp = n_gold = found = 0
    for pred, gold in pairs:
        distinct = list({_norm(p): p for p in pred if _norm(p)}.values())
        n_gold += len(gold)
        tp += sum(any(matches(p, g) for p in distinct) for g in gold)
        fp += sum(not any(matches(p, g) for g in gold) for p in distinct)
        found += sum(any((covers if strict else matches)(p, g) for p in distinct) for g in gold)
    n_pred = tp + fp
    return {
        "precision": round(tp / n_pred, 4) if n_pred else None,
        "recall": round(found / n_gold, 4) if n_gold else None,
        "n_pred": n_pred,
        "n_gold": n_gold,
    }


def predictions(doc) -> dict[str, list[str]]:
    from sfo_nlp.checks import run_checks

    res = run_checks(doc, ["victims.jargon", "victims.shareable", "victims.sensitivity"])
    return {
        "victims.jargon": [t["term"] for t in res["victims.jargon"].summary["terms"] if not t["explained"]],
        # a Word file's comments or tracked changes are a warning with no quote, not an item
        "victims.shareable": [f.quote for f in res["victims.shareable"].findings if f.start is not None],
        "victims.sensitivity": [f.quote for f in res["victims.sensitivity"].findings if f.start is not None],
    }


GOLD_KEYS = {
    "victims.jargon": ("unexplained_terms", "unexplained term"),
    "victims.shareable": ("personal_data", "personal data"),
    "victims.sensitivity": ("insensitive", "insensitive wording"),
}


def _gold_items(gold: dict, key: str) -> list[str]:
    items = gold.get(key) or []
    return [str(i["text"]) if isinstance(i, dict) else str(i) for i in items]


@evaluator("victims")
def evaluate(ctx: EvalContext) -> list[Metric]:
    from sfo_nlp.evaluation.prompts import gold_reviews
    from sfo_nlp.ingest import load

    reviews = gold_reviews(ctx.corpus_dir, ctx.split)
    dataset = DATASET.get(ctx.split, f"corpus-{ctx.split}")
    pairs: dict[str, list] = {k: [] for k in GOLD_KEYS}
    for rev in reviews:
        pred = predictions(load(rev.path))
        for area, (key, _) in GOLD_KEYS.items():
            pairs[area].append((pred[area], _gold_items(rev.gold, key)))
    out: list[Metric] = []
    for area, (_, what) in GOLD_KEYS.items():
        s = score(pairs[area], strict=area == "victims.shareable")
        note = f"{len(reviews)} reviews; {s['n_pred']} distinct items reported, {s['n_gold']} gold"
        if s["precision"] is not None:
            out.append(Metric(area, dataset, f"{what} precision", s["precision"], s["n_pred"], None, note))
        if s["recall"] is not None:
            out.append(Metric(area, dataset, f"{what} recall", s["recall"], s["n_gold"], None, note))
    return out
