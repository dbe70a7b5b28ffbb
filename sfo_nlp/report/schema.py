"""The JSON Schema of ``analyse --format json`` (sfo_nlp/schema/analysis.schema.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from sfo_nlp.errors import SfoError


SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schema" / "analysis.schema.json"


@lru_cache(maxsize=None)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


def validate(result: dict) -> None:
    """Raise SfoError naming the first place ``result`` breaks the schema."""
    import jsonschema

    try:
        jsonschema.validate(result, schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(map(str, exc.absolute_path)) or "(root)"
        raise SfoError(f"analysis result does not match its schema at {where}: {exc.message}") from None
