"""Analyses run in a background thread so a long review never blocks the page.

One analysis runs at a time (spaCy on a laptop is CPU-bound; two at once would only
make both slower). Each job records its stage for the progress page. Documents read
this session are kept in memory so the full report, with the text highlighted, can be
shown; nothing else about them is kept once the session ends.
"""

from __future__ import annotations

import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STAGES = {"queued": "Waiting for the analysis before it", "reading": "Reading the file",
          "analysing": "Analysing the text", "saving": "Saving the results", "done": "Done", "error": "Failed"}


@dataclass
class Job:
    id: str
    name: str
    path: Path
    standards: str
    stage: str = "queued"
    error: str = ""
    sha256: str = ""
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None  # when its analysis began: a job may wait behind another
    finished: float | None = None

    @property
    def elapsed(self) -> float:
        """Seconds in the present step: waiting while queued, then the analysis alone, so
        the time an analysis took never counts the time spent behind another review."""
        return (self.finished or time.monotonic()) - (self.submitted if self.started is None else self.started)

    @property
    def waited(self) -> float:
        """Seconds it waited for the analysis before it (0 when it started at once)."""
        return (self.started if self.started is not None else time.monotonic()) - self.submitted

    @property
    def stage_text(self) -> str:
        return STAGES[self.stage]


def user_message(exc: Exception, name: str, path: Path) -> str:
    """An error as the person at the page should read it: about the file under the name
    they uploaded (never this app's private temporary name), and with what they can do
    here. The page has no password field, so the CLI's "--password" advice is for later."""
    from sfo_nlp.errors import EncryptedError

    if isinstance(exc, EncryptedError):
        return (f"{name}: this PDF is password-protected. Remove the protection (save an unprotected copy) "
                "and upload that, or check it from the command line: sfo-nlp analyse FILE --password PASSWORD")
    text = " ".join(str(exc).split())
    return text.replace(str(path), name).replace(path.name, name)


class Jobs:
    def __init__(self, db_path: Path | None) -> None:
        self.db_path = db_path
        self.jobs: dict[str, Job] = {}
        self.documents: dict[str, Any] = {}  # sha256 -> ReviewDocument read this session
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sfo-analyse")
        self._lock = threading.Lock()

    def submit(self, name: str, path: Path, standards: str) -> Job:
        job = Job(secrets.token_urlsafe(9), name, path, standards)
        with self._lock:
            self.jobs[job.id] = job
        self._pool.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def _run(self, job: Job) -> None:
        from sfo_nlp.analyse import analyse_document
        from sfo_nlp.errors import SfoError
        from sfo_nlp.ingest import load
        from sfo_nlp.store import Store

        job.started = time.monotonic()
        try:
            job.stage = "reading"
            doc = load(job.path)
            doc.source = job.name  # the name the person uploaded, not the private temporary name
            job.stage = "analysing"
            analysis = analyse_document(doc, standards=job.standards)
            job.stage = "saving"
            doc._spacy = None  # the parse is large and the report needs only the text
            with Store(self.db_path) as st:
                st.save_analysis(analysis, doc, job.name)
            self.documents[doc.sha256] = doc
            job.sha256 = doc.sha256
            job.stage = "done"
        except SfoError as exc:
            job.error, job.stage = user_message(exc, job.name, job.path), "error"
        except Exception as exc:  # never let a bad file kill the worker thread silently
            job.error = f"internal error ({type(exc).__name__}): {user_message(exc, job.name, job.path)}"
            job.stage = "error"
        finally:
            job.finished = time.monotonic()
            try:
                job.path.unlink()  # the upload is not needed once read
            except OSError:
                pass

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
