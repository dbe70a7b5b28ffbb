"""Linguistic features of a judgement sentence, from one spaCy parse.

Judgements: who is the grammatical subject or agent of the evaluative predicate (a
practitioner, a manager, a system factor, a partner agency: role nouns from
rules/roles.yaml), modal perfect ("should have"), negated verbs of action, tense, and
the cues of rules/judgements.yaml.
(Action features live in action_features.py.)

Features are plain dicts so scikit-learn's DictVectorizer can read them and skops can
save the vectoriser without any custom class.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sfo_nlp import rules
from sfo_nlp.learn import cues

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
# Verbs whose negation says something was not done (the heart of a deficit judgement).
_AUX_LEMMAS = {"be", "have", "do"}


def _joined(text: str) -> str:
    # tokens joined with spaces split "children's" into "children 's", which no role term matches
    return text.replace(" 's", "'s").replace(" ’s", "’s")


def _targets_in(text: str) -> list[str]:
    return sorted(cues.term_hits_longest("targets", _joined(text)))


def _phrase(tok: "Token") -> str:
    """The words a noun heads (its subtree), e.g. 'the senior probation officer'."""
    return " ".join(t.text for t in tok.subtree) if tok is not None else ""


_HEAD_DEPS = {"compound", "amod", "poss", "nmod", "det", "nummod", "case", "prep", "pobj", "quantmod", "predet"}


def _head_phrase(tok: "Token") -> str:
    """The noun phrase a subject heads without its relative clauses ("the two SPOs",
    not "... who supervised the PP"), so the role judged is the head's, not a bystander's."""
    keep, stack = [tok], [tok]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in _HEAD_DEPS and (c.dep_ != "prep" or c.lower_ == "of"):
                keep.append(c)
                stack.append(c)
    return " ".join(t.text for t in sorted(keep, key=lambda t: t.i))


def _head_roles(tok: "Token") -> list[str]:
    """Target groups of the term that ends at the head noun itself ("regional leadership
    teams" -> none, "the senior probation officer" -> management, "reviewing managers" ->
    individual): who the subject is, before what qualifies it."""
    left = [t for t in tok.subtree if t.i <= tok.i and t.dep_ in _HEAD_DEPS | {"amod"} or t is tok]
    text = _joined(" ".join(t.text for t in left))
    return sorted({g for _, end, g, _ in cues.term_spans("targets", text) if end == len(text)})


def _frames() -> tuple[set[str], set[str]]:
    cfg = rules.load("judgements")["frames"]
    return {v.lower() for v in cfg["verbs"]}, {v.lower() for v in cfg["author_subjects"]}


def _predicate(span: "Span") -> tuple["Token", "Token | None"]:
    """The main evaluative predicate and, when the root only frames it ("the review found
    that ...", "the PP told me that ..."), the framing verb."""
    root = span.root
    verbs, _ = _frames()
    if root.lemma_.lower() in verbs:
        for child in root.children:
            if child.dep_ in ("ccomp", "xcomp") and child.pos_ in ("VERB", "AUX", "ADJ"):
                return child, root
    return root, None


def _subject(pred: "Token") -> "Token | None":
    for child in pred.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    # "the PP, who should have ..." or conjoined predicates inherit the head's subject
    if pred.dep_ in ("conj", "xcomp", "advcl") and pred.head is not pred:
        return _subject(pred.head)
    return None


def _tense(pred: "Token", span: "Span") -> str:
    auxes = [c for c in pred.children if c.dep_ in ("aux", "auxpass")]
    lemmas = {a.lemma_.lower() for a in auxes}
    if lemmas & {"should", "could", "would", "ought", "might", "must"} and "have" in lemmas:
        return "modal_perfect"
    if lemmas & {"should", "must", "need"}:
        return "modal_present"
    if "will" in lemmas or "shall" in lemmas:
        return "future"
    tags = {pred.tag_} | {a.tag_ for a in auxes}
    if tags & {"VBD"}:
        return "past"
    if tags & {"VBZ", "VBP"}:
        return "present"
    if any(t.tag_ == "VBD" for t in span):
        return "past"
    return "other"


def judgement_features(span: "Span") -> dict[str, Any]:
    """Feature dict of one sentence (a spaCy Span or Doc)."""
    text = span.text
    f: dict[str, Any] = {}
    for name, words in cues.hits("judgements", text).items():
        f[f"cue={name}"] = 1.0
        f[f"cue_n={name}"] = min(len(words), 3) / 3
    for t in _targets_in(text):
        f[f"role={t}"] = 1.0
    pred, frame = _predicate(span)
    f[f"pred={pred.lemma_.lower()}"] = 1.0
    if frame is not None:
        # whose finding or account is it: the review's own, or a reported one
        fsubj = _subject(frame)
        _, authors = _frames()
        who = _head_phrase(fsubj).lower() if fsubj is not None else ""
        if fsubj is not None and (fsubj.lemma_.lower() in authors or who in authors):
            f["frame=author"] = 1.0
        else:
            f["frame=reported"] = 1.0
            f[f"frame_verb={frame.lemma_.lower()}"] = 1.0
            for t in _targets_in(who):
                f[f"reporter_role={t}"] = 1.0
    f[f"tense={_tense(pred, span)}"] = 1.0
    subj = _subject(pred)
    if subj is not None:
        f[f"subj={subj.lemma_.lower()}"] = 1.0
        for t in _targets_in(_head_phrase(subj)):
            f[f"subj_role={t}"] = 1.0
        for t in _targets_in(_phrase(subj)):
            f[f"subj_tree_role={t}"] = 1.0
        # the role named by the head noun itself ("the regional SPO" -> management, not
        # "regional"), which subject_target reads before the rest of the phrase
        for t in _head_roles(subj):
            f[f"subj_head_role={t}"] = 1.0
        if subj.lemma_.lower() in ("i", "we", "review", "reviewer"):
            f["subj_review"] = 1.0
        if subj.dep_ == "nsubjpass":
            f["passive"] = 1.0
    for tok in span:
        if tok.dep_ == "agent":  # "... was not reviewed by the SPO"
            for t in _targets_in(_head_phrase(tok)):
                f[f"agent_role={t}"] = 1.0
        elif tok.dep_ == "poss":  # "the practitioner's assessment"
            for t in _targets_in(_phrase(tok)):
                f[f"poss_role={t}"] = 1.0
        elif tok.dep_ == "neg" and tok.head.pos_ in ("VERB", "AUX"):
            head = tok.head
            f["neg_verb"] = 1.0
            if head.lemma_ not in _AUX_LEMMAS:
                f[f"neg={head.lemma_.lower()}"] = 1.0
        elif tok.dep_ == "acomp" or (tok.pos_ == "ADJ" and tok.head == pred):
            f[f"adj={tok.lemma_.lower()}"] = 1.0
    # objects of the predicate name what was judged ("did not complete the assessment")
    for child in pred.children:
        if child.dep_ in ("dobj", "attr", "pobj"):
            for t in _targets_in(_head_phrase(child)):
                f[f"obj_role={t}"] = 1.0
    n = len([t for t in span if not t.is_punct])
    f["len"] = min(n, 60) / 60
    if re.search(r"\d", text):
        f["digits"] = 1.0
    if text.rstrip().endswith(":") or n < 4:
        f["fragment"] = 1.0
    if not any(t.pos_ in ("VERB", "AUX") for t in span):
        f["verbless"] = 1.0  # "Interview with the SPO." lists a source; most judgements predicate
    return f
