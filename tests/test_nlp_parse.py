"""The one parse of a review, made cheaper without changing it: the body parsed in two
halves (one in a forked child) joins back into what a one-piece parse gives, and the NER
run only on sentences that can hold a name finds the names a whole-document pass finds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sfo_nlp import nlp, parallel
from sfo_nlp.checks import registry

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "corpus_samples" / "reviews" / "pdf" / "sfo-12.pdf"


@pytest.fixture(scope="module")
def review():
    from sfo_nlp import checks  # noqa: F401 - registers every check, so the pipeline has all it needs
    from sfo_nlp.ingest import load

    nlp.get_nlp(registry.needs_of())
    return load(REVIEW)


def signature(doc):
    return [(t.idx, t.text, t.is_sent_start, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_)
            for t in doc]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_two_halves_parse_as_one(review, monkeypatch):
    one = nlp.parse_part(review, 0, len(review.text))
    monkeypatch.setattr(nlp, "SPLIT_MIN_CHARS", 0)
    monkeypatch.setattr(parallel, "available", lambda: True)
    assert nlp.split_point(review) is not None
    two = nlp.parse(review)
    assert two.text == review.text and two._.review is review
    assert signature(two) == signature(one)
    assert [(e.start_char, e.end_char, e.label_) for e in two.ents] == [
        (e.start_char, e.end_char, e.label_) for e in one.ents]


def test_short_texts_are_not_split(review):
    assert len(review.text) < nlp.SPLIT_MIN_CHARS
    assert nlp.split_point(review) is None


def test_ner_only_where_names_can_be(review):
    pipeline = nlp.get_nlp()
    doc = nlp.parse_part(review, 0, len(review.text))
    whole = pipeline.get_pipe("ner")(doc.copy())
    found = {(e.start, e.end, e.label_) for e in doc.ents}
    assert found <= {(e.start, e.end, e.label_) for e in whole.ents}  # nothing new
    # Every name of two words or more is still found (what victims.shareable reads); the
    # only ones missed are lone capitalised words opening a sentence ("Background").
    names = {(e.start, e.end) for e in whole.ents if e.label_ == "PERSON" and e.end - e.start > 1}
    assert names and names <= {(s, e) for s, e, label in found if label == "PERSON"}


def test_fast_attribute_ruler_gives_spacys_own_answers(review):
    import spacy

    from sfo_nlp import nlp_attributes
    from sfo_nlp.ingest import load

    spacys = spacy.load(nlp.MODEL_NAMES[0] if _installed(nlp.MODEL_NAMES[0]) else nlp.MODEL_NAMES[1], exclude=["senter"])
    ours = nlp.get_nlp()
    assert ours.get_pipe("attribute_ruler").match.__class__ is nlp_attributes.FastMatch  # installed
    odd = "I ain't gonna do it, let's go. Gotta see; we can't, won't.\n\n   Spaces   here. GONNA Let 's"
    texts = [review.text, load(ROOT / "corpus_samples" / "reviews" / "pdf" / "sfo-03.pdf").text, odd]
    for text in texts:
        a, b = spacys(text), ours(text)
        assert [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in a] == [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in b]
    # the two-token exceptions really were exercised
    assert [t.lemma_ for t in ours("gonna")] == ["go", "to"]


def test_fast_attribute_ruler_steps_aside_for_patterns_it_does_not_read():
    import spacy

    from sfo_nlp import nlp_attributes

    blank = spacy.blank("en")
    ruler = blank.add_pipe("attribute_ruler")
    ruler.add([[{"LIKE_NUM": True}]], {"TAG": "CD"})
    assert not nlp_attributes.install(blank)
    ruler2 = spacy.blank("en").add_pipe("attribute_ruler")
    ruler2.add([[{"LOWER": {"FUZZY": "colour"}}]], {"TAG": "NN"})
    assert not nlp_attributes.FastMatch(ruler2).ok


def _installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
