"""The labelled data: corpus_samples/labelled/*.jsonl (train/test split), the gold files of
the fictional reviews (corpus_samples/reviews/gold/*.yaml) and shared/dev-real (validation
only: scored, never trained on).

Every loader returns plain dicts with the same keys, so training and scoring code does
not care where an item came from.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from sfo_nlp import settings
from sfo_nlp.errors import SfoError

JUDGEMENT_LABELS = ("is_judgement", "target", "polarity", "evidence", "why", "significance")
ACTION_LABELS = ("specific", "measurable", "owner", "time_bound", "level", "developmental", "strength")
SMART = ("specific", "measurable", "owner", "time_bound")


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SfoError(f"cannot read {path}: {exc.strerror}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SfoError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not str(row.get("text", "")).strip():
            raise SfoError(f"{path}:{n}: each line must be an object with a non-empty 'text'")
        rows.append(row)
    return rows


def labelled(kind: str, corpus_dir: Path | None = None) -> list[dict]:
    """corpus_samples/labelled/<kind>.jsonl (kind: judgements | actions)."""
    path = Path(corpus_dir or settings.CORPUS_DIR) / "labelled" / f"{kind}.jsonl"
    if not path.is_file():
        raise SfoError(f"no labelled data at {path}")
    return read_jsonl(path)


def gold_files(corpus_dir: Path | None = None, split: str | None = None) -> list[dict]:
    """The gold YAML of each fictional review, optionally only one split."""
    folder = Path(corpus_dir or settings.CORPUS_DIR) / "reviews" / "gold"
    out = []
    for p in sorted(folder.glob("*.yaml")):
        try:
            g = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue  # a gold file being written right now; scored on the next run
        if split is None or g.get("split") == split:
            g["_path"] = str(p)
            out.append(g)
    return out


def gold_judgements(golds: list[dict]) -> list[dict]:
    """Judgement and non-judgement sentences of gold reviews as labelled items."""
    items = []
    for g in golds:
        for j in g.get("judgements") or []:
            items.append({"text": j["text"], "is_judgement": True, "target": j.get("target"),
                          "polarity": j.get("polarity"), "evidence": j.get("evidence"),
                          "why": j.get("why"), "review": g.get("id")})
        for s in g.get("non_judgements") or []:
            items.append({"text": s, "is_judgement": False, "target": None, "polarity": None,
                          "review": g.get("id")})
    return items


def gold_actions(golds: list[dict]) -> list[dict]:
    items = []
    for g in golds:
        for a in g.get("actions") or []:
            items.append({**a, "review": g.get("id")})
    return items


def dev_real(kind: str, dev_dir: Path | None = None) -> list[dict]:
    """shared/dev-real/<kind>.dev.jsonl, or [] when the folder is not on this machine."""
    path = Path(dev_dir or Path(settings.SHARED_DIR) / "dev-real") / f"{kind}.dev.jsonl"
    return read_jsonl(path) if path.is_file() else []
