"""What every subcommand shares: output formats, atomic writing and error handling.

Bad input never shows a traceback: ``SfoError`` becomes one ``error: ...`` line on
stderr and exit code 2. Output files are written to a temporary file beside the
target and renamed into place, so a failure never leaves a partly written file.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from sfo_nlp.errors import SfoError

DEBUG_ENV = "SFO_NLP_DEBUG"


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"
    md = "md"
    docx = "docx"


FORMAT_HELP = "Output format."
# Reports are made again from the review at will, so replacing one loses nothing; only
# `confirm --template` (the inspector's own edits) refuses an existing file.
OUTPUT_HELP = ("Write to this file instead of the terminal; a file already there is replaced "
               "(written whole or not at all).")


def _check_output(ctx: typer.Context, param: typer.CallbackParam, value: Optional[Path]) -> Optional[Path]:
    """Refuse an unusable --output before any work is done, and never overwrite the input."""
    if value is None:
        return value
    hint = param.opts[0] if param.opts else "--output"
    parent = value.parent if str(value.parent) else Path(".")
    if not parent.is_dir():
        raise typer.BadParameter(f"folder {parent} does not exist", param_hint=hint)
    if value.is_dir():
        raise typer.BadParameter(f"{value} is a folder; give a file name", param_hint=hint)
    _refuse_special(value, hint)
    _probe_writable(parent, hint)
    _refuse_overwriting_input(value)  # an input typed before the option is known already
    if param.name == "output":
        _pair_output_with_format(ctx, value)
    return value


def _refuse_special(path: Path, hint: str) -> None:
    problem = special_file_problem(path)
    if problem:
        raise typer.BadParameter(f"{path} {problem}", param_hint=hint)


def special_file_problem(path: Path) -> str:
    """Why ``path`` must not be written ('' when it may): a device, pipe or socket is never
    a report, and the atomic rename would replace it (``-o /dev/full`` became a plain file)."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return ""  # nothing there yet (or a dangling link, which the rename replaces harmlessly)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return ""
    return "exists and is not a regular file (a device, pipe or socket); give the name of a file"


def _probe_writable(folder: Path, hint: str) -> None:
    """Try the temporary file the write will use, so an unwritable folder is reported
    now and not after minutes of analysis (root passes os.access checks it then fails)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".sfo-nlp-probe.", suffix=".part", dir=folder)
    except OSError as exc:
        raise typer.BadParameter(f"cannot create files in folder {folder} ({exc.strerror or exc})", param_hint=hint)
    os.close(fd)
    os.unlink(tmp)


def _check_db(ctx: typer.Context, param: typer.CallbackParam, value: Optional[Path]) -> Optional[Path]:
    """An explicit --db must name a file in a folder that exists: a typo must not create
    folders (the default store's folder in the user's data dir is still created)."""
    if value is None:
        return value
    parent = value.parent if str(value.parent) else Path(".")
    if not parent.is_dir():
        raise typer.BadParameter(f"no such folder {parent}", param_hint="--db")
    _refuse_special(value, "--db")
    return value


def _check_output_dir(value: Optional[Path]) -> Optional[Path]:
    """An --output-dir that exists must be a folder (click only refuses a regular file)."""
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(f"{value} exists and is not a folder", param_hint="--output-dir")
    return value


def _refuse_overwriting_input(path: Path) -> None:
    """Called again when writing: an input typed after the option is parsed after it."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    for name in ("path", "source", "sentences", "items"):
        given = ctx.params.get(name) if ctx is not None else None
        if isinstance(given, (str, Path)) and _same_file(Path(given), path):
            raise SfoError(f"--output {path} is the input file; choose another name so the review is not overwritten")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.resolve() == b.resolve()
    except OSError:
        return False


def output_option(help: str = OUTPUT_HELP):
    return typer.Option(None, "--output", "-o", help=help, dir_okay=False, callback=_check_output)


OutputOpt = output_option()
PasswordOpt = typer.Option(None, "--password", help="Password for an encrypted PDF.")


