"""What every summary view shows first: the weakest prompts and the fixes that matter most."""

from __future__ import annotations

ORDER = {"no": 0, "not_evidenced": 1, "partly": 2, "yes": 3}


def weakest(result: dict, limit: int = 8) -> list[dict]:
    """Prompts answered no, then partly, most confident first (not_evidenced last: unknown)."""
    weak = [a for a in result["answers"] if a["answer"] in ("no", "partly")]
    return sorted(weak, key=lambda a: (ORDER[a["answer"]], -a["confidence"]))[:limit]


def fix_for(answer: dict) -> str:
    """The checks' own suggestion where there is one, else what the prompt looks for."""
    for f in answer.get("evidence", []):
        if f.get("suggestion") and f.get("severity") != "info":
            return f["suggestion"]
    for f in answer.get("evidence", []):
        if f.get("suggestion"):
            return f["suggestion"]
    return f"Add: {answer['searched']}." if answer.get("searched") else answer["reason"]


def top_fixes(result: dict, limit: int = 5) -> list[tuple[str, str]]:
    """(prompt id, fix) for the weakest prompts, one fix per distinct suggestion."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for a in weakest(result, limit=len(result["answers"])):
        fix = fix_for(a)
        if fix not in seen:
            seen.add(fix)
            out.append((a["prompt_id"], fix))
        if len(out) >= limit:
            break
    return out
