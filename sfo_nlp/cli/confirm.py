"""sfo-nlp confirm / agreement: the inspector confirms or changes each DRAFT answer.

Decisions are stored, with who and when, in the local SQLite store; ``agreement`` shows
per prompt how often inspectors keep the draft, so the team sees which drafts get overturned.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sfo_nlp.cli.app import app
from sfo_nlp.cli.analyse import StandardsOpt
from sfo_nlp.cli.common import (FormatOpt, Format, OutputOpt, PasswordOpt, _check_db, _check_output, console, emit,
                                plural, render_console, to_json)
from sfo_nlp.errors import SfoError

DbOpt = typer.Option(None, "--db", help="SQLite store (default: your data folder, or $SFO_NLP_DB).", dir_okay=False,
                     callback=_check_db)


def _who(who: Optional[str]) -> str:
    if who:
        return who
    try:
        return os.environ.get("SFO_NLP_WHO") or getpass.getuser()
    except Exception:  # no login name (some containers): make the inspector say who they are
        from sfo_nlp.errors import UsageError

        raise UsageError("give --who NAME: the name recorded with each decision") from None


def _show(con, a: dict, n: int, total: int) -> None:
    con.rule(f"{a['prompt_id']}  ({n}/{total})")
    con.print(Text(a["question"], style="bold"))
    from sfo_nlp.report.html import sureness

    con.print(f"Draft answer: [bold]{a['answer']}[/bold] ({sureness(a['confidence'])}) DRAFT", markup=True)
    con.print(Text("Why: " + a["reason"]))
    for f in a["evidence"]:
        con.print(Text(f"  p{f['page']}: \u201c{' '.join(f['quote'].split())}\u201d", style="italic"))
    if not a["evidence"] and a.get("searched"):
        con.print(Text(f"  Searched for, not found: {a['searched']}", style="dim"))


def walk_through(result: dict, lines, interactive: bool, con) -> tuple[list[dict], str]:
    """Ask each prompt in turn; ``lines`` yields response lines (None at end of input).

    Returns the decisions made and, for piped input that stopped at a response it could
    not read, that problem: the caller saves the answers given before it (an inspector's
    work is never thrown away) and then reports it. In a terminal the prompt is re-asked.
    """
    from sfo_nlp.errors import SfoError
    from sfo_nlp.standards.confirmation import HELP, Stop, parse_response

    decisions: list[dict] = []
    con.print(Text(HELP, style="dim"))
    answers = result["answers"]
    for n, a in enumerate(answers, start=1):
        _show(con, a, n, len(answers))
        while True:
            line = lines()
            if line is None:  # end of input: keep what was decided
                return decisions, ""
            try:
                r = parse_response(line, a["answer"])
            except Stop:
                return decisions, ""
            except SfoError as exc:
                if not interactive:
                    return decisions, f"prompt {a['prompt_id']}: {exc}"
                con.print(Text(str(exc), style="red"))
                continue
            decisions.append({"prompt_id": a["prompt_id"], "draft_answer": a["answer"],
                              "final_answer": r.answer, "comment": r.comment})
            break
    return decisions, ""


def import_command(path: Path, import_file: Path, db: Optional[Path], standards: str,
                   password: Optional[str]) -> str:
    """The command that imports the edited template, with the options this run was given.

    The password itself is not echoed to the terminal (it would sit in the scroll-back
    and in logs): the user is told to add it.
    """
    import shlex

    cmd = ["sfo-nlp", "confirm", str(path), "--import", str(import_file)]
    if db is not None:
        cmd += ["--db", str(db)]
    if standards != "2023":
        cmd += ["--standards", standards]
    line = shlex.join(cmd)
    return line + " --password PASSWORD" if password else line


@app.command()
def confirm(
    path: Path = typer.Argument(..., help="The review the decisions are about (PDF, DOCX or text)."),
    db: Optional[Path] = DbOpt,
    who: Optional[str] = typer.Option(None, "--who", help="Your name, stored with each decision."),
    standards: str = StandardsOpt,
    import_file: Optional[Path] = typer.Option(None, "--import", help="Take the decisions from an edited YAML/JSON file.", dir_okay=False),
    template_file: Optional[Path] = typer.Option(None, "--template", help="Write a YAML/JSON decisions file pre-filled with the drafts and with the answers already saved for this review, then stop.", dir_okay=False,
                                                 callback=_check_output),
    force: bool = typer.Option(False, "--force", help="With --template: write over a file that already exists."),
    password: Optional[str] = PasswordOpt,
) -> None:
    """Confirm or change each DRAFT answer (in the terminal, from piped lines, or from a file)."""
    from sfo_nlp.analyse import stored_or_analyse
    from sfo_nlp.errors import UsageError
    from sfo_nlp.standards.confirmation import dump_template, read_decisions
    from sfo_nlp.store import Store

    if import_file and template_file:
        raise UsageError("use either --import or --template, not both")
    if template_file:
        _refuse_overwriting(template_file, force, path)
    with Store(db) as store:
        result = stored_or_analyse(path, store, standards, password)
        if template_file:
            saved = store.decisions(result["sha256"], result["standards_version"])
            emit(dump_template(result, template_file, saved), template_file)
            filled = f" ({plural(len(saved), 'answer')} already saved for this review filled in)" if saved else ""
            print(f"wrote {template_file}{filled}: fill in final_answer (or 'accept') for each prompt you checked, "
                  f"then run {import_command(path, template_file, db, standards, password)}"
                  + (" (PASSWORD: the one you gave now, not shown here)" if password else ""), file=sys.stderr)
            return
        name = _who(who)
        problem = ""
        if import_file:
            decisions = read_decisions(import_file, result)
        else:
            interactive = sys.stdin.isatty()
            con = console() if interactive else console(Path(os.devnull))
            if interactive:
                lines = lambda: _input(con)  # noqa: E731
            else:
                lines = lambda: (lambda s: None if s == "" else s)(sys.stdin.readline())  # noqa: E731
            decisions, problem = walk_through(result, lines, interactive, con)
        saved = store.save_decisions(result["sha256"], decisions, who=name, standards=result["standards_version"])
    changed = sum(1 for d in decisions if d["final_answer"] != d["draft_answer"])
    if problem:
        last = f" (up to prompt {decisions[-1]['prompt_id']})" if decisions else ""
        raise SfoError(f"{problem}; saved the {plural(saved, 'answer')} given before it{last}, nothing after it")
    print(f"saved {plural(saved, 'decision')} by {name} for {result['source']} ({changed} changed from the draft, "
          f"{plural(len(result['answers']) - saved, 'prompt')} not confirmed)")


def _refuse_overwriting(template_file: Path, force: bool, review: Path) -> None:
    """A decisions file that exists may hold an inspector's answers: never replace it unasked."""
    from sfo_nlp.errors import UsageError

    if template_file.exists() and not force:
        raise UsageError(f"{template_file} already exists and may hold your answers: import it with "
                         f"sfo-nlp confirm {review} --import {template_file}, write the template to another "
                         "file, or add --force to write over it")


