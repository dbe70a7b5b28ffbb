"""The seeded theme taxonomy (rules/themes.yaml) and its lemma-aware matcher.

A paragraph is lemmatised once (spaCy tagger and lemmatizer only: no parser, no NER)
into ``Tok``s. Each seed term is lemmatised by the same pipeline into a pattern of token
keys; a pattern matches where consecutive tokens share a key with it, a key being the
lower-cased lemma or the lower-cased word. Matching on either is what makes
"assessments were reassessed" find "assessment" and "reassess" while a term lemmatised
differently in isolation than in context ("approved premises") still matches by its
words. Acronyms are matched on the exact token text, so "AP" never fires on "ap".

A theme's ``not_when_negated`` terms (an arrangement a person is either under or not:
MAPPA, MARAC) do not count where the paragraph only says it did not apply ("he was not
managed under MAPPA"): a negation word shortly before them in the same clause, in a
sentence that finds no gap ("although he met the criteria"). See ``negation`` in the YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sfo_nlp import rules
from sfo_nlp.errors import SfoError

RULES_NAME = "themes"
# Only what lemmas need: tok2vec, tagger, attribute_ruler, lemmatizer.
_NOT_NEEDED = ("parser", "ner", "senter")


@dataclass(frozen=True)
class Tok:
    text: str
    lemma: str  # lower-cased
    lower: str
    pos: str
    start: int  # offset in the paragraph text
    end: int

    @property
    def keys(self) -> frozenset[str]:
        return frozenset((self.lemma, self.lower))


def lemmatise(texts: Sequence[str], batch_size: int = 128) -> list[list[Tok]]:
    """Token lists (text, lower-cased lemma, POS, offsets) for each text, in order."""
    from sfo_nlp import nlp

    pipeline = nlp.get_nlp({"lemmatizer"})
    skip = [n for n in _NOT_NEEDED if n in pipeline.pipe_names]
    out = []
    for doc in pipeline.pipe(texts, batch_size=batch_size, disable=skip):
        out.append([
            Tok(t.text, t.lemma_.lower(), t.lower_, t.pos_, t.idx, t.idx + len(t.text))
            for t in doc if not t.is_space
        ])
    return out


@dataclass
class Evidence:
    term: str  # the seed term as written in the YAML
    quote: str  # the words matched in the paragraph
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "quote": self.quote, "start": self.start, "end": self.end}


@dataclass
class Theme:
    id: str
    name: str
    definition: str
    terms: list[str]
    acronyms: list[str] = field(default_factory=list)
    min_matches: int = 1
    fire: list[str] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)
    not_when_negated: frozenset[str] = frozenset()  # terms or acronyms a negation cancels


@dataclass(frozen=True)
class Negation:
    cues: frozenset[str]  # lower-cased tokens that negate what follows ("not", "n't", "no")
    breaks: frozenset[str]  # tokens that end the clause a cue governs ("," "and" "but")
    window: int  # tokens a cue may stand before the term
    gap: re.Pattern | None  # a sentence matching this finds a gap, so the term still counts

    @classmethod
    def from_spec(cls, spec: Any) -> "Negation":
        spec = spec or {}
        if not all(isinstance(c, str) for c in spec.get("cues") or ()):
            # YAML reads a bare no as false: a cue that is not a word would never match
            raise SfoError("rules/themes.yaml negation.cues: every cue must be a quoted word")
        try:
            gap = re.compile(spec["gap"], re.I) if spec.get("gap") else None
        except re.error as exc:
            raise SfoError(f"rules/themes.yaml negation.gap: {exc}") from None
        return cls(frozenset(str(c).lower() for c in spec.get("cues") or ()),
                   frozenset(str(b).lower() for b in spec.get("clause_breaks") or ()),
                   int(spec.get("window", 0)), gap)

    def negates(self, text: str, toks: list[Tok], i: int) -> bool:
        """Whether the term starting at token ``i`` is said not to apply: a cue within
        ``window`` tokens before it, with no clause break between, in a sentence with no gap."""
        for j in range(i - 1, max(i - 1 - self.window, -1), -1):
            low = toks[j].lower
            if low in self.breaks:
                return False
            if low in self.cues:
                return self.gap is None or not self.gap.search(_sentence(text, toks[i].start))
        return False


def _sentence(text: str, at: int) -> str:
    """The sentence of ``text`` around offset ``at`` (no parser: split at . ! ? ;)."""
    start = max(text.rfind(c, 0, at) for c in ".!?;") + 1
    ends = [e for e in (text.find(c, at) for c in ".!?;") if e >= 0]
    return text[start : min(ends, default=len(text))]


def _validate(spec: Any) -> list[Theme]:
    if not isinstance(spec, dict) or not isinstance(spec.get("themes"), list):
        raise SfoError("rules/themes.yaml: expected a 'themes' list")
    out, seen = [], set()
    for i, t in enumerate(spec["themes"]):
        where = f"rules/themes.yaml theme {i + 1}"
        if not isinstance(t, dict):
            raise SfoError(f"{where}: not a mapping")
        for key in ("id", "name", "definition", "terms"):
            if not t.get(key):
                raise SfoError(f"{where}: missing '{key}'")
        if t["id"] in seen:
            raise SfoError(f"{where}: id '{t['id']}' used twice")
        seen.add(t["id"])
        terms, acronyms = [str(x) for x in t["terms"]], [str(x) for x in t.get("acronyms") or []]
        negatable = frozenset(str(x) for x in t.get("not_when_negated") or [])
        if negatable - set(terms) - set(acronyms):
            raise SfoError(f"{where}: not_when_negated names what is not a term or acronym of it: "
                           + ", ".join(sorted(negatable - set(terms) - set(acronyms))))
        out.append(Theme(
            id=str(t["id"]), name=str(t["name"]), definition=" ".join(str(t["definition"]).split()),
            terms=terms, acronyms=acronyms, min_matches=int(t.get("min_matches", 1)),
            fire=list(t.get("fire") or []), quiet=list(t.get("quiet") or []), not_when_negated=negatable,
        ))
    return out


class Taxonomy:
    """The seeded themes with their terms compiled into lemma patterns."""

    def __init__(self, spec: dict | None = None) -> None:
        self.spec = spec if spec is not None else rules.load(RULES_NAME)
        self.themes = _validate(self.spec)
        self.discovery: dict[str, Any] = dict(self.spec.get("discovery") or {})
        self.negation = Negation.from_spec(self.spec.get("negation"))
        self.offence_types: list[dict] = list(self.spec.get("offence_types") or [])
        terms = sorted({term for t in self.themes for term in t.terms})
        self._patterns: dict[str, list[tuple[tuple[frozenset[str], ...], str, str]]] = {}
        # first key of a pattern -> [(pattern keys, theme id, term)]
        by_term = dict(zip(terms, lemmatise(terms)))
        for theme in self.themes:
            for term in theme.terms:
                keys = tuple(tok.keys for tok in by_term[term])
                if not keys:
                    continue
                for first in keys[0]:
                    self._patterns.setdefault(first, []).append((keys, theme.id, term))
        self._acronyms = {a: t.id for t in self.themes for a in t.acronyms}
        self.by_id = {t.id: t for t in self.themes}
        # Single-word seed lemmas: discovery leaves them out so its topics are new.
        self.seed_lemmas = {
            key for plist in self._patterns.values() for keys, _, _ in plist if len(keys) == 1 for key in keys[0]
        }

    def match(self, text: str, toks: list[Tok]) -> dict[str, list[Evidence]]:
        """Theme id -> evidence, for the themes this paragraph meets (min_matches)."""
        found: dict[str, list[Evidence]] = {}
        seen_spans: set[tuple[str, int, int]] = set()
        for i, tok in enumerate(toks):
            theme_id = self._acronyms.get(tok.text)
            if theme_id and (theme_id, tok.start, tok.end) not in seen_spans:
                seen_spans.add((theme_id, tok.start, tok.end))
                found.setdefault(theme_id, []).append(Evidence(tok.text, tok.text, tok.start, tok.end))
            candidates = set()
            for key in tok.keys:
                for pat in self._patterns.get(key, ()):
                    candidates.add(pat)
            # longest pattern first, so "risk of serious harm" wins over "risk level" overlaps
            for keys, theme_id, term in sorted(candidates, key=lambda p: -len(p[0])):
                n = len(keys)
                if i + n > len(toks) or not all(keys[j] & toks[i + j].keys for j in range(n)):
                    continue
                start, end = tok.start, toks[i + n - 1].end
                if any(s <= start and end <= e for (tid, s, e) in seen_spans if tid == theme_id):
                    continue
                seen_spans.add((theme_id, start, end))
                found.setdefault(theme_id, []).append(Evidence(term, text[start:end], start, end))
        found = self._drop_negated(text, toks, found)
        return {tid: ev for tid, ev in found.items() if len(ev) >= self.by_id[tid].min_matches}

    def _drop_negated(self, text: str, toks: list[Tok], found: dict[str, list[Evidence]]) -> dict[str, list[Evidence]]:
        """Evidence without the ``not_when_negated`` terms the paragraph says did not apply."""
        index = {t.start: i for i, t in enumerate(toks)}
        return {
            tid: [e for e in ev if e.term not in self.by_id[tid].not_when_negated
                  or not self.negation.negates(text, toks, index[e.start])]
            for tid, ev in found.items()
        }

    def matched_positions(self, evidence: dict[str, list[Evidence]], toks: list[Tok]) -> set[int]:
        """Indexes of the tokens that any theme's evidence covers."""
        spans = [(e.start, e.end) for ev in evidence.values() for e in ev]
        return {i for i, t in enumerate(toks) if any(s <= t.start and t.end <= e for s, e in spans)}

    def match_texts(self, texts: Iterable[str]) -> list[dict[str, list[Evidence]]]:
        texts = list(texts)
        return [self.match(text, toks) for text, toks in zip(texts, lemmatise(texts))]

    def offence_type(self, offence: str | None) -> str:
        if not offence or not str(offence).strip():
            return "not stated"
        low = str(offence).lower()
        for entry in self.offence_types:
            if any(term in low for term in entry.get("terms", [])):
                return str(entry["type"])
        return "other"
