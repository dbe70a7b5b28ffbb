"""Reads the YAML rule files under ``rules/`` (rules are data, not code).

Files are read once per process. A malformed rule file is a bug in the shipped data,
so it raises ``SfoError`` naming the file rather than failing later inside a check.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sfo_nlp import settings
from sfo_nlp.errors import SfoError

# libyaml's safe loader when PyYAML has it: the same data, read ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """Load ``rules/<name>.yaml`` (``name`` may contain a subfolder, e.g. 'standards/2023')."""
    path = Path(settings.RULES_DIR) / f"{name}.yaml"
    if not path.is_file():
        raise SfoError(f"rule file not found: {path}")
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise SfoError(f"rule file {path} is not valid YAML: {exc}".splitlines()[0]) from exc
