"""Batch pre-screening: resume and skip by hash, bad files recorded, triage ranking, CLI.

Most tests use a tiny stand-in analyser (real ingestion, ratings read from a 'Scores:'
line) so that the batch machinery is tested quickly and independently of the checks;
one test runs the real pipeline on a small review.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest

from sfo_nlp.corpus import batch, triage
from sfo_nlp.results import Analysis, StandardRating
from sfo_nlp.store import Store

FAKE = "test_batch:fake_analyse"
CALLS: list[str] = []


def fake_analyse(path, password=None, standards="2023"):
    """Real ingestion; the four scores come from a 'Scores: a b c d' line in the review."""
    from sfo_nlp.ingest import load

    CALLS.append(Path(path).name)
    doc = load(path)
    if "CRASH" in doc.text:
        raise RuntimeError("boom")
    if "EXIT" in doc.text:
        os._exit(3)  # a worker killed outright, as by the out-of-memory killer
    if "SLOW" in doc.text:
        import time

        time.sleep(120)  # a file the worker is still busy with when Ctrl+C comes
    scores = [int(x) for x in re.search(r"Scores: (\d) (\d) (\d) (\d)", doc.text).groups()]
    ratings = [StandardRating(str(i + 1), batch.STANDARD_TITLES[str(i + 1)], s, "test") for i, s in enumerate(scores)]
    # what a review may use for itself: a batch worker must not fork helpers of its own
    from sfo_nlp import parallel

    meta = dict(doc.metadata, review_workers=os.environ.get("SFO_NLP_REVIEW_WORKERS"), may_fork=parallel.available())
    return doc, Analysis(doc.source, doc.sha256, standards, meta, doc.page_count, ratings=ratings)


# Enough words under enough headings to look like a review (see corpus/review_shape.py).
BODY = "\n\n".join(f"## Section {i}\n\n" + "The practitioner did not consider the risk to children. " * 12
                   for i in range(1, 5))


def review(folder: Path, name: str, scores: str, region: str = "North West") -> Path:
    p = folder / name
    p.write_text(
        f"# SFO review {name}\n\nRegion: {region}\n\nOffence: Murder\n\n"
        f"Scores: {scores}\n\n{BODY}\n",
        encoding="utf-8",
    )
    return p


@pytest.fixture
def reviews(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    review(d, "a.md", "2 2 2 2")
    review(d, "b.md", "1 0 2 1", region="Wales")
    review(d, "c.md", "1 1 1 1")
    (d / "broken.pdf").write_bytes(b"")  # empty: refused by the input guards
    (d / "notes.png").write_bytes(b"\x89PNG....")  # not a review suffix: ignored
    return d


def run(folder, db, **kw):
    CALLS.clear()
    with Store(db) as st:
        summary = batch.run_batch(batch.discover(folder), st, analyser=FAKE, **kw)
        rows = triage.triage_rows(st.list_analyses(), summary.shas)
        errors = st.errors()
    return summary, rows, errors


def test_discover_folder_glob_and_refusals(reviews, tmp_path):
    assert [p.name for p in batch.discover(reviews)] == ["a.md", "b.md", "broken.pdf", "c.md"]
    assert [p.name for p in batch.discover(str(reviews / "*.md"))] == ["a.md", "b.md", "c.md"]
    with pytest.raises(batch.SfoError, match="no such file or folder"):
        batch.discover(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(batch.SfoError, match="no reviews found"):
        batch.discover(empty)


def test_bad_file_recorded_and_batch_goes_on_then_rerun_skips(reviews, tmp_path):
    db = tmp_path / "r.sqlite"
    s, rows, errors = run(reviews, db)
    assert (s.analysed, s.failed, s.skipped) == (3, 1, 0)
    assert [e["path"].endswith("broken.pdf") for e in errors] == [True]
    assert "\n" not in errors[0]["message"] and "broken.pdf" in errors[0]["message"]
    # ranking: lowest composite first; ties broken by the weakest standard
    assert [r["review"] for r in rows] == ["b.md", "c.md", "a.md"]  # b and c both 4/12; b has an Inadequate
    assert rows[0]["weakest_standard"] == "2" and rows[0]["weakest_label"] == "Inadequate"
    assert rows[1]["composite_score"] == 4 and rows[1]["composite"] == "Requires improvement"

    # unchanged files (and the unchanged bad one) are skipped; the error is not duplicated
    # and the bad one is still reported as failed, with the error stored for it
    s2, rows2, errors2 = run(reviews, db)
    assert (s2.analysed, s2.failed, s2.failed_before, s2.skipped) == (0, 1, 1, 3)
    assert CALLS == [] and len(errors2) == 1 and len(rows2) == 3
    assert s2.failures == [{"path": str(reviews / "broken.pdf"), "sha256": errors[0]["sha256"],
                            "error": errors[0]["message"], "earlier": True}]

    # a changed file is analysed again; --retry-errors retries the bad one
    review(reviews, "a.md", "3 3 3 3")
    s3, rows3, _ = run(reviews, db, retry_errors=True)
    assert (s3.analysed, s3.failed, s3.skipped) == (1, 1, 2)
    assert sorted(CALLS) == ["a.md", "broken.pdf"]
    assert rows3[-1]["review"] == "a.md" and rows3[-1]["composite_score"] == 12


def test_interrupted_batch_resumes(reviews, tmp_path, monkeypatch):
    db = tmp_path / "r.sqlite"
    real = batch.analyse_file
    seen = []

    def stop_after_two(path, sha):
        if len(seen) == 2:
            raise KeyboardInterrupt
        seen.append(path)
        return real(path, sha)

    monkeypatch.setattr(batch, "analyse_file", stop_after_two)
    s, _, _ = run(reviews, db)
    assert s.interrupted and s.analysed + s.failed == 2
    monkeypatch.setattr(batch, "analyse_file", real)
    s2, rows, _ = run(reviews, db)
    assert not s2.interrupted and s2.skipped == 2 and s2.analysed + s2.failed == 2
    assert len(rows) == 3


def test_internal_error_is_one_line_and_recorded(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    review(d, "ok.md", "2 2 2 2")
    (d / "crash.md").write_text("CRASH here\n", encoding="utf-8")
    s, rows, errors = run(d, tmp_path / "r.sqlite")
    assert s.failed == 1 and len(rows) == 1
    assert errors[0]["message"] == "internal error (RuntimeError): boom"


def test_two_worker_processes(reviews, tmp_path, monkeypatch):
    monkeypatch.delenv("SFO_NLP_REVIEW_WORKERS", raising=False)
    s, rows, errors = run(reviews, tmp_path / "r.sqlite", workers=2)
    with Store(tmp_path / "r.sqlite") as st:  # a worker's review never forks helpers of its own
        assert {(a["metadata"]["review_workers"], a["metadata"]["may_fork"]) for a in st.list_analyses()} == {("1", False)}
    assert (s.analysed, s.failed) == (3, 1)
    # the work ran in other processes (tiny jobs may all land on one of the two)
    assert 1 <= len(s.worker_peak_mb) <= 2 and os.getpid() not in s.worker_peak_mb
    assert all(mb > 10 for mb in s.worker_peak_mb.values())
    assert [r["review"] for r in rows] == ["b.md", "c.md", "a.md"]


def test_triage_csv_has_errors_and_unrated_last():
    rows = triage.triage_rows([
        {"sha256": "x", "source_path": "/r/x.pdf", "composite_score": None, "composite": None,
         "metadata": {}, "ratings": []},
        {"sha256": "y", "source_path": "/r/y.pdf", "composite_score": 8, "composite": "Good",
         "metadata": {"region": "Wales"}, "ratings": [{"standard": "1", "score": 2, "title": "A", "label": "Good"}]},
    ])
    assert [r["review"] for r in rows] == ["y.pdf", "x.pdf"]
    text = triage.to_csv(rows, [{"path": "/r/bad.pdf", "sha256": "z", "error": "bad.pdf: the file is empty"}])
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [p["review"] for p in parsed] == ["y.pdf", "x.pdf", "bad.pdf"]
    assert parsed[2]["error"] == "bad.pdf: the file is empty" and parsed[0]["region"] == "Wales"


def test_cli_formats_and_errors(run_cli, reviews, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "ANALYSER", FAKE)
    db = tmp_path / "r.sqlite"
    code, out, err = run_cli("batch", reviews, "--db", db, "--workers", "1", "--format", "json")
    assert code == 1, err  # finished, but a file failed: a script can tell
    data = json.loads(out)
    assert data["summary"]["analysed"] == 3 and data["summary"]["failed"] == 1
    assert [r["review"] for r in data["reviews"]] == ["b.md", "c.md", "a.md"]
    assert "3 analysed" in err and "1 failed" in err

    # a re-run still reports the unchanged bad file, with its error, and still exits 1
    out_csv = tmp_path / "t.csv"
    code, out, err = run_cli("batch", reviews, "--db", db, "--format", "csv", "-o", out_csv)
    assert code == 1 and out == ""
    assert "3 already stored, 1 failed (1 in an earlier run and unchanged since" in " ".join(err.split())
    lines = list(csv.DictReader(out_csv.open()))
    assert [(r["review"], bool(r["error"])) for r in lines][-1] == ("broken.pdf", True)
    code, out, err = run_cli("batch", reviews, "--db", db, "--format", "json")
    data = json.loads(out)
    assert data["summary"]["failed"] == data["summary"]["failed_before"] == 1
    assert data["errors"][0]["error"] == "broken.pdf: the file is empty"

    code, out, err = run_cli("batch", reviews, "--db", db)
    assert code == 1 and "Triage" in out and "c.md" in out and "failed: " in out and "earlier run" in out

    # all good: exit 0
    (reviews / "broken.pdf").unlink()
    code, out, err = run_cli("batch", reviews, "--db", db)
    assert code == 0, err

    code, out, err = run_cli("batch", tmp_path / "nothing-here", "--db", db)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1
    code, out, err = run_cli("batch", reviews, "--db", db, "--format", "html")
    assert code == 2 and "--format html is not available" in err
    code, out, err = run_cli("batch", reviews, "--db", db, "--workers", "0")
    assert code == 2 and "--workers" in err
    code, out, err = run_cli("batch", reviews, "--db", db, "--standards", "1999")
    assert code == 2 and "1999" in err and err.count("\n") == 1



def test_a_dead_worker_is_reported_but_not_recorded_as_a_bad_file(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    review(d, "a.md", "2 2 2 2")
    (d / "dies.md").write_text("EXIT " * 50 + "\n", encoding="utf-8")  # largest: handed out first
    s, rows, errors = run(d, tmp_path / "r.sqlite", workers=2)
    assert s.failed >= 1 and any("worker process stopped" in f["error"] for f in s.failures)
    assert errors == []  # so a re-run tries those files again


def test_workers_are_capped_at_the_cpus_with_a_note(run_cli, reviews, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "available_cpus", lambda: 2)
    assert batch.cap_workers(2) == (2, "")
    assert batch.cap_workers(64) == (2, "note: --workers 64 is more than the CPUs here (2); using 2")
    with pytest.raises(batch.UsageError):
        batch.cap_workers(0)
    monkeypatch.setattr(batch, "ANALYSER", FAKE)
    monkeypatch.setattr(batch, "available_cpus", lambda: 1)
    code, out, err = run_cli("batch", reviews, "--db", tmp_path / "r.sqlite", "--workers", "64", "-f", "json")
    assert err.startswith("note: --workers 64 is more than the CPUs here (1); using 1\n")
    assert json.loads(out)["summary"]["workers"] == 1


def test_a_file_that_is_not_a_review_is_listed_but_not_ranked(run_cli, tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    review(d, "a.md", "2 2 2 2")
    review(d, "b.md", "1 1 1 2")
    (d / "hello.md").write_text("Hello. Scores: 0 0 0 0\n", encoding="utf-8")  # would be 'weakest'
    s, rows, _ = run(d, tmp_path / "r.sqlite")
    assert [(r["rank"], r["review"]) for r in rows] == [(1, "b.md"), (2, "a.md"), (None, "hello.md")]
    assert rows[2]["not_review"].startswith("does not look like an SFO review (")
    assert rows[0]["not_review"] == rows[1]["not_review"] == ""
    monkeypatch.setattr(batch, "ANALYSER", FAKE)
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r.sqlite")
    assert code == 0
    assert "not a review (not ranked): hello.md: does not look like an SFO review" in out
    assert not re.search(r"│\s*\d+\s*│ hello\.md", out)
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r.sqlite", "-f", "csv")
    last = list(csv.DictReader(io.StringIO(out)))[-1]
    assert last["review"] == "hello.md" and last["rank"] == "" and last["not_review"]


def test_a_long_file_name_never_squeezes_the_scores_out(run_cli, tmp_path, monkeypatch):
    from rich.cells import cell_len

    d = tmp_path / "in"
    d.mkdir()
    review(d, "review with spaces ünïcødé – 试验 and a very long name indeed, far too long.md", "1 2 3 0")
    monkeypatch.setattr(batch, "ANALYSER", FAKE)
    for width in ("80", "100", "200"):
        monkeypatch.setenv("COLUMNS", width)
        code, out, err = run_cli("batch", d, "--db", tmp_path / "r.sqlite")
        assert code == 0, err
        row = next(line for line in out.splitlines() if "review with" in line)
        assert re.search(r"│\s+1\s+│\s+2\s+│\s+3\s+│\s+0\s+│", row), out
        assert "6/12 RI" in row and ("…" in row) == (width != "200")
        assert max(cell_len(line) for line in out.splitlines()) <= int(width)


def test_ctrl_c_stops_the_workers_at_once_and_counts_what_was_saved(tmp_path):
    import multiprocessing
    import signal
    import time

    d = tmp_path / "in"
    d.mkdir()
    review(d, "quick.md", "2 2 2 2").write_text(review(d, "quick.md", "2 2 2 2").read_text() + "x " * 4000)
    for i in range(3):
        (d / f"slow{i}.md").write_text(f"SLOW {i}\n", encoding="utf-8")
    interrupted_at = []

    def ctrl_c_after_first(event, result):
        if event == "done" and not interrupted_at:
            interrupted_at.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)

    with Store(tmp_path / "r.sqlite") as st:
        s = batch.run_batch(batch.discover(d), st, workers=2, analyser=FAKE, progress=ctrl_c_after_first)
        stopped = time.monotonic() - interrupted_at[0]
        stored = len(st.list_analyses())
    assert s.interrupted and stopped < 10  # the slow files would take 120 s each
    assert s.analysed == stored == 1 and s.failed == 0
    assert multiprocessing.active_children() == []


def test_a_one_worker_batch_never_forks_helpers_for_a_review(reviews, tmp_path, monkeypatch):
    monkeypatch.delenv("SFO_NLP_REVIEW_WORKERS", raising=False)
    s, rows, _ = run(reviews, tmp_path / "r.sqlite", workers=1)
    with Store(tmp_path / "r.sqlite") as st:
        seen = {(a["metadata"]["review_workers"], a["metadata"]["may_fork"]) for a in st.list_analyses()}
    assert s.analysed == 3 and seen == {("1", False)}
    assert "SFO_NLP_REVIEW_WORKERS" not in os.environ  # the parent's own setting is left as it was


def test_short_names_leave_room_for_region_and_offence(run_cli, tmp_path, monkeypatch):
    from rich.cells import cell_len

    d = tmp_path / "in"
    d.mkdir()
    review(d, "a.md", "2 2 2 2")
    monkeypatch.setattr(batch, "ANALYSER", FAKE)
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r.sqlite")
    assert code == 0, err
    header = next(line for line in out.splitlines() if "composite" in line)
    assert "region" in header and "offence" in header, out  # a 4-character name needs no 28 columns
    row = next(line for line in out.splitlines() if "a.md" in line)
    assert "North West" in row and "Murder" in row
    assert max(cell_len(line) for line in out.splitlines()) <= 100


# -- QA 8: every file given is accounted for ------------------------------------------
def test_a_byte_identical_copy_is_named_as_the_same_file_and_the_counts_add_up(run_cli, tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    review(d, "a.md", "2 2 2 2")
    original = review(d, "sfo-06.md", "1 1 1 1")
    (d / "Lowther copy (final).md").write_bytes(original.read_bytes())
    s, rows, _ = run(d, tmp_path / "r.sqlite")
    assert (s.files, s.analysed, len(s.duplicates)) == (3, 2, 1)
    assert Path(s.duplicates[0]["same_as"]).name == "sfo-06.md"  # the shorter name: the copy has extra words
    assert sorted(CALLS) == ["a.md", "sfo-06.md"]  # analysed once
    monkeypatch.setattr(batch, "ANALYSER", FAKE)
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r2.sqlite", "-q")
    assert code == 0, err
    assert "3 files: 2 analysed, 0 already stored, 1 same file as another, 0 failed" in " ".join(err.split())
    assert "same file as sfo-06.md (analysed once): Lowther copy (final).md" in out
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r2.sqlite", "-f", "csv")
    last = list(csv.DictReader(io.StringIO(out)))[-1]
    assert (last["review"], last["same_as"], last["rank"]) == ("Lowther copy (final).md", "sfo-06.md", "")
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r2.sqlite", "-f", "json")
    data = json.loads(out)
    assert data["summary"]["same_file_as_another"] == 1 and data["summary"]["skipped"] == 2
    assert Path(data["same_file_as_another"][0]["path"]).name == "Lowther copy (final).md"


def _zip(path: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("inner/review.md", "# a review\n")
    return path


def test_zip_archives_are_never_opened_and_are_named(run_cli, tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    review(d, "a.md", "2 2 2 2")
    _zip(d / "bundle.zip")
    assert [z.name for z in batch.archives(d)] == ["bundle.zip"]
    monkeypatch.setattr(batch, "ANALYSER", FAKE)
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r.sqlite", "-q")
    assert code == 0, err
    assert "not read: bundle.zip: zip archives are not read: unzip it first and pass the folder" in out
    assert "1 file: 1 analysed" in err and "1 zip archive not read" in " ".join(err.split())
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r.sqlite", "-f", "json")
    assert [Path(z).name for z in json.loads(out)["zip_archives_not_read"]] == ["bundle.zip"]

    code, out, err = run_cli("batch", d / "bundle.zip", "--db", tmp_path / "r.sqlite")
    assert code == 2 and err == "error: bundle.zip: zip archives are not read: unzip it first and pass the folder\n"
    only_zips = tmp_path / "zips"
    only_zips.mkdir()
    _zip(only_zips / "b.zip")
    code, out, err = run_cli("batch", only_zips, "--db", tmp_path / "r.sqlite")
    assert code == 2 and "no reviews found" in err and "skipped 1 zip archive" in err and "b.zip" in err
    assert err.count("\n") == 1


def test_analyse_refuses_a_zip_archive_with_the_same_advice(tmp_path):
    from sfo_nlp.ingest import load

    with pytest.raises(batch.SfoError, match=r"^bundle\.zip: zip archives are not read: unzip it first"):
        load(_zip(tmp_path / "bundle.zip"))
    other = _zip(tmp_path / "bundle.bin")
    with pytest.raises(batch.SfoError, match="not a Word document .*zip archives are not read"):
        load(other)


def test_nothing_ranked_prints_a_note_not_an_empty_table(run_cli, tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    (d / "hello.md").write_text("Hello. Scores: 0 0 0 0\n", encoding="utf-8")
    monkeypatch.setattr(batch, "ANALYSER", FAKE)
    code, out, err = run_cli("batch", d, "--db", tmp_path / "r.sqlite", "-q", "-w", "1")
    assert code == 0, err
    assert "Triage" not in out and "┏" not in out
    assert out.startswith("No review to rank:") and "not a review (not ranked): hello.md" in out
    assert "1 file: 1 analysed" in err and "1 worker;" in err


def test_readme_batch_and_themes_commands_work_when_copied_in_order():
    """Each --db in the README's commands lives in a folder an earlier command made (QA 8)."""
    import shlex

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    made: set[str] = set()
    checked = 0
    for line in readme.splitlines():
        if not line.startswith("$ "):
            continue
        words = shlex.split(line[2:])
        if words[:2] == ["mkdir", "-p"]:
            made.update(words[2:])
        elif words[:2] in (["sfo-nlp", "batch"], ["sfo-nlp", "themes"]) and "--db" in words:
            folder = str(Path(words[words.index("--db") + 1]).parent)
            assert folder in made, f"README: {line!r} needs a 'mkdir -p {folder}' before it"
            checked += 1
    assert checked >= 2
