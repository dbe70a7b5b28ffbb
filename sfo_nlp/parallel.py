"""Both cores for one review: part of the work runs in a forked child while the parent
does the rest (issue 8: one 40-page review in about the time pdfplumber takes to read it).

A forked child starts with everything the parent has (the loaded spaCy pipeline, the
ingested review, the parsed Doc) at no cost, and sends back only its result, pickled
through a pipe. Whatever goes wrong in the child (it raises, it is killed, it takes far
longer than the parent's share of the work) the caller redoes that part itself, so the
result is the same as a one-process run, only slower.

Forking is used only where it is safe and pays: on Linux with two or more cores, in
the main thread of a top-level process (never in a ``sfo-nlp batch`` worker, which
already has one process per core, nor in the web server's job thread), and unless
``SFO_NLP_REVIEW_WORKERS=1`` turns it off.
"""

from __future__ import annotations

import inspect
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from typing import Any, Callable

# Background threads of our own that may be alive when we fork (they only load models,
# which the child never touches); any other thread means someone else's process.
OWN_THREAD_PREFIX = "sfo-preload"
_HEADER = struct.Struct("<Q")
_PLACE = struct.Struct("<QQ")  # offset and size of a value in the memory file
_in_child = False  # set in a forked child: it and its parent already fill two cores


class ChildFailed(Exception):
    """The child did not deliver its result: the caller does the work itself."""


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def available() -> bool:
    """Whether this process may fork a helper for the review it is analysing."""
    import multiprocessing

    from sfo_nlp.settings import Settings

    # Linux only: on macOS, system libraries (BLAS, Objective-C) are not safe in a forked child.
    if not sys.platform.startswith("linux") or Settings.from_env().review_workers < 2 or cores() < 2:
        return False
    if multiprocessing.parent_process() is not None:
        return False  # a batch worker: the batch already uses every core
    if _in_child:
        # e.g. the child reading a PDF while its parent loads the models: a grandchild
        # for half the pages took CPU from the parent (model load 3.6 s CPU took 5 s).
        return False
    if threading.current_thread() is not threading.main_thread():
        return False  # e.g. the web server's job thread
    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and not t.name.startswith(OWN_THREAD_PREFIX)]
    return not others


class Forked:
    """``fn(*args)`` running in a forked child. ``result()`` collects what it returns; a
    generator function sends each value it yields as it goes, collected by ``next()``."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        # Values go into a file in memory and only their place through the pipe: a pipe
        # holds 64 KB, so a review sent through it while the parent was still loading
        # models kept the child waiting there (2 s of a 40-page analysis) instead of
        # parsing its share. Never a file on disk: the review is personal data.
        self._store = os.memfd_create("sfo-nlp-child", os.MFD_CLOEXEC) if hasattr(os, "memfd_create") else None
        self._buffer = b""
        write = -1
        try:
            self._read, write = os.pipe()
            self.pid = os.fork()
        except OSError:  # the caller does the work itself; leave no descriptor open
            for fd in (self._store, getattr(self, "_read", None), write):
                if fd is not None and fd >= 0:
                    os.close(fd)
            raise
        if self.pid == 0:  # the child: do the work, send it, leave without cleanup
            os.close(self._read)
            _child(write, self._store, fn, args)
        os.close(write)

    def result(self, timeout: float) -> Any:
        """The child's return value; ChildFailed when it raised, died or ran past ``timeout``."""
        try:
            return self.next(timeout)
        finally:
            self.close()

    def next(self, timeout: float) -> Any:
        """The child's next value, waiting at most ``timeout`` seconds (ChildFailed after)."""
        if self.pid <= 0:
            raise ChildFailed("the child has already been collected")
        try:
            deadline = time.monotonic() + timeout
            if self._store is None:
                payload = self._take(_HEADER.unpack(self._take(_HEADER.size, deadline))[0], deadline)
            else:
                payload = _read_at(self._store, *_PLACE.unpack(self._take(_PLACE.size, deadline)))
            ok, value = pickle.loads(payload)
        except ChildFailed:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 - a truncated or unreadable answer
            self.close()
            raise ChildFailed(f"unreadable result ({type(exc).__name__})") from None
        if not ok:
            self.close()
            raise ChildFailed(value)
        return value

    def _take(self, n: int, deadline: float) -> bytes:
        while len(self._buffer) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildFailed("time limit reached")
            ready, _, _ = select.select([self._read], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise ChildFailed("the child ended before sending its result")
            self._buffer += chunk
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def close(self) -> None:
        """End the child if it still runs, and reap it (never leaves a zombie)."""
        if self.pid <= 0:
            return
        for fd in (self._read, self._store):
            try:
                if fd is not None:
                    os.close(fd)
            except OSError:
                pass
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done == 0:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass
        self.pid = -1


def _read_at(fd: int, offset: int, size: int) -> bytes:
    parts = []
    while size > 0:
        chunk = os.pread(fd, min(size, 1 << 24), offset)
        if not chunk:
            raise ChildFailed("the child's result is shorter than it said")
        parts.append(chunk)
        offset += len(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _write_all(fd: int, data: bytes, offset: int | None = None) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view) if offset is None else os.pwrite(fd, view, offset)
        view = view[n:]
        if offset is not None:
            offset += n


def _child(write: int, store: int | None, fn: Callable[..., Any], args: tuple) -> None:
    global _in_child
    _in_child = True
    status = 0
    end = 0  # of what is written to the store

    def send(payload: bytes) -> None:
        nonlocal end
        if store is None:
            _write_all(write, _HEADER.pack(len(payload)) + payload)
            return
        # The value first, then its place: a child that dies half way sends no place.
        _write_all(store, payload, end)
        _write_all(write, _PLACE.pack(end, len(payload)))
        end += len(payload)

    try:
        try:
            out = fn(*args)
            for value in (out if inspect.isgenerator(out) else (out,)):
                send(pickle.dumps((True, value), protocol=pickle.HIGHEST_PROTOCOL))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which redoes the work
            send(pickle.dumps((False, f"{type(exc).__name__}: {exc}")))
            status = 1
    except BaseException:  # noqa: BLE001 - the parent sees a short answer and redoes the work
        status = 1
    finally:
        os._exit(status)  # no atexit handlers, no flushing the parent's buffers twice


def run_split(mine: Callable[[], Any], theirs: Callable[[], Any], min_wait: float = 30.0) -> tuple[Any, Any]:
    """``(mine(), theirs())``: ``theirs`` in a forked child when ``available()``.

    The parent waits for the child at most ``min_wait`` seconds plus four times as long
    as its own share took; past that, or if the child fails, it runs ``theirs`` itself.
    """
    if not available():
        return mine(), theirs()
    try:
        job = Forked(theirs)
    except OSError:  # no memory or process slots for a child: one process it is
        return mine(), theirs()
    try:
        t = time.monotonic()
        own = mine()
        try:
            other = job.result(timeout=min_wait + 4 * (time.monotonic() - t))
        except ChildFailed:
            other = theirs()
        return own, other
    finally:
        job.close()
