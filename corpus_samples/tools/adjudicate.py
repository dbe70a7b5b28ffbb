"""Apply an adjudication of two prompt readings to a review's gold file, and keep its record.

Each review's 34 prompts are answered twice: by its gold file (the first reading, by the
review's author) and blind by a second reader (``reviews/second/sfo-NN.yaml``). Where the
two differ, a third reader who saw neither the tool nor which reading came first decided
from the review's text and the standards (``decisions``: prompt -> answer and reason, and
the four ratings). This script writes the decided answers and ratings into the gold file
(only those lines change) and records every dispute, with both readings and the decision,
in ``reviews/adjudication/sfo-NN.yaml``, so the readers' agreement before adjudication
stays reproducible.

    python corpus_samples/tools/adjudicate.py DECISIONS.yaml [...]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from sfo_nlp.evaluation.prompts import answers_of
from sfo_nlp.results import composite_label

REVIEWS = Path(__file__).resolve().parents[1] / "reviews"


def _flow(d: dict) -> str:
    return yaml.safe_dump(d, default_flow_style=True, width=10**6, sort_keys=False, allow_unicode=True).strip()


def apply(decisions_path: Path, reviews: Path = REVIEWS) -> str:
    dec = yaml.safe_load(decisions_path.read_text(encoding="utf-8"))
    rid = dec["id"]
    gold_path, second_path = reviews / "gold" / f"{rid}.yaml", reviews / "second" / f"{rid}.yaml"
    gold, second = yaml.safe_load(gold_path.read_text(encoding="utf-8")), yaml.safe_load(second_path.read_text(encoding="utf-8"))
    decided = dec.get("decisions") or {}
    record: dict = {}
    lines = gold_path.read_text(encoding="utf-8").splitlines()
    firsts, seconds, finals = answers_of(gold["prompts"]), answers_of(second["prompts"]), answers_of(decided)
    for pid, first in firsts.items():
        sec = seconds[pid]
        if first == sec:
            if pid in decided:
                raise SystemExit(f"error: {rid} {pid}: both readings agree, nothing to decide")
            continue
        if pid not in decided:
            raise SystemExit(f"error: {rid} {pid}: disputed ({first} / {sec}) but not decided")
        final, reason = finals[pid], " ".join(str(decided[pid]["reason"]).split())
        if final not in ("yes", "partly", "no"):
            raise SystemExit(f"error: {rid} {pid}: bad answer {final!r}")
        record[pid] = {"first": first, "second": sec, "final": final, "reason": reason}
        if final != first:
            pat = re.compile(rf"^  ['\"]?{re.escape(pid)}['\"]?: \{{")
            idx = [i for i, line in enumerate(lines) if pat.match(line)]
            if len(idx) != 1:
                raise SystemExit(f"error: {rid} {pid}: prompt line not found once in the gold file")
            lines[idx[0]] = f"  {pid}: " + _flow({"answer": final, "rationale": reason})
    ratings = {k: int(v) for k, v in dec["ratings"].items()}
    if set(ratings) != set(gold["ratings"]):
        raise SystemExit(f"error: {rid}: ratings must name {sorted(gold['ratings'])}")
    score = sum(ratings.values())
    label = composite_label(score)
    out_lines, block = [], False
    for line in lines:
        if block and line.startswith("  "):
            continue  # a block-style mapping under ratings:/composite:, replaced by the flow line
        block = False
        if line.startswith(("ratings:", "composite:")):
            key = line.split(":")[0]
            value = ratings if key == "ratings" else {"score": score, "label": label}
            line, block = f"{key}: " + _flow(value), True
        out_lines.append(line)
    gold_path.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
    if yaml.safe_load(gold_path.read_text(encoding="utf-8"))["ratings"] != ratings:
        raise SystemExit(f"error: {rid}: gold file's ratings were not rewritten")
    out = {"id": rid, "ratings": {"first": gold["ratings"], "second": second["ratings"], "final": ratings}, "prompts": record}
    head = (f"# Adjudication of {rid}: prompts where the gold file's first reading and the blind second\n"
            "# reading (reviews/second/) differed, decided by a third reader from the review's text and\n"
            "# the standards, without the tool's drafts or knowing which reading came first.\n")
    (reviews / "adjudication").mkdir(exist_ok=True)
    (reviews / "adjudication" / f"{rid}.yaml").write_text(
        head + yaml.safe_dump(out, sort_keys=False, width=110, allow_unicode=True), encoding="utf-8")
    changed = sum(r["final"] != r["first"] for r in record.values())
    return f"{rid}: {len(record)} disputes, {changed} gold answers changed; ratings {gold['ratings']} -> {ratings}"


def main(argv: list[str]) -> int:
    for p in argv:
        print(apply(Path(p)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
