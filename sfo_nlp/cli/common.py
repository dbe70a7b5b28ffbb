"""What every subcommand shares: output formats, atomic writing and error handling.

Bad input never shows a traceback: ``SfoError`` becomes one ``error: ...`` line on
stderr and exit code 2. Output files are written to a temporary file beside the
target and renamed into place, so a failure never leaves a partly written file.
"""

from __future__ import annotations

import json
import os
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
OUTPUT_HELP = "Write to this file instead of the terminal (written whole or not at all)."


def _check_output(ctx: typer.Context, value: Optional[Path]) -> Optional[Path]:
    """Refuse an unusable --output before any work is done, and never overwrite the input."""
    if value is None:
        return value
    parent = value.parent if str(value.parent) else Path(".")
    if not parent.is_dir():
        raise typer.BadParameter(f"folder {parent} does not exist", param_hint="--output")
    if value.is_dir():
        raise typer.BadParameter(f"{value} is a folder; give a file name", param_hint="--output")
    return value


def _refuse_overwriting_input(path: Path) -> None:
    """Options are parsed before arguments, so the input is checked when writing."""
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


OutputOpt = typer.Option(None, "--output", "-o", help=OUTPUT_HELP, dir_okay=False, callback=_check_output)
PasswordOpt = typer.Option(None, "--password", help="Password for an encrypted PDF.")


def fail(message: str, code: int = 2) -> "typer.Exit":
    first = " ".join(str(message).split()) or "failed"
    print(f"error: {first}", file=sys.stderr)
    return typer.Exit(code)


def FormatOpt(default: str, *others: str):  # noqa: N802 - reads like typer.Option
    """A --format option that lists and accepts only the formats this command writes."""
    allowed = (default, *others)

    def _only_allowed(value: Format) -> Format:
        if value is not None:
            check_format(value, allowed)
        return value

    return typer.Option(
        Format(default), "--format", "-f", metavar="[" + "|".join(allowed) + "]",
        help=f"Output format: {', '.join(allowed)}.", callback=_only_allowed, show_default=True,
    )


def check_format(fmt: Format, allowed: tuple[str, ...]) -> None:
    if fmt.value not in allowed:
        raise SfoError(f"--format {fmt.value} is not available here; choose one of: {', '.join(allowed)}")


def write_atomic(path: Path, data: str | bytes) -> None:
    path = Path(path)
    _refuse_overwriting_input(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise SfoError(f"cannot write {path}: folder {parent} does not exist")
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=parent)
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
