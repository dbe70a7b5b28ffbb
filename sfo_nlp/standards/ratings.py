"""Draft rating of a standard from its prompts' draft answers.

Each answered prompt scores yes 1, partly 0.5, no 0 (``not_evidenced`` prompts are left
out and named in the basis); the mean is banded into Outstanding / Good / Requires
improvement / Inadequate by the ``rating`` thresholds in the standards YAML. Prompts
marked ``key: true`` there are the ones inspectors weigh most: a ``no`` on any of them
caps the rating at ``key_cap`` (a review cannot be Good with no analysis of missed
opportunities, however tidy the rest).
"""

from __future__ import annotations

from sfo_nlp.results import RATING_LABELS, PromptAnswer, StandardRating

POINTS = {"yes": 1.0, "partly": 0.5, "no": 0.0}


def rate(standard: dict, answers: list[PromptAnswer], bands: dict) -> StandardRating:
    scored = [a for a in answers if a.answer in POINTS]
    missing = [a.prompt_id for a in answers if a.answer not in POINTS]
    if not scored:
        return StandardRating(str(standard["number"]), standard["title"], 0,
                              "DRAFT: no prompt could be assessed (" + ", ".join(missing) + " not evidenced)")
    share = sum(POINTS[a.answer] for a in scored) / len(scored)
    score = 0
    for label_score in (3, 2, 1):
        if share >= bands[label_score]:
            score = label_score
            break
    key_ids = {str(p["id"]) for p in standard["prompts"] if p.get("key")}
    failed_keys = [a.prompt_id for a in scored if a.prompt_id in key_ids and a.answer == "no"]
    capped = ""
    if failed_keys and score > bands.get("key_cap", 1):
        score = bands.get("key_cap", 1)
        capped = f"; capped at {RATING_LABELS[score]} because key prompt(s) {', '.join(failed_keys)} answered no"
    counts = {k: sum(1 for a in scored if a.answer == k) for k in POINTS}
    basis = (
        f"DRAFT: {counts['yes']} yes, {counts['partly']} partly, {counts['no']} no of {len(scored)} prompts "
        f"(score {share:.0%}){capped}"
    )
    if missing:
        basis += f"; not evidenced: {', '.join(missing)}"
    return StandardRating(str(standard["number"]), standard["title"], score, basis)
