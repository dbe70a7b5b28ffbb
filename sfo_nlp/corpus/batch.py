"""Batch pre-screening: analyse every review in a folder or glob into the local store.

Each file is keyed by its SHA-256, so a re-run skips files already analysed under the
same standards and an interrupted batch resumes where it stopped (each result is saved
as soon as it arrives). A file that cannot be read is recorded with its one-line error
and the batch goes on. Byte-identical files under two names are analysed once and the
copy is listed as the same file as the other, so every file given is accounted for. Zip
archives are never opened (see ZIP_NOT_READ in ingest/guards.py); a folder's are named.

Workers are separate processes because spaCy holds the GIL; each loads the model once
in its initializer. Results travel back to the parent, which alone writes to SQLite, so
there is never more than one writer. A worker sends back the rows to store, already
serialised (``store.prepare_analysis``), so the parent does little more than write them:
its CPU time stays a small fraction of the workers'. Files are handed out largest first,
one at a time, so that a big review does not start last and leave the other worker idle.

Ctrl+C stops the workers at once (they are terminated, not waited for: a file half
analysed is simply analysed again next time) and the summary counts only what was saved.
"""

from __future__ import annotations

import glob
import hashlib
import multiprocessing
import os
import resource
import signal
import threading
import time
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from sfo_nlp.errors import SfoError, UsageError

REVIEW_SUFFIXES = {".pdf", ".docx", ".md", ".markdown", ".txt", ".text"}
STANDARD_TITLES = {
    "1": "Analysis of practice",
    "2": "Sufficient judgements",
    "3": "Learning",
    "4": "Victims and families",
}


# -- finding the files ---------------------------------------------------------------
ARCHIVE_SUFFIXES = {".zip"}


def discover(spec: str | Path) -> list[Path]:
    """Review files named by a folder (searched recursively), a glob or one file."""
    spec = str(spec)
    p = Path(spec).expanduser()
    if p.is_file() and p.suffix.lower() in ARCHIVE_SUFFIXES:
        from sfo_nlp.ingest.guards import ZIP_NOT_READ

        raise SfoError(f"{p.name}: {ZIP_NOT_READ}")
    files = _usable(_candidates(spec), REVIEW_SUFFIXES) if not p.is_file() else [p]
    if not files:
        zips = archives(spec)
        also = f"; {_zip_note(zips)}" if zips else ""
        raise SfoError(f"{spec}: no reviews found (looked for {', '.join(sorted(REVIEW_SUFFIXES))}){also}")
    return files


def archives(spec: str | Path) -> list[Path]:
    """The zip archives a folder or glob holds: skipped, but named, so no review goes missing unseen."""
    p = Path(str(spec)).expanduser()
    if p.is_file():
        return []
    return _usable(_candidates(str(spec)), ARCHIVE_SUFFIXES)


def _zip_note(zips: list[Path]) -> str:
    from sfo_nlp.ingest.guards import ZIP_NOT_READ

    return f"skipped {len(zips)} zip archive{'s' if len(zips) != 1 else ''} ({ZIP_NOT_READ}): " + ", ".join(
        z.name for z in zips)


def _candidates(spec: str) -> list[Path]:
    p = Path(spec).expanduser()
    if p.is_dir():
        return [f for f in p.rglob("*") if f.is_file()]
    if any(ch in spec for ch in "*?["):
        return [Path(f) for f in glob.glob(os.path.expanduser(spec), recursive=True) if Path(f).is_file()]
    raise SfoError(f"{spec}: no such file or folder")


