"""analysis.focus: length, and whether the review dwells on the period that matters.

Since January 2024 reviews analyse the six months before the SFO in detail and give
earlier supervision only as context. A family reads the whole document, so a long
background section or a very long review dilutes what concerns them. Thresholds live
in ``rules/analysis.yaml`` under ``focus``.
"""

from __future__ import annotations

import re

from sfo_nlp import rules
from sfo_nlp.checks.registry import register
from sfo_nlp.results import CheckResult, Finding

CHECK_ID = "analysis.focus"


@register(CHECK_ID, "Length, and focus on practice relevant to the SFO and the six months before it")
def check_focus(doc, ctx) -> CheckResult:
    cfg = rules.load("analysis")["focus"]
    background = re.compile(cfg["background_sections"], re.I)
    period = re.compile(cfg["period_patterns"], re.I)
    words = 0
    background_words = 0
    findings: list[Finding] = []
    for b in doc.blocks:
        if b.type not in ("paragraph", "list_item", "quote"):
            continue
        n = len(b.text.split())
        words += n
        if b.section and background.search(b.section):
            background_words += n
        m = period.search(b.text)
        if m and len(findings) < 3:
            findings.append(Finding.at(doc, b.start + m.start(), b.start + m.end(), CHECK_ID, "info",
                                       "States the period the review focuses on", data={"kind": "period"}))
    share = round(background_words / words, 3) if words else 0.0
    if share > cfg["max_background_share"]:
        sec = next((b for b in doc.blocks if b.type == "heading" and background.search(b.text)), None)
        if sec is not None:
            findings.append(Finding.at(
                doc, sec.start, sec.end, CHECK_ID, "warning",
                f"Background takes {share:.0%} of the text; keep earlier supervision to a short overview",
                suggestion="Shorten the contextual overview and analyse the six months before the SFO in detail.",
                data={"kind": "background"},
            ))
    summary = {
        "words": words,
        "pages": doc.page_count,
        "background_share": share,
        "period_stated": any(f.data.get("kind") == "period" for f in findings),
        "over_length": words > cfg["max_words"],
    }
    return CheckResult(CHECK_ID, findings, summary)
