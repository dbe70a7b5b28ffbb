"""Case metadata (offence, region, dates, RoSH level, MAPPA category/level, tier...).

The case details table ("Field | Detail") is the main source; "Label: value" lines
near the start of the review fill what the table does not give. A field that is not
stated stays absent: nothing is guessed. Labels and derived values are data, in
rules/metadata.yaml.

A "Label: value" paragraph may hold several labels (lines joined when the paragraph
was read): each value runs only up to the next known label, so "Offence: Robbery
Region: Wales" gives two fields, not one long offence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sfo_nlp import rules
from sfo_nlp.document import ReviewDocument

# Only the first blocks of a review hold case details; later "Label:" text is prose.
HEAD_BLOCKS = 80
MAX_VALUE_CHARS = 300
# A table is read as case details when at least this share of its rows are known labels
# (a glossary of 40 terms that mentions RoSH and MAPPA is not).
MIN_LABEL_SHARE = 0.3


@dataclass(frozen=True)
class Field:
    name: str
    labels: tuple[re.Pattern, ...]
    combine: bool = False

    def matches(self, label: str) -> bool:
        return _label_matches(self.labels, label)


def _label_matches(labels: tuple[re.Pattern, ...], label: str) -> bool:
    """A table label or 'Label:' as written ("Region :", "RoSH  level") against whole patterns."""
    label = " ".join(label.strip().rstrip(":").split())
    return any(rx.fullmatch(label) for rx in labels)


@dataclass(frozen=True)
class Pair:
    """A label naming two fields at once; its value is split once at ``separator``."""

    labels: tuple[re.Pattern, ...]
    fields: tuple[str, str]
    separator: re.Pattern

    def matches(self, label: str) -> bool:
        return _label_matches(self.labels, label)

    def split(self, value: str) -> list[tuple[str, str]]:
        parts = self.separator.split(value, maxsplit=1)
        return list(zip(self.fields, parts)) if len(parts) == 2 else []


@lru_cache(maxsize=1)
def _spec() -> tuple[list[Field], dict[str, dict], re.Pattern]:
    data = rules.load("metadata")
    fields = [
        Field(name, tuple(re.compile(p, re.I) for p in f["labels"]), bool(f.get("combine")))
        for name, f in data["fields"].items()
    ]
    labels = [p for f in data["fields"].values() for p in f["labels"]]
    labels += [p for pair in (data.get("pairs") or {}).values() for p in pair["labels"]]
    # any known label followed by a colon, at a line start or after a value; longest
    # first, so "Region and unit:" is read whole rather than as "Region"
    any_label = re.compile(
        r"(?:^|(?<=\s))(" + "|".join(f"(?:{p})" for p in sorted(labels, key=len, reverse=True)) + r")\s*:\s*",
        re.I | re.M,
    )
    return fields, data.get("derived", {}), any_label


@lru_cache(maxsize=1)
def _pairs() -> list[Pair]:
    return [
        Pair(tuple(re.compile(p, re.I) for p in spec["labels"]), tuple(spec["fields"]), re.compile(spec["separator"]))
        for spec in (rules.load("metadata").get("pairs") or {}).values()
    ]


def fields_in(label: str, value: str) -> list[tuple[str, str]]:
    """(field, value) pairs a table label or 'Label:' gives: one field, or two for a
    label that names two ("Region and PDU"), or none."""
    name = field_for(label)
    if name:
        return [(name, value)]
    pair = next((p for p in _pairs() if p.matches(label)), None)
    return pair.split(value) if pair else []


@lru_cache(maxsize=None)
def _in_text(name: str) -> tuple[tuple[re.Pattern, ...], int, dict[str, str]] | None:
    """(patterns, blocks to read, lower-cased name -> name as the rules write it)."""
    spec = (rules.load("metadata").get("stated_in_text") or {}).get(name)
    if not spec:
        return None
    names = "(" + "|".join(re.escape(n) for n in sorted(spec["names"], key=len, reverse=True)) + ")"
    patterns = tuple(re.compile(p.replace("{name}", names), re.I) for p in spec["patterns"])
    return patterns, int(spec.get("blocks", 15)), {n.lower(): n for n in spec["names"]}


def stated_in_text(name: str, texts: list[str]) -> str | None:
    """A field's value stated in the opening prose (rules/metadata.yaml ``stated_in_text``)."""
    found = _in_text(name)
    if found is None:
        return None
    patterns, blocks, names = found
    for text in texts[:blocks]:
        for pattern in patterns:
            m = pattern.search(text)
            if m:
                # the name as the rules write it, not as the sentence capitalises it
                return names[m.group(1).lower()]
    return None


