"""Finding acronyms and where they are spelled out (Schwartz and Hearst, 2003).

Schwartz-Hearst pairs a short form with a long form when every character of the short
form appears, in order, in the long form, and its first character starts a word. It
needs no training and copes with "OASys" (Offender Assessment System), "RoSH" (risk of
serious harm) and "PQiP" (Professional Qualification in Probation). Definitions are
found in both orders, in round or square brackets, and as "PDU - probation delivery
unit" (the glossary-list form). Offsets are into the text given, and the window may
run across a line, paragraph or page break: a definition split by a page break in a
PDF is still one definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A candidate word: letters (with & inside, as in A&E), optionally followed by digits;
# or capitalised parts joined by hyphens ("OSP-DC", "OSP-IIC"): one term a reader must
# have explained, not two. "Non-MAPPA" and "RoSH-related" are not compounds (the first
# or last part does not start and end with a capital) and yield "MAPPA" and "RoSH".
_PART = r"[A-Z][A-Za-z&]*[A-Z]\d*"
WORD = re.compile(rf"((?<![\w&]){_PART}(?:-{_PART})+|(?<![\w&/])(?<![A-Z\d]-)[A-Za-z][A-Za-z&]*[A-Za-z]\d*)(?![\w&])")
_SHAPE = re.compile(r"^([A-Za-z&]+)(\d*)$")
_ROMAN = re.compile(r"^(?=[IVXLC]{2,}$)C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_SURNAME_PREFIX = re.compile(r"^(Mc|Mac|De|Di|Da|La|Le|Van|Von|O)[A-Z][a-z]+$")
_BRACKETS = re.compile(r"[(\[]\s*([^()\[\]\n]{1,160}?)\s*[)\]]")
_DASH_DEF = re.compile(r"(?<![\w&])([A-Za-z][A-Za-z&]*[A-Za-z]\d*s?)\s*(?:\s[-\u2013\u2014=]|:)\s+(\S)")
# "the Offender Assessment System, known as OASys", "(referred to as PP1)"
_NAMED_AS = re.compile(
    r"\b(?:known as|referred to as|hereafter|hereinafter|abbreviated to|shortened to|or)\s+(?:the\s+)?[\"\u201c\u2018']?"
    r"([A-Za-z][A-Za-z&]*[A-Za-z]\d*)[\"\u201d\u2019']?(?=[\s).,;:]|$)"
)
_NUMBERED_ROLE = re.compile(r"^[A-Za-z]{2,}\d+$")
_GLOSS_START = re.compile(r"^(?:the|a|an)\s", re.I)
# Brackets that start with the short form and go on to explain it: "(PDU: the local
# probation office)", "(SPO - the line manager)", "(OASys is the national tool ...)".
# The gloss needs two words or more, one in lower case: "(PP: Jane Smith)" names a person.
_LEAD_GLOSS = re.compile(
    r"^([A-Za-z][A-Za-z&]*[A-Za-z]\d*)(?:\s*:|\s+[-\u2013\u2014])\s+(?=\S+\s+\S)(?=.*\b[a-z])(.+)$"
    r"|^([A-Za-z][A-Za-z&]*[A-Za-z]\d*)\s+((?:is|are)\s+(?:a|an|the)\s.+|(?:means|stands for|refers to)\s.+)$"
)
_TOKEN = re.compile(r"\S+")


def is_roman(word: str) -> bool:
    return bool(_ROMAN.match(word))


def is_acronym(word: str, max_caps_len: int = 7) -> bool:
    """All capitals (PDU), a plural of one (SPOs), mixed case (OASys, nDelius, PQiP), or
    acronyms joined by hyphens (OSP-DC)."""
    if "-" in word:
        parts = word.split("-")
        return len(parts) >= 2 and all(p[:1].isupper() and is_acronym(p, max_caps_len) for p in parts)
    m = _SHAPE.match(word)
    if not m:
        return False
    letters = m.group(1)
    if len(letters.replace("&", "")) < 2:
        return False
    if letters.isupper():
        return len(letters) <= max_caps_len
    if letters.endswith("s") and letters[:-1].isupper() and len(letters) >= 3:
        return len(letters) - 1 <= max_caps_len
    if _SURNAME_PREFIX.match(letters):
        return False
    uppers = sum(c.isupper() for c in letters)
    if letters[0].islower() and uppers >= 1 and letters[1].isupper():
        return True  # nDelius, iHorizon
    return uppers >= 2 and not (letters[0].isupper() and letters[1:].islower())


def key(word: str) -> str:
    """One key for case variants and plurals: RoSH/ROSH -> ROSH, SPOs -> SPO."""
    if len(word) >= 3 and word.endswith("s") and word[-2].isupper():
        word = word[:-1]
    return word.upper()


def best_long_form(short: str, long: str) -> str | None:
    """Schwartz-Hearst: the shortest tail of ``long`` whose characters cover ``short``."""
    if re.search(r"[A-Za-z]{2}\d+$", short):
        short = re.sub(r"\d+$", "", short)  # PP1, SPO1: a numbered role, matched as PP, SPO
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (
            long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())
        ):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = long.rfind(" ", 0, i + 1) + 1
    result = long[start:].strip()
    if len(result) <= len(short) or short.lower() in result.lower().split():
        return None
    return result


@dataclass
class Definition:
    short: str  # the short form as written
    long: str  # the long form (or gloss) that explains it
    start: int  # where the definition begins (the earlier of the two forms)
    end: int
    short_start: int  # offset of the short form
    form: str  # "long (SHORT)", "SHORT (long)", "SHORT - long"


def _words_before(text: str, pos: int, n: int) -> list[re.Match]:
    """The last ``n`` whitespace-separated words before ``pos``; whitespace of any kind
    (line, paragraph or page break) separates words alike."""
    window = text[max(0, pos - 400):pos]
    base = max(0, pos - 400)
    toks = [m for m in _TOKEN.finditer(window)]
    # Stop at a sentence end: a long form never spans one.
    for k in range(len(toks) - 1, -1, -1):
        if toks[k].group().endswith((".", "!", "?", ";")) and k < len(toks) - 1:
            toks = toks[k + 1:]
            break
    return [(base + m.start(), base + m.end(), m.group()) for m in toks[-n:]]


def _max_words(short: str) -> int:
    n = len(re.sub(r"[^A-Za-z0-9]", "", short))
    return min(n + 5, n * 2)


def _match_before(text: str, short: str, pos: int) -> tuple[int, str] | None:
    words = _words_before(text, pos, _max_words(short))
    if not words:
        return None
    joined = " ".join(w[2] for w in words)
    joined = joined.rstrip(",:-\u2013\u2014")
    lf = best_long_form(short, joined)
    if not lf:
        return None
    n = len(lf.split())
    return words[-n][0], lf


_MINOR = {"of", "the", "and", "for", "in", "on", "to", "a", "an", "&"}


def _initials_before(text: str, short: str, pos: int) -> tuple[int, str] | None:
    """A run of words whose initials spell the short form, a little before it: "the
    probation practitioner who held the case (PP)" (a clause between the long form and
    the brackets puts it outside Schwartz-Hearst's window)."""
    letters = re.sub(r"\d+$", "", short).upper()
    letters = "".join(c for c in letters if c.isalpha())
    if len(letters) < 2:
        return None
    words = _words_before(text, pos, 14)
    for i in range(len(words) - 1, -1, -1):
        got, j = "", i
        while j < len(words) and len(got) < len(letters):
            w = words[j][2].strip(",;:()\"'")
            if w.lower() not in _MINOR or not got:
                if not w or w[0].upper() != letters[len(got)]:
                    break
                got += w[0].upper()
            j += 1
        if got == letters:
            return words[i][0], " ".join(w[2] for w in words[i:j])
    return None


