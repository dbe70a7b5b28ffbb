"""Does a document look like an SFO review at all?

A one-line note, a cover letter or an empty test file still gets DRAFT answers, and the
answers are mostly "no": ranked by score, such a file would top a batch's triage as "the
weakest review" and send an inspector to read "Hello.". A real review runs to thousands
of words under a dozen or more headings; anything far short of that is set aside as
"not a review" instead of ranked.

The thresholds are the ``review_shape`` entry of rules/analysis.yaml, the same ones
``analyse`` uses for its warning, so the two commands cannot disagree about a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sfo_nlp.document import ReviewDocument


def thresholds() -> dict[str, int]:
    from sfo_nlp import rules

    shape = rules.load("analysis").get("review_shape") or {}
    return {"min_words": int(shape.get("min_words", 0)), "min_headings": int(shape.get("min_headings", 0))}


def shape_problem(doc: "ReviewDocument") -> str:
    """Why this document does not look like an SFO review, or '' when it does."""
    limits = thresholds()
    words = doc.word_count
    headings = sum(1 for _ in doc.iter_blocks("heading"))
    if words >= limits["min_words"] and headings >= limits["min_headings"]:
        return ""
    parts = [f"{words} word{'s' if words != 1 else ''}", f"{headings} heading{'s' if headings != 1 else ''}"]
    if not doc.metadata:
        parts.append("no case details")
    return "does not look like an SFO review (" + ", ".join(parts) + ")"
