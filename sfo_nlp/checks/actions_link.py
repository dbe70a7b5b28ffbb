"""Link each action to the deficit judgements it addresses ("relevant", issue 6).

Two signals, either enough: TF-IDF cosine similarity between the action (with its measure)
and the judgement sentence, and the number of content lemmas they share (so "domestic
abuse enquiries" links a judgement and an action worded differently around it).
Thresholds and the words too common to count live in rules/smart.yaml ``linking``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sfo_nlp import rules


@dataclass
class Link:
    action: int
    finding: int
    similarity: float
    shared: list[str]


def _lemmas(span, stop: set[str]) -> set[str]:
    return {t.lemma_.lower() for t in span
            if t.is_alpha and not t.is_stop and len(t) > 2 and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ")
            and t.lemma_.lower() not in stop}


def link(action_spans: list, judgement_spans: list) -> list[Link]:
    """Links between actions and (deficit) judgements, both given as spaCy spans."""
    if not action_spans or not judgement_spans:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    cfg = rules.load("smart")["linking"]
    stop = {w.lower() for w in cfg.get("stop_terms", [])}
    # lemmatised text, so "reviewed"/"review" and "enquiries"/"enquiry" meet
    norm = [" ".join(t.lemma_.lower() for t in s if t.is_alpha and not t.is_stop and t.lemma_.lower() not in stop)
            for s in list(action_spans) + list(judgement_spans)]
    try:
        matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(norm)
    except ValueError:  # nothing but stop words
        return []
    n = len(action_spans)
    sims = cosine_similarity(matrix[:n], matrix[n:])
    a_lem = [_lemmas(s, stop) for s in action_spans]
    j_lem = [_lemmas(s, stop) for s in judgement_spans]
    out = []
    for i in range(n):
        for j in range(len(judgement_spans)):
            shared = sorted(a_lem[i] & j_lem[j])
            if sims[i, j] >= cfg["min_similarity"] or len(shared) >= cfg["min_shared_terms"]:
                out.append(Link(i, j, round(float(sims[i, j]), 3), shared))
    return out
