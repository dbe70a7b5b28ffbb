"""Model cards: hand-written prose with generated blocks between markers.

``sfo-nlp train`` rewrites only what sits between ``<!-- generated:NAME -->`` and
``<!-- /generated:NAME -->``, so every number in a card comes from a command while the
explanations around them stay as written.
"""

from __future__ import annotations

import re
from pathlib import Path

from sfo_nlp.cli.common import write_atomic

_SKELETON = "# Model card: {kind}\n\n<!-- generated:data -->\n<!-- /generated:data -->\n\n<!-- generated:scores -->\n<!-- /generated:scores -->\n"


def update(path: Path, blocks: dict[str, str], kind: str) -> None:
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.is_file() else _SKELETON.format(kind=kind)
    for name, body in blocks.items():
        start, end = f"<!-- generated:{name} -->", f"<!-- /generated:{name} -->"
        block = f"{start}\n{body.rstrip()}\n{end}"
        pat = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
        text = pat.sub(lambda _m: block, text) if pat.search(text) else text.rstrip() + "\n\n" + block + "\n"
    write_atomic(path, text)
    path.chmod(0o644)


def table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)
