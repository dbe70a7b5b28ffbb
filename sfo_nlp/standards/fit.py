"""Refit the prompt thresholds on the corpus TRAIN split, reproducibly.

The prompts read figures from other checks (e.g. the share of judgements on systemic
factors from the judgements model); when a model is retrained those figures shift and
hand-set thresholds drift. This tool re-chooses each signal's ``yes``/``partly``
thresholds to agree best with the gold answers of the train split, by coordinate
descent over the values actually observed, and writes them to
``rules/standards/<version>.fitted.yaml``, which ``load_standards`` applies over the
hand-written rules. A threshold moves only when that gains at least ``min_gain``
reviews on its prompt (a guard against chasing single reviews); the test split is
never read.

    python -m sfo_nlp.standards.fit --cv        # leave-one-review-out agreement per prompt
    python -m sfo_nlp.standards.fit [--version 2023] [--min-gain 2] [--prompts 1g,2f] [--dry-run]
    python -m sfo_nlp.standards.fit --exclude sfo-31,sfo-32 ...  # fit without some reviews

To check a fit on reviews it never saw, fit into a copy of the rules with those reviews
excluded, then score them (``scripts/prompt_agreement.py``):

    cp -r rules /tmp/rules-held && SFO_NLP_RULES_DIR=/tmp/rules-held python -m sfo_nlp.standards.fit \\
        --exclude sfo-31,sfo-32 --prompts ...
    SFO_NLP_RULES_DIR=/tmp/rules-held python scripts/prompt_agreement.py --split train --reviews sfo-31,sfo-32

Refit only the prompts whose leave-one-out agreement with refitting beats the hand-set
rules by two reviews or more: elsewhere a refit chases single reviews. ``--select`` does
both steps (``--cv``, then the fit of the chosen prompts) in one command. Rerun after a
model retrain or a change to the hand-written rules.

    python -m sfo_nlp.standards.fit --select [--margin 2] [--exclude ...]
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import yaml

from sfo_nlp import settings
from sfo_nlp.results import CheckResult
from sfo_nlp.standards.engine import NEVER_THRESHOLD as NEVER  # a grade the signal must never decide
from sfo_nlp.standards.engine import _Missing, draft_answer, read_signal


def fitted_path(version: str) -> Path:
    return Path(settings.RULES_DIR) / "standards" / f"{version}.fitted.yaml"


def _agreement(standard: str, prompt: dict, cases: list[tuple[dict[str, CheckResult], str]]) -> int:
    return sum(draft_answer(prompt, results) == gold for results, gold in cases)


def _candidates(signal: dict, cases) -> list[float]:
    values = set(_observed(signal, cases))
    th = signal.get("at_least") or signal.get("at_most")
    values.update(float(v) for v in th.values())
    return sorted(values)


def _observed(signal: dict, cases) -> list[float]:
    values = set()
    for results, _ in cases:
        try:
            values.add(round(read_signal(signal, results).value, 4))
        except _Missing:
            pass
    return sorted(values)


def _centred(th: dict, direction: str, observed: list[float]) -> dict:
    """Move each chosen threshold (an observed value) half-way to the neighbouring observed
    value on the failing side: the train answers stay the same, but a new review whose
    share falls between the two is no longer decided by which edge the search happened to
    pick. Counts stay whole numbers (a count between 6 and 7 cannot occur)."""
    if all(float(v).is_integer() for v in observed):
        return th
    out = {}
    for grade, v in th.items():
        if direction == "at_least":
            below = [o for o in observed if o < v]
            out[grade] = round((below[-1] + v) / 2, 4) if below else v
        else:
            above = [o for o in observed if o > v]
            out[grade] = round((above[0] + v) / 2, 4) if above else v
    return out


def _allowed(cands: list[float], direction: str, written: float) -> list[float]:
    """Thresholds the fit may choose for one grade. An ``at_least`` threshold the rule wrote
    above 0 is never fitted down to 0 or below: the grade would then be given for nothing
    found, a draft that reads "partly" with no evidence (1h in the seventh session, 1g and 2d
    in the sixth)."""
    if direction == "at_least" and written > 0:
        return [c for c in cands if c > 0]
    return cands


def fit_prompt(standard: str, prompt: dict, cases, min_gain: int = 2) -> tuple[dict, int, int]:
    """(thresholds by signal name, agreement before, after) for one prompt."""
    prompt = copy.deepcopy(prompt)
    before = best = _agreement(standard, prompt, cases)
    changed: dict[str, dict] = {}
    for _ in range(2):  # two sweeps of coordinate descent are enough for 1-3 signals
        for sig in prompt["rule"]["signals"]:
            direction = "at_least" if "at_least" in sig else "at_most"
            current = dict(sig[direction])
            cands = _candidates(sig, cases)
            top, top_th = best, current
            # a threshold of NEVER or more says this signal may never decide that grade
            # (e.g. a count of good judgements can make 1g partly, never yes): kept as written
            yes_cands = [current["yes"]] if abs(current["yes"]) >= NEVER else _allowed(cands, direction, current["yes"])
            partly_cands = ([current["partly"]] if abs(current.get("partly", 0)) >= NEVER
                            else _allowed(cands, direction, current.get("partly", current["yes"])))
            for yes in yes_cands:
                for partly in partly_cands:
                    if (direction == "at_least" and partly > yes) or (direction == "at_most" and partly < yes):
                        continue
                    sig[direction] = {"yes": yes, "partly": partly}
                    score = _agreement(standard, prompt, cases)
                    if score >= top + min_gain or (score > top and top > best):
                        top, top_th = score, dict(sig[direction])
            if top_th != current:
                top_th = _centred(top_th, direction, _observed(sig, cases))
            sig[direction] = top_th
            if top_th != current:
                best = top
                changed[sig.get("name", sig.get("key", sig["check"]))] = {direction: top_th}
    return changed, before, best


def training_cases(version: str, split: str = "train", exclude: frozenset[str] = frozenset()):
    """(check results, gold answers) for every review of the split, analysed once;
    ``exclude`` holds reviews back (to check a fit on reviews it never saw)."""
    from sfo_nlp.analyse import analyse_path
    from sfo_nlp.evaluation.prompts import answers_of, gold_reviews

    out = []
    for rev in gold_reviews(settings.CORPUS_DIR, split):
        if rev.path.stem in exclude:
            continue
        _, analysis = analyse_path(rev.path, standards=version)
        gold = answers_of(rev.gold.get("prompts"))
        out.append((analysis.checks, gold))
    return out


def fit(version: str = "2023", min_gain: int = 2, split: str = "train", only: list[str] | None = None,
        exclude: frozenset[str] = frozenset()) -> dict:
    """Refitted thresholds for every prompt (or only the prompt ids in ``only``: those whose
    leave-one-out agreement with refitting beats the hand-set rules, ``--cv``)."""
    from sfo_nlp.standards import load_standards

    if split == "test":
        raise SystemExit("refusing to fit on the test split")
    spec = load_standards(version, fitted=False)
    reviews = training_cases(version, split, exclude)
    report: dict = {"version": version, "split": split, "reviews": len(reviews), "min_gain": min_gain, "prompts": {}}
    if only:
        report["only"] = list(only)
    if exclude:
        report["excluded"] = sorted(exclude)
    for std, prompt in spec.prompts():
        if only and prompt["id"] not in only:
            continue
        cases = [(results, gold[prompt["id"]]) for results, gold in reviews if prompt["id"] in gold]
        if not cases:
            continue
        changed, before, after = fit_prompt(str(std["number"]), prompt, cases, min_gain)
        if changed:
            report["prompts"][prompt["id"]] = {"signals": changed, "agreement_before": before, "agreement_after": after,
                                               "cases": len(cases)}
    return report


def cross_validate(version: str, reviews, min_gains=(None, 1, 2, 3), per_prompt: bool = False) -> dict:
    """Leave-one-review-out agreement on the train split: for each review, thresholds
    fitted on the others answer it. ``None`` is the hand-set rules without refitting.
    This is how the choice to refit (and ``min_gain``) is made without the test split.
    With ``per_prompt``, each variant maps to {"all": share, "<prompt id>": share}."""
    from sfo_nlp.standards import load_standards

    spec = load_standards(version, fitted=False)
    scores: dict = {}
    for mg in min_gains:
        agree = total = 0
        by_prompt: dict[str, float] = {}
        for std, prompt in spec.prompts():
            cases = [(results, gold[prompt["id"]]) for results, gold in reviews if prompt["id"] in gold]
            ok = 0
            for i, (results, gold) in enumerate(cases):
                p = prompt
                if mg is not None:
                    changed, _, _ = fit_prompt(str(std["number"]), prompt, cases[:i] + cases[i + 1 :], mg)
                    p = copy.deepcopy(prompt)
                    for sig in p["rule"]["signals"]:
                        sig.update(changed.get(sig.get("name", sig.get("key", sig["check"])), {}))
                ok += draft_answer(p, results) == gold
            agree += ok
            total += len(cases)
            if cases:
                by_prompt[prompt["id"]] = round(ok / len(cases), 4)
        name = "hand-set" if mg is None else f"refit min_gain={mg}"
        overall = round(agree / total, 4) if total else 0.0
        scores[name] = {"all": overall, **by_prompt} if per_prompt else overall
    return scores


def select_prompts(scores: dict, min_gain: int, cases: int, margin: int = 2) -> list[str]:
    """The prompts worth refitting, from ``cross_validate(..., per_prompt=True)``: those whose
    leave-one-out agreement refitted at ``min_gain`` beats the hand-set rules by at least
    ``margin`` reviews of ``cases``. A gain of one review is within what a different
    train split would move, and refitting on it chased single reviews before (sixth session)."""
    hand, refit = scores["hand-set"], scores[f"refit min_gain={min_gain}"]
    return [pid for pid in hand if pid != "all" and round((refit[pid] - hand[pid]) * cases) >= margin]


def fit_rating_bands(version: str = "2023", split: str = "train") -> tuple[dict, float, float]:
    """The rating thresholds that best turn the GOLD prompt answers of the train split into
    the gold ratings (the readers' own convention, independent of any draft): every triple
    of observed shares, first best, then centred as the prompt refit centres its thresholds.
    Returns (bands, agreement before, after)."""
    from types import SimpleNamespace

    from sfo_nlp.evaluation.prompts import STANDARD_NUMBERS, answers_of, gold_reviews
    from sfo_nlp.standards import load_standards
    from sfo_nlp.standards.ratings import POINTS, rate

    if split == "test":
        raise SystemExit("refusing to fit on the test split")
    spec = load_standards(version, fitted=False)
    by_number = {str(s["number"]): s for s in spec.standards}
    cases = []
    for rev in gold_reviews(settings.CORPUS_DIR, split):
        answers = answers_of(rev.gold["prompts"])
        for key, gold_score in (rev.gold.get("ratings") or {}).items():
            std = by_number.get(STANDARD_NUMBERS.get(key, ""))
            if std:
                cases.append((std, [SimpleNamespace(prompt_id=str(p["id"]), answer=answers[str(p["id"])])
                                    for p in std["prompts"]], int(gold_score)))
    if not cases:
        raise SystemExit(f"no gold ratings in the {split} split")

    def agreement(bands: dict) -> float:
        return sum(rate(std, answers, bands).score == gold for std, answers, gold in cases) / len(cases)

    before = agreement(spec.bands)
    # a cut-off changes a rating only at an observed share: try those
    observed = sorted({sum(POINTS[a.answer] for a in answers) / len(answers) for _, answers, _ in cases})
    best, best_bands = -1.0, dict(spec.bands)
    for t3 in observed:
        for t2 in (v for v in observed if v < t3):
            for t1 in (v for v in observed if 0 < v < t2):
                bands = {**spec.bands, 3: t3, 2: t2, 1: t1}
                score = agreement(bands)
                if score > best:
                    best, best_bands = score, bands
    best_bands.update(_centred({k: best_bands[k] for k in (3, 2, 1)}, "at_least", observed))
    return best_bands, round(before, 4), round(agreement(best_bands), 4)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", default="2023")
    ap.add_argument("--min-gain", type=int, default=2)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--cv", action="store_true", help="only report leave-one-review-out agreement on the train split")
    ap.add_argument("--prompts", default="", help="comma-separated prompt ids to refit (default: all)")
    ap.add_argument("--exclude", default="", help="comma-separated review ids held out of the fit and of --cv")
    ap.add_argument("--select", action="store_true",
                    help="cross-validate, then refit only the prompts whose leave-one-out agreement gains at least "
                         "--margin reviews (the documented procedure, in one command)")
    ap.add_argument("--margin", type=int, default=2)
    ap.add_argument("--ratings", action="store_true",
                    help="only print the rating thresholds that best turn the train split's gold answers into its gold ratings")
    args = ap.parse_args(argv)
    exclude = frozenset(r for r in args.exclude.split(",") if r)
    if exclude:
        from sfo_nlp.evaluation.prompts import gold_reviews

        unknown = exclude - {r.path.stem for r in gold_reviews(settings.CORPUS_DIR, "train")}
        if unknown:  # a typo would otherwise fit on every review without a word
            raise SystemExit(f"error: --exclude names reviews that are not in the train split: {', '.join(sorted(unknown))}")
    if args.ratings:
        bands, before, after = fit_rating_bands(args.version)
        print(f"rating thresholds {({k: bands[k] for k in (3, 2, 1)})}: gold ratings reproduced {after:.3f} "
              f"(current thresholds {before:.3f})")
        return
    if args.cv:
        scores = cross_validate(args.version, training_cases(args.version, exclude=exclude), per_prompt=True)
        names = list(scores)
        print("prompt  " + "  ".join(f"{n:>18}" for n in names))
        for pid in scores[names[0]]:
            print(f"{pid:6}  " + "  ".join(f"{scores[n][pid]:>18.3f}" for n in names))
        return
    only = [p for p in args.prompts.split(",") if p] or None
    if args.select:
        reviews = training_cases(args.version, exclude=exclude)
        scores = cross_validate(args.version, reviews, min_gains=(None, args.min_gain), per_prompt=True)
        only = select_prompts(scores, args.min_gain, len(reviews), args.margin)
        print(f"leave-one-out on {len(reviews)} reviews: hand-set {scores['hand-set']['all']:.3f}, "
              f"refit {scores[f'refit min_gain={args.min_gain}']['all']:.3f}; refitting {', '.join(only) or 'none'}")
        if not only:
            return
    report = fit(args.version, args.min_gain, only=only, exclude=exclude)
    text = ("# Generated by `python -m sfo_nlp.standards.fit`: thresholds refitted on the corpus train split.\n"
            "# Do not edit by hand; edit rules/standards/<version>.yaml and rerun.\n"
            + yaml.safe_dump(report, sort_keys=False))
    if args.dry_run:
        print(text)
        return
    fitted_path(args.version).write_text(text, encoding="utf-8")
    print(f"wrote {fitted_path(args.version)}: {len(report['prompts'])} prompt(s) refitted on {report['reviews']} reviews")


if __name__ == "__main__":
    main()