def _match_after(short: str, candidate: str) -> str | None:
    """Forward matching: the shortest leading run of words of ``candidate`` that covers ``short``."""
    words = candidate.split()
    matches = []
    for n in range(1, min(len(words), _max_words(short)) + 1):
        lf = " ".join(words[:n]).rstrip(",;:.")
        found = best_long_form(short, lf)
        if found and found == lf:
            matches.append(lf)
    # Prefer the long form whose last word starts with the short form's last capital
    # ("SPO: senior probation officer", not "senior probation").
    caps = [c for c in short if c.isupper()] or [short[-1]]
    for lf in matches:
        if lf.split()[-1][:1].lower() == caps[-1].lower():
            return lf
    return matches[0] if matches else None


def _lead_gloss(text: str, m: re.Match, short: str, gloss: str) -> Definition:
    """"OASys assessments (OASys is the national tool ...)": the brackets explain the use
    just before them, so the definition starts there."""
    window = text[max(0, m.start() - 60):m.start()]
    uses = [u for u in re.finditer(rf"(?<![\w&]){re.escape(short)}s?(?![\w&])", window, re.I)]
    start = m.start() - len(window) + uses[-1].start() if uses else m.start()
    return Definition(short, gloss, start, m.end(), m.start(1), "(SHORT: gloss)")


