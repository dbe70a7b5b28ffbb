"""Evaluators "judgements" and "actions": the installed models scored on the labelled test
split, on the gold sentences/action rows of test-split reviews, and on dev-real (real HMIP
text, validation only), with the targets of issues 5 and 6."""

from __future__ import annotations

from sfo_nlp.evaluation import EvalContext, Metric, evaluator
from sfo_nlp.learn.scoring import TARGETS

DATASET_NAMES = {"test": "labelled-{split}", "corpus-gold": "corpus-{split}",
                 "corpus-reviews": "corpus-{split}-whole-reviews", "dev-real": "dev-real"}


def _metrics(area: str, ctx: EvalContext) -> list[Metric]:
    from sfo_nlp.learn.infer import load_model
    from sfo_nlp.learn.train import score_installed

    scores = score_installed(area, ctx.corpus_dir, ctx.dev_real_dir, split=ctx.split)
    note = "" if load_model(area) is not None else "no trained model installed: rules only"
    out = []
    for dataset, sc in scores.items():
        for name, (value, n) in sc.items():
            # the issues set their targets on dev-real; corpus gold should do "the same or better"
            scored = dataset == "dev-real" or (dataset in ("corpus-gold", "corpus-reviews") and ctx.split == "test")
            target = TARGETS.get(name) if scored else None
            out.append(Metric(area, DATASET_NAMES[dataset].format(split=ctx.split), name, round(float(value), 4), n, target, note))
    return out


@evaluator("judgements")
def evaluate_judgements(ctx: EvalContext) -> list[Metric]:
    return _metrics("judgements", ctx)


@evaluator("actions")
def evaluate_actions(ctx: EvalContext) -> list[Metric]:
    return _metrics("actions", ctx)
