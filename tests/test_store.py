import sqlite3

import pytest

from sfo_nlp.document import Block, ReviewDocument
from sfo_nlp.errors import SfoError
from sfo_nlp.results import Analysis, StandardRating
from sfo_nlp.store import SCHEMA_VERSION, Store, default_path


def _doc_and_analysis(sha="abc", standards="2023"):
    doc = ReviewDocument.build("r.md", "text", 1, [
        Block(id=-1, type="heading", text="Analysis", page=1, level=1),
        Block(id=-1, type="paragraph", text="The plan was not reviewed.", page=1),
    ])
    doc.sha256 = sha
    a = Analysis(source="r.md", sha256=sha, standards_version=standards, metadata={"region": "Wales"}, pages=1,
                 ratings=[StandardRating("1", "Analysis of practice", 2, "basis")] * 4)
    return doc, a


def test_save_get_list_paragraphs(tmp_path):
    db = tmp_path / "s.sqlite"
    doc, a = _doc_and_analysis()
    with Store(db) as st:
        assert st.schema_version == SCHEMA_VERSION
        assert not st.has_analysis("abc", "2023")
        st.save_analysis(a, doc, "/x/r.md")
        st.save_analysis(a, doc, "/x/r.md")  # re-save replaces, never duplicates
    with Store(db) as st:
        assert st.has_analysis("abc", "2023") and not st.has_analysis("abc", "2021")
        assert st.get_analysis("abc")["composite"] == {"score": 8, "label": "Good"}
        rows = st.list_analyses()
        assert len(rows) == 1 and rows[0]["metadata"] == {"region": "Wales"} and rows[0]["composite"] == "Good"
        paras = st.paragraphs()
        assert [p["text"] for p in paras] == ["The plan was not reviewed."]
        assert paras[0]["section"] == "Analysis"


def test_errors_and_decisions_agreement(tmp_path):
    with Store(tmp_path / "s.sqlite") as st:
        st.record_error("/x/bad.pdf", None, "bad.pdf: not a PDF\nsecond line")
        assert st.errors()[0]["message"] == "bad.pdf: not a PDF second line"
        st.save_decision("abc", "1a", "yes", "yes", who="Inspector A")
        st.save_decision("abc", "1b", "yes", "no", comment="no crucial decision", who="Inspector A")
        st.save_decision("def", "1b", "partly", "partly", who="Inspector B")
        st.save_decision("abc", "1b", "yes", "partly", who="Inspector A")  # revised: latest wins
        d = {x["prompt_id"]: x for x in st.decisions("abc")}
        assert d["1b"]["final_answer"] == "partly" and d["1b"]["who"] == "Inspector A" and d["1b"]["when"]
        agree = {x["prompt_id"]: x for x in st.agreement()}
        assert agree["1a"]["agreement"] == 1.0
        assert agree["1b"]["n"] == 2 and agree["1b"]["agreed"] == 1 and agree["1b"]["overturned"] == {"yes->partly": 1}
        with pytest.raises(SfoError):
            st.save_decision("abc", "1a", "yes", "maybe", who="A")
        with pytest.raises(SfoError):
            st.save_decision("abc", "1a", "yes", "no", who=" ")


def test_migrates_and_refuses_newer(tmp_path, monkeypatch):
    db = tmp_path / "old.sqlite"
    sqlite3.connect(db).close()  # an empty database at schema 0 is migrated in place
    with Store(db) as st:
        assert st.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(SfoError, match="newer"):
        Store(db).open()
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(SfoError, match="cannot open database"):
        Store(tmp_path / "junk.sqlite").open()
    monkeypatch.setenv("SFO_NLP_DB", str(tmp_path / "env.sqlite"))
    assert default_path() == tmp_path / "env.sqlite"


def test_schema_1_store_is_migrated_and_old_non_reviews_are_marked(tmp_path):
    import json

    from sfo_nlp import store

    db = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(db)
    conn.executescript(store._MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    for sha, warnings in (("a", ["this does not look like an SFO review (2 words, 0 headings): the DRAFT..."]),
                          ("b", ["page 3 has no text"])):
        conn.execute("INSERT INTO analyses VALUES (?,?,?,?,?,?,?,?)",
                     (sha, "2023", f"/r/{sha}.md", json.dumps({"warnings": warnings}), "{}", 3, "Inadequate", "t"))
    conn.commit()
    conn.close()
    with Store(db) as st:
        assert st.schema_version == SCHEMA_VERSION >= 2
        marks = {r["sha256"]: r["not_review"] for r in st.list_analyses()}
    assert marks == {"a": "does not look like an SFO review (2 words, 0 headings)", "b": ""}


def test_a_non_review_is_marked_when_saved(tmp_path):
    doc, a = _doc_and_analysis()
    with Store(tmp_path / "s.sqlite") as st:
        st.save_analysis(a, doc, "/x/r.md")
        assert st.list_analyses()[0]["not_review"].startswith("does not look like an SFO review (6 words, 1 heading")


def test_an_old_world_readable_store_is_made_private_when_opened(tmp_path):
    """Stores made before they were created 0600 can be 0644: every paragraph's text
    readable by anyone on the machine until the owner next opens it."""
    import os
    import stat

    db = tmp_path / "old.sqlite"
    with Store(db):
        pass
    os.chmod(db, 0o644)
    with Store(db) as st:
        assert st.schema_version == SCHEMA_VERSION
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_a_store_that_cannot_be_chmodded_is_still_read(tmp_path, monkeypatch):
    import os
    import stat

    db = tmp_path / "shared.sqlite"
    doc, a = _doc_and_analysis()
    with Store(db) as st:
        st.save_analysis(a, doc, "/x/r.md")
    os.chmod(db, 0o644)

    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    with Store(db) as st:
        assert st.has_analysis("abc")
    assert stat.S_IMODE(db.stat().st_mode) == 0o644


def test_sfo_nlp_db_in_a_missing_folder_is_refused_not_created(tmp_path, monkeypatch):
    missing = tmp_path / "nodir" / "x.sqlite"
    monkeypatch.setenv("SFO_NLP_DB", str(missing))
    with pytest.raises(SfoError, match=r"^SFO_NLP_DB=.*: no such folder .*nodir"):
        Store().open()
    assert not missing.parent.exists()
