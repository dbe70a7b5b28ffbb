"""The rules-only classifiers: the floor of the comparison table, and what runs when no
trained model is installed. They read the same feature dicts as the trained models, so
the parse happens once whichever is used."""

from __future__ import annotations

from typing import Any

from sfo_nlp import rules

TARGETS = ("individual", "management", "system", "partnership")
LEVELS = ("individual", "local", "regional", "national", "multi-agency")


def _has(f: dict, key: str) -> bool:
    return bool(f.get(key))


def _pick(f: dict, prefixes: tuple[str, ...], labels: tuple[str, ...]) -> str | None:
    """The label named by the most specific feature family (subject before sentence)."""
    for prefix in prefixes:
        found = [lab for lab in labels if _has(f, f"{prefix}={lab}")]
        if found:
            return found[0] if len(found) == 1 else _prefer(found)
    return None


def _prefer(found: list[str]) -> str:
    # labels.md hard cases: a named practitioner whose judged cause is workload -> system;
    # practitioners whose managers approved the work -> management.
    for lab in ("system", "management", "partnership", "individual"):
        if lab in found:
            return lab
    return found[0]


# Feature families that name the role of the evaluation's own subject or agent.
SUBJECT_FAMILIES = {"subject": ("subj_head_role", "subj_role", "agent_role"),
                    "subject_poss": ("subj_head_role", "subj_role", "agent_role", "poss_role")}


def subject_target(f: dict[str, Any], families: str = "subject") -> str | None:
    """The target named by the grammatical subject (or agent) of the evaluation, if any:
    role nouns carry across registers where the surrounding wording does not."""
    return _pick(f, SUBJECT_FAMILIES[families], TARGETS)


def judgement(f: dict[str, Any]) -> dict[str, Any]:
    cfg = rules.load("judgements").get("baseline") or {}
    deficit, good, should = _has(f, "cue=deficit"), _has(f, "cue=good"), _has(f, "cue=should_have")
    evaluative = int(deficit) + int(good) + int(should)
    blocked = (_has(f, "cue=norm") or _has(f, "cue=recommendation") or _has(f, "cue=definition")) and not should
    if _has(f, "cue=narrative") and not (should or deficit):
        blocked = True
    is_j = evaluative >= cfg.get("min_evaluative", 1) and not blocked and not _has(f, "fragment")
    # target and polarity are answered for every sentence; the caller blanks them for
    # non-judgements (scoring reads them raw, so detection errors are not counted twice)
    out: dict[str, Any] = {"is_judgement": is_j}
    out["target"] = _pick(f, ("subj_head_role", "subj_role", "agent_role", "poss_role", "role"), TARGETS) or "individual"
    if (deficit or should) and good:
        out["polarity"] = "mixed" if _has(f, "cue=mixed") else "deficit"
    else:
        out["polarity"] = "good" if good and not (deficit or should) else "deficit"
    out["evidence"] = _has(f, "cue=evidence")
    out["why"] = _has(f, "cue=why")
    out["significance"] = _has(f, "cue=significance")
    return out


def action(f: dict[str, Any]) -> dict[str, Any]:
    concrete, vague = _has(f, "cue=concrete"), _has(f, "cue=vague")
    developmental = _has(f, "cue=developmental") or _has(f, "cue=strong")
    weak = _has(f, "cue=weak")
    level = _pick(f, ("owner_level", "level_term"), LEVELS)
    if level is None:
        level = "local"
    strength = "strong" if _has(f, "cue=strong") else ("weak" if weak or not developmental else "moderate")
    return {
        "specific": concrete and not (vague and not _has(f, "imperative")),
        "measurable": _has(f, "cue=measurable"),
        "owner": _has(f, "owner_field") or _has(f, "owner_term"),
        "time_bound": _has(f, "date_field_parsed") or _has(f, "cue=time_bound"),
        "level": level,
        "developmental": developmental and not (weak and not _has(f, "cue=strong")),
        "strength": strength,
    }
