"""Build the labelled JSONL files from their hand-written source and fix the train/test split.

The sentences and actions are written by hand in compact annotated text files under
corpus_samples/labelled/source/ (one passage per group; see GUIDE.md for the notation),
because writing 3,000 JSON objects by hand invites typos in the labels. This script only
parses that notation: it never generates or combines text.

    python corpus_samples/tools/split.py            # rewrite judgements.jsonl, actions.jsonl
    python corpus_samples/tools/split.py --check    # exit 1 if the JSONL files are stale

The split is by group, fixed and deterministic: within each register, every fifth group
(positions 2, 7, 12, ...) goes to test. Groups are numbered in file order, so appending
new source files never moves an existing group to the other split.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

LABELLED = Path(__file__).resolve().parents[1] / "labelled"
SOURCE = LABELLED / "source"

REGISTERS = {"cr": "case-review", "in": "inspectorate"}
TARGETS = {"I": "individual", "M": "management", "S": "system", "P": "partnership"}
POLARITIES = {"d": "deficit", "g": "good", "m": "mixed"}
LEVELS = {"ind": "individual", "loc": "local", "reg": "regional", "nat": "national", "mul": "multi-agency"}
STRENGTHS = {"w": "weak", "m": "moderate", "s": "strong"}
TEST_EVERY, TEST_AT = 5, 2


class SourceError(ValueError):
    """A line in a source file does not follow the notation."""


def _groups(path: Path, prefix: str):
    """Yield (register, [(line_no, code, fields)]) for each '@ register' passage in a file."""
    register, lines = None, []
    for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            if lines:
                yield register, lines
            key = line[1:].strip()
            if key not in REGISTERS:
                raise SourceError(f"{path.name}:{no}: unknown register {key!r}")
            register, lines = REGISTERS[key], []
            continue
        if register is None:
            raise SourceError(f"{path.name}:{no}: text before the first '@ register' line")
        code, sep, rest = line.partition("|")
        if not sep:
            raise SourceError(f"{path.name}:{no}: missing '|' between labels and text")
        fields = [f.strip() for f in rest.split("|")]
        if not fields[0]:
            raise SourceError(f"{path.name}:{no}: empty text")
        lines.append((f"{path.name}:{no}", code.split(), fields))
    if lines:
        yield register, lines


def parse_judgement(where: str, code: list[str], fields: list[str]) -> dict:
    """'N [flags] | text' for a non-judgement, 'Td [flags] | text' for a judgement.

    T is the target letter (I/M/S/P), d the polarity letter (d/g/m); flags are any of
    e (evidence), w (why), s (significance)."""
    if not code or len(fields) != 1:
        raise SourceError(f"{where}: expected '<label> [flags] | text'")
    head, flags = code[0], "".join(code[1:])
    if set(flags) - set("ews"):
        raise SourceError(f"{where}: unknown flag in {flags!r}")
    if head == "N":
        target = polarity = None
    elif len(head) == 2 and head[0] in TARGETS and head[1] in POLARITIES:
        target, polarity = TARGETS[head[0]], POLARITIES[head[1]]
    else:
        raise SourceError(f"{where}: bad label {head!r}")
    return {
        "text": fields[0],
        "is_judgement": target is not None,
        "target": target,
        "polarity": polarity,
        "evidence": "e" in flags,
        "why": "w" in flags,
        "significance": "s" in flags,
    }


def parse_action(where: str, code: list[str], fields: list[str]) -> dict:
    """'smot lvl D|- w|m|s | text [| owner column [| date column]]'.

    The four-letter SMART mask has a letter for each feature present and '-' for each
    absent (s-ot = specific, not measurable, owner, time-bound)."""
    if len(code) != 4 or len(fields) > 3:
        raise SourceError(f"{where}: expected 'smot lvl D w | text [| owner [| date]]'")
    mask, level, dev, strength = code
    if len(mask) != 4 or any(c not in (f, "-") for c, f in zip(mask, "smot")):
        raise SourceError(f"{where}: bad SMART mask {mask!r}")
    if level not in LEVELS or dev not in ("D", "-") or strength not in STRENGTHS:
        raise SourceError(f"{where}: bad level/developmental/strength {code[1:]}")
    record = {"text": fields[0]}
    if len(fields) > 1 and fields[1]:
        record["owner_field"] = fields[1]
    if len(fields) > 2 and fields[2]:
        record["date_field"] = fields[2]
    record.update(
        specific=mask[0] == "s",
        measurable=mask[1] == "m",
        owner=mask[2] == "o",
        time_bound=mask[3] == "t",
        level=LEVELS[level],
        developmental=dev == "D",
        strength=STRENGTHS[strength],
    )
    return record


def build(kind: str) -> list[dict]:
    """All records of one kind ('judgements' or 'actions'), with ids, groups and split."""
    parse, id_prefix, group_prefix = {
        "judgements": (parse_judgement, "s", "g"),
        "actions": (parse_action, "a", "ag"),
    }[kind]
    records, seen_per_register = [], {}
    for path in sorted(SOURCE.glob(f"{kind}_*.txt")):
        for register, lines in _groups(path, group_prefix):
            position = seen_per_register.get(register, 0)
            seen_per_register[register] = position + 1
            split = "test" if position % TEST_EVERY == TEST_AT else "train"
            group = f"{group_prefix}{sum(seen_per_register.values()):04d}"
            for where, code, fields in lines:
                record = {"id": f"{id_prefix}{len(records) + 1:05d}"}
                record.update(parse(where, code, fields))
                record.update(group=group, register=register, split=split)
                records.append(record)
    return records


def render(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the JSONL files are out of date")
    args = parser.parse_args(argv)
    try:
        outputs = {LABELLED / f"{kind}.jsonl": render(build(kind)) for kind in ("judgements", "actions")}
    except (SourceError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = [p.name for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        if stale:
            print(f"error: out of date: {', '.join(stale)} (run corpus_samples/tools/split.py)", file=sys.stderr)
            return 1
        return 0
    for path, text in outputs.items():
        # Write beside, then rename: a failed run never leaves half a file.
        tmp = path.with_suffix(".jsonl.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        print(f"{path.relative_to(LABELLED.parents[1])}: {text.count(chr(10))} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
