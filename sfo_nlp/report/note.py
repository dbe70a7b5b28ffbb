"""The QA feedback note, in the inspector's structure, built once for md, docx and export.

Per standard: the rating, what met the standard, what needs to change. Before an
inspector confirms anything every answer is a DRAFT; after ``sfo-nlp confirm`` the
confirmed answers are official and any prompt not yet confirmed stays marked DRAFT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sfo_nlp.results import RATING_LABELS, PromptAnswer, composite_label
from sfo_nlp.report.summary import fix_for, private_spans, shareable_evidence
from sfo_nlp.standards import load_standards
from sfo_nlp.standards.ratings import rate

DRAFT_NOTICE = (
    "DRAFT pre-screen produced by sfo-nlp. Every answer and rating below is a draft for an "
    "inspector to confirm or change; the inspector's answers are the official ones."
)
ANSWER_WORDS = {"yes": "Yes", "partly": "Partly", "no": "No", "not_evidenced": "Not evidenced"}


@dataclass
class NoteItem:
    prompt_id: str
    question: str
    answer: str
    confirmed: bool
    reason: str
    quotes: list[tuple[str, int | None]] = field(default_factory=list)  # (quote, page)
    comment: str = ""
    who: str = ""
    fix: str = ""  # what would meet the prompt, for answers short of yes

    @property
    def status(self) -> str:
        return "confirmed" if self.confirmed else "DRAFT"


@dataclass
class NoteSection:
    number: str
    title: str
    rating: str
    rating_basis: str
    met: list[NoteItem] = field(default_factory=list)
    to_change: list[NoteItem] = field(default_factory=list)


@dataclass
class FeedbackNote:
    title: str
    source: str
    standards_version: str
    composite: str
    notice: str
    sections: list[NoteSection] = field(default_factory=list)
    confirmed_count: int = 0
    prompt_count: int = 0


def _quotes(evidence: list[dict], limit: int = 2) -> list[tuple[str, int | None]]:
    return [(" ".join(f["quote"].split()), f.get("page")) for f in evidence[:limit] if f.get("quote")]


def _section_rating(std: dict, items: list[NoteItem], bands: dict, draft: dict) -> tuple[str, str, int]:
    """(rating, basis, score) of a standard from its answers as they now stand: the
    inspector's where confirmed, the draft elsewhere. The counts and the rating must
    follow every confirmed answer, or the heading contradicts the list below it."""
    confirmed = sum(i.confirmed for i in items)
    if not confirmed:  # nothing changed: the stored draft rating is the one the analysis showed
        return f"{draft['label']} (DRAFT)", draft["basis"], draft["score"]
    number = str(std["number"])
    pas = [PromptAnswer(number, i.prompt_id, i.question, i.answer, 1.0, i.reason) for i in items]
    r = rate(std, pas, bands)  # the same banding and key-prompt cap as the draft
    figures = r.basis.removeprefix("DRAFT: ")
    if confirmed == len(items):
        return r.label, f"From the confirmed answers: {figures}", r.score
    return (f"{r.label} (DRAFT)",
            f"DRAFT, {confirmed} of {len(items)} answers confirmed, the rest draft: {figures}", r.score)


def _composite(total: int, confirmed: int, count: int) -> str:
    """The composite is official only when every answer is; until then it says how far
    the inspector has got, since it mixes confirmed and draft answers."""
    if count and confirmed == count:
        return f"{composite_label(total)} ({total}/12)"
    if confirmed:
        return f"{composite_label(total)} ({total}/12, DRAFT: {confirmed} of {count} prompts confirmed)"
    return f"{composite_label(total)} ({total}/12, DRAFT)"


def build_note(result: dict, decisions: list[dict] | None = None) -> FeedbackNote:
    """``result`` is ``Analysis.to_dict()`` (as stored); ``decisions`` the confirmed answers."""
    spec = load_standards(result["standards_version"])
    by_prompt = {d["prompt_id"]: d for d in decisions or []}
    private = private_spans(result)
    answers = {a["prompt_id"]: a for a in result["answers"]}
    ratings = {r["standard"]: r for r in result["ratings"]}
    sections: list[NoteSection] = []
    total = 0
    for std in spec.standards:
        number = str(std["number"])
        items: list[NoteItem] = []
        for p in std["prompts"]:
            a = answers.get(p["id"])
            if a is None:
                continue
            d = by_prompt.get(p["id"])
            shown = shareable_evidence(a, private)
            reason = a["reason"]
            if d and d["final_answer"] != a["answer"]:  # the draft's reason no longer fits the answer
                reason = f"Changed by the inspector from the draft answer ({ANSWER_WORDS[a['answer']]})."
            items.append(NoteItem(
                prompt_id=p["id"], question=p["question"],
                answer=d["final_answer"] if d else a["answer"], confirmed=d is not None,
                reason=reason, quotes=_quotes(shown),
                comment=(d or {}).get("comment") or "", who=(d or {}).get("who") or "",
                fix=fix_for(dict(a, evidence=shown)),
            ))
        draft = ratings.get(number, {"label": "Not rated", "basis": "", "score": 0})
        rating, basis, score = _section_rating(std, items, spec.bands, draft)
        total += score
        sections.append(NoteSection(
            number=number, title=std["title"], rating=rating, rating_basis=basis,
            met=[i for i in items if i.answer == "yes"],
            to_change=[i for i in items if i.answer != "yes"],
        ))
    confirmed = sum(1 for s in sections for i in s.met + s.to_change if i.confirmed)
    count = sum(len(s.met) + len(s.to_change) for s in sections)
    composite = _composite(total, confirmed, count)
    notice = DRAFT_NOTICE if confirmed == 0 else (
        f"{confirmed} of {count} answers confirmed by the inspector; answers marked DRAFT are not yet confirmed."
        if confirmed < count else "All answers confirmed by the inspector."
    )
    return FeedbackNote(
        title=f"SFO review quality assurance feedback: {result['source']}",
        source=result["source"], standards_version=result["standards_version"], composite=composite,
        notice=notice, sections=sections, confirmed_count=confirmed, prompt_count=count,
    )


__all__ = ["ANSWER_WORDS", "DRAFT_NOTICE", "FeedbackNote", "NoteItem", "NoteSection", "RATING_LABELS", "build_note"]
