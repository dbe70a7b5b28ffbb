"""sfo_nlp.parallel: a forked child does part of one review's work; whatever happens to
the child, the caller gets the same answer as a one-process run, and never hangs."""

from __future__ import annotations

import os
import threading
import time

import pytest

from pathlib import Path

from sfo_nlp import parallel

ROOT = Path(__file__).resolve().parents[1]

needs_fork = pytest.mark.skipif(not hasattr(os, "fork") or parallel.cores() < 2, reason="needs fork and 2 cores")


@pytest.fixture
def forking(monkeypatch):
    """Fork even if another test left a thread behind."""
    monkeypatch.setattr(parallel, "available", lambda: True)


@needs_fork
def test_theirs_runs_in_a_child(forking):
    parent = os.getpid()
    mine, theirs = parallel.run_split(os.getpid, os.getpid)
    assert mine == parent and theirs != parent


@needs_fork
@pytest.mark.parametrize("failure", ["dies", "raises", "unpicklable"])
def test_a_failing_child_means_the_parent_does_the_work(forking, failure):
    parent = os.getpid()

    def theirs():
        if os.getpid() != parent:
            if failure == "dies":
                os._exit(3)
            if failure == "raises":
                raise RuntimeError("boom")
            return lambda: None  # cannot be pickled
        return "done here"

    assert parallel.run_split(lambda: 1, theirs) == (1, "done here")


@needs_fork
def test_a_hanging_child_is_killed_after_the_time_limit():
    t = time.monotonic()
    job = parallel.Forked(time.sleep, 600)
    pid = job.pid
    with pytest.raises(parallel.ChildFailed, match="time limit"):
        job.result(timeout=0.5)
    assert time.monotonic() - t < 30
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # killed and reaped: no zombie left


@needs_fork
def test_a_hanging_child_means_the_parent_does_the_work(forking):
    parent = os.getpid()

    def theirs():
        if os.getpid() != parent:
            time.sleep(600)
        return "done here"

    assert parallel.run_split(lambda: 1, theirs, min_wait=0.5) == (1, "done here")


@needs_fork
def test_a_generator_child_sends_values_as_it_goes():
    def steps():
        yield "read"
        yield os.getpid()

    job = parallel.Forked(steps)
    try:
        assert job.next(timeout=30) == "read"
        assert job.next(timeout=30) not in (os.getpid(), None)
        with pytest.raises(parallel.ChildFailed):
            job.next(timeout=30)  # nothing more
    finally:
        job.close()


@needs_fork
def test_the_child_goes_on_while_the_parent_has_not_read_a_large_value():
    """A review bigger than a pipe's buffer, sent while the parent is still loading models,
    must not hold the child up: it goes on to its next step at once."""
    def steps():
        yield b"x" * 5_000_000
        yield time.monotonic()

    job = parallel.Forked(steps)
    try:
        time.sleep(1.0)  # the parent busy elsewhere
        reading = time.monotonic()
        assert len(job.next(timeout=30)) == 5_000_000
        assert job.next(timeout=30) < reading
    finally:
        job.close()


@needs_fork
def test_a_child_never_forks_helpers_of_its_own(monkeypatch):
    """Parent and child already fill two cores (a grandchild reading half a PDF's pages
    took CPU from the parent loading models)."""
    monkeypatch.delenv("SFO_NLP_REVIEW_WORKERS", raising=False)
    if not parallel.available():
        pytest.skip("another test left a thread running")
    assert parallel.Forked(parallel.available).result(timeout=30) is False


def test_a_failed_fork_leaves_no_descriptor_open(monkeypatch):
    def no_fork():
        raise OSError("no process slots")

    before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(parallel.os, "fork", no_fork)
    with pytest.raises(OSError):
        parallel.Forked(os.getpid)
    assert len(os.listdir("/proc/self/fd")) == before


def signature(doc):
    return [(t.idx, t.text, t.is_sent_start, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_)
            for t in doc]


def test_an_error_in_the_parents_share_is_raised(forking):
    with pytest.raises(ValueError):
        parallel.run_split(lambda: int("x"), lambda: 2)