def _input(con) -> Optional[str]:
    try:
        return con.input("> ")
    except EOFError:
        return None


@app.command()
def agreement(
    db: Optional[Path] = DbOpt,
    standards: str = StandardsOpt,
    format: Format = FormatOpt("text", "json", "md"),
    output: Optional[Path] = OutputOpt,
) -> None:
    """Per prompt: how often inspectors kept the DRAFT answer, and how they changed it."""
    from sfo_nlp.standards import load_standards
    from sfo_nlp.store import Store, require_existing

    load_standards(standards)  # an unknown version is a usage error, not "no decisions"
    require_existing(db, f"run sfo-nlp confirm REVIEW --db {db} first")
    store = Store(db)
    if not store.path.exists():  # the default store not made yet: nothing to show, nothing created
        rows = []
    else:
        with store:
            rows = store.agreement(standards)
    if format is Format.json:
        emit(to_json(rows), output)
        return
    if format is Format.md:
        lines = ["| Prompt | Decisions | Kept draft | Agreement | Overturned |", "|---|---|---|---|---|"]
        lines += [f"| {r['prompt_id']} | {r['n']} | {r['agreed']} | {r['agreement']:.0%} | "
                  f"{', '.join(f'{k} x{v}' for k, v in r['overturned'].items()) or '-'} |" for r in rows]
        emit("\n".join(lines) + "\n", output)
        return

    def draw(con) -> None:
        if not rows:
            con.print("No confirmed decisions yet: run sfo-nlp confirm REVIEW first.")
            return
        t = Table(title=f"Draft vs confirmed answers ({standards} standards)", header_style="bold")
        for col in ("Prompt", "Decisions", "Kept draft", "Agreement", "Overturned"):
            t.add_column(col)
        for r in rows:
            t.add_row(r["prompt_id"], str(r["n"]), str(r["agreed"]), f"{r['agreement']:.0%}",
                      escape(", ".join(f"{k} x{v}" for k, v in r["overturned"].items()) or "-"))
        con.print(t)

    render_console(draw, output)
