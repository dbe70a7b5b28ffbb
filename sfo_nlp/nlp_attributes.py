"""The attribute ruler's matching, done with a lookup per kind of token: same answers.

spaCy's ``attribute_ruler`` (it maps each fine tag to its part of speech and morphology,
plus some exceptions, for the lemmatizer) runs a Matcher of 180 patterns whose
predicates are Python calls per token and pattern: 1.4-1.9 s of the ~7 s parse of a
40-page review, more than the tagger and lemmatizer together. Its patterns only look at
a token's own tag, lower-case form, dependency label and whether it is a space, so which
patterns a token matches depends on those four values alone and is worked out once per
distinct combination. Two-token patterns ("gonna", "let's") are checked pair by pair.

``install`` replaces the ruler's ``match`` step, and its ``set_annotations`` by the same
loop without a Span per match, only when every pattern uses what this module
understands; otherwise the pipeline keeps spaCy's own. tests/test_nlp_parse.py checks that tags, parts of
speech, morphology and lemmas are identical either way on every corpus review.
"""

from __future__ import annotations

import re
from typing import Any, Callable

# Matcher attributes this module reads through Doc.to_array (string ids, or 0/1 flags)
_STRING_ATTRS = {"TAG", "LOWER", "DEP", "ORTH", "NORM"}
_FLAG_ATTRS = {"IS_SPACE"}


def _predicate(attr: str, value: Any, signature: list[str]) -> Callable[[tuple], bool] | None:
    """A test on a token signature (the values of ``signature``'s attributes), or None
    when the pattern uses something this module does not understand."""
    if attr not in _STRING_ATTRS | _FLAG_ATTRS:
        return None
    if attr not in signature:
        signature.append(attr)
    k = signature.index(attr)
    if isinstance(value, (str, bool)):
        return lambda sig: sig[k] == value
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (op, arg), = value.items()
    if op == "IN":
        options = set(arg)
        return lambda sig: sig[k] in options
    if op == "NOT_IN":
        options = set(arg)
        return lambda sig: sig[k] not in options
    if op == "REGEX" and isinstance(arg, str):
        rx = re.compile(arg)
        return lambda sig: bool(rx.search(sig[k]))
    return None


class FastMatch:
    """Drop-in for ``AttributeRuler.match``: sorted ``(attr_id, match_id, start, end)``."""

    def __init__(self, ruler) -> None:
        self.ruler = ruler
        self.specs: list[list[Callable[[tuple], bool]]] = []  # distinct token specs
        spec_index: dict[str, int] = {}
        self.single: list[tuple[int, int]] = []  # (attr_id, spec)
        self.pairs: list[tuple[int, int, int]] = []  # (attr_id, first spec, second spec)
        self.ok = True
        self.signature: list[str] = []  # the token attributes the patterns read
        for attr_id, rule in enumerate(ruler.patterns):
            for pattern in rule["patterns"]:
                ids = []
                for token_spec in pattern:
                    key = repr(sorted(token_spec.items()))
                    if key not in spec_index:
                        preds = [_predicate(a, v, self.signature) for a, v in token_spec.items()]
                        if any(p is None for p in preds) or not preds:
                            self.ok = False
                            return
                        spec_index[key] = len(self.specs)
                        self.specs.append(preds)  # type: ignore[arg-type]
                    ids.append(spec_index[key])
                if len(ids) == 1:
                    self.single.append((attr_id, ids[0]))
                elif len(ids) == 2:
                    self.pairs.append((attr_id, ids[0], ids[1]))
                else:  # longer patterns: leave it to spaCy
                    self.ok = False
                    return
        self._cache: dict[tuple, tuple[frozenset[int], tuple[int, ...]]] = {}
        self._keys = {i: ruler.vocab.strings.add(str(i)) for i in range(len(ruler.attrs))}

    def _specs_of(self, ids: tuple, strings) -> tuple[frozenset[int], tuple[int, ...]]:
        hit = self._cache.get(ids)
        if hit is None:
            sig = tuple(bool(v) if a in _FLAG_ATTRS else strings[v] for a, v in zip(self.signature, ids))
            matched = frozenset(i for i, preds in enumerate(self.specs) if all(p(sig) for p in preds))
            singles = tuple(sorted({a for a, s in self.single if s in matched}))
            hit = self._cache[ids] = (matched, singles)
        return hit

    def __call__(self, doc) -> list[tuple[int, int, int, int]]:
        keys = self._keys
        found: set[tuple[int, int, int, int]] = set()
        if not len(doc):
            return []
        strings = doc.vocab.strings
        rows = doc.to_array(self.signature).reshape(len(doc), -1).tolist()
        per_token = [self._specs_of(tuple(row), strings) for row in rows]
        for i, (_, singles) in enumerate(per_token):
            for a in singles:
                found.add((a, keys[a], i, i + 1))
        if self.pairs:
            for i in range(len(per_token) - 1):
                here, there = per_token[i][0], per_token[i + 1][0]
                for a, s1, s2 in self.pairs:
                    if s1 in here and s2 in there:
                        found.add((a, keys[a], i, i + 2))
        return sorted(found)


def install(nlp) -> bool:
    """Use FastMatch in ``nlp``'s attribute ruler when it can stand in exactly."""
    if "attribute_ruler" not in nlp.component_names:
        return False
    ruler = nlp.get_pipe("attribute_ruler")
    fast = FastMatch(ruler)
    if not fast.ok:
        return False
    # Instance attributes: AttributeRuler.__call__ calls self.match and self.set_annotations.
    ruler.match = fast
    ruler.set_annotations = lambda doc, matches: _set_annotations(ruler, doc, matches)
    return True


def _set_annotations(ruler, doc, matches) -> None:
    """spaCy's own loop without building a Span per match (~29,000 on 40 pages)."""
    from spacy.tokens._retokenize import set_token_attrs

    attrs, indices = ruler.attrs, ruler.indices
    for attr_id, _, start, end in matches:
        index = indices[attr_id]
        if not -(end - start) <= index < end - start:
            raise ValueError(f"attribute ruler pattern {attr_id}: index {index} outside its match")
        set_token_attrs(doc[start + index if index >= 0 else end + index], attrs[attr_id])
