"""Turns check results into a DRAFT answer for one prompt, following its YAML rule.

A prompt's rule (``rules/standards/<version>.yaml``) is data:

``signals``  each reads one number from a check's results and grades it 0 (no),
             1 (partly) or 2 (yes) against thresholds: ``key`` (a dotted path into the
             check's summary; a list or dict counts its items, a bool is 0/1) or
             ``count`` (findings whose data match a filter), optionally ``per`` another summary
             figure (a share; ``if_none`` is the value when that figure is 0), with ``at_least`` (more is
             better) or ``at_most`` (fewer is better) thresholds ``{yes: n, partly: m}``.
``combine``  how the signal grades make the answer: ``min`` (default), ``mean`` or ``max``.
             A threshold of 1000 or more marks a grade a signal must never decide (under
             ``max``, ``at_least: {yes: 1000, partly: 1}`` can lift an answer to partly,
             never to yes); ``python -m sfo_nlp.standards.fit`` keeps such thresholds.
``relevant`` optional signal: when it grades 0 the prompt does not apply to this review
             (e.g. national learning "where relevant") and ``if_not_relevant`` is the answer.
``evidence`` where to take the 2-5 quotes from: ``{check, where: {data filter}, from, avoid}``;
             ``from`` is ``prose`` (default: paragraphs, list items and quotations outside
             the background sections named in ``rules/analysis.yaml``), ``prose_anywhere``
             or ``any`` (table cells too: the action plan). Text overlapping a
             ``victims.shareable`` finding (personal data) is never quoted: reports and
             feedback notes may be shared. ``avoid`` lists checks whose findings disqualify a
             sentence as evidence (e.g. ``victims.sensitivity``: victim-blaming wording).
``reason``   one-line templates per answer, filled with the signals' values by name, and
             ``{because}``: the ``say`` phrase (per answer) of each signal that decided
             the answer, so a reason only names the condition that decided it. A count
             signal with ``list_by: <data key>`` also offers ``{<name>_list}`` (e.g. the
             kinds of personal data and their pages, without quoting them).
``searched`` what was looked for, shown when no quote was found.
``max_confidence`` caps the confidence where the signals can only partly decide the prompt.

A signal whose check did not run (not installed, or failed) makes the prompt
``not_evidenced``: the tool never guesses an answer it has no evidence for.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from sfo_nlp import rules
from sfo_nlp.checks.analysis_patterns import is_review_text
from sfo_nlp.errors import SfoError
from sfo_nlp.results import CheckResult, Finding, PromptAnswer

GRADES = {0: "no", 1: "partly", 2: "yes"}
NEVER_THRESHOLD = 1000
MAX_QUOTES = 5
SHORT_QUOTE_WORDS = 6


class _Missing(Exception):
    """A signal's check or key is absent from the results."""


@dataclass
class SignalValue:
    name: str
    value: float
    grade: int
    margin: float  # how far past the nearest threshold (0 = on it), for confidence
    say: dict | None = None  # phrase per answer naming this signal as the deciding condition
    listing: str | None = None  # for ``list_by``: what was counted, without quoting it
    check: str = ""  # the check the value was read from


def _lookup(summary: dict, path: str) -> Any:
    cur: Any = summary
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise _Missing(path)
        cur = cur[part]
    return cur


def _as_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple, dict, set)):
        return float(len(value))
    if value is None:
        return 0.0
    raise _Missing(f"not a number: {value!r}")


def matches(finding: Finding, where: dict | None) -> bool:
    """True when every ``key: value`` of ``where`` holds for the finding's data
    (a list value means any of; ``severity`` filters on the finding itself)."""
    for key, want in (where or {}).items():
        have = finding.severity if key == "severity" else finding.data.get(key)
        if isinstance(want, list):
            if isinstance(have, list):
                if not set(map(str, have)) & set(map(str, want)):
                    return False
            elif have not in want:
                return False
        elif isinstance(have, list):
            if want not in have:
                return False
        elif have != want:
            return False
    return True