def test_not_used_when_turned_off_or_off_the_main_thread(monkeypatch):
    monkeypatch.setenv("SFO_NLP_REVIEW_WORKERS", "1")
    assert not parallel.available()
    monkeypatch.delenv("SFO_NLP_REVIEW_WORKERS")
    seen = []
    t = threading.Thread(target=lambda: seen.append(parallel.available()))
    t.start()
    t.join()
    assert seen == [False]  # e.g. the web server's job thread
    parent = os.getpid()
    monkeypatch.setattr(parallel, "available", lambda: False)
    assert parallel.run_split(os.getpid, os.getpid) == (parent, parent)


def test_the_child_takes_checks_closed_under_what_they_read():
    from types import SimpleNamespace as Spec

    from sfo_nlp.analyse import _child_checks

    order = [Spec(id="judgements", reads=()), Spec(id="victims.a", reads=()), Spec(id="victims.b", reads=("victims.a",)),
             Spec(id="victims.c", reads=("judgements",)), Spec(id="victims.d", reads=()),
             Spec(id="analysis.x", reads=("victims.d",))]
    assert _child_checks(order) == {"victims.a", "victims.b"}


@needs_fork
def test_same_analysis_with_and_without_a_second_process(monkeypatch):
    """Ingest in a child while models load, the victims checks in a child: same result."""
    import json

    from sfo_nlp import nlp
    from sfo_nlp.analyse import analyse_path

    review = ROOT / "corpus_samples" / "reviews" / "docx" / "sfo-03.docx"
    monkeypatch.setenv("SFO_NLP_REVIEW_WORKERS", "1")
    _, serial = analyse_path(review)
    monkeypatch.delenv("SFO_NLP_REVIEW_WORKERS")
    calls = []
    real = parallel.Forked.__init__

    def counting(self, *a):
        calls.append(1)
        real(self, *a)

    monkeypatch.setattr(parallel, "available", lambda: True)
    monkeypatch.setattr(parallel.Forked, "__init__", counting)
    monkeypatch.setattr(nlp, "SPLIT_MIN_CHARS", 0)  # the child parses part of it too
    doc, forked = analyse_path(review)
    assert len(calls) == 2  # reading and parsing, then the victims checks
    assert signature(doc.spacy) == signature(nlp.parse_part(doc, 0, len(doc.text)))
    assert json.dumps(forked.to_dict(), default=str) == json.dumps(serial.to_dict(), default=str)


def test_not_used_off_linux(monkeypatch):
    monkeypatch.setattr(parallel.sys, "platform", "darwin")
    assert not parallel.available()


def _blocks(doc):
    return [(b.type, b.text, b.page) for b in doc.blocks], doc.warnings, doc.metadata, doc.text


@pytest.fixture
def pdf_read_alone(monkeypatch):
    """A corpus PDF read in one process, with the page threshold lowered so that a second
    read (once the test lets ``available`` say yes) splits its pages."""
    from sfo_nlp.ingest import load, pdf

    path = ROOT / "corpus_samples" / "reviews" / "pdf" / "sfo-06.pdf"
    monkeypatch.setattr(pdf, "PARALLEL_MIN_PAGES", 2)
    monkeypatch.setattr(parallel, "available", lambda: False)
    alone = _blocks(load(path))
    monkeypatch.setattr(parallel, "available", lambda: True)
    return path, alone


@needs_fork
def test_a_long_pdf_read_in_two_processes_is_the_same_document(pdf_read_alone, monkeypatch):
    from sfo_nlp.ingest import load

    path, alone = pdf_read_alone
    forks = []
    real = parallel.Forked
    monkeypatch.setattr(parallel, "Forked", lambda *a: forks.append(a) or real(*a))
    split = _blocks(load(path))
    assert len(forks) == 1 and list(forks[0][4])[0] > 1  # the child read the later pages
    assert split == alone


@needs_fork
def test_pages_the_child_fails_to_read_are_read_here(pdf_read_alone, monkeypatch):
    from sfo_nlp.ingest import load, pdf

    path, alone = pdf_read_alone
    parent = os.getpid()
    real = pdf._read_pages

    def dies_in_child(*a):
        if os.getpid() != parent:
            os._exit(3)
        return real(*a)

    monkeypatch.setattr(pdf, "_read_pages", dies_in_child)
    assert _blocks(load(path)) == alone
