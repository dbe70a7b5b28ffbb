"""QA 9: command-line and web wording, outputs and inputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REVIEW = """# Serious Further Offence Review: Mr Test

FICTIONAL DOCUMENT: all names are invented.

## Analysis of practice

The OASys assessment was not reviewed following the arrest in March. This was a missed opportunity to recall Mr Test.
Not all reasonable steps were taken. The reviewing manager interviewed the probation practitioner.
"""


@pytest.fixture
def review(tmp_path):
    p = tmp_path / "review.md"
    p.write_text(REVIEW)
    return p


# -- 1: export with nothing confirmed ----------------------------------------------------
@pytest.mark.parametrize("store", ["missing", "empty"])
def test_export_with_no_decisions_writes_the_all_draft_note(review, run_cli, tmp_path, monkeypatch, store):
    from sfo_nlp.store import Store

    db = tmp_path / "c.sqlite"
    if store == "empty":
        Store(db).open().close()
    monkeypatch.setenv("SFO_NLP_DB", str(tmp_path / "other.sqlite"))
    out = tmp_path / "before.md"
    code, _, err = run_cli("export", review, "--db", db, "-o", out)
    assert code == 0, err
    assert "DRAFT pre-screen" in out.read_text() and "(confirmed)" not in out.read_text()
    assert err.startswith("note: ") and "0 of 34 confirmed" in err and str(db) in err and err.count("\n") == 1
    assert db.exists() == (store == "empty")  # no store made as a side effect
    assert not (tmp_path / "other.sqlite").exists()


# -- 2: overwriting outputs is documented -------------------------------------------------
@pytest.mark.parametrize("command", ["jargon", "analyse", "export"])
def test_output_help_says_an_existing_file_is_replaced(run_cli, command):
    code, out, _ = run_cli(command, "--help")
    assert code == 0 and "replac" in " ".join(out.split())


def test_readme_says_outputs_are_replaced_but_a_template_is_not():
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert "already exists is replaced without asking" in readme
    assert "`confirm --template FILE`, which holds your own edits: it refuses a file that already exists" in readme


def test_a_report_output_is_replaced_and_a_template_is_not(review, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SFO_NLP_DB", str(tmp_path / "s.sqlite"))
    out = tmp_path / "exist.txt"
    out.write_text("old")
    code, _, err = run_cli("jargon", review, "-o", out)
    assert code == 0, err
    assert out.read_text() != "old"
    code, _, err = run_cli("confirm", review, "--template", out)
    assert code == 2 and "--force" in err and out.read_text() != "old"


# -- 3: the same words everywhere -----------------------------------------------------------
def _web(tmp_path):
    from fastapi.testclient import TestClient

    from sfo_nlp.web import security
    from sfo_nlp.web.app import create_app

    client = TestClient(create_app(db_path=tmp_path / "web.sqlite", token="t-qa9"), base_url="http://127.0.0.1:8765")
    client.cookies.set(security.COOKIE, "t-qa9")
    return client


def test_sureness_words_the_confidence_for_people():
    from sfo_nlp.report.html import sureness

    assert sureness(0.57) == "the tool is fairly sure: 57 of 100"
    assert sureness(0.3).startswith("the tool is not very sure") and sureness(0.9).startswith("the tool is quite sure")


def test_the_web_page_words_confidence_as_the_html_report_does(tmp_path):
    from sfo_nlp.analyse import analyse_path
    from sfo_nlp.report.html import sureness
    from sfo_nlp.store import Store

    review = tmp_path / "review.md"
    review.write_text(REVIEW)
    doc, analysis = analyse_path(review)
    with Store(tmp_path / "web.sqlite") as st:
        st.save_analysis(analysis, doc, review)
    first = analysis.answers[0]
    with _web(tmp_path) as client:
        page = client.get(f"/review/{doc.sha256}").text
    assert "(confidence" not in page
    assert f"({sureness(first.confidence)})" in page and " sure: " in page


def test_the_web_form_says_it_takes_text_files_too(tmp_path):
    with _web(tmp_path) as client:
        home = client.get("/").text
        refused = client.post("/upload", data={"csrf": re.search(r'name="csrf" value="([^"]+)"', home).group(1)},
                              files={"file": ("notes.rtf", b"{\\rtf1}", "application/rtf")}).text
    assert ".md or .txt text file" in home and ".md or .txt text file" in refused
    assert 'accept=".pdf,.docx,.md,.txt"' in home


def test_counts_in_confirm_messages_are_pluralised():
    from sfo_nlp.cli.common import plural

    assert (plural(1, "decision"), plural(3, "decision"), plural(0, "prompt")) == ("1 decision", "3 decisions",
                                                                                     "0 prompts")


# -- 6: the web queue ---------------------------------------------------------------------
def test_a_queued_job_reports_its_analysis_time_and_the_wait(tmp_path):
    from sfo_nlp.web.jobs import Job

    waited = Job("j1", "second.pdf", tmp_path / "x.pdf", "2023", stage="done", sha256="a" * 64,
                 submitted=100.0, started=220.0, finished=235.0)
    at_once = Job("j2", "first.pdf", tmp_path / "y.pdf", "2023", stage="done", sha256="b" * 64,
                  submitted=100.0, started=100.0, finished=112.0)
    assert (waited.elapsed, waited.waited, at_once.waited) == (15.0, 120.0, 0.0)
    with _web(tmp_path) as client:
        client.app.state.web.jobs.jobs.update({"j1": waited, "j2": at_once})
        second, first = client.get("/jobs/j1").text, client.get("/jobs/j2").text
    assert "the analysis took 15 s, after waiting 120 s for the analysis before it" in second
    assert "the analysis took 12 s." in first and "waiting" not in first


# -- 4: UTF-16 and UTF-8 files with a byte-order mark --------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_item_files_saved_as_unicode_by_windows_tools_are_read(tmp_path, encoding):
    from sfo_nlp.learn.lines import read_lines

    p = tmp_path / "items.txt"
    text = "The SPO will audit 20 cases by March 2025.\r\n\r\nRéview the OASys.\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = "\ufeff".encode("utf-16-be") + data
    p.write_bytes(data)
    assert read_lines(p) == ["The SPO will audit 20 cases by March 2025.", "", "Réview the OASys."]


def test_a_damaged_utf16_file_and_a_binary_file_are_refused_in_one_line(tmp_path, run_cli):
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes("Review the OASys.\n".encode("utf-16") + b"\x00")
    code, _, err = run_cli("actions", "--items", damaged)
    assert code == 2 and err.startswith("error: damaged.txt: starts as UTF-16") and err.count("\n") == 1
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"abc\x00\x01def\n")
    code, _, err = run_cli("judgements", "--sentences", binary)
    assert code == 2 and "not a text file" in err and err.count("\n") == 1


# -- 5: a failed file is named once ---------------------------------------------------------
def test_a_failed_file_is_named_once(tmp_path):
    from sfo_nlp.corpus.batch import failure_line

    path = str(tmp_path / "truncated.pdf")
    said = "truncated.pdf: the PDF is truncated or corrupt (no end-of-file marker)"
    assert failure_line(path, said) == f"{path}: the PDF is truncated or corrupt (no end-of-file marker)"
    assert failure_line(path, f"{path}: no such file") == f"{path}: no such file"
    assert failure_line(path, "internal error (RuntimeError): boom") == f"{path}: internal error (RuntimeError): boom"


def test_batch_prints_a_failed_file_once(tmp_path, run_cli):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n")
    code, out, err = run_cli("batch", folder, "--db", tmp_path / "b.sqlite", "--workers", "1")
    line = next(ln for ln in (out + err).splitlines() if ln.startswith("failed: "))
    assert code == 1 and line.count("truncated.pdf") == 1, line


def test_the_web_batch_page_names_a_failed_file_once(tmp_path):
    from sfo_nlp.store import Store

    with Store(tmp_path / "web.sqlite") as st:
        st.record_error("/in/truncated.pdf", None, "truncated.pdf: the PDF is truncated or corrupt")
    with _web(tmp_path) as client:
        page = client.get("/batch").text
    assert "/in/truncated.pdf: the PDF is truncated or corrupt" in page and page.count("truncated.pdf") == 1


# -- 7: several reviews joined into one file ------------------------------------------------
ONE_REVIEW = """# Serious Further Offence Review: {name}