def read_signal(spec: dict, results: dict[str, CheckResult]) -> SignalValue:
    check = spec["check"]
    if check not in results:
        raise _Missing(check)
    res = results[check]
    if "key" in spec:
        value = _as_number(_lookup(res.summary, spec["key"]))
    else:
        counted = [f for f in res.findings if matches(f, spec.get("count"))]
        value = float(len(counted))
    if "per" in spec:  # a share: the value divided by another summary figure of the check
        base = _as_number(_lookup(res.summary, spec["per"]))
        if base == 0:
            value = float(spec.get("if_none", 0.0))
        else:
            value = round(value / base, 3)
    if "at_least" in spec:
        th = spec["at_least"]
        grade = 2 if value >= th["yes"] else 1 if value >= th.get("partly", th["yes"]) else 0
    elif "at_most" in spec:
        th = spec["at_most"]
        grade = 2 if value <= th["yes"] else 1 if value <= th.get("partly", th["yes"]) else 0
    else:
        raise SfoError(f"signal on {check} needs at_least or at_most")
    listing = _listing(counted, spec["list_by"]) if "list_by" in spec and "key" not in spec else None
    return SignalValue(signal_name(spec), value, grade, _margin(value, th), spec.get("say"), listing, check)


def _margin(value: float, th: dict) -> float:
    """How far ``value`` sits from the nearest threshold, relative to the thresholds' size:
    a share 0.05 past a 0.12 threshold is as safe as a count 4 past a threshold of 10.
    A NEVER threshold (a grade the signal may not decide) is no edge a small change could
    cross, so it neither sets the distance nor the scale (it made every such signal sit
    'on' its threshold, train split)."""
    real = [float(t) for t in (th["yes"], th.get("partly", th["yes"])) if abs(t) < NEVER_THRESHOLD]
    if not real:
        return 1.0
    nearest = min(abs(value - t) for t in real)
    top = max(abs(t) for t in real)
    scale = top if 0 < top < 1 else max(top, 1.0)
    return nearest / scale


def signal_name(spec: dict) -> str:
    return spec.get("name", spec.get("key", spec["check"]))


_ACRONYMS = {"crn", "pnc", "nhs", "ni"}


def _listing(findings: list[Finding], key: str) -> str:
    """'CRN (page 1), PNC number (page 1)': what a count signal counted, by kind and page."""
    pages: dict[str, list[int]] = {}
    for f in findings:
        words = str(f.data.get(key, "item")).split("_")
        kind = " ".join(w.upper() if w in _ACRONYMS else w for w in words)
        pages.setdefault(kind, [])
        if f.page is not None and f.page not in pages[kind]:
            pages[kind].append(f.page)
    parts = []
    for kind, pp in pages.items():
        where = f" (page{'s' if len(pp) > 1 else ''} {', '.join(map(str, sorted(pp)))})" if pp else ""
        parts.append(kind + where)
    return "; ".join(parts) or "none"


def _combine(grades: list[int], how: str) -> int:
    if how == "max":
        return max(grades)
    if how == "mean":
        return int(round(sum(grades) / len(grades) + 1e-9))
    return min(grades)


class _Fmt(string.Formatter):
    """Fills a reason template. A name the template does not have raises KeyError (the
    rules are checked when loaded, ``template_fields``); it never shows a placeholder."""

    def get_value(self, key, args, kwargs):
        if isinstance(key, str):
            value = kwargs[key]
            if value is None or value == "":
                raise KeyError(key)
            return value
        return super().get_value(key, args, kwargs)

    def format_field(self, value, spec):
        if isinstance(value, float) and value.is_integer() and not spec:
            value = int(value)
        try:
            return super().format_field(value, spec)
        except (ValueError, TypeError):
            return str(value)

    def vformat(self, format_string, args, kwargs):
        # The noun after a count agrees with it: "{local} passage(s)" and "{n} sentences"
        # read "1 passage" and "3 passages" (QA 9: "1 passage(s)", "1 sentences").
        out: list[str] = []
        count = None
        for literal, field, spec, conversion in self.parse(format_string):
            out.append(_agree(literal, count) if count is not None else literal)
            count = None
            if field is None:
                continue
            value = self.convert_field(self.get_field(field, args, kwargs)[0], conversion)
            out.append(self.format_field(value, self.vformat(spec, args, kwargs) if spec else ""))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not spec.endswith("%"):
                count = value
        return "".join(out)


_AFTER_COUNT = re.compile(r"^(\s+)([a-z]+?)(\(s\)|s)?(?=\b|\W|$)")
# plural nouns a template writes after a count; "(s)" marks any other
_COUNTED = frozenset({"sentences", "passages", "explanations", "judgements", "terms", "actions", "mentions",
                      "roles", "levels", "reviews", "items", "words", "quotes", "prompts"})


def _agree(literal: str, count: float) -> str:
    m = _AFTER_COUNT.match(literal)
    if not m or not m.group(3):
        return literal
    word, mark = m.group(2), m.group(3)
    if mark == "s" and word + "s" not in _COUNTED:
        return literal
    return m.group(1) + word + ("" if count == 1 else "s") + literal[m.end():]


