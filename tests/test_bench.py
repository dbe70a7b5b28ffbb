"""The benchmark's own machinery (not timings): inputs it generates, fresh-process
measurement, and the RESULTS.md it writes, including saying when a target is missed."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def bench():
    return _load("run")


def test_generated_batch_has_distinct_files_in_both_formats(bench, tmp_path):
    if not list(bench.CORPUS_SRC.glob("sfo-*.md")):
        pytest.skip("no corpus sources")
    files = bench.make_batch(tmp_path / "b", 4)
    assert [f.suffix for f in files] == [".pdf", ".pdf", ".pdf", ".docx"]
    hashes = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert len(hashes) == 4
    again = bench.make_batch(tmp_path / "c", 4)  # deterministic: the same run gives the same files
    assert [f.read_bytes() for f in again] == [f.read_bytes() for f in files]


def test_long_pdf_has_the_pages_asked_for(bench, tmp_path):
    import pypdfium2

    pdf = bench.make_long_pdf(tmp_path / "long.pdf", 40)
    assert 36 <= len(pypdfium2.PdfDocument(str(pdf))) <= 44


def test_timed_reports_wall_and_memory_and_refuses_failures(bench):
    r = bench.timed([sys.executable, "-c", "x = bytearray(60 * 1024 * 1024)"])
    assert r["wall_s"] > 0 and r["peak_rss_mb"] >= 60
    # CPU time includes the children the command reaped (a batch's worker processes)
    busy = "import time; t = time.process_time()\nwhile time.process_time() - t < 0.5: pass"
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])"
    assert bench.timed([sys.executable, "-c", child])["cpu_s"] >= 0.5
    with pytest.raises(SystemExit, match="exited 3"):
        bench.timed([sys.executable, "-c", "import sys; sys.exit(3)"])


def _results(ratio, speedup_walls, worker_mb):
    b1 = {"workers": 1, "wall_s": speedup_walls[0], "files": 200, "analysed": 200, "failed": 0,
          "reviews_per_s": 1.0, "worker_peak_mb": [worker_mb], "parent_peak_mb": worker_mb}
    b2 = dict(b1, workers=2, wall_s=speedup_walls[1], worker_peak_mb=[worker_mb, worker_mb - 10])
    return {
        "command": "python bench/run.py", "when": "2026-01-01 00:00 UTC",
        "machine": {"cpus": 2, "memory": "24 GiB", "python": "3.11"}, "load_before": (1.0, 1, 1),
        "load_after": (2.0, 1, 1), "notes": [], "busy_before": (1000.0, 5.0), "busy_after": (1500.0, 405.0),
        "wall_s": 250.0,
        "stages": {"pages": 40, "words": 20000, "stages_s": {"ingest": 1.0, "parse": 2.0}, "pipeline_s": 3.0,
                   "pages_per_second": 13.3, "peak_rss_mb": 500.0, "comparison_s": {}, "profiles": {}},
        "ratio": {"analyse_s": [3.0], "pdfplumber_s": [2.0], "analyse_median_s": 3.0, "pdfplumber_median_s": 2.0,
                  "ratio": ratio, "analyse_peak_rss_mb": 400.0, "pdfplumber_peak_rss_mb": 60.0},
        "batch": [b1, b2],
    }


def test_results_say_plainly_whether_targets_are_met(bench):
    good = bench.render(_results(0.9, (100.0, 55.0), 700.0) | {"themes": {
        "wall_s": 12.0, "peak_rss_mb": 400.0, "reviews": 200, "paragraphs": 9000, "stability": 0.8, "topics": 8}})
    assert "over 200 reviews (9000 paragraphs): **12.0 s**" in good
    assert "Ratio analyse / pdfplumber: 0.9x" in good and "meets the target and the aim" in good
    assert "Speed-up 1 -> 2 workers: 1.82x" in good and "misses" not in good
    assert "`python bench/run.py`" in good
    # 500 CPU-s busy, 400 of them the run's own: others took 100 of 500 (20%)
    assert "**The machine was shared**: other processes used 100 CPU-seconds during the 4.2-minute run, 20%" in good
    quiet = bench.render(_results(0.9, (100.0, 55.0), 700.0) | {"busy_after": (1410.0, 405.0)})
    assert "The machine was otherwise idle: other processes used 10 CPU-seconds" in quiet and "shared" not in quiet
    bad = bench.render(_results(2.4, (100.0, 80.0), 1500.0))
    assert bad.count("**misses the target**") == 3
