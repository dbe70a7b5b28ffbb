"""sfo-nlp train: fit the judgement and action models and update their model cards."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from sfo_nlp.cli.app import app
from sfo_nlp.errors import UsageError


def _check_models_folder(folder: Path) -> None:
    """Refuse a --models path that cannot become a folder before minutes of training,
    not at the save step after it."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--models {folder} is a file, not a folder")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"--models {folder}: {parent} is a file, not a folder")
            break


@app.command()
def train(
    kind: Optional[List[str]] = typer.Option(None, "--kind", "-k", help="judgements and/or actions (default: both)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder holding labelled/ (default: corpus_samples)."),
    models: Optional[Path] = typer.Option(None, "--models", help="Folder to write the models and cards to (default: models)."),
    sample: Optional[int] = typer.Option(None, "--sample", min=10, help="Train on the first N items only (quick check)."),
    no_card: bool = typer.Option(False, "--no-card", help="Do not update the model cards."),
    without_review_prose: bool = typer.Option(
        False, "--without-review-prose",
        help="Leave out the narrative sentences of whole train-split reviews (to compare; use with --models)."),
) -> None:
    """Train the judgement and action models (fixed seeds: same data, same model) and
    write their scores into models/judgements.md and models/actions.md."""
    from sfo_nlp.learn.train import KINDS
    from sfo_nlp.learn.train import train as run

    kinds = tuple(kind or KINDS)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise UsageError(f"unknown --kind {bad[0]}; choose from: {', '.join(KINDS)}")
    if models is not None:
        _check_models_folder(models)
    for rep in run(kinds, corpus, models, sample=sample, write_card=not no_card, log=typer.echo,
                   review_prose=not without_review_prose):
        best = rep.scores.get("combined", {})
        line = "; ".join(f"{d}: " + ", ".join(f"{m} {v:.3f}" for m, (v, _) in list(sc.items())[:3]) for d, sc in best.items())
        typer.echo(f"{rep.kind}: saved {rep.model_path} ({rep.seconds:.1f} s). {line}")
