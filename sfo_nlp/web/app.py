"""The local web page: upload a review, read the draft, confirm answers, export the note.

Every page is rendered on the server from Jinja2 templates with autoescape; there is no
JavaScript (the progress page refreshes itself with a meta tag), so the Content Security
Policy can forbid every script. The same store, report and note code as the CLI is
used, so the page and ``sfo-nlp analyse`` / ``confirm`` / ``export`` cannot disagree.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import UploadFile
from starlette.staticfiles import StaticFiles

from sfo_nlp.corpus.batch import failure_line
from sfo_nlp.errors import SfoError
from sfo_nlp.report.html import sureness
from sfo_nlp.settings import Settings
from sfo_nlp.store import ANSWERS, Store, default_path
from sfo_nlp.web import security
from sfo_nlp.web.jobs import Jobs, user_message

UPLOAD_SUFFIXES = {".pdf", ".docx", ".md", ".txt"}
# Said wherever the page asks for a file, so the words match what the upload takes.
ACCEPTED_FILES = "a PDF, a Word .docx, or a .md or .txt text file"
STATIC_DIR = Path(__file__).resolve().parent / "static"


class WebState:
    """Everything one running page holds: its token, store, private upload folder, jobs."""

    def __init__(self, db_path: Path | None, token: str, max_upload_mb: float) -> None:
        # Resolved now, so a bad SFO_NLP_DB stops `serve` with one line, not every page later.
        self.db_path = db_path if db_path is not None else default_path()
        self.token = token
        self.max_upload_bytes = int(max_upload_mb * 1024 * 1024)
        self.max_upload_mb = max_upload_mb
        # Private to this user (mkdtemp makes it 0700) and removed when the page stops.
        self.upload_dir = Path(tempfile.mkdtemp(prefix="sfo-nlp-uploads-"))
        os.chmod(self.upload_dir, 0o700)
        self.jobs = Jobs(db_path)

    def store(self) -> Store:
        return Store(self.db_path)

    def close(self) -> None:
        self.jobs.shutdown()
        shutil.rmtree(self.upload_dir, ignore_errors=True)


def _words() -> dict[str, str]:
    from sfo_nlp.report.note import ANSWER_WORDS

    return ANSWER_WORDS


def create_app(db_path: Path | None = None, token: str | None = None, max_upload_mb: float | None = None,
               allowed_hosts: tuple[str, ...] = security.LOCAL_HOSTS) -> FastAPI:
    settings = Settings.from_env()
    state = WebState(db_path, token or security.new_token(), max_upload_mb or min(settings.max_file_mb, 50.0))
    _raise_spool_limit(state.max_upload_bytes)

    @asynccontextmanager
    async def lifespan(app):
        yield
        state.close()

    app = FastAPI(title="sfo-nlp", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = state
    app.add_middleware(security.GuardMiddleware, token=state.token, allowed_hosts=allowed_hosts)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    env = Environment(loader=PackageLoader("sfo_nlp.web", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["sureness"] = sureness
    env.filters["failure_line"] = failure_line
    env.globals["accepted_files"] = ACCEPTED_FILES

    def page(template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("csrf", security.csrf_token(state.token))
        return HTMLResponse(env.get_template(template).render(**ctx), status_code=status)

    def message(title: str, text: str, status: int, kind: str = "error") -> HTMLResponse:
        return page("message.html", status, title=title, message=text, kind=kind)

    def analysis_or_404(sha: str, standards: str) -> dict:
        with state.store() as st:
            result = st.get_analysis(sha, standards)
        if result is None:
            raise _NotFound(f"no stored analysis {sha[:12]} under the {standards} standards")
        return result

    @app.exception_handler(SfoError)
    async def _sfo_error(request: Request, exc: SfoError):
        return message("Cannot do that", " ".join(str(exc).split()), 400)

    @app.exception_handler(_NotFound)
    async def _not_found(request: Request, exc: _NotFound):
        return message("Not found", str(exc), 404)

    @app.get("/", response_class=HTMLResponse)
    def index():
        from sfo_nlp.standards import STANDARDS_VERSIONS

        with state.store() as st:
            recent = [{"sha256": a["sha256"], "standards": a["standards"], "name": Path(a["source_path"]).name,
                       "composite": a["composite"]} for a in st.list_analyses()[:10]]
        return page("index.html", versions=STANDARDS_VERSIONS, recent=recent, max_mb=f"{state.max_upload_mb:g}")

    @app.post("/upload")
    async def upload(request: Request):
        from sfo_nlp.ingest import guards
        from sfo_nlp.standards import STANDARDS_VERSIONS

        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > state.max_upload_bytes + 64 * 1024:
            return message("File too large", f"the file is over the {state.max_upload_mb:g} MB limit", 413)
        form = await request.form()
        if not security.check_csrf(state.token, form.get("csrf")):
            return message("Refused", "the form has expired or came from another page; reload and try again", 403)
        file = form.get("file")
        standards = str(form.get("standards") or "2023")
        if standards not in STANDARDS_VERSIONS:
            return message("Cannot do that", f"unknown standards version {standards!r}", 400)
        if not isinstance(file, UploadFile) or not file.filename:
            return message("No file", f"choose a review file ({ACCEPTED_FILES}) first", 400)
        name = Path(file.filename).name  # never trust a client's path
        if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
            return message("Not a review", f"{name}: give {ACCEPTED_FILES}", 415)
        fd, tmp = tempfile.mkstemp(dir=state.upload_dir, suffix=Path(name).suffix.lower())
        dest = Path(tmp)
        size = 0
        with os.fdopen(fd, "wb") as out:  # mkstemp's own handle: opening the path again leaked it
            while chunk := await file.read(1 << 20):
                size += len(chunk)
                if size > state.max_upload_bytes:
                    out.close()
                    dest.unlink(missing_ok=True)
                    return message("File too large", f"{name}: over the {state.max_upload_mb:g} MB limit", 413)
                out.write(chunk)
        try:  # the same first checks as the CLI, before queuing: a picture or empty file fails now
            guards.check_file(dest, Settings.from_env())
        except SfoError as exc:
            dest.unlink(missing_ok=True)
            return message("Cannot read this file", user_message(exc, name, dest), 400)
        job = state.jobs.submit(name, dest, standards)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(job_id: str):
        job = state.jobs.get(job_id)
        if job is None:
            raise _NotFound("no such analysis in this session")
        return page("job.html", job=job)

    @app.get("/review/{sha}", response_class=HTMLResponse)
    def review(sha: str, standards: str = "2023"):
        result = analysis_or_404(sha, standards)
        with state.store() as st:
            decisions = st.decisions(sha, standards)
        return page("review.html", result=result, sha=sha, standards=standards, name=result["source"],
                    has_doc=sha in state.jobs.documents, decisions=decisions, words=_words(),
                    decided={d["prompt_id"]: d for d in decisions}, standing=_standing(result, decisions))

    @app.get("/review/{sha}/report", response_class=HTMLResponse)
    def full_report(sha: str, standards: str = "2023"):
        from sfo_nlp.report import render_html

        result = analysis_or_404(sha, standards)
        doc = state.jobs.documents.get(sha)
        if doc is None:
            raise _NotFound("the full report needs the file: check it again on the first page")
        resp = HTMLResponse(render_html(result, doc))
        resp.headers["Content-Security-Policy"] = security.CSP_DOCUMENT
        return resp

    @app.get("/review/{sha}/confirm", response_class=HTMLResponse)
    def confirm_form(sha: str, standards: str = "2023", saved: int = 0):
        result = analysis_or_404(sha, standards)
        with state.store() as st:
            decisions = {d["prompt_id"]: d for d in st.decisions(sha, standards)}
        who = next((d["who"] for d in decisions.values()), "")
        return page("confirm.html", result=result, sha=sha, standards=standards, name=result["source"],
                    decisions=decisions, answers=ANSWERS, words=_words(), who=who, saved=saved)

    @app.post("/review/{sha}/confirm")
    async def confirm_save(sha: str, request: Request, standards: str = "2023"):
        result = analysis_or_404(sha, standards)
        form = await request.form()
        if not security.check_csrf(state.token, form.get("csrf")):
            return message("Refused", "the form has expired or came from another page; reload and try again", 403)
        who = str(form.get("who") or "").strip()
        accept_rest = form.get("accept_rest") == "1"
        decisions = []
        for a in result["answers"]:
            answer = str(form.get(f"answer-{a['prompt_id']}") or "") or (a["answer"] if accept_rest else "")
            if not answer:
                continue  # not decided yet: the draft stays a draft
            decisions.append({"prompt_id": a["prompt_id"], "draft_answer": a["answer"], "final_answer": answer,
                              "comment": str(form.get(f"comment-{a['prompt_id']}") or "").strip()})
        with state.store() as st:
            n = st.save_decisions(sha, decisions, who=who, standards=standards)  # all or none; SfoError if bad
        return RedirectResponse(f"/review/{sha}/confirm?standards={standards}&saved={n}", status_code=303)

    @app.get("/review/{sha}/note.{fmt}")
    def note(sha: str, fmt: str, standards: str = "2023"):
        from sfo_nlp.report import build_note, render_note_docx, render_note_md

        if fmt not in ("md", "docx"):
            raise _NotFound("the note exports as .md or .docx")
        result = analysis_or_404(sha, standards)
        with state.store() as st:
            decisions = st.decisions(sha, standards)
        built = build_note(result, decisions)
        stem = Path(result["source"]).stem or "review"
        if fmt == "md":
            return PlainTextResponse(render_note_md(built), media_type="text/markdown; charset=utf-8",
                                     headers=_attachment(f"{stem}-feedback.md"))
        return Response(render_note_docx(built), headers=_attachment(f"{stem}-feedback.docx"),
                        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    @app.get("/batch", response_class=HTMLResponse)
    def batch_page(standards: str = "2023"):
        from sfo_nlp.corpus.triage import triage_rows

        with state.store() as st:
            rows = triage_rows([a for a in st.list_analyses() if a["standards"] == standards])
            errors = st.errors()
        return page("batch.html", rows=rows, errors=errors, standards=standards)

    @app.get("/themes", response_class=HTMLResponse)
    def themes_page():
        from sfo_nlp.corpus.theme_analysis import analyse_themes
        from sfo_nlp.corpus.theme_outputs import render_html

        with state.store() as st:
            if not st.list_analyses():
                return message("No themes yet", "no reviews are stored yet: check some reviews first", 200, "muted")
            try:
                report = analyse_themes(st)
            except SfoError as exc:  # every stored file set aside (not a review): say which, as themes does
                return message("No themes yet", str(exc), 200, "muted")
        resp = HTMLResponse(render_html(report))
        resp.headers["Content-Security-Policy"] = security.CSP_DOCUMENT
        return resp

    return app


class _NotFound(Exception):
    pass


def _standing(result: dict, decisions: list[dict]) -> dict:
    """The ratings and composite as they now stand, from the note ``export`` writes, so the
    page can never show a draft the inspector has already overruled."""
    from sfo_nlp.report import build_note

    note = build_note(result, decisions)
    rows, everyone = [], []
    for s in note.sections:
        items = s.met + s.to_change
        names = _names(i.who for i in items if i.confirmed)
        everyone += names
        done = bool(items) and all(i.confirmed for i in items)
        rows.append({"standard": s.number, "title": s.title, "label": s.rating.removesuffix(" (DRAFT)"),
                     "status": f"confirmed by {', '.join(names)}" if done else "DRAFT", "basis": s.rating_basis})
    done = note.prompt_count > 0 and note.confirmed_count == note.prompt_count
    return {"rows": rows, "composite": note.composite, "notice": note.notice,
            "confirmed_by": ", ".join(_names(everyone)) if done else "", "any_confirmed": note.confirmed_count > 0}


def _names(names) -> list[str]:
    return sorted({n for n in names if n})


def _attachment(filename: str) -> dict[str, str]:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    return {"Content-Disposition": f'attachment; filename="{safe}"'}


def _raise_spool_limit(limit: int) -> None:
    """Keep uploads in memory until the app writes them into its private folder.

    Starlette spools a multipart file over 1 MB to the system temporary folder; raising
    its threshold to the upload limit means a review never lands outside the 0700
    folder this app owns and deletes.
    """
    from starlette.formparsers import MultiPartParser

    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, limit + 1)