def _usable(files: list[Path], suffixes: set[str]) -> list[Path]:
    """Those with one of ``suffixes``, once each, without hidden files and Office lock files."""
    wanted = [f for f in files if f.suffix.lower() in suffixes and not f.name.startswith((".", "~$"))]
    return sorted({f.resolve(): f for f in wanted}.values())


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def available_cpus() -> int:
    """CPUs this process may run on (a container or taskset can allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def cap_workers(requested: int) -> tuple[int, str]:
    """More workers than CPUs only adds memory (one spaCy model each) and switching: cap it."""
    if requested < 1:
        raise UsageError("--workers must be at least 1")
    cpus = available_cpus()
    if requested <= cpus:
        return requested, ""
    return cpus, f"note: --workers {requested} is more than the CPUs here ({cpus}); using {cpus}"


# -- the worker ----------------------------------------------------------------------
# A batch already keeps every core busy with one review per worker: a review must not
# fork helpers of its own (sfo_nlp/parallel.py), or two workers would run four processes
# on two cores, and a one-worker batch would secretly use two.
ONE_PROCESS_PER_REVIEW = ("SFO_NLP_REVIEW_WORKERS", "1")

# Set once per worker process by _init_worker; module globals because a process pool
# can only pass picklable arguments and the loaded pipeline is not one.
_ANALYSE: Callable[..., Any] | None = None
_OPTIONS: dict[str, Any] = {}


def _resolve(dotted: str) -> Callable[..., Any]:
    import importlib

    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def _init_worker(analyser: str, options: dict[str, Any], in_pool: bool = False) -> None:
    """Import the analyser and load spaCy once, before the first file arrives."""
    global _ANALYSE, _OPTIONS
    if in_pool:
        # Ctrl+C reaches every process of the terminal's group; only the parent should act
        # on it (stop handing out files, keep what is saved), not die mid-file in a worker.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.environ[ONE_PROCESS_PER_REVIEW[0]] = ONE_PROCESS_PER_REVIEW[1]
    _ANALYSE = _resolve(analyser)
    _OPTIONS = dict(options)
    from sfo_nlp import nlp
    from sfo_nlp.checks import registry

    nlp.get_nlp(registry.needs_of())


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time this process has used: on a shared machine, a fairer measure than wall time."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


@dataclass
class FileResult:
    path: str
    sha256: str
    ok: bool
    seconds: float
    worker_pid: int
    worker_peak_mb: float
    error: str = ""
    worker_cpu_s: float = 0.0
    record: Any = None  # store.AnalysisRecord: what the parent writes


def failure_line(path: str, error: str) -> str:
    """"path: error" naming the file once: reading errors already start with its name
    ("truncated.pdf: the PDF is truncated"), kept there for the CSV, JSON and store."""
    name = Path(path).name
    for prefix in (f"{path}: ", f"{name}: "):
        if name and error.startswith(prefix):
            error = error[len(prefix):]
            break
    return f"{path}: {error}"


def _one_line(exc: BaseException) -> str:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, SfoError):
        return msg
    return f"internal error ({type(exc).__name__}): {msg}"


def analyse_file(path: str, sha256: str) -> FileResult:
    """Analyse one file in this worker; never raises for a bad file."""
    from sfo_nlp.store import prepare_analysis

    assert _ANALYSE is not None, "worker not initialised"
    t0 = time.perf_counter()
    try:
        doc, analysis = _ANALYSE(Path(path), **_OPTIONS)
        record = prepare_analysis(analysis, doc, path)
        return FileResult(path, sha256, True, time.perf_counter() - t0, os.getpid(), peak_rss_mb(),
                          record=record, worker_cpu_s=cpu_seconds())
    except Exception as exc:  # a bad file must not stop the batch
        return FileResult(path, sha256, False, time.perf_counter() - t0, os.getpid(), peak_rss_mb(),
                          error=_one_line(exc), worker_cpu_s=cpu_seconds())


# -- the batch -----------------------------------------------------------------------
@dataclass
class BatchSummary:
    files: int = 0
    analysed: int = 0
    skipped: int = 0  # stored by an earlier run, unchanged
    failed: int = 0  # failed in this run, or failed before and still unchanged
    failed_before: int = 0  # of ``failed``: not tried again (unchanged; --retry-errors tries)
    duplicates: list[dict[str, str]] = field(default_factory=list)  # path, sha256, same_as: not analysed twice
    seconds: float = 0.0
    workers: int = 1
    interrupted: bool = False
    worker_peak_mb: dict[int, float] = field(default_factory=dict)
    worker_cpu_s: dict[int, float] = field(default_factory=dict)  # CPU seconds each worker used
    shas: list[str] = field(default_factory=list)  # every file of this batch, in order
    failures: list[dict[str, Any]] = field(default_factory=list)
    parent_cpu_s: float = 0.0  # CPU the parent itself used: hashing, storing, bookkeeping

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "analysed": self.analysed,
            "skipped": self.skipped,
            "failed": self.failed,
            "failed_before": self.failed_before,
            "same_file_as_another": len(self.duplicates),
            "seconds": round(self.seconds, 2),
            "workers": self.workers,
            "interrupted": self.interrupted,
            "peak_memory_mb_per_worker": {str(k): round(v, 1) for k, v in sorted(self.worker_peak_mb.items())},
            "cpu_seconds_per_worker": {str(k): round(v, 1) for k, v in sorted(self.worker_cpu_s.items())},
            "cpu_seconds_parent": round(self.parent_cpu_s, 2),
        }


ANALYSER = "sfo_nlp.analyse:analyse_path"
WORKER_DIED = "{name}: not analysed because a worker process stopped (out of memory?); run the batch again to retry"
Progress = Callable[[str, "FileResult | None"], None]  # (event, result) events: start, done, skip


def run_batch(
    files: Iterable[Path],
    store,
    workers: int = 1,
    standards: str = "2023",
    password: str | None = None,
    progress: Progress | None = None,
    analyser: str | None = None,
    retry_errors: bool = False,
) -> BatchSummary:
    """Analyse ``files`` not yet in ``store``; save each result or error as it arrives."""
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    analyser = analyser or ANALYSER
    files = [Path(f).resolve() for f in files]  # the same file is the same path in every run
    summary = BatchSummary(files=len(files), workers=workers)
    progress = progress or (lambda event, result: None)
    failed_before = store.latest_errors()
    known_errors = {(sha, e["message"]) for sha, e in failed_before.items()}
    todo: list[tuple[Path, str]] = []
    t0, cpu0 = time.perf_counter(), time.process_time()
    for f, sha in _hashed(files, store, summary, known_errors, progress):
        summary.shas.append(sha)
        if store.has_analysis(sha, standards):
            summary.skipped += 1
            progress("skip", None)
        elif sha in failed_before and not retry_errors:
            # Still the same bytes that failed: still failing. Say so on every run, so a
            # re-run never looks clean while files are unreadable.
            summary.failed += 1
            summary.failed_before += 1
            summary.failures.append({"path": str(f), "sha256": sha, "error": failed_before[sha]["message"],
                                     "earlier": True})
            progress("skip", None)
        else:
            todo.append((f, sha))
    # Largest first: the longest jobs start early, so workers finish close together.
    todo.sort(key=lambda item: item[0].stat().st_size, reverse=True)
    options = {"standards": standards, "password": password}
    try:
        if workers == 1 or len(todo) <= 1:
            _run_here(todo, store, summary, known_errors, progress, analyser, options)
        else:
            _run_pool(todo, store, summary, known_errors, progress, analyser, options, min(workers, len(todo)))
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.seconds = time.perf_counter() - t0
    summary.parent_cpu_s = time.process_time() - cpu0
    return summary


def _hashed(files, store, summary: BatchSummary, known_errors: set, progress) -> list[tuple[Path, str]]:
    """Each distinct file once, with its SHA-256; byte-identical copies go to ``summary.duplicates``.

    Of identical files the one with the shortest name is analysed: a copy usually has the
    original's name plus something ("copy", "(1)", "final").
    """
    by_sha: dict[str, list[Path]] = {}
    for f in files:
        try:
            by_sha.setdefault(file_sha256(f), []).append(f)
        except OSError as exc:
            _record(store, summary, known_errors, FileResult(str(f), "", False, 0.0, os.getpid(), 0.0,
                                                             error=f"{f.name}: cannot be read ({exc.strerror or exc})"))
            progress("skip", None)
    out = []
    for sha, paths in by_sha.items():
        original, *copies = sorted(paths, key=lambda f: (len(f.name), f.name, str(f)))
        out.append((original, sha))
        for copy in copies:
            summary.duplicates.append({"path": str(copy), "sha256": sha, "same_as": str(original)})
            progress("skip", None)
    return sorted(out, key=lambda item: str(item[0]))


def _run_here(todo, store, summary, known_errors, progress, analyser, options) -> None:
    if not todo:
        return
    with _one_process_per_review():
        _init_worker(analyser, options)
        for path, sha in todo:
            progress("start", None)
            result = analyse_file(str(path), sha)
            _record(store, summary, known_errors, result)
            progress("done", result)


@contextmanager
def _one_process_per_review():
    """ONE_PROCESS_PER_REVIEW while this process analyses the batch itself, then as before."""
    name, value = ONE_PROCESS_PER_REVIEW
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _run_pool(todo, store, summary, known_errors, progress, analyser, options, workers) -> None:
    # spawn, not fork: the parent runs a progress thread, and forking a threaded process
    # can copy a held lock into the child.
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                               initargs=(analyser, options, True))
    pending: dict[Future, tuple[Path, str]] = {}
    try:
        for path, sha in todo:
            pending[pool.submit(analyse_file, str(path), sha)] = (path, sha)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                path, sha = pending.pop(fut)
                result = _outcome(fut, path, sha)
                _record(store, summary, known_errors, result)
                progress("done", result)
    except KeyboardInterrupt:
        # Keep what finished while Ctrl+C arrived, then stop the rest now: waiting for
        # files already in the workers' hands could take minutes.
        for fut in [f for f in pending if f.done() and not f.cancelled()]:
            path, sha = pending.pop(fut)
            _record(store, summary, known_errors, _outcome(fut, path, sha))
        _stop_now(pool)
        raise
    pool.shutdown(wait=True)


def _outcome(fut: Future, path: Path, sha: str) -> FileResult:
    try:
        return fut.result()
    except BrokenProcessPool:
        # Every file still queued fails with the one that killed the worker, so none is
        # recorded as bad: a re-run tries them again.
        return FileResult(str(path), sha, False, 0.0, 0, 0.0, error=WORKER_DIED.format(name=path.name))
    except Exception as exc:  # e.g. a result that could not be sent back
        return FileResult(str(path), sha, False, 0.0, 0, 0.0, error=_one_line(exc))


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel queued files and end the worker processes without waiting for them."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.terminate()  # not is_alive() first: that too reaps, see below
    # The pool's own thread reaps the workers it sees end. Reaping them here as well lets
    # two threads wait for one process, and the loser then lists it as running for ever
    # (CPython gh-130895; seen in CI as a worker "left" after Ctrl+C). So wait for that
    # thread, and only reap here what it has not.
    if manager is not None:
        manager.join(timeout=10)
    for proc in processes:
        if proc.exitcode is None:  # a process left behind would hold the terminal
            proc.kill()
            proc.join(timeout=5)


@contextmanager
def _sigint_deferred():
    """Hold a Ctrl+C until the block ends, so a result is stored and counted together
    (the summary must never say fewer files were saved than the store holds)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals only reach the main thread anyway
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def _record(store, summary: BatchSummary, known_errors: set, result: FileResult) -> None:
    with _sigint_deferred():
        _store_result(store, summary, known_errors, result)


def _store_result(store, summary: BatchSummary, known_errors: set, result: FileResult) -> None:
    if result.worker_pid:
        pid = result.worker_pid
        summary.worker_peak_mb[pid] = max(summary.worker_peak_mb.get(pid, 0.0), result.worker_peak_mb)
        summary.worker_cpu_s[pid] = max(summary.worker_cpu_s.get(pid, 0.0), result.worker_cpu_s)
    if result.ok:
        store.save_record(result.record)
        summary.analysed += 1
        return
    summary.failed += 1
    summary.failures.append({"path": result.path, "sha256": result.sha256, "error": result.error})
    if result.error.endswith(WORKER_DIED.split("}", 1)[1]):
        return  # not the file's fault (see _run_pool): not recorded, so the next run retries it
    if (result.sha256, result.error) not in known_errors:  # a re-run does not duplicate the record
        store.record_error(result.path, result.sha256 or None, result.error)
        known_errors.add((result.sha256, result.error))
