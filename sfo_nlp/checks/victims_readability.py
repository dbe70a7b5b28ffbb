"""victims.readability: can a bereaved family follow the review?

Only prose is scored (paragraphs and list items): tables, headings, footnotes and
quotations are not sentences the author wrote for the reader, and formulas built on
sentence length give nonsense on them. Scores come per paragraph, per section and for
the whole document; sentence counts and passive voice come from the one spaCy parse.
Lines under a "Contents" heading are not prose either, even where the reader could not
tell a contents line from a list item (rules/readability.yaml skip_sections).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

from sfo_nlp.checks.registry import register
from sfo_nlp.checks.victims_textstat import config, reading_age, word_count
from sfo_nlp.results import CheckResult, Finding

CHECK = "victims.readability"


def threshold(ctx, cfg: dict) -> float:
    """CLI option, then environment (through Settings), then the rule file, then Settings."""
    if ctx.options.get("reading_age_threshold") is not None:
        return float(ctx.options["reading_age_threshold"])
    if os.environ.get("SFO_NLP_TARGET_READING_AGE") is None and cfg.get("threshold") is not None:
        return float(cfg["threshold"])
    return float(ctx.settings.target_reading_age)


def _passive_verb(sent) -> str | None:
    """The passive construction of a sentence, from the dependency labels, or None."""
    for tok in sent:
        if tok.dep_ in ("auxpass", "nsubjpass", "csubjpass"):
            verb = tok.head
            aux = [t for t in verb.children if t.dep_ == "auxpass"]
            if aux:
                return f"{aux[0].text} {verb.text}"
            return verb.text
    return None


@register(CHECK, "Reading age of the prose, long sentences and passive voice", needs=("parser",))
def check(doc, ctx) -> CheckResult:
    cfg = config()
    msgs = cfg["messages"]
    limit_age = threshold(ctx, cfg)
    limit = int(ctx.settings.long_sentence_words)
    skip = [re.compile(rx, re.I) for rx in cfg.get("skip_sections", ())]
    prose = {b.id: b for b in doc.prose_blocks
             if not any(rx.search((b.section or "").strip()) for rx in skip)}

    # One pass over the parse: sentences per prose block, long sentences, passives.
    sents_by_block: dict[int, int] = defaultdict(int)
    findings: list[Finding] = []
    long_sentences = passive_sentences = prose_sentences = 0
    for sent in doc.spacy.sents:
        block = doc.block_at(sent.start_char)
        if block is None or block.id not in prose or not sent.text.strip():
            continue
        sents_by_block[block.id] += 1
        prose_sentences += 1
        start = sent.start_char + len(sent.text) - len(sent.text.lstrip())
        end = sent.start_char + len(sent.text.rstrip())
        words = word_count(sent.text)
        if words > limit:
            long_sentences += 1
            findings.append(Finding.at(
                doc, start, end, CHECK, "info",
                msgs["long_sentence"].format(words=words, limit=limit),
                suggestion=msgs["long_sentence_suggestion"].format(limit=limit),
                data={"kind": "long_sentence", "words": words},
            ))
        verb = _passive_verb(sent)
        if verb:
            passive_sentences += 1
            findings.append(Finding.at(
                doc, start, end, CHECK, "info", msgs["passive"].format(verb=verb),
                suggestion=msgs["passive_suggestion"], confidence=0.8,
                data={"kind": "passive", "verb": verb},
            ))

    scored = []
    for b in prose.values():
        if not word_count(b.text):
            continue
        ra = reading_age(b.text, sentences=max(1, sents_by_block.get(b.id, 1)))
        scored.append((b, ra))
    over = [
        (b, ra) for b, ra in scored
        if ra.age > limit_age and ra.words >= cfg["min_words_to_flag"]
    ]
    for b, ra in over:
        findings.append(Finding.at(
            doc, b.start, b.end, CHECK, "warning",
            msgs["paragraph"].format(age=ra.age, threshold=limit_age),
            suggestion=msgs["paragraph_suggestion"],
            data={"kind": "paragraph", "reading_age": ra.age, "formulas": ra.formulas, "words": ra.words},
        ))

    sections: dict[str, list] = defaultdict(list)
    for b, _ in scored:
        sections[b.section or "(before the first heading)"].append(b)
    by_section = []
    for name, blocks in sections.items():
        ra = reading_age("\n\n".join(b.text for b in blocks),
                         sentences=max(1, sum(sents_by_block.get(b.id, 1) for b in blocks)))
        by_section.append({"section": name, "page": blocks[0].page, "reading_age": ra.age, "words": ra.words})

    whole = reading_age("\n\n".join(b.text for b, _ in scored), sentences=max(1, prose_sentences)) if scored else None
    hardest = sorted(
        (x for x in scored if x[1].words >= cfg["min_words_to_flag"]), key=lambda x: -x[1].age
    )[: cfg["hardest"]]
    summary = {
        "reading_age": whole.age if whole else 0.0,
        "threshold": limit_age,
        "formulas": list(whole.formulas) if whole else [],
        "formula_grades": whole.formulas if whole else {},
        "scale": f"UK reading age = US grade + {cfg['grade_to_age']}, averaged over the formulas listed",
        "prose_paragraphs": len(scored),
        "paragraphs_over_threshold": len(over),
        "sentences": prose_sentences,
        "long_sentences": long_sentences,
        "long_sentence_words": limit,
        "passive_sentences": passive_sentences,
        "passive_share": round(passive_sentences / prose_sentences, 3) if prose_sentences else 0.0,
        "sections": by_section,
        "hardest": [
            {"block": b.id, "page": b.page, "reading_age": ra.age, "text": b.text} for b, ra in hardest
        ],
    }
    return CheckResult(CHECK, findings, summary)
