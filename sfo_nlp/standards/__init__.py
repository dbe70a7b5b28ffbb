"""HMIP's standards as data (``rules/standards/<version>.yaml``) and the DRAFT answers
and ratings drawn from check results. The inspector's answers are the official ones."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.errors import SfoError
from sfo_nlp.results import CheckResult, PromptAnswer, StandardRating
from sfo_nlp.standards.engine import answer_prompt, template_fields
from sfo_nlp.standards.ratings import rate

STANDARDS_VERSIONS = ("2023", "2021")
STANDARD_KEYS = ("analysis", "judgements", "learning", "victims")


@dataclass(frozen=True)
class StandardsSpec:
    version: str
    title: str
    standards: tuple[dict, ...]
    bands: dict

    def prompts(self) -> list[tuple[dict, dict]]:
        """(standard, prompt) pairs in the order of the standards."""
        return [(s, p) for s in self.standards for p in s["prompts"]]

    def prompt_ids(self) -> list[str]:
        return [str(p["id"]) for _, p in self.prompts()]

    def standard(self, key: str) -> dict:
        for s in self.standards:
            if s["key"] == key or str(s["number"]) == key:
                return s
        raise SfoError(f"no standard {key!r} in the {self.version} standards")


@lru_cache(maxsize=None)
def load_standards(version: str = "2023", fitted: bool = True) -> StandardsSpec:
    """The standards as data; with ``fitted``, thresholds refitted on the train split
    (``rules/standards/<version>.fitted.yaml``, written by ``python -m sfo_nlp.standards.fit``)
    replace the hand-set ones they name."""
    version = str(version)
    if version not in STANDARDS_VERSIONS:
        raise SfoError(f"unknown standards version {version!r}; choose one of: {', '.join(STANDARDS_VERSIONS)}")
    data = copy.deepcopy(_answer_keys(rules.load(f"standards/{version}")))
    if fitted:
        _apply_fitted(data, version)
    try:
        bands = {int(k) if str(k).isdigit() else k: v for k, v in data["rating"].items()}
        stds = tuple(data["standards"])
        if data.get("inherit"):  # e.g. 2021 reuses the 2023 judgements, learning and victims standards
            base = load_standards(str(data["inherit"]["from"]), fitted)
            wanted = data["inherit"]["standards"]
            stds = stds + tuple(s for s in base.standards if s["key"] in wanted)
            stds = tuple(sorted(stds, key=lambda s: int(s["number"])))
        for s in stds:
            for p in s["prompts"]:
                p["id"] = str(p["id"])
                _check_templates(version, p)
        return StandardsSpec(str(data["version"]), data["title"], stds, bands)
    except (KeyError, TypeError) as exc:
        raise SfoError(f"rules/standards/{version}.yaml is malformed: missing {exc}") from exc


def _check_templates(version: str, prompt: dict) -> None:
    """A reason may only name values the prompt computes: refuse the rules otherwise, so
    no report can ever show an unfilled placeholder."""
    import string

    rule = prompt.get("rule") or {}
    known = template_fields(rule)
    templates = list((rule.get("reason") or {}).values())
    templates += [t for s in rule.get("signals", []) for t in (s.get("say") or {}).values()]
    for template in templates:
        for _, field, _, _ in string.Formatter().parse(str(template)):
            if field is not None and field.split(".")[0].split("[")[0] not in known:
                raise SfoError(
                    f"rules/standards/{version}.yaml: prompt {prompt['id']} reason names {{{field}}}, "
                    f"which is not one of its values ({', '.join(sorted(known))})"
                )


def _apply_fitted(data: dict, version: str) -> None:
    from pathlib import Path

    from sfo_nlp import settings

    path = Path(settings.RULES_DIR) / "standards" / f"{version}.fitted.yaml"
    if not path.is_file():
        return
    fitted = (_answer_keys(rules.load(f"standards/{version}.fitted")) or {}).get("prompts") or {}
    for std in data["standards"]:
        for p in std["prompts"]:
            for sig in (p.get("rule") or {}).get("signals", []):
                name = sig.get("name", sig.get("key", sig["check"]))
                new = (fitted.get(str(p["id"])) or {}).get("signals", {}).get(name)
                if new:
                    sig.update(new)


def _answer_keys(node):
    """YAML 1.1 reads the keys ``yes:`` and ``no:`` as booleans; the rules mean the answers."""
    if isinstance(node, dict):
        return {({True: "yes", False: "no"}[k] if isinstance(k, bool) else k): _answer_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_answer_keys(v) for v in node]
    return node


def answer_standards(
    spec: StandardsSpec, doc, results: dict[str, CheckResult]
) -> tuple[list[PromptAnswer], list[StandardRating]]:
    answers: list[PromptAnswer] = []
    ratings: list[StandardRating] = []
    for std in spec.standards:
        mine = [answer_prompt(str(std["number"]), p, results, doc) for p in std["prompts"]]
        answers.extend(mine)
        ratings.append(rate(std, mine, spec.bands))
    return answers, ratings


def standard_key(spec: StandardsSpec, number: str) -> str:
    return next((s["key"] for s in spec.standards if str(s["number"]) == str(number)), str(number))


__all__ = ["STANDARDS_VERSIONS", "STANDARD_KEYS", "StandardsSpec", "answer_standards", "load_standards", "standard_key"]
