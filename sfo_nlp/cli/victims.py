"""sfo-nlp sensitivity / shareable / redact: the victims-and-families checks a reviewing
manager runs before a review goes to a family (readability and jargon have their own
modules). Also the helpers those commands share."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table as RichTable

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import (FormatOpt, plural, Format, OutputOpt, PasswordOpt, _check_output, emit, format_for_output,
                                format_given, print_doc_warning, render_console, to_json, write_atomic)
from sfo_nlp.errors import UsageError

PathArg = typer.Argument(..., help="A review: PDF, DOCX, or text/Markdown.")
LogTextOpt = typer.Option(
    False, "--log-text",
    help="Also record the removed personal data itself in the log (in clear: keep the log apart from the copy).")


def run_one(path: Path, check_id: str, password: Optional[str] = None, options: Optional[dict] = None):
    """Read the review and run one check (and what it reads): (doc, CheckResult)."""
    from sfo_nlp.checks import CheckContext, run_checks
    from sfo_nlp.ingest import load

    doc = load(path, password=password)
    ctx = CheckContext(options=dict(options or {}))
    return doc, run_checks(doc, [check_id], ctx)[check_id]


def findings_table(findings, title: str, columns=("page", "severity", "quote", "message")) -> RichTable:
    """A table of findings (a CheckResult's, or a list of them)."""
    t = RichTable(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for f in getattr(findings, "findings", findings):
        row = {"page": str(f.page or ""), "severity": f.severity, "quote": _short(f.quote),
               "message": f.message, "kind": str(f.data.get("kind", "")).replace("_", " "), "suggestion": f.suggestion or "",
               "confidence": f"{f.confidence:.2f}"}
        t.add_row(*(row[c] for c in columns))
    return t


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


@app.command()
def sensitivity(
    path: Path = PathArg,
    format: Format = FormatOpt("text", "json"),
    output: Optional[Path] = OutputOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Wording a family would find cold, graphic or blaming the victim, and whether the
    review says how the victim and family were considered."""
    doc, res = run_one(path, "victims.sensitivity", password)
    if format is Format.json:
        emit(to_json(res.to_dict()), output)
        return

    def draw(con) -> None:
        s = res.summary
        con.print(f"[bold]{doc.source}[/bold]: {plural(s['flags'], 'wording flag')}; family considered: "
                  f"{'yes' if s['family_considered'] else 'NOT FOUND'}")
        print_doc_warning(con, doc.page_note)
        for q in s["family_evidence"][:3]:
            con.print(f"  evidence: {_short(q, 100)}", markup=False)
        for f in res.findings:
            if f.data.get("rule") == "family-not-considered":
                con.print(f"  warning: {f.message}", markup=False)
        wording = [f for f in res.findings if f.data.get("rule") != "family-not-considered"]
        if wording:
            con.print(findings_table(wording, "Wording to review", ("page", "severity", "quote", "message", "suggestion")))

    render_console(draw, output)


@app.command()
def shareable(
    path: Path = PathArg,
    # With --redact the --output name picks the copy's format, so the report format is
    # taken from the name only without it (below).
    format: Format = FormatOpt("text", "json", infer=False),
    output: Optional[Path] = OutputOpt,
    password: Optional[str] = PasswordOpt,
    redact: bool = typer.Option(False, "--redact", help="Write a redacted copy to --output instead of a report."),
    log_text: bool = LogTextOpt,
) -> None:
    """Personal data that should not be shared with a family (names of staff and third
    parties, dates of birth, addresses, phone, email, NHS/NI/PNC/CRN/prison numbers), and
    passages to clear first (staff HR matters, unproven allegations, evidence in a case not
    yet tried, childhood history). Running headers and footers are checked too; a Word file's
    comments and tracked changes are not, and a warning says when it holds them."""
    if redact:
        if output is None:
            raise UsageError("--redact writes a redacted copy: give --output FILE (.docx or .txt)")
        if format is not Format.text:
            # The copy's format comes from --output's extension; a report format would be ignored.
            raise UsageError(f"--redact writes a redacted copy, not a {format.value} report: leave out --format "
                             "(the copy is .docx or .txt, from the --output name)")
        _redact(path, output, None, password, log_text)
        return
    if log_text:
        raise UsageError("--log-text only applies with --redact")
    format = format_for_output(format, output, ("text", "json"), format_given())
    doc, res, passages = _shareable_and_passages(path, password)
    from sfo_nlp.checks.victims_shareable import HIDDEN_CONTENT
    from sfo_nlp.ingest.docx import unseen_note

    # Said before anything else: "0 items" is not "safe to share" while Word hides text.
    hidden = unseen_note(doc.source, doc.unseen) if doc.unseen else None
    if format is Format.json:
        emit(to_json(dict(res.to_dict(), disclosure=passages.to_dict(), warnings=[hidden] if hidden else [])), output)
        return

    def draw(con) -> None:
        from sfo_nlp.report.summary import count_of

        s = res.summary
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(s["by_kind"].items())) or "none"
        con.print(f"[bold]{doc.source}[/bold]: {count_of(s['distinct'], 'item')} of personal data in "
                  f"{count_of(s['hits'], 'mention')} ({kinds})")
        print_doc_warning(con, hidden)
        print_doc_warning(con, doc.page_note)
        personal = [f for f in res.findings if f.data.get("kind") != HIDDEN_CONTENT]
        if personal:
            con.print(_distinct_table(personal))
            con.print("Run `sfo-nlp redact PATH --output FILE` to write a redacted copy.")
        if passages.findings:
            con.print(f"{count_of(len(passages.findings), 'passage')} to clear before a family reads them "
                      "(redaction does not remove these: rewrite them or agree their disclosure)")
            con.print(findings_table(passages.findings, "Passages to clear", ("page", "kind", "quote", "suggestion")))

    render_console(draw, output)


def _shareable_and_passages(path: Path, password: Optional[str]):
    """(doc, victims.shareable result, victims.disclosure result) from one reading."""
    from sfo_nlp.checks import run_checks
    from sfo_nlp.ingest import load

    doc = load(path, password=password)
    res = run_checks(doc, ["victims.shareable", "victims.disclosure"])
    return doc, res["victims.shareable"], res["victims.disclosure"]


REDACT_SUFFIXES = (".docx", ".txt")


def _distinct_table(findings) -> RichTable:
    """One row per item of personal data: a name mentioned on every page is one row."""
    rows: dict[tuple[str, str], dict] = {}
    for f in findings:
        key = (f.data.get("kind", ""), " ".join(f.quote.lower().split()))
        row = rows.setdefault(key, {"page": f.page, "kind": key[0], "quote": f.quote, "n": 0, "conf": 0.0})
        row["n"] += 1
        row["conf"] = max(row["conf"], f.confidence)
    t = RichTable(title="Personal data")
    for c in ("first page", "kind", "quote", "mentions", "confidence"):
        t.add_column(c, overflow="fold")
    for r in rows.values():
        t.add_row(str(r["page"] or ""), r["kind"], _short(r["quote"]), str(r["n"]), f"{r['conf']:.2f}")
    return t


def _redact(path: Path, output: Path, log: Optional[Path], password: Optional[str], log_text: bool = False) -> None:
    from sfo_nlp import redact as redaction

    # Before any work: a plain-text copy in a file named .pdf or .md opens as garbage.
    if Path(output).suffix.lower() not in REDACT_SUFFIXES:
        raise UsageError("--output must end in .docx or .txt")
    if Path(output).resolve() == Path(path).resolve():
        raise UsageError("--output must not be the input file")
    doc, res = run_one(path, "victims.shareable", password)
    log = log or redaction.log_path(output)
    data, record = redaction.redact(doc, res.findings, Path(path), Path(output), log_text=log_text)
    # Log first: if the copy cannot be written, a stale log is harmless; the reverse
    # would leave a redacted file nobody can account for.
    write_atomic(log, redaction.log_json(record))
    write_atomic(output, data)
    from sfo_nlp.report.summary import count_of

    print(f"wrote {output} ({record['output_format']}); removed {count_of(record['count'], 'distinct item')}")
    if log_text:
        print(f"log: {log} HOLDS THE REMOVED PERSONAL DATA IN CLEAR (--log-text)")
        print(f"warning: {log} lists the removed personal data: keep it as securely as the original "
              "review and never send it with the redacted copy", file=sys.stderr)
    else:
        print(f"log: {log} (kind, page, length and a fingerprint of each removed item; not the removed text)")


@app.command()
def redact(
    path: Path = PathArg,
    output: Path = typer.Option(..., "--output", "-o", dir_okay=False, callback=_check_output,
                                help="The redacted copy: .docx (DOCX kept in place; new DOCX for PDF/text) or .txt."),
    log: Optional[Path] = typer.Option(None, "--log", dir_okay=False, callback=_check_output,
                                       help="Where to write the log of what was removed (default OUTPUT.redaction-log.json). "
                                            "It records kind, page, length and a fingerprint of each item, not the text, unless --log-text."),
    log_text: bool = LogTextOpt,
    password: Optional[str] = PasswordOpt,
) -> None:
    """Write a copy of the review with personal data removed, and a log of what was removed
    (by default the log records kind, page, length and a fingerprint, not the removed text)."""
    _redact(path, output, log, password, log_text)