def as_stated(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, value) of the fields the review states, for reports: derived fields
    (rosh_level from the RoSH text, and so on) are for grouping reviews, not for reading."""
    data = rules.load("metadata")
    return [(spec.get("title") or name, str(metadata[name]))
            for name, spec in data["fields"].items() if metadata.get(name) not in (None, "")]


def field_for(label: str) -> str | None:
    """The metadata field a table label or 'Label:' names, if any."""
    fields, _, _ = _spec()
    return next((f.name for f in fields if f.matches(label)), None)


def extract_metadata(doc: ReviewDocument) -> dict[str, Any]:
    fields, derived, any_label = _spec()
    combine = {f.name for f in fields if f.combine}
    meta: dict[str, Any] = {}

    source: dict[str, object] = {}

    def put(name: str | None, value: str, where: object) -> None:
        # Rows of one source (the case details table, or one 'Label:' block) may combine
        # ("MAPPA category" + "MAPPA level"); a later source, such as a glossary that
        # also defines MAPPA, can fill a missing field but never add to one.
        value = " ".join(value.split()).strip(" ;,")
        if not name or not value or len(value) > MAX_VALUE_CHARS:
            return
        if name not in meta:
            meta[name], source[name] = value, where
        elif name in combine and source[name] == where and value not in meta[name]:
            meta[name] = f"{meta[name]}; {value}"

    for t in _case_tables(doc):
        for row in t.rows:
            if len(row) >= 2 and row[1].strip():
                for name, value in fields_in(row[0], row[1]):
                    put(name, value, ("table", t.id))
    for b in doc.blocks[:HEAD_BLOCKS]:
        if b.type in ("table", "footnote", "heading", "contents"):
            continue
        for label, value in label_values(b.text, any_label, raw=True):
            for name, part in fields_in(label, value):
                put(name, part, ("block", b.id))
    # the title heading may name the region ("Kent, Surrey and Sussex Probation Region: ...")
    prose = [b.text for b in doc.blocks[:HEAD_BLOCKS] if b.type in ("paragraph", "heading")]
    for name in rules.load("metadata").get("stated_in_text") or {}:
        if name not in meta:
            put(name, stated_in_text(name, prose) or "", ("text", name))
    for name, spec in derived.items():
        sources = spec["from"] if isinstance(spec["from"], list) else [spec["from"]]
        value = derive(spec, "; ".join(str(meta[f]) for f in sources if meta.get(f)))
        value = next((v for field, v in (spec.get("stated_by") or {}).items() if meta.get(field)), value)
        if value is not None:
            meta[name] = value
    return meta


def _case_tables(doc: ReviewDocument) -> list:
    """Early tables that read as case details, the most label-like first.

    A glossary table also has rows named 'RoSH' or 'MAPPA' (with definitions), so
    tables are ranked by the share of their rows whose first cell is a known label."""
    scored = []
    for t in doc.tables[:5]:
        labels = sum(1 for row in t.rows if len(row) >= 2 and fields_in(row[0], row[1]))
        if labels >= 2 and labels / len(t.rows) >= MIN_LABEL_SHARE:
            scored.append((labels / len(t.rows), -t.id, t))
    return [t for *_, t in sorted(scored, key=lambda s: s[:2], reverse=True)]


def label_values(text: str, any_label: re.Pattern | None = None, raw: bool = False) -> list[tuple[str | None, str]]:
    """(field, value) for each known 'Label: value' in a block, values cut at the next label
    (with ``raw``, the label as written instead of its field)."""
    any_label = any_label or _spec()[2]
    hits = list(any_label.finditer(text))
    out = []
    for i, m in enumerate(hits):
        # a label must start the text or a line, or follow the end of a previous value
        if m.start() > 0 and text[m.start() - 1] != "\n" and i == 0:
            continue
        end = hits[i + 1].start() if i + 1 < len(hits) else len(text)
        out.append((m.group(1) if raw else field_for(m.group(1)), text[m.end() : end]))
    return out


def derive(spec: dict, value: str | None) -> Any:
    """A derived field (rosh_level, mappa_category...) from its source value, or None."""
    if not value:
        return None
    if "number" in spec:
        m = re.search(spec["number"], value, re.I)
        return int(next(g for g in m.groups() if g)) if m else None
    for result, pattern in spec["values"].items():
        if re.search(pattern, value, re.I):
            return result
    return None
