"""Discovery of themes the taxonomy lacks: NMF over TF-IDF of paragraph lemmas.

Paragraphs are reduced to content lemmas (nouns, verbs, adjectives; no names, numbers or
words every review uses) with the seed terms taken out, so what NMF finds is what the
taxonomy does not already say. A paragraph with little left after that is "fully
explained" by the seeded themes and sits this out.

NMF is fitted with several random initialisations. The model with the lowest
reconstruction error is reported; its stability is how well each of its topics is found
again by the other fits (the cosine of its term vector with the best-matching topic of
each other fit, averaged). A topic below about 0.6 is an artefact of one initialisation
rather than a theme of the corpus, and is flagged as unstable.

Topics are fitted on lemmas but shown in the words the reviews use: a lemma is named by
its most frequent form in the text ("data", never the lemma "datum"), because an analyst
reads the label against the paragraphs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from sfo_nlp.corpus.themes import Tok

STABLE = 0.6  # mean best-match cosine above which a topic counts as reproducible


def content_lemmas(toks: Sequence[Tok], skip: set[int], seed_lemmas: set[str], cfg: dict[str, Any]) -> list[str]:
    """The lemmas of a paragraph that discovery reads (``skip``: token indexes of seed matches)."""
    keep_pos = set(cfg.get("keep_pos") or ("NOUN", "VERB", "ADJ"))
    stop = set(cfg.get("stop_lemmas") or ())
    out = []
    for i, t in enumerate(toks):
        if i in skip or t.pos not in keep_pos or not t.lemma.isalpha() or len(t.lemma) < 3:
            continue
        if t.lemma in stop or t.lemma in seed_lemmas:
            continue
        out.append(t.lemma)
    return out


def surface_forms(token_lists: Sequence[Sequence[Tok]]) -> dict[str, str]:
    """Lemma -> its most frequent lower-cased form in these tokens (ties: the lemma itself, then A-Z)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for toks in token_lists:
        for t in toks:
            counts[t.lemma][t.lower] += 1
    return {lemma: min(c, key=lambda form: (-c[form], form != lemma, form)) for lemma, c in counts.items()}


@dataclass
class Topic:
    id: str  # "D1", "D2", ... (D for discovered)
    label: str  # its three strongest terms
    terms: list[tuple[str, float]]
    stability: float
    top: list[tuple[int, float]]  # (index into the paragraphs given, weight)

    @property
    def stable(self) -> bool:
        return self.stability >= STABLE

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "stability": round(self.stability, 3), "stable": self.stable,
                "terms": [[t, round(w, 4)] for t, w in self.terms]}


@dataclass
class Discovery:
    topics: list[Topic] = field(default_factory=list)
    stability: float | None = None  # mean over topics
    seeds: int = 0
    paragraphs_used: int = 0
    paragraphs_explained: int = 0  # left out: fully explained by seeded themes
    vocabulary: int = 0
    assignments: dict[int, str] = field(default_factory=dict)  # paragraph index -> topic id
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "stability_mean_best_match_cosine": None if self.stability is None else round(self.stability, 3),
            "seeds": self.seeds, "paragraphs_used": self.paragraphs_used,
            "paragraphs_explained_by_seeded_themes": self.paragraphs_explained,
            "vocabulary": self.vocabulary, "note": self.note,
            "topics": [t.to_dict() for t in self.topics],
        }


def best_match_stability(reference: np.ndarray, others: list[np.ndarray]) -> np.ndarray:
    """Per reference topic: mean over the other fits of the best cosine with any of their topics."""
    def unit(m: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return m / np.where(norms == 0, 1, norms)

    ref = unit(reference)
    if not others:
        return np.ones(len(ref))
    return np.mean([(ref @ unit(o).T).max(axis=1) for o in others], axis=0)


def discover(docs: dict[int, list[str]], explained: int, cfg: dict[str, Any],
             words: dict[str, str] | None = None) -> Discovery:
    """Fit NMF topics over ``docs``: paragraph index -> its content lemmas left after the seed terms.
    ``words`` names each lemma in the topics as the text writes it (see surface_forms)."""
    words = words or {}
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    seeds = int(cfg.get("seeds", 5))
    result = Discovery(seeds=seeds, paragraphs_explained=explained)
    idx = sorted(docs)
    result.paragraphs_used = len(idx)
    per_topic = 12  # paragraphs per topic below which NMF topics are noise
    k = min(int(cfg.get("topics", 8)), len(idx) // per_topic)
    if k < 2:
        result.note = (f"too few paragraphs left for discovery ({len(idx)} after the seeded themes; "
                       f"need {2 * per_topic})")
        return result
    min_df = int(cfg.get("min_df", 2))
    vec = TfidfVectorizer(analyzer=lambda d: d, min_df=min_df, max_df=float(cfg.get("max_df", 0.5)),
                          sublinear_tf=True)
    try:
        X = vec.fit_transform([docs[i] for i in idx])
    except ValueError:  # every term pruned by min_df/max_df
        result.note = "no vocabulary left for discovery after pruning rare and ubiquitous words"
        return result
    vocab = np.array(vec.get_feature_names_out())
    result.vocabulary = len(vocab)
    if len(vocab) < 3 * k:
        result.note = f"vocabulary too small for discovery ({len(vocab)} words)"
        return result
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    fits = []
    for seed in range(seeds):
        model = NMF(n_components=k, init="random", random_state=seed, max_iter=500, tol=1e-4)
        # A fit that stops at max_iter is still a usable factorisation; whether the fits
        # agree is what the stability figure reports, so sklearn's raw warning would only
        # alarm an analyst with nothing to act on.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            W = model.fit_transform(X)
        fits.append((model.reconstruction_err_, seed, W, model.components_))
    fits.sort(key=lambda f: f[0])
    _, _, W, H = fits[0]
    stab = best_match_stability(H, [f[3] for f in fits[1:]])
    result.stability = float(stab.mean())
    n_terms, n_top = int(cfg.get("top_terms", 10)), int(cfg.get("top_paragraphs", 5))
    order = np.argsort(-stab)  # most reproducible first
    for rank, t in enumerate(order, start=1):
        term_idx = np.argsort(-H[t])[:n_terms]
        terms = [(words.get(str(vocab[j]), str(vocab[j])), float(H[t, j])) for j in term_idx if H[t, j] > 0]
        rows = [r for r in np.argsort(-W[:, t])[:n_top] if W[r, t] > 0]
        result.topics.append(Topic(
            id=f"D{rank}", label=", ".join(term for term, _ in terms[:3]), terms=terms,
            stability=float(stab[t]), top=[(idx[r], float(W[r, t])) for r in rows],
        ))
    share = float(cfg.get("assign_share", 0.4))
    topic_id = {t: f"D{rank}" for rank, t in enumerate(order, start=1)}
    totals = W.sum(axis=1)
    for r, i in enumerate(idx):
        if totals[r] > 0:
            best = int(np.argmax(W[r]))
            if W[r, best] / totals[r] >= share:
                result.assignments[i] = topic_id[best]
    return result
