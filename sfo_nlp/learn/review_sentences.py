"""Every prose sentence of a fictional review, labelled from its gold file.

The gold file of a review lists EVERY judgement sentence of that review (the corpus
writers' convention), so each other sentence the "judgements" check would look at is a
labelled non-judgement: the narrative of events, case facts, method, background. These
are the real distribution of what the check must learn to pass over, which the short
``non_judgements`` list of a gold file (evaluative-looking sentences only) does not cover.

Sentences are found exactly as the check finds them (``judgement_spans``: the author's
prose paragraphs and list items of the review read from its Markdown source), and a
sentence that overlaps a gold judgement anywhere is left out (a sentence split or merged
differently from the gold text is neither a clean positive nor a clean negative).

Train-split reviews feed training; test-split reviews are only scored ("corpus-reviews").
"""

from __future__ import annotations

import re
from pathlib import Path

from sfo_nlp.errors import SfoError

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _norm_with_map(text: str) -> tuple[str, list[int]]:
    """Lower-cased text with runs of whitespace collapsed, and for each character of it
    the offset of the original character (to map a match back)."""
    out, where = [], []
    space = False
    for i, ch in enumerate(text.translate(_QUOTES)):
        if ch.isspace():
            if not space and out:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        out.append(ch.lower())
        where.append(i)
    return "".join(out), where


def norm(text: str) -> str:
    return _norm_with_map(text)[0].strip()


def _gold_ranges(doc_text: str, golds: list[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """Character ranges of the gold sentences in the document; gold texts not found."""
    flat, where = _norm_with_map(doc_text)
    ranges, missing = [], []
    for g in golds:
        key = norm(g)
        if not key:
            continue
        found = False
        for m in re.finditer(re.escape(key), flat):
            ranges.append((where[m.start()], where[m.end() - 1] + 1))
            found = True
        if not found:
            missing.append(key)
    return ranges, missing


def review_items(gold: dict, corpus_dir: Path) -> list[dict]:
    """The review's non-judgement prose sentences as labelled items (is_judgement False)."""
    from sfo_nlp import nlp
    from sfo_nlp.checks.judgements import judgement_spans
    from sfo_nlp.ingest import load
    from sfo_nlp.learn.infer import NEEDS

    # the check's pipeline (with the parser): its sentence boundaries, not the senter's
    nlp.require(NEEDS)

    rid = gold.get("id")
    src = Path(corpus_dir) / "reviews" / "src" / f"{rid}.md"
    if not src.is_file():
        return []
    try:
        doc = load(src)
    except SfoError:
        return []
    judged = [j["text"] for j in gold.get("judgements") or [] if j.get("text")]
    ranges, missing = _gold_ranges(doc.text, judged)
    listed = {norm(s) for s in gold.get("non_judgements") or []}  # already items of the gold file
    items = []
    for span, start, end in judgement_spans(doc):
        if any(start < e and s < end for s, e in ranges):
            continue
        key = norm(span.text)
        # a gold sentence the source words slightly differently: never risk a false negative
        if key in listed or any(key in m or m in key for m in missing):
            continue
        items.append({"text": doc.text[start:end], "is_judgement": False, "target": None, "polarity": None,
                      "review": rid, "source": "review-prose"})
    return items


def reviews_items(golds: list[dict], corpus_dir: Path) -> list[dict]:
    out: list[dict] = []
    for g in golds:
        out += review_items(g, corpus_dir)
    return out
