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
    scores = [int(x) for x in re.search(r"Scores: (\d) (\d) (\d) (\d)", doc.text).groups()]
    ratings = [StandardRating(str(i + 1), batch.STANDARD_TITLES[str(i + 1)], s, "test") for i, s in enumerate(scores)]
    return doc, Analysis(doc.source, doc.sha256, standards, dict(doc.metadata), doc.page_count, ratings=ratings)


def review(folder: Path, name: str, scores: str, region: str = "North West") -> Path:
    p = folder / name
    p.write_text(
        f"# SFO review {name}\n\nRegion: {region}\n\nOffence: Murder\n\n"
        f"Scores: {scores}\n\nThe practitioner did not consider the risk to children.\n",
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
    s2, rows2, errors2 = run(reviews, db)
    assert (s2.analysed, s2.failed, s2.skipped) == (0, 0, 4)
    assert CALLS == [] and len(errors2) == 1 and len(rows2) == 3

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


def test_two_worker_processes(reviews, tmp_path):
    s, rows, errors = run(reviews, tmp_path / "r.sqlite", workers=2)
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
    assert code == 0, err
    data = json.loads(out)
    assert data["summary"]["analysed"] == 3 and data["summary"]["failed"] == 1
    assert [r["review"] for r in data["reviews"]] == ["b.md", "c.md", "a.md"]
    assert "3 analysed" in err and "1 failed" in err

    out_csv = tmp_path / "t.csv"
    code, out, err = run_cli("batch", reviews, "--db", db, "--format", "csv", "-o", out_csv)
    assert code == 0 and out == ""
    assert "4 already stored" in err
    assert out_csv.read_text().splitlines()[0].startswith("rank,review,composite_score")

    code, out, err = run_cli("batch", reviews, "--db", db)
    assert code == 0 and "Triage" in out and "c.md" in out

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
