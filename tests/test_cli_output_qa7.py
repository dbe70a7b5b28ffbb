"""QA 7: command-line input and output handling.

Outputs that are not regular files, formats taken from the --output name, unwritable
folders found before the work, private SQLite stores, --db in a missing folder, bad
--sentences/--items files, themes under a standards version nothing was analysed under,
and the README's claim about --format/--output.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from sfo_nlp.store import Store

ROOT = Path(__file__).resolve().parents[1]
MD = "# Summary\n\nThe probation practitioner did not review the risk assessment.\n"


@pytest.fixture
def review(tmp_path):
    p = tmp_path / "review.md"
    p.write_text(MD)
    return p


@pytest.fixture
def no_analysis(monkeypatch):
    """Fail the test if the review is analysed: a refusal must come before the work."""
    import sfo_nlp.analyse

    def refuse(*args, **kwargs):
        raise AssertionError("the review was analysed before the output was checked")

    monkeypatch.setattr(sfo_nlp.analyse, "analyse_path", refuse)


def _one_line_error(code, err, *words):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], lines[0]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# -- 1. an existing target that is not a regular file ---------------------------------


def test_output_onto_a_pipe_is_refused_before_any_work_and_the_pipe_kept(tmp_path, review, run_cli, no_analysis):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, out, err = run_cli("analyse", review, "-o", fifo, "-f", "json")
    _one_line_error(code, err, "not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # not replaced by a plain file
    assert _leftovers(tmp_path) == []


def test_db_template_and_output_dir_onto_a_pipe_are_refused(tmp_path, review, run_cli, no_analysis):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for args in (("batch", review, "--db", fifo, "-q"), ("confirm", review, "--template", fifo),
                 ("themes", "--db", fifo), ("themes", "--output-dir", fifo)):
        code, out, err = run_cli(*args)
        _one_line_error(code, err, "not a")
        assert stat.S_ISFIFO(fifo.lstat().st_mode), args
    assert _leftovers(tmp_path) == []


def test_write_atomic_never_replaces_a_pipe(tmp_path):
    """Outputs no option checks (a default log name) are refused when written."""
    from sfo_nlp.cli.common import write_atomic
    from sfo_nlp.errors import SfoError

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(SfoError, match="not a regular file"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and _leftovers(tmp_path) == []


# -- 2. the format from the --output name ---------------------------------------------


@pytest.mark.parametrize("name, check", [
    ("inf.docx", lambda b: b.startswith(b"PK\x03\x04")),
    ("inf.html", lambda b: b.lstrip().lower().startswith((b"<!doctype html", b"<html"))),
])
def test_analyse_takes_the_format_from_the_output_name(tmp_path, review, run_cli, name, check):
    out = tmp_path / name
    code, _, err = run_cli("analyse", review, "-o", out)
    assert code == 0, err
    assert check(out.read_bytes()), out.read_bytes()[:80]


def test_extract_json_name_writes_json_and_unknown_suffix_keeps_text(tmp_path, review, run_cli):
    code, _, err = run_cli("extract", review, "-o", tmp_path / "e.json")
    assert code == 0, err
    json.loads((tmp_path / "e.json").read_text())
    code, _, err = run_cli("extract", review, "-o", tmp_path / "e.log")
    assert code == 0 and "blocks" in (tmp_path / "e.log").read_text()
    code, _, err = run_cli("extract", review, "-f", "json", "-o", tmp_path / "e.txt")  # .txt takes any text
    assert code == 0 and json.loads((tmp_path / "e.txt").read_text())


def test_batch_csv_name_writes_csv(tmp_path, review, run_cli):
    out = tmp_path / "tri.csv"
    code, _, err = run_cli("batch", review, "--db", tmp_path / "b.sqlite", "-q", "-w", "1", "-o", out)
    assert code == 0, err
    assert out.read_text().splitlines()[0].startswith("rank,")


def test_export_docx_name_writes_word(tmp_path, review, run_cli, monkeypatch):
    monkeypatch.setenv("SFO_NLP_DB", str(tmp_path / "s.sqlite"))
    out = tmp_path / "note.docx"
    code, _, err = run_cli("export", review, "-o", out)
    assert code == 0, err
    assert out.read_bytes().startswith(b"PK\x03\x04")


@pytest.mark.parametrize("args", [("-f", "json", "-o", "x.md"), ("-o", "x.md", "-f", "json")])
def test_format_contradicting_the_name_is_refused_either_order(tmp_path, review, run_cli, args, no_analysis):
    args = [tmp_path / a if a.startswith("x.") else a for a in args]
    code, _, err = run_cli("analyse", review, *args)
    _one_line_error(code, err, "--format json does not match")
    assert not (tmp_path / "x.md").exists()


@pytest.mark.parametrize("name", ["e.docx", "e.pdf", "e.html"])
def test_a_name_the_command_cannot_write_is_refused(tmp_path, review, run_cli, name):
    code, _, err = run_cli("extract", review, "-o", tmp_path / name)
    _one_line_error(code, err, "cannot write")
    assert not (tmp_path / name).exists()


def test_themes_json_name_is_inferred():
    from sfo_nlp.cli.common import Format, format_for_output

    assert format_for_output(Format.text, Path("th.json"), ("text", "json"), given=False) is Format.json
    assert format_for_output(Format.text, Path("th"), ("text", "json"), given=False) is Format.text


# -- 3. an unwritable output folder, found before the analysis ------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc (no files can be made there)")
def test_unwritable_output_folder_is_refused_before_the_analysis(review, run_cli, no_analysis):
    code, _, err = run_cli("analyse", review, "-o", "/proc/x.json", "-f", "json")
    _one_line_error(code, err, "cannot create files in folder /proc")
    assert "internal error" not in err


# -- 4. and 5. SQLite stores: private, and never in a folder made up by a typo -----------


def test_store_file_is_private_and_default_folder_owner_only(tmp_path, monkeypatch):
    old = os.umask(0o022)
    try:
        # the default location (platformdirs) is created owner-only; SFO_NLP_DB must name
        # an existing folder (QA 8), so the default is pointed into tmp_path instead
        import platformdirs

        monkeypatch.delenv("SFO_NLP_DB", raising=False)
        monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "data"))
        with Store() as st:
            st.record_error("x", None, "m")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "data" / "sfo-nlp.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_store_refuses_a_pipe(tmp_path):
    from sfo_nlp.errors import SfoError

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(SfoError, match="not a regular file"):
        Store(fifo).open()
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_batch_db_is_private(tmp_path, review, run_cli):
    db = tmp_path / "b.sqlite"
    code, _, err = run_cli("batch", review, "--db", db, "-q", "-w", "1", "-f", "json")
    assert code == 0, err
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_explicit_db_in_a_missing_folder_is_refused(tmp_path, review, run_cli, no_analysis):
    for args in (("batch", review), ("confirm", review, "--who", "A")):
        code, _, err = run_cli(*args, "--db", tmp_path / "nodir" / "b.sqlite")
        _one_line_error(code, err, "no such folder")
        assert not (tmp_path / "nodir").exists()


# -- 6. --sentences / --items files ---------------------------------------------------


@pytest.mark.parametrize("cmd, opt", [("judgements", "--sentences"), ("actions", "--items")])
def test_lines_file_that_is_a_folder_or_empty_is_refused(tmp_path, run_cli, cmd, opt):
    folder = tmp_path / "adir"
    folder.mkdir()
    code, _, err = run_cli(cmd, opt, folder, "-o", tmp_path / "o.jsonl")
    _one_line_error(code, err, "is a folder")
    for content in ("", "\n  \n"):
        empty = tmp_path / "empty.txt"
        empty.write_text(content)
        code, _, err = run_cli(cmd, opt, empty, "-o", tmp_path / "o.jsonl")
        _one_line_error(code, err, "no ", str(empty))
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("cmd, opt", [("judgements", "--sentences"), ("actions", "--items")])
def test_lines_file_that_is_a_pdf_is_refused(tmp_path, run_cli, cmd, opt):
    from docgen import make_pdf

    pdf = make_pdf(tmp_path / "review.pdf", [("h1", "Action plan"), ("p", "Owner: SPO. Review the plan by 31/08/24.")])
    code, out, err = run_cli(cmd, opt, pdf)
    _one_line_error(code, err, "is a PDF")
    assert out == ""


# -- 7. themes under a standards version nothing was analysed under -------------------


def test_themes_names_the_standards_versions_stored(tmp_path, run_cli):
    from sfo_nlp.store import AnalysisRecord

    db = tmp_path / "b.sqlite"
    with Store(db) as st:
        for sha in ("a", "b"):
            st.save_record(AnalysisRecord(sha, "2023", f"/r/{sha}.md", "{}", "{}", 8, "Good", "",
                                          [(sha, 1, 1, "Analysis", "paragraph", "The plan was not reviewed.")]))
    code, _, err = run_cli("themes", "--db", db, "--standards", "2021")
    _one_line_error(code, err, "2021", "stored: 2023 (2 reviews)")
    assert "run 'sfo-nlp batch FOLDER --db" not in err


# -- 8. the README's sentence about --format and --output -----------------------------


def test_readme_names_the_commands_without_format_or_output():
    import typer.main

    from sfo_nlp.cli import app

    text = " ".join((ROOT / "README.md").read_text().split())
    m = re.search(r"Every command except (.+?) takes `--format` and `--output FILE` \((.+?)\)", text)
    assert m, "README no longer says which commands take --format and --output"
    claimed_no_format = set(re.findall(r"`([a-z]+)`", m.group(1)))
    claimed_output_only = set(re.findall(r"`([a-z]+)` takes only `--output`", m.group(2)))
    params = {n: {p.name for p in c.params} for n, c in typer.main.get_command(app).commands.items()}
    assert claimed_no_format == {n for n, p in params.items() if "format" not in p}
    assert claimed_output_only == {n for n, p in params.items() if "format" not in p and "output" in p}
