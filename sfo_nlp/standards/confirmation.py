"""The inspector's confirmation of the DRAFT answers: one response per prompt, or a file.

A response line is ``ANSWER[; COMMENT]``: an empty ANSWER (or ``a``/``accept``) keeps the
draft; ``y``/``yes``, ``p``/``partly``, ``n``/``no``, ``ne``/``not_evidenced`` change it;
``q``/``quit`` stops (what was decided so far is kept). The same grammar serves a
terminal and piped input, so the walk-through can be scripted and tested.

The file form (``confirm --template`` writes it, ``confirm --import`` reads it) is YAML
or JSON: the review's SHA-256 and standards, and per prompt the draft, the evidence for
reference, and the ``final_answer`` and ``comment`` the inspector edits. ``final_answer``
starts empty: a prompt counts as confirmed only when the inspector wrote an answer (or
``accept`` to keep the draft), so importing an untouched template confirms nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from sfo_nlp.errors import SfoError
from sfo_nlp.store import ANSWERS

ALIASES = {
    "y": "yes", "yes": "yes", "p": "partly", "partly": "partly", "n": "no", "no": "no",
    "ne": "not_evidenced", "not_evidenced": "not_evidenced", "not evidenced": "not_evidenced",
}
ACCEPT = {"", "a", "accept", "ok", "k", "keep"}
QUIT = {"q", "quit", "stop"}
HELP = "Enter = accept draft; y/p/n/ne = change to yes/partly/no/not evidenced; add '; comment' to comment; q = stop"


class Stop(Exception):
    """The inspector asked to stop the walk-through."""


@dataclass
class Response:
    answer: str
    comment: str


def parse_response(line: str, draft: str) -> Response:
    """Read one response line; raises SfoError on an answer it does not know, Stop on quit."""
    head, _, comment = line.strip().partition(";")
    word = " ".join(head.lower().split())
    if word in QUIT:
        raise Stop
    if word in ACCEPT:
        return Response(draft, comment.strip())
    if word in ALIASES:
        return Response(ALIASES[word], comment.strip())
    raise SfoError(f"unknown response {head.strip()!r}: {HELP}")


def template(result: dict) -> dict:
    """The editable decisions file, pre-filled with the drafts."""
    return {
        "review": result["source"],
        "sha256": result["sha256"],
        "standards": result["standards_version"],
        "note": "For each prompt you have checked, fill in final_answer: yes, partly, no, not_evidenced, "
        "or accept (keep the DRAFT answer); add a comment if you like. Prompts left empty are not "
        "confirmed. Then run: sfo-nlp confirm REVIEW --import THIS_FILE",
        "prompts": [
            {
                "prompt_id": a["prompt_id"],
                "question": a["question"],
                "draft_answer": a["answer"],
                "confidence": a["confidence"],
                "reason": a["reason"],
                "evidence": [f"p{f['page']}: {' '.join(f['quote'].split())}" for f in a["evidence"]],
                "final_answer": "",
                "comment": "",
            }
            for a in result["answers"]
        ],
    }


def dump_template(result: dict, path: Path, decisions: list[dict] = ()) -> str:
    """The decisions file for ``result`` (YAML, or JSON for a .json name), with any answers
    and comments already saved filled in, so a template written again carries on from where
    the inspector was, not from empty."""
    data = template(result)
    saved = {d["prompt_id"]: d for d in decisions}
    for prompt in data["prompts"]:
        if prompt["prompt_id"] in saved:
            prompt["final_answer"] = saved[prompt["prompt_id"]]["final_answer"]
            prompt["comment"] = saved[prompt["prompt_id"]]["comment"] or ""
    if path.suffix.lower() == ".json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def _yaml_problem(path: Path, raw: str, exc: yaml.MarkedYAMLError) -> str:
    """Where an edited YAML file breaks: the line, the prompt it is in, and the usual cause
    (a colon in unquoted text), which the parser's own message does not say."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1
    ids = re.findall(r"^\s*-?\s*prompt_id:\s*['\"]?([^'\"\s]+)", "\n".join(raw.splitlines()[:line]), re.M)
    where = f"line {line}" + (f" (prompt {ids[-1]})" if ids else "")
    problem = " ".join(str(exc.problem or exc.context or "").split())
    return (f"{path}: not valid YAML at {where}: {problem}; text that holds a colon must be in quotes, "
            'e.g. comment: "Note: this was: wrong"')


def read_decisions(path: Path, result: dict) -> list[dict]:
    """Decisions from an edited template; every problem is one clear error, nothing half-saved."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SfoError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SfoError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except yaml.MarkedYAMLError as exc:
        raise SfoError(_yaml_problem(path, raw, exc)) from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SfoError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: "
                       + str(exc).splitlines()[0]) from None
    if not isinstance(data, dict) or not isinstance(data.get("prompts"), list):
        raise SfoError(f"{path}: expected a mapping with a 'prompts' list (write one with --template)")
    if data.get("sha256") and data["sha256"] != result["sha256"]:
        raise SfoError(f"{path} was written for a different file (SHA-256 {str(data['sha256'])[:12]}...)")
    if data.get("standards") and str(data["standards"]) != result["standards_version"]:
        raise SfoError(f"{path} is for the {data['standards']} standards, not {result['standards_version']}")
    drafts = {a["prompt_id"]: a["answer"] for a in result["answers"]}
    out = []
    unanswered = 0
    for i, p in enumerate(data["prompts"], start=1):
        if not isinstance(p, dict) or "prompt_id" not in p:
            raise SfoError(f"{path}: prompt entry {i} has no prompt_id")
        pid = str(p["prompt_id"])
        if pid not in drafts:
            raise SfoError(f"{path}: unknown prompt {pid!r}")
        final = p.get("final_answer")
        final = {True: "yes", False: "no"}.get(final, final)  # YAML reads a bare yes/no as a boolean
        word = " ".join(str(final).lower().split()) if final is not None else ""
        if not word:
            unanswered += 1  # left empty: the inspector has not confirmed this prompt
            continue
        final = drafts[pid] if word in ACCEPT else ALIASES.get(word, word)
        if final not in ANSWERS:
            raise SfoError(f"{path}: prompt {pid}: final_answer must be one of {', '.join(ANSWERS)} "
                           "or accept (keep the draft)")
        out.append({"prompt_id": pid, "draft_answer": drafts[pid], "final_answer": final,
                    "comment": str(p.get("comment") or "").strip()})
    if not out:
        raise SfoError(f"{path}: no final_answer filled in ({unanswered} prompt{'' if unanswered == 1 else 's'} left empty), so nothing "
                       "was saved; write yes, partly, no, not_evidenced or accept for each prompt you checked")
    return out
