"""Themes across the stored corpus: seeded themes, discovered themes and their prevalence.

Reads only the store (analyses, their metadata and judgement findings, and the body
paragraphs saved with them): nothing re-opens a review. Prevalence counts reviews, not
paragraphs, because one review that mentions approved premises twenty times is still
one review; the paragraph counts and the names of the reviews behind every figure come
with it so an analyst can check any number.

Every share is out of the reviews actually read for themes. A stored file that batch set
aside as "not a review", or one left with no paragraph once boilerplate is set aside,
adds nothing to any theme: counted, it would only lower every percentage. Such files are
named once, with why, in ``ThemeReport.not_counted``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfo_nlp.corpus.boilerplate import find_boilerplate
from sfo_nlp.corpus.discovery import STABLE, Discovery, content_lemmas, discover, surface_forms
from sfo_nlp.corpus import lemma_cache
from sfo_nlp.corpus.themes import Taxonomy
from sfo_nlp.errors import SfoError

THEME_BLOCK_TYPES = ("paragraph", "list_item", "quote")  # tables are case details and action plans
DIMENSIONS = ("region", "year", "offence_type", "rosh_level")
NOT_STATED = "not stated"
TARGETS = ("individual", "management", "system", "partnership")
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")


@dataclass
class Review:
    sha256: str
    source: str
    metadata: dict[str, Any]
    groups: dict[str, str]  # dimension -> value
    judgements: list[tuple[int, str]] = field(default_factory=list)  # (block, target)
    not_review: str = ""  # why batch did not rank it (corpus/review_shape.py), or ''


@dataclass
class Paragraph:
    sha256: str
    block: int
    page: int | None
    section: str | None
    text: str


@dataclass
class ThemeReport:
    reviews: dict[str, Review]
    paragraphs: list[Paragraph]
    themes: list[dict[str, Any]]  # id, name, kind (seeded/discovered), definition
    assignments: list[dict[str, Any]]  # paragraph index, theme id, evidence
    discovery: Discovery
    prevalence: list[dict[str, Any]]
    by_target: list[dict[str, Any]]
    boilerplate: dict[str, int] = field(default_factory=dict)  # why -> paragraphs left out
    not_counted: dict[str, str] = field(default_factory=dict)  # stored file name -> why it is in no figure

    def overall(self) -> list[dict[str, Any]]:
        return [r for r in self.prevalence if r["dimension"] == "all"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviews": len(self.reviews),
            "paragraphs": len(self.paragraphs),
            "boilerplate_left_out": self.boilerplate,
            "not_counted": self.not_counted,
            "themes": self.themes,
            "prevalence": self.prevalence,
            "judgement_targets": self.by_target,
            "discovery": self.discovery.to_dict() | {
                "top_paragraphs": {
                    t.id: [self.paragraph_ref(i) | {"weight": round(w, 4)} for i, w in t.top]
                    for t in self.discovery.topics
                }
            },
        }

    def paragraph_ref(self, i: int) -> dict[str, Any]:
        p = self.paragraphs[i]
        return {"review": self.reviews[p.sha256].source, "sha256": p.sha256, "block": p.block,
                "page": p.page, "section": p.section, "text": p.text}


def year_of(metadata: dict[str, Any]) -> str:
    for key in ("sfo_date", "review_date", "charge_date"):
        m = _YEAR.search(str(metadata.get(key) or ""))
        if m:
            return m.group(1)
    return NOT_STATED


def load_reviews(store, taxonomy: Taxonomy, standards: str | None = None) -> dict[str, Review]:
    reviews: dict[str, Review] = {}
    seen_paths: set[str] = set()
    # Newest first: a file edited and re-analysed counts once, in its latest version.
    for a in store.list_analyses():
        if a["sha256"] in reviews or a["source_path"] in seen_paths or (standards and a["standards"] != standards):
            continue
        seen_paths.add(a["source_path"])
        meta = a.get("metadata") or {}
        groups = {
            "region": " ".join(str(meta.get("region") or "").split()) or NOT_STATED,
            "year": year_of(meta),
            "offence_type": taxonomy.offence_type(meta.get("offence")),
            "rosh_level": str(meta.get("rosh_level") or NOT_STATED).lower(),
        }
        review = Review(a["sha256"], Path(a["source_path"]).name, meta, groups, not_review=a.get("not_review") or "")
        if review.not_review:
            reviews[a["sha256"]] = review
            continue  # nothing of it is read: its judgements are not needed
        full = store.get_analysis(a["sha256"], a["standards"]) or {}
        for f in ((full.get("checks") or {}).get("judgements") or {}).get("findings") or []:
            data = f.get("data") or {}
            if data.get("target") in TARGETS and f.get("block") is not None and data.get("is_judgement", True):
                review.judgements.append((int(f["block"]), data["target"]))
        reviews[a["sha256"]] = review
    return reviews


def analyse_themes(store, standards: str | None = None, taxonomy: Taxonomy | None = None) -> ThemeReport:
    taxonomy = taxonomy or Taxonomy()
    reviews = load_reviews(store, taxonomy, standards)
    if not reviews:
        raise SfoError(f"no analysed reviews in {store.path}; run 'sfo-nlp batch FOLDER --db {store.path}' first")
    not_counted = {r.source: r.not_review for r in reviews.values() if r.not_review}
    reviews = {sha: r for sha, r in reviews.items() if not r.not_review}
    candidates = [
        Paragraph(p["sha256"], p["block"], p["page"], p["section"], p["text"])
        for p in store.paragraphs()
        if p["sha256"] in reviews and p["type"] in THEME_BLOCK_TYPES and p["text"].strip()
    ]
    # Disclaimers, markings and template text are no evidence of any practice theme.
    dropped = find_boilerplate([(p.sha256, p.text) for p in candidates], taxonomy.spec.get("boilerplate") or {},
                               sections=[p.section for p in candidates])
    paragraphs = [p for i, p in enumerate(candidates) if i not in dropped]
    boilerplate: dict[str, int] = defaultdict(int)
    for why in dropped.values():
        boilerplate[why] += 1
    read = {p.sha256 for p in paragraphs}
    for sha in [sha for sha in reviews if sha not in read]:
        not_counted[reviews.pop(sha).source] = "no paragraph left to read once boilerplate is set aside"
    if not reviews:
        raise SfoError(f"no reviews to find themes in, in {store.path}: " + "; ".join(
            f"{name}: {why}" for name, why in sorted(not_counted.items())))
    tokens = lemma_cache.lemmas(store.conn, [(p.sha256, p.block) for p in paragraphs], [p.text for p in paragraphs])
    cfg = taxonomy.discovery
    assignments: list[dict[str, Any]] = []
    residual: dict[int, list[str]] = {}
    explained = 0
    for i, (p, toks) in enumerate(zip(paragraphs, tokens)):
        found = taxonomy.match(p.text, toks)
        for theme_id, ev in found.items():
            assignments.append({"paragraph": i, "theme": theme_id, "evidence": ev})
        if len(content_lemmas(toks, set(), set(), cfg)) < int(cfg.get("min_paragraph_words", 12)):
            continue  # too short to say anything: a heading-like line or a one-liner
        words = content_lemmas(toks, taxonomy.matched_positions(found, toks), taxonomy.seed_lemmas, cfg)
        if len(words) < int(cfg.get("min_residual_words", 8)):
            explained += 1  # the seeded themes already say what this paragraph is about
        else:
            residual[i] = words
    disc = discover(residual, explained, cfg, words=surface_forms([tokens[i] for i in residual]))
    for i, topic_id in disc.assignments.items():
        assignments.append({"paragraph": i, "theme": topic_id, "evidence": []})
    themes = [{"id": t.id, "name": t.name, "kind": "seeded", "definition": t.definition} for t in taxonomy.themes]
    themes += [{"id": t.id, "name": f"{t.id}: {t.label}", "kind": "discovered",
                "definition": "Found by grouping paragraphs that use the same words: "
                              + ", ".join(term for term, _ in t.terms) + "; " + stability_words(t.stability),
                "stability": round(t.stability, 3)}
               for t in disc.topics]
    prevalence, by_target = _prevalence(reviews, paragraphs, themes, assignments)
    return ThemeReport(reviews, paragraphs, themes, assignments, disc, prevalence, by_target, dict(boilerplate),
                       dict(sorted(not_counted.items())))


def stability_words(stability: float, themes: bool = False) -> str:
    """How far a found theme (``themes``: the found themes together) can be trusted, in words;
    discovery.py explains the measure."""
    it, comes, does = ("they", "come", "do") if themes else ("it", "comes", "does")
    redo = "when the grouping is redone from other random starts"
    if stability >= STABLE:
        return f"stable: {it} {comes} back {redo} ({stability:.2f} of 1)"
    return f"unstable: {it} {does} not reliably come back {redo} ({stability:.2f} of 1), so may be chance"


def _prevalence(reviews, paragraphs, themes, assignments):
    theme_reviews: dict[str, set[str]] = defaultdict(set)
    theme_pars: dict[str, list[int]] = defaultdict(list)
    for a in assignments:
        theme_pars[a["theme"]].append(a["paragraph"])
        theme_reviews[a["theme"]].add(paragraphs[a["paragraph"]].sha256)
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for sha, r in reviews.items():
        groups[("all", "all reviews")].add(sha)
        for dim in DIMENSIONS:
            groups[(dim, r.groups[dim])].add(sha)
    rows = []
    for t in themes:
        for (dim, value), members in sorted(groups.items(), key=lambda kv: (_dim_order(kv[0][0]), kv[0][1])):
            with_theme = theme_reviews[t["id"]] & members
            pars = sum(1 for i in theme_pars[t["id"]] if paragraphs[i].sha256 in members)
            rows.append({
                "theme": t["id"], "name": t["name"], "kind": t["kind"], "dimension": dim, "value": value,
                "reviews_with_theme": len(with_theme), "reviews_in_group": len(members),
                "share": round(len(with_theme) / len(members), 4) if members else 0.0,
                "paragraphs": pars,
                "reviews": sorted(reviews[s].source for s in with_theme),
            })
    # Judgement targets: of the judgements made in a theme's paragraphs, whose practice was judged.
    block_targets: dict[tuple[str, int], list[str]] = defaultdict(list)
    for sha, r in reviews.items():
        for block, target in r.judgements:
            block_targets[(sha, block)].append(target)
    by_target = []
    for t in themes:
        counts: dict[str, int] = defaultdict(int)
        behind: dict[str, set[str]] = defaultdict(set)
        for i in sorted(set(theme_pars[t["id"]])):
            p = paragraphs[i]
            for target in block_targets.get((p.sha256, p.block), ()):
                counts[target] += 1
                behind[target].add(reviews[p.sha256].source)
        total = sum(counts.values())
        for target in TARGETS:
            by_target.append({
                "theme": t["id"], "name": t["name"], "kind": t["kind"], "target": target,
                "judgements": counts[target], "judgements_in_theme": total,
                "share": round(counts[target] / total, 4) if total else 0.0,
                "reviews": sorted(behind[target]),
            })
    return rows, by_target


def _dim_order(dim: str) -> int:
    return (("all",) + DIMENSIONS).index(dim)
