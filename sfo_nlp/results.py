"""The one result model shared by every check, the standards layer and every report.

A check returns a ``CheckResult``: its ``findings`` (each located in the document and
quoting it exactly) and a ``summary`` of figures for the whole document. The standards
layer turns check results into ``PromptAnswer``s and ``StandardRating``s; an
``Analysis`` holds all of it and is what reports render and the store saves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning", "error"]
Answer = Literal["yes", "partly", "no", "not_evidenced"]

SCHEMA_VERSION = "1.0"
RATING_LABELS = {3: "Outstanding", 2: "Good", 1: "Requires improvement", 0: "Inadequate"}


@dataclass
class Finding:
    """One thing a check noticed, located and quoted in the document."""

    check: str  # dotted id of the check, e.g. "victims.jargon"
    severity: Severity
    message: str
    quote: str = ""  # exact text of ReviewDocument.text[start:end]
    page: int | None = None
    block: int | None = None
    start: int | None = None
    end: int | None = None
    suggestion: str | None = None
    confidence: float = 1.0
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def at(cls, doc, start: int, end: int, check: str, severity: Severity, message: str, **kw) -> "Finding":
        """A finding quoting ``doc.text[start:end]``, with its block and page filled in."""
        block = doc.block_at(start)
        return cls(
            check=check,
            severity=severity,
            message=message,
            quote=doc.text[start:end],
            page=doc.page_at(start),
            block=block.id if block else None,
            start=start,
            end=end,
            **kw,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    check: str
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PromptAnswer:
    """A DRAFT answer to one prompt of a standard, for an inspector to confirm."""

    standard: str  # "1" .. "4"
    prompt_id: str  # e.g. "1a", "3.2f"
    question: str
    answer: Answer
    confidence: float
    reason: str
    evidence: list[Finding] = field(default_factory=list)
    searched: str | None = None  # what was looked for when nothing was found

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StandardRating:
    standard: str
    title: str
    score: int  # 0..3
    basis: str

    @property
    def label(self) -> str:
        return RATING_LABELS[self.score]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["label"] = self.label
        return d


def composite_label(total: int) -> str:
    """HMIP's banding of the sum of the four standard scores (0-12)."""
    if total <= 2:
        return "Inadequate"
    if total <= 6:
        return "Requires improvement"
    if total <= 10:
        return "Good"
    return "Outstanding"


@dataclass
class Analysis:
    source: str
    sha256: str
    standards_version: str
    metadata: dict[str, Any]
    pages: int
    checks: dict[str, CheckResult] = field(default_factory=dict)
    answers: list[PromptAnswer] = field(default_factory=list)
    ratings: list[StandardRating] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    draft: bool = True
    warnings: list[str] = field(default_factory=list)  # e.g. a check that failed on this document

    @property
    def composite_score(self) -> int:
        return sum(r.score for r in self.ratings)

    @property
    def composite(self) -> str:
        return composite_label(self.composite_score)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "draft": self.draft,
            "source": self.source,
            "sha256": self.sha256,
            "standards_version": self.standards_version,
            "pages": self.pages,
            "metadata": self.metadata,
            "checks": {k: v.to_dict() for k, v in self.checks.items()},
            "answers": [a.to_dict() for a in self.answers],
            "ratings": [r.to_dict() for r in self.ratings],
            "composite": {"score": self.composite_score, "label": self.composite},
            "warnings": list(self.warnings),
        }
