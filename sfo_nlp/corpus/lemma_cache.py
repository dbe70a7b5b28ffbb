"""Lemmas of stored paragraphs, cached in the same SQLite file as the analyses.

Lemmatising every paragraph of a national year (500-800 reviews, tens of thousands of
paragraphs) takes minutes; an analyst tuning rules/themes.yaml reruns ``sfo-nlp themes``
many times over the same paragraphs. The cache is keyed by review hash, block and the
spaCy model's name and version, so an edited review or a new model is lemmatised afresh.

The table belongs to this module, not to ``sfo_nlp.store`` (which versions its own
schema with ``PRAGMA user_version``), so it is versioned in a small table of its own.
Tokens are stored compactly: offsets into the paragraph text (which the store already
holds), the POS tag, and the lemma only where it differs from the lower-cased word.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Sequence

from sfo_nlp.corpus.themes import Tok, lemmatise

NAME = "lemma_cache"
_MIGRATIONS = [
    """
    CREATE TABLE IF NOT EXISTS corpus_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS paragraph_lemmas (
        sha256 TEXT NOT NULL,
        block INTEGER NOT NULL,
        model TEXT NOT NULL,
        tokens TEXT NOT NULL,
        PRIMARY KEY (sha256, block, model)
    );
    """,
]


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS corpus_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    row = conn.execute("SELECT version FROM corpus_schema WHERE name = ?", (NAME,)).fetchone()
    version = row[0] if row else 0
    for i in range(version, len(_MIGRATIONS)):
        with conn:
            conn.executescript(_MIGRATIONS[i])
            conn.execute("INSERT OR REPLACE INTO corpus_schema VALUES (?, ?)", (NAME, i + 1))


def model_id() -> str:
    from sfo_nlp import nlp

    meta = nlp.get_nlp({"lemmatizer"}).meta
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"


def _pack(toks: list[Tok]) -> str:
    return json.dumps([[t.start, t.end, t.pos, "" if t.lemma == t.lower else t.lemma] for t in toks],
                      separators=(",", ":"))


def _unpack(text: str, packed: str) -> list[Tok]:
    out = []
    for start, end, pos, lemma in json.loads(packed):
        word = text[start:end]
        out.append(Tok(word, lemma or word.lower(), word.lower(), pos, start, end))
    return out


def lemmas(conn: sqlite3.Connection, keys: Sequence[tuple[str, int]], texts: Sequence[str]) -> list[list[Tok]]:
    """Token lists for each (sha256, block) paragraph, from the cache or lemmatised and cached."""
    _migrate(conn)
    model = model_id()
    cached: dict[tuple[str, int], str] = {}
    shas = sorted({sha for sha, _ in keys})
    for i in range(0, len(shas), 500):  # SQLite caps the number of bound parameters
        part = shas[i:i + 500]
        rows = conn.execute(
            f"SELECT sha256, block, tokens FROM paragraph_lemmas WHERE model = ? AND sha256 IN "
            f"({','.join('?' * len(part))})", (model, *part),
        )
        cached.update({(r[0], r[1]): r[2] for r in rows})
    missing = [i for i, key in enumerate(keys) if key not in cached]
    fresh = lemmatise([texts[i] for i in missing]) if missing else []
    if missing:
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO paragraph_lemmas VALUES (?,?,?,?)",
                [(keys[i][0], keys[i][1], model, _pack(toks)) for i, toks in zip(missing, fresh)],
            )
    by_index = dict(zip(missing, fresh))
    return [by_index[i] if i in by_index else _unpack(texts[i], cached[key]) for i, key in enumerate(keys)]
