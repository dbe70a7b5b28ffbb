"""Features of one action text: the cues of rules/smart.yaml, owner and level terms,
its row's owner and date cells, the body or role the action is addressed to, and the
shape of the text (imperative, "will", dates).

Plain dicts, so scikit-learn's DictVectorizer reads them and skops saves the
vectoriser without any custom class.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sfo_nlp import rules
from sfo_nlp.learn import cues

if TYPE_CHECKING:
    from spacy.tokens import Span


# Words that end the addressee of a recommendation: "HMPPS should ...", "Heads of PDU
# must ...", "The Probation Service needs to ...", "PP to attend ...", "SPOs will ...".
_MODALS = {"should", "must", "will", "shall", "ought"}
_ASKED = {"asked", "invited", "required", "expected", "encouraged", "requested"}  # "be asked to act"
# Openings that carry no addressee: "2.", "Recommendation 3:", "We recommend that".
_OPENING = re.compile(r"^\s*(?:(?:recommendation\s+)?\d+[.):]?\s*)?(?:we\s+recommend\s+that\s+)?", re.IGNORECASE)
_MAX_ADDRESSEE_WORDS = 10


def addressee(span: "Span") -> str:
    """The body or role an action is addressed to, as written ("HMPPS", "Regional probation
    directors", "The police and the PDU"), or "" for an imperative ("Deliver ..."), a
    passive ("Standards to be improved ...") or a noun phrase with no actor.

    Read from the words, not the parse: the small parser often takes "SPOs to ensure" or
    "SFO leads should" for a noun phrase with a relative clause."""
    text = span.text
    opening = _OPENING.match(text).group(0)
    # after "We recommend that", the addressee's own verb ends it ("... HMPPS sets out ...")
    recommend = "recommend" in opening.lower()
    toks = [t for t in span if t.idx - span.start_char >= len(opening)]
    for k, t in enumerate(toks[: _MAX_ADDRESSEE_WORDS + 1]):
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        ends = (t.lower_ in _MODALS and t.tag_ == "MD") or (
            t.lower_ in ("need", "needs", "to", "is", "are") and nxt is not None
            and (nxt.tag_ == "VB" or (nxt.lower_ == "to" and t.lower_ != "to"))) or (
            recommend and k > 0 and t.tag_ in ("VBZ", "VBP"))
        if not ends:
            continue
        who = toks[:k]
        # "By March 2026, regional SFO leads should": the addressee follows the last comma
        commas = [i for i, w in enumerate(who) if w.text == ","]
        who = who[commas[-1] + 1:] if commas else who
        # "X to be improved", "X will be reminded": X is what is acted on, not who acts
        rest = [w for w in toks[k + 1: k + 4] if w.lower_ != "to"]
        # ... but "X will be asked to consider" names X as who is to act (QA 9: "The national
        # SFO team will be asked to consider ..." lost its national addressee)
        passive = len(rest) > 1 and rest[0].lower_ == "be" and rest[1].tag_ == "VBN" and not (
            rest[1].lower_ in _ASKED and rest[1].i + 1 < span.end and span.doc[rest[1].i + 1].lower_ == "to")
        # "Deliver ...": an imperative names nobody (an acronym tagged as a verb is a body)
        imperative = (who[0].tag_ == "VB" or who[0].pos_ == "VERB") and not who[0].is_upper if who else False
        if not who or passive or imperative:
            return ""
        return text[who[0].idx - span.start_char: who[-1].idx + len(who[-1]) - span.start_char].strip(" ,")
    return ""


def addressee_level(who: str) -> str | None:
    """The level an addressee names: multi-agency when any partner body is among them
    ("HMPPS and the police"); otherwise the level of the longest level term ("the central
    SFO team" is national, not a local team); None when no term names a level."""
    if not who:
        return None
    found = cues.term_hits("levels", who)
    if "multi-agency" in found:
        return "multi-agency"
    if not found:
        return None
    return max(found, key=lambda lv: max(len(w) for w in found[lv]))


@lru_cache(maxsize=1)
def _not_partner() -> frozenset[str]:
    """Level terms that name no partner body as co-actor ("board", "jointly")."""
    return frozenset(w.lower() for w in rules.load("smart")["joint_cue"].get("not_partner", []))


def joint_with_partner(text: str) -> bool:
    """Is a partner body named as co-actor of the action (``joint_cue`` in rules/smart.yaml)?"""
    pat = cues.term_groups("levels").get("multi-agency")
    if pat is None:
        return False
    cue = cues.rule("smart", "joint_cue")
    for m in pat.finditer(text):
        if m.group(1).lower() in _not_partner():
            continue
        if cue.find(text[max(0, m.start() - 60): m.start()]):
            return True
    return False


def stated_level(span: "Span") -> str | None:
    """The level the wording states for who acts: the addressee's level, turned
    multi-agency when a body (or nobody: an imperative) acts with a partner. A person
    addressed ("PP to do a joint visit with the police") keeps their own level."""
    lv = addressee_level(addressee(span))
    if lv in (None, "regional", "national") and joint_with_partner(span.text):
        return "multi-agency"
    return lv


# Rules read only in a date column ("Complete" there is an answer, in the text a verb).
_CELL_ONLY = {"date_cell"}


def date_cell_states_time(cell: str) -> bool:
    """Does a date column's cell set a time: a date, a timescale or, in that column, a
    frequency ("Monthly") or "Complete"/"Immediate"? "Ongoing", "TBC" and "-" do not."""
    smart = cues.ruleset("smart")
    return bool(cell.strip()) and any(smart[r].find(cell) for r in ("time_bound", "frequency", "date_cell"))


def action_features(span: "Span", owner_field: str = "", date_field: str = "") -> dict[str, Any]:
    """Feature dict of one action text; ``owner_field``/``date_field`` are its row's cells."""
    text = span.text
    f: dict[str, Any] = {}
    for name, words in cues.hits("smart", text).items():
        if name in _CELL_ONLY:
            continue
        f[f"cue={name}"] = 1.0
        f[f"cue_n={name}"] = min(len(words), 3) / 3
    for level in cues.term_hits("levels", text):
        f[f"level_term={level}"] = 1.0
    if cues.owner_pattern().search(text):
        f["owner_term"] = 1.0
    for scope, rule in cues.ruleset("smart", "scope").items():
        if rule.find(text):
            f[f"scope_over={scope}"] = 1.0
    who_level = stated_level(span)
    if who_level:
        f[f"addressee_level={who_level}"] = 1.0
    if joint_with_partner(text):
        f["joint_partner"] = 1.0
    if owner_field.strip():
        f["owner_field"] = 1.0
        for level in cues.term_hits("levels", owner_field):
            f[f"owner_level={level}"] = 1.0
    # only a date cell that states a timescale counts ("Ongoing" in the column is no deadline)
    if date_cell_states_time(date_field):
        f["date_field_parsed"] = 1.0
    first = next((t for t in span if not t.is_punct and not t.like_num), None)
    if first is not None:
        f[f"first={first.lemma_.lower()}"] = 1.0
        if first.tag_ == "VB" or first.pos_ == "VERB":
            f["imperative"] = 1.0
    if any(t.lemma_ == "will" and t.tag_ == "MD" for t in span):
        f["will"] = 1.0
    n = len([t for t in span if not t.is_punct])
    f["len"] = min(n, 60) / 60
    if re.search(r"\d", text):
        f["digits"] = 1.0
    return f