def plural(n: int, word: str) -> str:
    """'1 decision', '3 decisions': "decision(s)" reads as unfinished to the people using this."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def fail(message: str, code: int = 2) -> "typer.Exit":
    first = " ".join(str(message).split()) or "failed"
    print(f"error: {first}", file=sys.stderr)
    return typer.Exit(code)


def FormatOpt(default: str, *others: str, infer: bool = True):  # noqa: N802 - reads like typer.Option
    """A --format option that lists and accepts only the formats this command writes.

    With ``infer`` (the default), a command's --output name sets the format when
    --format is not given (``-o note.docx`` writes Word) and must agree with it when it is.
    """
    allowed = (default, *others)

    def _only_allowed(ctx: typer.Context, value: Format) -> Format:
        if value is not None:
            check_format(value, allowed)
        ctx.meta[_FORMATS_KEY] = allowed
        if infer and "output" in ctx.params:  # --output was parsed first: pair them now
            return format_for_output(value, ctx.params["output"], allowed, format_given(ctx))
        if infer:
            ctx.meta[_INFER_KEY] = True
        return value

    return typer.Option(
        Format(default), "--format", "-f", metavar="[" + "|".join(allowed) + "]",
        help=f"Output format: {', '.join(allowed)} (default: from the --output name, else {default}).",
        callback=_only_allowed, show_default=False,
    )


# Click runs the --format and --output callbacks in command-line order, so whichever
# runs second pairs the two; the format callback leaves its allowed list here.
_FORMATS_KEY = "sfo_nlp.formats"
_INFER_KEY = "sfo_nlp.infer_format"

# What a file name says its content is. ".txt" is plain text: any text format reads in it.
SUFFIX_FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".html": "html", ".htm": "html",
                  ".md": "md", ".markdown": "md", ".docx": "docx", ".csv": "csv", ".txt": "text"}
# Names a reader opens with another program; plain text in them would look corrupt.
FOREIGN_SUFFIXES = {".pdf", ".doc", ".odt", ".rtf", ".xls", ".xlsx", ".ods", ".xml", ".yaml", ".yml", ".zip",
                    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".sqlite", ".db"}


def format_given(ctx=None) -> bool:
    """Whether the user typed --format (a default must give way to the --output name)."""
    from typer._click.core import ParameterSource
    from typer._click.globals import get_current_context

    ctx = ctx or get_current_context(silent=True)
    return ctx is not None and ctx.get_parameter_source("format") in (ParameterSource.COMMANDLINE,
                                                                      ParameterSource.ENVIRONMENT)


def _pair_output_with_format(ctx: typer.Context, output: Path) -> None:
    if ctx.meta.get(_INFER_KEY) and "format" in ctx.params:  # --format was parsed first
        ctx.params["format"] = format_for_output(ctx.params["format"], output, ctx.meta[_FORMATS_KEY],
                                                 format_given(ctx))


def format_for_output(fmt: Format, output: Optional[Path], allowed: tuple[str, ...], given: bool) -> Format:
    """The format to write: the --output name's when --format is not given; an error when
    they disagree or when the name promises content this command cannot write."""
    if output is None:
        return fmt
    suffix = Path(output).suffix.lower()
    implied = SUFFIX_FORMATS.get(suffix)
    writes = ", ".join(allowed)
    fitting_name = f"{Path(output).stem}.{'txt' if fmt is Format.text else fmt.value}"
    if suffix == ".txt":
        if fmt is Format.docx:
            raise SfoError(f"--format docx writes a Word file, not plain text: name the --output {fitting_name}")
        return Format.text if not given and "text" in allowed else fmt
    if implied is not None:
        if given and fmt.value != implied:
            raise SfoError(f"--format {fmt.value} does not match --output {output} (a {suffix} file): "
                           f"leave out --format, or name the file {fitting_name}")
        if implied not in allowed:
            raise SfoError(f"--output {output}: this command cannot write {suffix} files; it writes {writes}")
        return Format(implied)
    if suffix in FOREIGN_SUFFIXES:
        raise SfoError(f"--output {output}: this command cannot write {suffix} files; it writes {writes}")
    return fmt


def check_format(fmt: Format, allowed: tuple[str, ...]) -> None:
    if fmt.value not in allowed:
        raise SfoError(f"--format {fmt.value} is not available here; choose one of: {', '.join(allowed)}")


def write_atomic(path: Path, data: str | bytes) -> None:
    path = Path(path)
    _refuse_overwriting_input(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise SfoError(f"cannot write {path}: folder {parent} does not exist")
    problem = special_file_problem(path)  # outputs no option callback checked (--template, a default log)
    if problem:
        raise SfoError(f"cannot write {path}: it {problem}")
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=parent)
    except OSError as exc:
        raise SfoError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def emit(data: str | bytes, output: Optional[Path]) -> None:
    """Print ``data`` or write it to ``output`` atomically."""
    if output is not None:
        write_atomic(output, data)
        return
    if isinstance(data, bytes):
        raise SfoError("this format is binary: give --output FILE")
    sys.stdout.write(data if data.endswith("\n") else data + "\n")


def to_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n"


def console(output: Optional[Path] = None) -> Console:
    """A rich console; when writing to a file, a plain one recording what is printed."""
    if output is not None:
        return Console(record=True, width=110, file=open(os.devnull, "w"), color_system=None)
    return Console(highlight=False, soft_wrap=False)


def print_doc_warning(con: Console, text: Optional[str]) -> None:
    """One line about the file itself (``doc.page_note``, hidden Word content), worded as
    analyse and extract word theirs."""
    if text:
        from rich.text import Text

        con.print(Text("warning: " + text, style="yellow"))


def render_console(fn, output: Optional[Path]) -> None:
    """Call ``fn(console)`` and print to the terminal or save the plain text atomically."""
    con = console(output)
    fn(con)
    if output is not None:
        write_atomic(output, con.export_text())


def run_app(app: typer.Typer) -> None:
    try:
        rc = app(standalone_mode=False)
        raise SystemExit(rc if isinstance(rc, int) else 0)
    except SfoError as exc:
        raise SystemExit(_report(exc, exc.exit_code))
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        raise SystemExit(130)
    except Exception as exc:  # usage errors and anything unexpected
        # typer vendors its own click, so match click's exception shapes by duck typing
        if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            print(f"error: {' '.join(exc.format_message().split())}{hint}", file=sys.stderr)
            raise SystemExit(exc.exit_code)
        if type(exc).__name__ == "Abort":
            print("error: aborted", file=sys.stderr)
            raise SystemExit(1)
        if os.environ.get(DEBUG_ENV):
            raise
        raise SystemExit(
            _report(exc, 1, prefix=f"internal error ({type(exc).__name__}); set {DEBUG_ENV}=1 for details: ")
        )


def _report(exc: BaseException, code: int, prefix: str = "") -> int:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    print(f"error: {prefix}{msg}", file=sys.stderr)
    return code
