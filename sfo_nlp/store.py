"""The local SQLite store: analyses, body paragraphs, errors and inspectors' decisions.

Everything stays on this machine. The default database lives in the user's data
directory; ``--db`` or ``SFO_NLP_DB`` points elsewhere. The schema is versioned with
``PRAGMA user_version`` and upgraded by the ordered ``_MIGRATIONS`` list, so an older
database is migrated in place rather than rebuilt (decisions are an inspector's work).

Analyses are keyed by the file's SHA-256 and the standards version, so a batch re-run
skips unchanged files and the same review can be held under 2021 and 2023 standards.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from sfo_nlp.errors import SfoError

if TYPE_CHECKING:
    from sfo_nlp.document import ReviewDocument
    from sfo_nlp.results import Analysis

DB_ENV = "SFO_NLP_DB"
ANSWERS = ("yes", "partly", "no", "not_evidenced")

# Each entry upgrades the schema by one version; never edit a shipped entry, append one.
_MIGRATIONS: list[str] = [
    """
    CREATE TABLE analyses (
        sha256 TEXT NOT NULL,
        standards TEXT NOT NULL,
        source_path TEXT NOT NULL,
        result TEXT NOT NULL,
        metadata TEXT NOT NULL,
        composite_score INTEGER,
        composite TEXT,
        created TEXT NOT NULL,
        PRIMARY KEY (sha256, standards)
    );
    CREATE TABLE paragraphs (
        sha256 TEXT NOT NULL,
        block INTEGER NOT NULL,
        page INTEGER,
        section TEXT,
        type TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (sha256, block)
    );
    CREATE TABLE errors (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        path TEXT NOT NULL,
        sha256 TEXT,
        message TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256 TEXT NOT NULL,
        standards TEXT NOT NULL DEFAULT '2023',
        prompt_id TEXT NOT NULL,
        draft_answer TEXT,
        final_answer TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        who TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX decisions_by_review ON decisions (sha256, standards, prompt_id);
    """,
    # Why a stored document does not look like an SFO review ('' when it does), so that
    # triage can set it aside instead of ranking it; older rows take analyse's warning.
    """
    ALTER TABLE analyses ADD COLUMN not_review TEXT NOT NULL DEFAULT '';
    UPDATE analyses SET not_review = COALESCE((
        SELECT substr(value, 6, instr(value, ':') - 6) FROM json_each(analyses.result, '$.warnings')
        WHERE value LIKE 'this does not look like an SFO review%' LIMIT 1), '');
    """,
]
SCHEMA_VERSION = len(_MIGRATIONS)


def default_path() -> Path:
    env = os.environ.get(DB_ENV)
    if env:
        # Refused like --db: a typo in the variable must not quietly create a folder and
        # an empty store there (and then report "nothing stored").
        if not Path(env).parent.is_dir():
            raise SfoError(f"{DB_ENV}={env}: no such folder {Path(env).parent} (create it, or unset {DB_ENV} "
                           "to use the default store)")
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("sfo-nlp", appauthor=False)) / "sfo-nlp.sqlite"


def require_existing(db: str | Path | None, hint: str) -> None:
    """Refuse a ``--db`` that names no existing store: commands that only read must not
    create an empty one (or its folder) at a mistyped path and then report "nothing"."""
    if db is not None and not Path(db).is_file():
        where = "no such folder" if not Path(db).parent.is_dir() else "no store there"
        raise SfoError(f"--db {db}: {where} ({hint})")


@dataclass
class AnalysisRecord:
    """One analysis as the rows the store writes: plain strings and tuples.

    A batch worker builds it, so the parent process (the store's only writer) receives
    small already-serialised data instead of unpickling the whole document and result
    and serialising them itself, which would make the parent the bottleneck.
    """

    sha256: str
    standards: str
    source_path: str
    result_json: str
    metadata_json: str
    composite_score: int | None
    composite: str | None
    not_review: str
    paragraphs: list[tuple]


def prepare_analysis(analysis: "Analysis", doc: "ReviewDocument", path: str | Path) -> AnalysisRecord:
    from sfo_nlp.corpus.review_shape import shape_problem

    return AnalysisRecord(
        sha256=analysis.sha256,
        standards=analysis.standards_version,
        source_path=str(path),
        result_json=json.dumps(analysis.to_dict(), ensure_ascii=False, default=str),
        metadata_json=json.dumps(analysis.metadata, ensure_ascii=False, default=str),
        composite_score=analysis.composite_score,
        composite=analysis.composite,
        not_review=shape_problem(doc),
        paragraphs=[
            (analysis.sha256, b.id, b.page, b.section, b.type, b.text)
            for b in doc.blocks
            if b.type in PARAGRAPH_TYPES
        ],
    )


PARAGRAPH_TYPES = ("paragraph", "list_item", "quote", "table")


def _create_private(path: Path) -> None:
    """Create the database file owner-only before SQLite does (SQLite would make it
    world-readable, and it holds every paragraph's text); its journal files copy this mode.
    An existing store is tightened instead."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _tighten(path)
        return
    os.close(fd)


def _tighten(path: Path) -> None:
    """A store made before stores were created 0600 may be 0644, every paragraph readable
    by anyone on the machine: take the group and world bits off one its user owns. Never
    an error: a store on a read-only disk, or someone else's, must still open for reading."""
    try:
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == os.getuid():
            os.chmod(path, stat.S_IMODE(st.st_mode) & 0o600)
    except (OSError, AttributeError):  # AttributeError: no os.getuid off POSIX
        pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """``with Store(path) as st: st.save_analysis(...)``; commits on a clean exit."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self._conn: sqlite3.Connection | None = None

    # -- connection -------------------------------------------------------------
    def __enter__(self) -> "Store":
        self.open()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(commit=exc_type is None)

    def open(self) -> "Store":
        if self._conn is not None:
            return self
        if self.path.exists() and not self.path.is_file():  # SFO_NLP_DB at a pipe or device: never open it
            raise SfoError(f"cannot open database {self.path}: it is not a regular file")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise SfoError(f"cannot create database folder {self.path.parent}: {exc.strerror}") from exc
        try:
            _create_private(self.path)
            conn = sqlite3.connect(self.path, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            self._conn = conn
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._conn = None
            raise SfoError(f"cannot open database {self.path}: {exc}") from exc
        except OSError as exc:
            raise SfoError(f"cannot create database {self.path}: {exc.strerror}") from exc
        return self

    def close(self, commit: bool = True) -> None:
        if self._conn is None:
            return
        if commit:
            self._conn.commit()
        else:
            self._conn.rollback()
        self._conn.close()
        self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self.open()
        assert self._conn is not None
        return self._conn

    def _migrate(self) -> None:
        conn = self._conn
        assert conn is not None
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SfoError(
                f"database {self.path} was written by a newer sfo-nlp (schema {version}, "
                f"this version knows {SCHEMA_VERSION}); upgrade sfo-nlp"
            )
        for i in range(version, SCHEMA_VERSION):
            with conn:  # each migration in its own transaction, version bumped with it
                conn.executescript("BEGIN;" + _MIGRATIONS[i] + f"; PRAGMA user_version = {i + 1};COMMIT;")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # -- analyses ---------------------------------------------------------------
    def save_analysis(self, analysis: "Analysis", doc: "ReviewDocument", path: str | Path) -> None:
        """Store (or replace) a review's analysis and its body paragraphs, atomically."""
        self.save_record(prepare_analysis(analysis, doc, path))

    def save_record(self, rec: AnalysisRecord) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO analyses (sha256, standards, source_path, result, metadata, "
                "composite_score, composite, created, not_review) VALUES (?,?,?,?,?,?,?,?,?)",
                (rec.sha256, rec.standards, rec.source_path, rec.result_json, rec.metadata_json,
                 rec.composite_score, rec.composite, _now(), rec.not_review),
            )
            self.conn.execute("DELETE FROM paragraphs WHERE sha256 = ?", (rec.sha256,))
            self.conn.executemany("INSERT INTO paragraphs VALUES (?,?,?,?,?,?)", rec.paragraphs)

    def get_analysis(self, sha256: str, standards: str = "2023") -> dict | None:
        row = self.conn.execute(
            "SELECT result FROM analyses WHERE sha256 = ? AND standards = ?", (sha256, standards)
        ).fetchone()
        return json.loads(row["result"]) if row else None

    def has_analysis(self, sha256: str, standards: str = "2023") -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM analyses WHERE sha256 = ? AND standards = ?", (sha256, standards)
            ).fetchone()
            is not None
        )

    def standards_counts(self) -> dict[str, int]:
        """Standards version -> how many analyses are stored under it."""
        rows = self.conn.execute("SELECT standards, COUNT(*) FROM analyses GROUP BY standards ORDER BY standards")
        return {r[0]: r[1] for r in rows}

    def list_analyses(self) -> list[dict]:
        """One summary row per stored analysis (no full result), newest first."""
        rows = self.conn.execute(
            "SELECT sha256, standards, source_path, metadata, composite_score, composite, created, not_review, "
            "json_extract(result, '$.ratings') AS ratings FROM analyses ORDER BY created DESC, source_path"
        ).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["metadata"] = json.loads(d["metadata"])
            d["ratings"] = json.loads(d["ratings"] or "[]")
            out.append(d)
        return out

    # -- paragraphs and errors -------------------------------------------------
    def paragraphs(self, sha256: str | None = None) -> list[dict]:
        sql = "SELECT sha256, block, page, section, type, text FROM paragraphs"
        args: tuple = ()
        if sha256:
            sql += " WHERE sha256 = ?"
            args = (sha256,)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY sha256, block", args)]

    def record_error(self, path: str | Path, sha256: str | None, message: str) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT INTO errors (path, sha256, message, created) VALUES (?,?,?,?)",
                (str(path), sha256, " ".join(str(message).split()), _now()),
            )

    def errors(self) -> list[dict]:
        return [dict(r) for r in self.conn.execute("SELECT path, sha256, message, created FROM errors ORDER BY id")]

    def latest_errors(self) -> dict[str, dict]:
        """SHA-256 -> the latest error recorded for that file content."""
        return {e["sha256"]: e for e in self.errors() if e["sha256"]}

    # -- inspectors' decisions ---------------------------------------------------
    def save_decision(
        self,
        sha256: str,
        prompt_id: str,
        draft_answer: str | None,
        final_answer: str,
        comment: str = "",
        who: str = "",
        when: str | None = None,
        standards: str = "2023",
    ) -> None:
        if final_answer not in ANSWERS:
            raise SfoError(f"prompt {prompt_id}: answer must be one of {', '.join(ANSWERS)}, not {final_answer!r}")
        if not who.strip():
            raise SfoError("a decision needs the name of who made it (--who)")
        with self.conn:
            self.conn.execute(
                "INSERT INTO decisions (sha256, standards, prompt_id, draft_answer, final_answer, comment, who, at) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (sha256, standards, prompt_id, draft_answer, final_answer, comment or "", who.strip(), when or _now()),
            )

    def save_decisions(self, sha256: str, decisions: Iterable[dict], who: str, standards: str = "2023") -> int:
        """Save several decisions in one transaction: all of them or none."""
        n = 0
        with self.conn:
            for d in decisions:
                self.save_decision(
                    sha256, d["prompt_id"], d.get("draft_answer"), d["final_answer"],
                    d.get("comment", ""), d.get("who") or who, d.get("when"), standards,
                )
                n += 1
        return n

    def decisions(self, sha256: str, standards: str = "2023") -> list[dict]:
        """The latest decision per prompt (an inspector may revise one)."""
        rows = self.conn.execute(
            "SELECT prompt_id, draft_answer, final_answer, comment, who, at AS 'when' FROM decisions d "
            "WHERE sha256 = ? AND standards = ? AND id = (SELECT MAX(id) FROM decisions e "
            "WHERE e.sha256 = d.sha256 AND e.standards = d.standards AND e.prompt_id = d.prompt_id) "
            "ORDER BY id",
            (sha256, standards),
        ).fetchall()
        return [dict(r) for r in rows]

    def agreement(self, standards: str = "2023") -> list[dict]:
        """Per prompt: how often the confirmed answer equals the draft (latest decisions only)."""
        rows = self.conn.execute(
            "SELECT prompt_id, draft_answer, final_answer FROM decisions d WHERE standards = ? AND id = "
            "(SELECT MAX(id) FROM decisions e WHERE e.sha256 = d.sha256 AND e.standards = d.standards "
            "AND e.prompt_id = d.prompt_id)",
            (standards,),
        ).fetchall()
        per: dict[str, dict[str, Any]] = {}
        for r in rows:
            p = per.setdefault(r["prompt_id"], {"prompt_id": r["prompt_id"], "n": 0, "agreed": 0, "overturned": {}})
            p["n"] += 1
            if r["draft_answer"] == r["final_answer"]:
                p["agreed"] += 1
            else:
                key = f"{r['draft_answer']}->{r['final_answer']}"
                p["overturned"][key] = p["overturned"].get(key, 0) + 1
        out = []
        for pid in sorted(per, key=_prompt_sort_key):
            p = per[pid]
            p["agreement"] = p["agreed"] / p["n"] if p["n"] else 0.0
            out.append(p)
        return out


def _prompt_sort_key(pid: str) -> tuple:
    """'1a' < '1h' < '2a' < '3.1a' < '3.2a' < '4a'."""
    head, _, tail = pid.rpartition(".")
    if head:
        return (int(head), int(tail[:-1] or 0), tail[-1:])
    return (int(pid[:-1] or 0), 0, pid[-1:])
