"""Limits, thresholds and paths in one place.

Each value can be overridden by an environment variable ``SFO_NLP_<NAME>`` so that a
team can change a limit without editing code; CLI options override both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _dir(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value) if value else default


RULES_DIR = _dir("SFO_NLP_RULES_DIR", PROJECT_DIR / "rules")
MODELS_DIR = _dir("SFO_NLP_MODELS_DIR", PROJECT_DIR / "models")
CORPUS_DIR = _dir("SFO_NLP_CORPUS_DIR", PROJECT_DIR / "corpus_samples")
SHARED_DIR = _dir("SFO_NLP_SHARED_DIR", PROJECT_DIR.parent / "shared")


@dataclass(frozen=True)
class Settings:
    # Input guards: a real review is 8-40 pages and a few MB; these leave ample room
    # while refusing files that would hang or exhaust a laptop.
    max_file_mb: float = 100.0
    max_pages: int = 400
    # Plain text has no page limit to stop it: a 40-page review is about 150 kB of text.
    max_text_mb: float = 2.0
    # A DOCX is a zip: refuse before inflating if the parts would expand past this.
    max_inflated_mb: float = 200.0
    max_zip_ratio: float = 200.0
    max_zip_members: int = 5000
    # Per-file time limit for reading (seconds, 0 = none): a malformed PDF must not hang.
    max_seconds: float = 120.0
    # GOV.UK writes for a reading age of about 9; reviews for families aim near it.
    target_reading_age: float = 12.0
    long_sentence_words: int = 25
    # Processes one review may use (sfo_nlp/parallel.py): 2 parses and checks on two cores;
    # 1 keeps everything in one process. Batch workers and the web server always use 1.
    review_workers: int = 2

    @classmethod
    def from_env(cls) -> "Settings":
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"SFO_NLP_{f.name.upper()}")
            if raw is not None:
                values[f.name] = type(f.default)(raw)
        return cls(**values)

    def with_overrides(self, **kw) -> "Settings":
        return replace(self, **{k: v for k, v in kw.items() if v is not None})
