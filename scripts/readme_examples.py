"""Regenerate the examples section of README.md from real runs of each command.

    python scripts/readme_examples.py          # rewrite README.md in place

Each example is the command's real output on a bundled fictional review, cut to a
few lines, so the README never shows output the tool does not produce.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- examples:start -->", "<!-- examples:end -->"
PDF = "corpus_samples/reviews/pdf"

# (title, explanation, command, max lines[, a command shown before it, run by the script itself])
EXAMPLES = [
    ("Pre-screen a review", "The main job: DRAFT ratings, the weakest prompts and the top fixes. "
     "`--format json|html|md|docx` gives the full result, a self-contained page for the inspector, "
     "or a draft feedback note.", f"sfo-nlp analyse {PDF}/sfo-06.pdf", 40),
    ("See how the review was read", "Blocks with their pages, tables merged across pages, footnotes "
     "and the case details (`--format json` for the full model). A Word file has no fixed pages: its page "
     "numbers come from the page breaks Word recorded, estimated (about 400 words a page) where it recorded "
     "too few, and every command then says \"Word file: page numbers are approximate\". Quote the PDF's "
     "pages when you can.", f"sfo-nlp extract {PDF}/sfo-06.pdf", 14),
    ("Terms a family cannot follow", "", f"sfo-nlp jargon {PDF}/sfo-06.pdf", 16),
    ("Reading age", "Threshold configurable with `--threshold` (GOV.UK aims for about 9).",
     f"sfo-nlp readability {PDF}/sfo-06.pdf", 12),
    ("Wording a family would find cold, graphic or blaming", "", f"sfo-nlp sensitivity {PDF}/sfo-07.pdf", 12),
    ("Personal data that must not be shared", "`sfo-nlp redact REVIEW --output copy.docx` writes a "
     "redacted copy and a log of what was removed. The log is safe to keep by default: for each "
     "removal it records the kind, page, length and a keyed fingerprint, never the removed text "
     "(`--log-text` adds the text, for a secure folder only).", f"sfo-nlp shareable {PDF}/sfo-07.pdf", 12),
    ("Judgements and whom they aim at", "`--sentences FILE` classifies one sentence per line (JSONL out).",
     f"sfo-nlp judgements {PDF}/sfo-06.pdf", 14),
    ("The action plan, row by row", "`--items FILE` checks one action per line (JSONL out).",
     f"sfo-nlp actions {PDF}/sfo-06.pdf", 16),
    ("A batch, ranked for triage", "Re-runs skip unchanged files and resume after an interruption; a bad "
     "file is recorded with its error and the batch goes on. `--workers N` runs N processes (capped at "
     "the number of CPUs, with a note). A file that does not look like an SFO review (under 400 words or "
     "fewer than 3 headings: `review_shape` in rules/analysis.yaml) is listed as \"not a review\", not "
     "ranked. Exit status: 0 every file analysed; 1 finished but some files failed, now or in an earlier "
     "run and unchanged since (listed with their error every run; `--retry-errors` tries them again); "
     "2 nothing was run (usage or input error); 130 interrupted (run it again to resume).\n\n"
     "Run from the project folder (the sample reviews are there). `--db` names the results file; its folder "
     "must exist, so the first line makes one (`make demo` makes it too). Byte-identical files under two "
     "names are analysed once and the copy is listed as \"same file as\" the other; zip archives are never "
     "opened: unzip them first and pass the folder (they are listed as not read).",
     f"sfo-nlp batch '{PDF}/sfo-0[1-4].pdf' --db {{tmp}}/batch.sqlite --quiet", 14, "mkdir -p /tmp/demo"),
    ("Themes across the stored reviews", "Reads the results file the batch above wrote (run that first). "
     "Shares are out of the reviews read for themes: a file the batch listed as \"not a review\" is named "
     "once as not counted. Seeded themes are listed in advance in rules/themes.yaml; discovered themes are "
     "found by grouping paragraphs that use the same words, with a note on whether they are stable (come "
     "back when the grouping is redone). `--output-dir DIR` adds CSV tables, PNG charts and an HTML page.",
     "sfo-nlp themes --db {tmp}/batch.sqlite", 16),
    ("How good are the drafts?", "Scores on the fictional corpus test split and on real published sentences.",
     "sfo-nlp evaluate", 40),
]


def run(cmd: str, tmp: str) -> str:
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1", TERM="dumb")
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(cmd.format(tmp=tmp), shell=True, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"example failed: {cmd}\n{proc.stderr}")
    return proc.stdout


def main() -> None:
    parts = [START]
    with tempfile.TemporaryDirectory() as tmp:
        for title, note, cmd, limit, *before in EXAMPLES:
            out = run(cmd, tmp).rstrip("\n").splitlines()
            shown = out[:limit] + (["..."] if len(out) > limit else [])
            parts.append(f"### {title}\n")
            if note:
                parts.append(note + "\n")
            shell = "".join(f"$ {b}\n" for b in before)  # the script's own temporary folder stands in for it
            parts.append("```\n" + shell + "$ " + cmd.replace("{tmp}", "/tmp/demo") + "\n" + "\n".join(shown) + "\n```\n")
    parts.append(END)
    text = README.read_text(encoding="utf-8")
    block = "\n".join(parts)
    if START in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda m: block, text, flags=re.S)
    else:
        text = text.replace("EXAMPLES_GO_HERE", block)
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
