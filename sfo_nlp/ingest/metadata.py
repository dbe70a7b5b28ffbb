"""Case metadata (offence, region, dates, RoSH level, MAPPA category/level, tier).

Read from the case details table when there is one, else from 'Label: value' lines.
A field that is not stated stays absent: nothing is guessed.
"""

from __future__ import annotations

import re
from typing import Any

from sfo_nlp.document import ReviewDocument

# label patterns (lower-case, matched at the start of a cell or line) -> field name
_FIELDS = [
    (r"(?:index |sfo )?offence(?: charged)?", "offence"),
    (r"region|probation region", "region"),
    (r"(?:probation delivery unit|pdu)", "pdu"),
    (r"sentence(?: type)?", "sentence"),
    (r"(?:rosh|risk of serious harm)(?: level)?(?: at time of sfo)?", "rosh"),
    (r"mappa(?: category)?(?: and level)?", "mappa"),
    (r"tier", "tier"),
    (r"date of (?:the )?(?:sfo|offence)", "sfo_date"),
    (r"date (?:of )?charge(?:d)?", "charge_date"),
    (r"date (?:of )?(?:the )?review(?: completed)?|review completed", "review_date"),
    (r"period (?:under )?review(?:ed)?", "period"),
    (r"(?:review )?reference|case reference", "reference"),
]
_LABELS = [(re.compile(rf"^\s*(?:{pat})\s*[:\-]?\s*$", re.I), name) for pat, name in _FIELDS]
_LINE = [(re.compile(rf"^\s*(?:{pat})\s*:\s*(.+)$", re.I), name) for pat, name in _FIELDS]
_ROSH = re.compile(r"\b(very high|high|medium|low)\b", re.I)
_MAPPA = re.compile(r"category\s*([123])|\bcat(?:egory)?\.?\s*([123])", re.I)
_MAPPA_LEVEL = re.compile(r"level\s*([123])", re.I)


def extract_metadata(doc: ReviewDocument) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for t in doc.tables[:3]:
        for row in t.rows:
            if len(row) < 2:
                continue
            for rx, name in _LABELS:
                if rx.match(row[0]) and row[1].strip() and name not in meta:
                    meta[name] = " ".join(row[1].split())
    for b in doc.blocks[:80]:
        if b.type in ("table", "footnote"):
            continue
        for line in b.text.split("\n"):
            for rx, name in _LINE:
                m = rx.match(line)
                if m and name not in meta and len(m.group(1)) < 120:
                    meta[name] = m.group(1).strip()
    if "rosh" in meta:
        m = _ROSH.search(meta["rosh"])
        if m:
            meta["rosh_level"] = m.group(1).lower()
    if "mappa" in meta:
        m = _MAPPA.search(meta["mappa"])
        if m:
            meta["mappa_category"] = int(m.group(1) or m.group(2))
        m = _MAPPA_LEVEL.search(meta["mappa"])
        if m:
            meta["mappa_level"] = int(m.group(1))
    return meta
