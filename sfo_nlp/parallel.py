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
    if threading.current_thread() is not threading.main_thread():
        return False  # e.g. the web server's job thread
    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and not t.name.startswith(OWN_THREAD_PREFIX)]
    return not others


class Forked:
    """``fn(*args)`` running in a forked child. ``result()`` collects what it returns; a
    generator function sends each value it yields as it goes, collected by ``next()``."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._read, write = os.pipe()
        self._buffer = b""
        self.pid = os.fork()
        if self.pid == 0:  # the child: do the work, send it, leave without cleanup
            os.close(self._read)
            _child(write, fn, args)
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
            size = _HEADER.unpack(self._take(_HEADER.size, deadline))[0]
            ok, value = pickle.loads(self._take(size, deadline))
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
        try:
            os.close(self._read)
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


def _child(write: int, fn: Callable[..., Any], args: tuple) -> None:
    status = 0

    def send(payload: bytes) -> None:
        view = memoryview(_HEADER.pack(len(payload)) + payload)
        while view:
            view = view[os.write(write, view):]

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
