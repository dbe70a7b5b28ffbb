"""Pattern recognizers for personal data, with checksums and context words (after
Microsoft Presidio). Each recognizer is data in rules/shareable.yaml; the validators
named there are the functions in ``VALIDATORS``.

A validator returns True (the checksum holds), False (it cannot be this kind of
number: drop the match) or None (no checksum to test; keep the pattern's confidence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.checks.victims_context import word_rx

_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
_NI_BAD_PREFIXES = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def nhs_mod11(value: str) -> bool:
    """NHS numbers: weights 10..2 on the first nine digits; 11 - (sum mod 11) is the
    check digit (11 means 0, 10 means the number is invalid)."""
    digits = [int(c) for c in value if c.isdigit()]
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


def ni_prefix(value: str) -> bool:
    """National Insurance numbers: some prefixes are never issued."""
    return value.replace(" ", "")[:2].upper() not in _NI_BAD_PREFIXES


def pnc_check(value: str) -> bool | None:
    """PNC ID YY/NNNNNNNL: the letter is (YY followed by the serial padded to seven
    digits) mod 23, indexed into the PNC letter set. A wrong letter lowers confidence
    rather than dropping the match, as a typed PNC is still personal data."""
    m = re.match(r"^(?:\d{2})?(\d{2})/(\d{1,7})([A-Z])$", value)
    if not m:
        return None
    number = int(m.group(1) + m.group(2).zfill(7))
    return _PNC_LETTERS[number % 23] == m.group(3) or None


VALIDATORS = {"nhs_mod11": nhs_mod11, "ni_prefix": ni_prefix, "pnc_check": pnc_check}


@dataclass
class Hit:
    kind: str
    label: str
    start: int
    end: int
    text: str
    confidence: float
    reason: str
    match_case: bool = False  # initials ("KW"): redact only in capitals, never the word "kw"


@lru_cache(maxsize=1)
def recognizers() -> list[dict]:
    out = []
    for r in rules.load("shareable")["recognizers"]:
        r = dict(r)
        r["_rx"] = re.compile(r["pattern"])
        r["_ctx"] = word_rx(tuple(r.get("context", ())))
        r["_unless"] = [re.compile(u) for u in r.get("unless_match", ())]
        if r.get("validator") and r["validator"] not in VALIDATORS:
            raise ValueError(f"unknown validator {r['validator']} in rules/shareable.yaml")
        out.append(r)
    return out


def scan(text: str, offset: int = 0) -> list[Hit]:
    """Every pattern hit in ``text``; offsets are shifted by ``offset``."""
    hits: list[Hit] = []
    for r in recognizers():
        for m in r["_rx"].finditer(text):
            value = m.group().strip()
            if any(u.search(value) for u in r["_unless"]):
                continue
            valid = VALIDATORS[r["validator"]](value) if r.get("validator") else None
            if valid is False:
                continue
            w = r.get("context_window", 40)
            after = 0 if r.get("context_before_only") else w
            around = text[max(0, m.start() - w):m.end() + after]
            has_ctx = bool(r["_ctx"] and r["_ctx"].search(around))
            if r.get("require_context") and not has_ctx:
                continue
            conf = r["confidence_with_context"] if has_ctx or valid else r["confidence"]
            reason = ", ".join(filter(None, [
                "checksum valid" if valid else "",
                "context word nearby" if has_ctx else "",
            ])) or "pattern"
            end = m.start() + len(m.group().rstrip())
            if r.get("extend_locality"):
                end = extend_locality(text, end, r["extend_locality"])
            hits.append(Hit(r["kind"], r["label"], offset + m.start(), offset + end, text[m.start():end], conf, reason))
    return _drop_overlaps(hits)


def extend_locality(text: str, end: int, cfg: dict) -> int:
    """Carry a street address on over the locality and town that follow it
    ("27 Brindley Road, Loxley Vale, Walsall"), stopping at a postcode (its own hit), a
    lower-case word, the end of the clause or a word that starts something else
    ("..., Police attended")."""
    stop = {w.lower() for w in cfg.get("stop_words", ())}
    part = re.compile(r",?[ \t]+(?=[A-Z])")
    word = re.compile(r"[A-Z][a-z'\u2019-]+(?![\w])")
    for _ in range(cfg.get("max_parts", 2)):
        m = part.match(text, end)
        if not m:
            break
        pos, taken = m.end(), 0
        while taken < cfg.get("max_words", 3):
            w = word.match(text, pos)
            if not w or w.group().lower().strip("'\u2019") in stop:
                break
            end, taken = w.end(), taken + 1
            gap = re.match(r"[ \t]+(?=[A-Z])", text[end:])
            if not gap:
                break
            pos = end + gap.end()
        if not taken:
            break
    return end


def _drop_overlaps(hits: list[Hit]) -> list[Hit]:
    """Where two recognizers claim the same characters, keep the longer, then surer, one."""
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), -h.confidence))
    out: list[Hit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            if (h.end - h.start, h.confidence) > (out[-1].end - out[-1].start, out[-1].confidence):
                out[-1] = h
            continue
        out.append(h)
    return out