def find_definitions(text: str, is_short=is_acronym) -> list[Definition]:
    """Every short form/long form pair in ``text``, in both orders."""
    out: list[Definition] = []
    for m in _BRACKETS.finditer(text):
        inner = m.group(1)
        lead = _LEAD_GLOSS.match(inner)
        if lead and not is_short(lead.group(1) or lead.group(3)):
            lead = None
        first = (lead.group(1) or lead.group(3)) if lead else re.split(r"[;,]\s*|\s", inner, maxsplit=1)[0]
        if is_short(first) and (lead or len(inner.split()) <= 2):
            # long form (SHORT)
            hit = _match_before(text, first, m.start())
            if not hit:
                hit = _initials_before(text, first, m.start())
            if not hit and _NUMBERED_ROLE.match(first):
                # "the prison offender manager who worked with him (POM1)": a pseudonym
                # defined by the clause before it, too long for Schwartz-Hearst's window.
                words = _words_before(text, m.start(), 12)
                # Real words, not "The SPO (SPO1)", which names an SPO without saying what one is.
                if sum(not is_short(w[2].strip(",;:")) and w[2].lower() not in _MINOR for w in words) >= 2:
                    hit = (words[0][0], " ".join(w[2] for w in words))
            if hit:
                lf_start, lf = hit
                out.append(Definition(first, lf, lf_start, m.end(), m.start(1), "long (SHORT)"))
                continue
            if lead:
                out.append(_lead_gloss(text, m, first, lead.group(2) or lead.group(4)))
                continue
        # SHORT (long form) or SHORT [gloss]
        before = re.search(rf"((?:{_PART}-)*[A-Za-z][A-Za-z&]*[A-Za-z]\d*)\W{{0,2}}(?:\[\^[^\]]+\])?\s*$", text[max(0, m.start() - 40):m.start()])
        if not before:
            continue
        short = before.group(1)
        if not is_short(short):
            continue
        if re.match(rf"{re.escape(short)}s?\b", inner):
            continue  # "PDU (PDU: Thornbury)": the short form again, with no gloss to explain it
        s_start = m.start() - (len(text[max(0, m.start() - 40):m.start()]) - before.start(1))
        lf = _match_after(short, inner)
        if lf and len(lf.split()) == 1 and is_short(lf):
            lf = None  # "SPO (SPO1)" names one SPO; it does not explain what an SPO is
        if lf is None and _GLOSS_START.match(inner) and len(inner.split()) >= 3:
            lf = inner  # a descriptive gloss: "OASys (the risk assessment tool)"
        if lf:
            out.append(Definition(short, lf, s_start, m.end(), s_start, "SHORT (long)"))
    for m in _NAMED_AS.finditer(text):
        short = m.group(1)
        if not is_short(short):
            continue
        hit = _match_before(text, short, m.start())
        if not hit and m.group().lower().startswith("or "):
            continue  # "... to the HoPDU or the MAPPA": a list, unless the words before spell it out
        sentence_start = max(text.rfind(". ", 0, m.start()) + 2, text.rfind("\n", 0, m.start()) + 1, 0)
        lf_start, lf = hit if hit else (sentence_start, text[sentence_start:m.start()].strip(" ,(;"))
        if len(lf.split()) >= 2:
            out.append(Definition(short, lf, lf_start, m.end(1), m.start(1), "long, known as SHORT"))
    for m in _DASH_DEF.finditer(text):
        short = m.group(1)
        if not is_short(short):
            continue
        rest = text[m.start(2):m.start(2) + 200].split("\n")[0]
        lf = _match_after(short, rest)
        if lf:
            out.append(Definition(short, lf, m.start(), m.start(2) + len(lf), m.start(1), "SHORT - long"))
    out.sort(key=lambda d: d.start)
    return out