_fmt = _Fmt()


def template_fields(rule: dict) -> set[str]:
    """The names a prompt's reason templates may use: its signals' names, ``because``, and
    ``<name>_list`` for count signals with ``list_by``."""
    names = {"because"}
    for s in rule.get("signals", []):
        name = signal_name(s).replace(".", "_")
        names.add(name)
        if "list_by" in s and "key" not in s:
            names.add(f"{name}_list")
    return names


def _private_spans(results: dict[str, CheckResult], check: str = "victims.shareable") -> list[tuple[int, int]]:
    """Spans of the findings of ``check`` (by default personal data, which is never quoted)."""
    res = results.get(check)
    if res is None:
        return []
    return [(f.start, f.end) for f in res.findings if f.start is not None and f.end is not None]


def _overlaps(f: Finding, spans: list[tuple[int, int]]) -> bool:
    if f.start is None or f.end is None:
        return False
    return any(f.start < e and s < f.end for s, e in spans)


@lru_cache(maxsize=None)
def _evidence_rules() -> tuple[tuple[str, ...], re.Pattern | None]:
    spec = (rules.load("analysis").get("evidence") or {})
    blocks = tuple(spec.get("prose_blocks") or ("paragraph", "list_item", "quote"))
    skip = spec.get("background_sections") or []
    return blocks, (re.compile("|".join(f"(?:{p})" for p in skip), re.I) if skip else None)


def _from_allowed(f: Finding, mode: str, doc) -> bool:
    """Whether a finding's block may be quoted for this evidence source (see ``from``)."""
    if doc is None:
        return True
    block = doc.blocks[f.block] if f.block is not None and 0 <= f.block < len(doc.blocks) else None
    # a notice that is no part of the review (the corpus's test-material line) is never
    # evidence, whatever check found it (QA 9: quoted for 4a from the readability check)
    if block is not None and not is_review_text(block):
        return False
    if mode == "any":
        return True
    blocks, background = _evidence_rules()
    if block is None or block.type not in blocks:
        return False
    if mode == "prose_anywhere" or background is None:
        return True
    return not background.search(block.section or "")


def _evidence(rule: dict, results: dict[str, CheckResult], doc=None) -> list[Finding]:
    """Up to MAX_QUOTES located findings from the rule's evidence sources, in order,
    one per sentence, spread over the sources so each gets a say. Never personal data;
    never table cells or background sections unless the source says so (``from``)."""
    private = _private_spans(results)
    pools: list[list[Finding]] = []
    for src in rule.get("evidence", []):
        res = results.get(src["check"])
        if res is None:
            continue
        mode = src.get("from", "prose")
        # ``avoid``: checks whose findings make a sentence unfit to support this prompt
        # (a victim-blaming sentence is no evidence that the review explores why)
        avoided = [span for check in src.get("avoid", []) for span in _private_spans(results, check)]
        pool = [
            f for f in res.findings
            if f.quote and f.page is not None and matches(f, src.get("where"))
            and not _overlaps(f, private) and not _overlaps(f, avoided) and _from_allowed(f, mode, doc)
        ]
        # a quote of a few words ("Appropriate.", "This was not completed.") says nothing
        # without the sentence before it: longer quotes from the same source go first, each
        # tier in document order (QA 8: such quotes were the first evidence of 2e and 4d)
        pool.sort(key=lambda f: len(f.quote.split()) < SHORT_QUOTE_WORDS)
        pools.append(pool[: src.get("limit", MAX_QUOTES)])
    out: list[Finding] = []
    seen: set[tuple] = set()
    i = 0
    while len(out) < MAX_QUOTES and any(i < len(p) for p in pools):
        for pool in pools:
            if i < len(pool) and len(out) < MAX_QUOTES:
                f = pool[i]
                key = (f.start, f.end)
                if key not in seen:
                    seen.add(key)
                    out.append(f)
        i += 1
    return out


def _suggest_only_deciding(evidence: list[Finding], values: list[SignalValue], grade: int, how: str) -> list[Finding]:
    """A finding's suggestion is kept only where its check decided the answer. A passage
    that does what its check looks for carries that check's advice to do it ("Answer plainly
    whether all reasonable steps were taken" on a sentence that does, QA 8), which is wrong
    advice when another signal held the answer down."""
    deciding = {v.check for v in _deciding(values, grade, how)}
    return [f if f.check in deciding or not f.suggestion else replace(f, suggestion=None) for f in evidence]