## 1. Case details

| Field | Detail |
| --- | --- |
| Region | Wales |
| Offence | Murder |

## 2. Analysis of practice

The OASys assessment was not reviewed following the arrest in March. This was a missed opportunity.

## 3. Learning

The team will audit twenty cases.
"""


def _joined(tmp_path, n: int) -> Path:
    p = tmp_path / f"joined{n}.md"
    p.write_text("\f".join(ONE_REVIEW.format(name=f"Person {i}") for i in range(n)))
    return p


def test_several_reviews_joined_in_one_file_are_told_apart_from_one(tmp_path):
    from sfo_nlp.ingest import load
    from sfo_nlp.ingest.pages import joined_reviews

    assert joined_reviews(load(_joined(tmp_path, 1))) == ""
    assert joined_reviews(load(_joined(tmp_path, 2))) == ""  # a cover and a title page repeat a title too
    said = joined_reviews(load(_joined(tmp_path, 3)))
    assert said.startswith("this file looks like several reviews joined together (the title heading is on 3 pages")


def test_a_file_far_longer_than_any_review_is_flagged(tmp_path):
    from sfo_nlp.ingest import load
    from sfo_nlp.ingest.pages import joined_reviews

    p = tmp_path / "long.md"
    p.write_text("# Serious Further Offence Review: X\n\n" + ("The practitioner saw him weekly. " * 4000 + "\n\n") * 4)
    assert "(about 200 pages of text)" in joined_reviews(load(p))


def test_analyse_warns_about_joined_reviews_in_one_line(tmp_path, run_cli):
    code, out, err = run_cli("analyse", _joined(tmp_path, 3))
    lines = [ln for ln in out.splitlines() if "several reviews joined together" in ln]
    assert code == 0 and len(lines) == 1, out
    code, out, _ = run_cli("analyse", _joined(tmp_path, 3), "-f", "json")
    assert sum("several reviews joined" in w for w in json.loads(out)["warnings"]) == 1


def test_no_corpus_review_looks_joined():
    from sfo_nlp.ingest import load
    from sfo_nlp.ingest.pages import joined_reviews

    reviews = Path(__file__).resolve().parents[1] / "corpus_samples" / "reviews"
    files = sorted([*reviews.glob("src/*.md"), *reviews.glob("pdf/*.pdf"), *reviews.glob("docx/*.docx")])
    assert len(files) > 100
    assert [f.name for f in files if joined_reviews(load(f))] == []


def test_the_confirm_walk_through_words_confidence_as_the_reports_do():
    from rich.console import Console

    from sfo_nlp.cli.confirm import _show

    con = Console(record=True, width=200)
    _show(con, {"prompt_id": "1a", "question": "Q?", "answer": "partly", "confidence": 0.57, "reason": "R.",
                "evidence": []}, 1, 34)
    shown = con.export_text()
    assert "(the tool is fairly sure: 57 of 100) DRAFT" in shown and "confidence" not in shown
