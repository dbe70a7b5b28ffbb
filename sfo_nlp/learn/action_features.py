"""Features of one action text: the cues of rules/smart.yaml, owner and level terms,
its row's owner and date cells, and the shape of the text (imperative, "will", dates).

Plain dicts, so scikit-learn's DictVectorizer reads them and skops saves the
vectoriser without any custom class.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sfo_nlp.learn import cues

if TYPE_CHECKING:
    from spacy.tokens import Span


def action_features(span: "Span", owner_field: str = "", date_field: str = "") -> dict[str, Any]:
    """Feature dict of one action text; ``owner_field``/``date_field`` are its row's cells."""
    text = span.text
    f: dict[str, Any] = {}
    for name, words in cues.hits("smart", text).items():
        f[f"cue={name}"] = 1.0
        f[f"cue_n={name}"] = min(len(words), 3) / 3
    for level in cues.term_hits("levels", text):
        f[f"level_term={level}"] = 1.0
    if cues.owner_pattern().search(text):
        f["owner_term"] = 1.0
    if owner_field.strip():
        f["owner_field"] = 1.0
        for level in cues.term_hits("levels", owner_field):
            f[f"owner_level={level}"] = 1.0
    # only a date cell that states a timescale counts ("Ongoing" in the column is no deadline)
    if date_field.strip() and cues.ruleset("smart")["time_bound"].find(date_field):
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
