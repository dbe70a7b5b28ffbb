"""The check registry, after proselint: each check is a function registered under a
dotted id, declaring the spaCy components it needs and the checks it reads.

A check has the signature ``check(doc: ReviewDocument, ctx: CheckContext) -> CheckResult``.
``run_checks`` orders checks so that each runs after the ones it ``reads``, declares the
union of their spaCy needs before the single parse, and hands each the results so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from sfo_nlp import nlp
from sfo_nlp.errors import SfoError
from sfo_nlp.results import CheckResult
from sfo_nlp.settings import Settings

if TYPE_CHECKING:
    from sfo_nlp.document import ReviewDocument

CheckFn = Callable[["ReviewDocument", "CheckContext"], CheckResult]


@dataclass
class CheckSpec:
    id: str
    fn: CheckFn
    description: str
    needs: frozenset[str] = frozenset()  # spaCy components
    reads: tuple[str, ...] = ()  # ids of checks whose results this one uses


@dataclass
class CheckContext:
    settings: Settings = field(default_factory=Settings.from_env)
    results: dict[str, CheckResult] = field(default_factory=dict)
    options: dict = field(default_factory=dict)  # per-run options, e.g. {"standards": "2023"}


_REGISTRY: dict[str, CheckSpec] = {}


def register(id: str, description: str, needs: Iterable[str] = (), reads: Iterable[str] = ()):
    """Decorator registering a check function under ``id``."""

    def deco(fn: CheckFn) -> CheckFn:
        if id in _REGISTRY and _REGISTRY[id].fn is not fn:
            raise ValueError(f"check id registered twice: {id}")
        _REGISTRY[id] = CheckSpec(id, fn, description, frozenset(needs), tuple(reads))
        return fn

    return deco


def get(id: str) -> CheckSpec:
    try:
        return _REGISTRY[id]
    except KeyError:
        raise SfoError(f"unknown check: {id} (known: {', '.join(sorted(_REGISTRY))})") from None


def all_checks() -> list[CheckSpec]:
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def _ordered(ids: Iterable[str]) -> list[CheckSpec]:
    """The asked checks plus what they read, each after its dependencies."""
    out: list[CheckSpec] = []
    seen: set[str] = set()

    def visit(cid: str, stack: tuple[str, ...]) -> None:
        if cid in seen:
            return
        if cid in stack:
            raise ValueError(f"checks read each other in a cycle: {' -> '.join(stack + (cid,))}")
        spec = get(cid)
        for dep in spec.reads:
            visit(dep, stack + (cid,))
        seen.add(cid)
        out.append(spec)

    for cid in ids:
        visit(cid, ())
    return out


def needs_of(ids: Iterable[str] | None = None) -> frozenset[str]:
    specs = _ordered(ids if ids is not None else sorted(_REGISTRY))
    return frozenset().union(*(s.needs for s in specs)) if specs else frozenset()


def run_checks(
    doc: "ReviewDocument", ids: Iterable[str] | None = None, ctx: CheckContext | None = None
) -> dict[str, CheckResult]:
    ctx = ctx or CheckContext()
    specs = _ordered(list(ids) if ids is not None else sorted(_REGISTRY))
    nlp.require(frozenset().union(*(s.needs for s in specs)) if specs else ())
    for spec in specs:
        if spec.id not in ctx.results:
            ctx.results[spec.id] = spec.fn(doc, ctx)
    return ctx.results
