"""What every summary view shows first: the weakest prompts and the fixes that matter most."""

from __future__ import annotations

ORDER = {"no": 0, "not_evidenced": 1, "partly": 2, "yes": 3}


def private_spans(result: dict) -> list[tuple[int, int]]:
    """Where the review holds personal data (``victims.shareable``): never quoted in a report."""
    found = ((result.get("checks") or {}).get("victims.shareable") or {}).get("findings") or []
    return [(f["start"], f["end"]) for f in found if f.get("start") is not None and f.get("end") is not None]


def shareable_evidence(answer: dict, private: list[tuple[int, int]]) -> list[dict]:
    """The answer's evidence without any quote touching personal data: reports and notes are
    shared, and a draft stored before the standards layer filtered its evidence may hold one."""

    def ok(f: dict) -> bool:
        s, e = f.get("start"), f.get("end")
        return s is None or e is None or not any(s < pe and ps < e for ps, pe in private)

    return [f for f in answer.get("evidence", []) if ok(f)]


def weakest(result: dict, limit: int = 8) -> list[dict]:
    """Prompts answered no, then partly, most confident first (not_evidenced last: unknown)."""
    weak = [a for a in result["answers"] if a["answer"] in ("no", "partly")]
    return sorted(weak, key=lambda a: (ORDER[a["answer"]], -a["confidence"]))[:limit]


def _where(f: dict) -> str:
    """Which passage a finding's suggestion is about ("Split it..." needs its "it")."""
    quote = " ".join((f.get("quote") or "").split())
    if not quote:
        return ""
    short = quote if len(quote) <= 60 else quote[:57].rstrip() + "..."
    page = f" (page {f['page']})" if f.get("page") is not None else ""
    return f' On "{short}"{page}.'


def _suggesting(answer: dict) -> dict | None:
    """The evidence whose suggestion to give: a warning's before an info's."""
    for want_info in (False, True):
        for f in answer.get("evidence", []):
            if f.get("suggestion") and (f.get("severity") == "info") == want_info:
                return f
    return None


def fix_for(answer: dict) -> str:
    """The checks' own suggestion, with the passage it is about; "" when they suggest
    nothing specific: the note already gives the prompt's question and the reason for the
    answer, and restating the question as a "suggested change" told the reviewer nothing
    (QA 7). Never a list of words to insert: a reviewer should improve the analysis, not
    satisfy the tool's search."""
    f = _suggesting(answer)
    return f["suggestion"] + _where(f) if f is not None else ""


def top_fixes(result: dict, limit: int = 5) -> list[tuple[str, str]]:
    """(prompt id, fix) for the weakest prompts, one fix per distinct suggestion.

    Only prompts whose checks suggest something specific: restating a prompt's question
    tells the reviewer nothing the weakest-prompts list does not (QA 7), and the same
    suggestion on another passage is the same fix."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    private = private_spans(result)
    for a in weakest(result, limit=len(result["answers"])):
        f = _suggesting(dict(a, evidence=shareable_evidence(a, private)))
        if f is None or f["suggestion"] in seen:
            continue
        seen.add(f["suggestion"])
        out.append((a["prompt_id"], f["suggestion"] + _where(f)))
        if len(out) >= limit:
            break
    return out


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """A count as a reader would say it: "1 page", "3 pages", never "1 pages"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
