"""Evaluation: every part of the tool that can be scored registers an evaluator here.

An evaluator is a function ``(ctx: EvalContext) -> list[Metric]`` registered with
``@evaluator("name")`` in a module of this package; ``sfo-nlp evaluate`` runs them all
and prints one table. Evaluators score on the corpus test split (gold files) and on the
real sentences of ``shared/dev-real`` (validation only: never used to train or tune).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from sfo_nlp import settings


@dataclass
class Metric:
    area: str  # e.g. "judgements", "victims.jargon", "prompts"
    dataset: str  # e.g. "corpus-test", "dev-real"
    name: str  # e.g. "judgement F1", "target macro-F1"
    value: float
    n: int  # items the figure is computed over
    target: float | None = None  # the target, when it has one
    note: str = ""

    @property
    def meets_target(self) -> bool | None:
        return None if self.target is None else self.value >= self.target

    def to_dict(self) -> dict:
        d = asdict(self)
        d["meets_target"] = self.meets_target
        return d


@dataclass
class EvalContext:
    corpus_dir: Path = field(default_factory=lambda: Path(settings.CORPUS_DIR))
    dev_real_dir: Path = field(default_factory=lambda: Path(settings.SHARED_DIR) / "dev-real")
    split: str = "test"
    options: dict = field(default_factory=dict)


Evaluator = Callable[[EvalContext], list[Metric]]
_EVALUATORS: dict[str, Evaluator] = {}


def evaluator(name: str) -> Callable[[Evaluator], Evaluator]:
    def deco(fn: Evaluator) -> Evaluator:
        _EVALUATORS[name] = fn
        return fn

    return deco


def all_evaluators() -> dict[str, Evaluator]:
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    return dict(sorted(_EVALUATORS.items()))
