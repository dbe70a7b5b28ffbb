"""The triage table: stored reviews ranked so that the likely weakest are read first.

The ranking is by the draft composite score (lowest first), then by the score of the
review's weakest standard, so among reviews with the same composite the one with a
standard likely rated Inadequate comes before one that is uniformly middling. The
ratings are the analyser's drafts, not an inspector's: the table says so.

A stored document that does not look like an SFO review (see review_shape) is listed
with the reason but not ranked: its drafts are mostly "no", and ranked it would be
"the weakest review" on every run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterable

from sfo_nlp.results import RATING_LABELS, composite_label

COLUMNS = [
    "rank", "review", "composite_score", "composite", "weakest_standard", "weakest_title",
    "weakest_score", "weakest_label", "s1", "s2", "s3", "s4", "region", "offence", "rosh_level",
    "sha256", "path", "not_review",
]


def triage_rows(analyses: Iterable[dict[str, Any]], shas: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rank ``Store.list_analyses()`` rows (only those in ``shas`` when given)."""
    wanted = set(shas) if shas is not None else None
    rows = []
    for a in analyses:
        if wanted is not None and a["sha256"] not in wanted:
            continue
        ratings = {str(r["standard"]): r for r in a.get("ratings") or []}
        meta = a.get("metadata") or {}
        row: dict[str, Any] = {
            "review": Path(a["source_path"]).name,
            "composite_score": a.get("composite_score"),
            "composite": a.get("composite") or "",
            "region": meta.get("region", ""),
            "offence": meta.get("offence", ""),
            "rosh_level": meta.get("rosh_level", ""),
            "sha256": a["sha256"],
            "path": a["source_path"],
            "not_review": a.get("not_review") or "",
        }
        for s in ("1", "2", "3", "4"):
            row[f"s{s}"] = ratings[s]["score"] if s in ratings else None
        if ratings:
            # Ties go to the lower-numbered standard: the order HMIP reads them in.
            weakest = min(ratings.values(), key=lambda r: (r["score"], str(r["standard"])))
            row.update(
                weakest_standard=str(weakest["standard"]),
                weakest_title=weakest.get("title", ""),
                weakest_score=weakest["score"],
                weakest_label=weakest.get("label") or RATING_LABELS.get(weakest["score"], ""),
            )
            if row["composite_score"] is None:
                row["composite_score"] = sum(r["score"] for r in ratings.values())
                row["composite"] = composite_label(row["composite_score"])
        else:
            row.update(weakest_standard="", weakest_title="", weakest_score=None, weakest_label="")
        rows.append(row)
    rows.sort(key=_rank_key)
    ranked = [row for row in rows if not row["not_review"]]
    for i, row in enumerate(ranked, start=1):
        row["rank"] = i
    return [{c: row.get(c) for c in COLUMNS} for row in rows]


def _rank_key(row: dict[str, Any]) -> tuple:
    unknown = row["composite_score"] is None  # unrated reviews go last, not first
    return (
        bool(row["not_review"]),  # not ranked at all: after every review
        unknown,
        row["composite_score"] if not unknown else 0,
        row["weakest_score"] if row["weakest_score"] is not None else 99,
        row["review"],
    )


def to_csv(rows: list[dict[str, Any]], errors: list[dict[str, Any]] = (),
           duplicates: list[dict[str, Any]] = (), archives: Iterable[Path] = ()) -> str:
    """The triage table, then one row per file not in it: failed (error), a byte-identical
    copy of another file (same_as: the file analysed instead) and zip archives not read."""
    from sfo_nlp.ingest.guards import ZIP_NOT_READ

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS + ["error", "same_as"], lineterminator="\n", restval="")
    w.writeheader()
    for row in rows:
        w.writerow({k: "" if v is None else v for k, v in row.items()})
    for e in errors:
        w.writerow({"review": Path(e["path"]).name, "path": e["path"], "sha256": e.get("sha256") or "",
                    "error": e["error"]})
    for d in duplicates:
        w.writerow({"review": Path(d["path"]).name, "path": d["path"], "sha256": d["sha256"],
                    "same_as": Path(d["same_as"]).name})
    for z in archives:
        w.writerow({"review": Path(z).name, "path": str(z), "error": ZIP_NOT_READ})
    return buf.getvalue()