def _deciding(values: list[SignalValue], grade: int, how: str) -> list[SignalValue]:
    """The signals that decided the answer: under ``min`` or ``max`` those graded as the
    answer; under ``mean`` those that held it down (graded at or below it) for partly or
    no, and those that lifted it (at or above it) for yes, so a signal graded yes is never
    named as the reason an answer is only partly."""
    if how != "mean":
        return [v for v in values if v.grade == grade]
    if grade == 2:
        return [v for v in values if v.grade >= grade] or values
    return [v for v in values if v.grade <= grade] or values


def _because(values: list[SignalValue], grade: int, how: str, answer: str, named: dict) -> str:
    """The ``say`` phrases of the signals that decided the answer (``_deciding``)."""
    deciding = _deciding(values, grade, how)
    parts = []
    for v in deciding:
        phrase = (v.say or {}).get(answer)
        if phrase:
            parts.append(_fmt.format(phrase, **named))
    return "; ".join(parts)


def _reason(rule: dict, values: list[SignalValue], grade: int, answer: str) -> str:
    how = rule.get("combine", "min")
    named: dict[str, Any] = {v.name.replace(".", "_"): v.value for v in values}
    for v in values:
        if v.listing is not None:
            named[v.name.replace(".", "_") + "_list"] = v.listing
    generic = f"Draft answer {answer} from " + ", ".join(f"{v.name} = {v.value:g}" for v in values) + "."
    template = (rule.get("reason") or {}).get(answer)
    if not template:
        return generic
    if "{because" in template:
        named["because"] = _because(values, grade, how, answer, named)
    try:
        reason = _fmt.format(template, **named)
        # a reason that opens with the deciding phrases starts a sentence
        return reason[:1].upper() + reason[1:] if template.startswith("{because") else reason
    except (KeyError, IndexError, ValueError):
        # a rule naming a value this review lacks: say the figures plainly, never "?"
        return generic


def _decide(rule: dict, pid: str, results: dict[str, CheckResult]) -> tuple[str, int | None, list[SignalValue]]:
    """(answer, grade, signal values) of a prompt's rule; grade None when the relevance
    signal says the prompt does not apply. Raises _Missing when a check it reads did not run."""
    relevant = rule.get("relevant")
    if relevant is not None and read_signal(relevant, results).grade == 0:
        return rule.get("if_not_relevant", "yes"), None, []
    values = [read_signal(s, results) for s in rule.get("signals", [])]
    if not values:
        raise SfoError(f"prompt {pid} has no signals in its rule")
    grade = _combine([v.grade for v in values], rule.get("combine", "min"))
    return GRADES[grade], grade, values


def draft_answer(prompt: dict, results: dict[str, CheckResult]) -> str:
    """The answer alone, as ``answer_prompt`` gives it, without quotes, reason or
    confidence: what refitting thresholds compares with the gold thousands of times."""
    try:
        return _decide(prompt.get("rule") or {}, str(prompt["id"]), results)[0]
    except _Missing:
        return "not_evidenced"


def answer_prompt(standard: str, prompt: dict, results: dict[str, CheckResult], doc=None) -> PromptAnswer:
    rule = prompt.get("rule") or {}
    pid, question = str(prompt["id"]), prompt["question"]
    searched = rule.get("searched")
    try:
        answer, grade, values = _decide(rule, pid, results)
    except _Missing as exc:
        return PromptAnswer(
            standard, pid, question, "not_evidenced", 0.0,
            f"Not assessed: the evidence this prompt needs ({exc}) is not available from the checks that ran.",
            [], searched,
        )
    if grade is None:
        return PromptAnswer(
            standard, pid, question, answer, 0.6,
            rule.get("reason_not_relevant", "Not relevant to this review: " + (searched or "nothing to assess")),
            _evidence(rule, results, doc)[:2], searched,
        )
    reason = _reason(rule, values, grade, answer)
    # Confidence: lower when a value sits on a threshold (a small change would flip it).
    margin = min(v.margin for v in values)
    confidence = round(min(0.9, 0.55 + 0.35 * min(margin, 1.0)), 2)
    evidence = _evidence(rule, results, doc)
    if evidence:
        confidence = round(confidence * (0.7 + 0.3 * sum(f.confidence for f in evidence) / len(evidence)), 2)
    # a prompt the text can only partly decide (e.g. "accurate") says so through its rule
    confidence = min(confidence, float(rule.get("max_confidence", 1.0)))
    if grade < 2:
        evidence = _suggest_only_deciding(evidence, values, grade, rule.get("combine", "min"))
    return PromptAnswer(standard, pid, question, answer, confidence, reason, evidence, searched)
