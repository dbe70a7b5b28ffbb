import io
import json

import pytest
import yaml

REVIEW = """# Serious Further Offence Review: Mr Test

FICTIONAL DOCUMENT: all names are invented.

## Analysis of practice

The OASys assessment was not reviewed following the arrest in March. This was a missed opportunity to recall Mr Test.
Not all reasonable steps were taken. The reviewing manager interviewed the probation practitioner.
"""


@pytest.fixture
def env(tmp_path, monkeypatch):
    p = tmp_path / "review.md"
    p.write_text(REVIEW)
    db = tmp_path / "store.sqlite"
    monkeypatch.setenv("SFO_NLP_DB", str(db))
    return p, db


def _pipe(monkeypatch, text):
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_confirm_from_piped_lines(env, run_cli, monkeypatch):
    from sfo_nlp.analyse import file_sha256
    from sfo_nlp.store import Store

    p, db = env
    _pipe(monkeypatch, "\nn; no crucial decision is analysed\npartly\nq\n")
    code, out, err = run_cli("confirm", p, "--who", "Inspector A")
    assert code == 0, err
    assert "saved 3 decisions by Inspector A" in out
    with Store(db) as st:
        d = st.decisions(file_sha256(p))
    assert [x["prompt_id"] for x in d] == ["1a", "1b", "1c"]
    assert d[0]["final_answer"] == d[0]["draft_answer"]
    assert d[1]["final_answer"] == "no" and d[1]["comment"] == "no crucial decision is analysed"
    assert d[2]["final_answer"] == "partly" and all(x["who"] == "Inspector A" and x["when"] for x in d)


def test_a_piped_typo_keeps_the_answers_given_before_it(env, run_cli, monkeypatch):
    from sfo_nlp.analyse import file_sha256
    from sfo_nlp.store import Store

    p, db = env
    _pipe(monkeypatch, "\nn\np\nmaybe\nq\n")
    code, _, err = run_cli("confirm", p, "--who", "A")
    assert code == 2 and "prompt 1d" in err and "unknown response 'maybe'" in err
    assert "saved the 3 answers given before it (up to prompt 1c)" in err and err.count("\n") == 1
    with Store(db) as st:
        d = st.decisions(file_sha256(p))
    assert [(x["prompt_id"], x["final_answer"]) for x in d][1:] == [("1b", "no"), ("1c", "partly")]


def test_template_import_export_and_agreement(env, run_cli, tmp_path):
    p, db = env
    t = tmp_path / "decisions.yaml"
    code, _, err = run_cli("confirm", p, "--template", t)
    assert code == 0, err
    data = yaml.safe_load(t.read_text())
    assert len(data["prompts"]) == 34 and all(x["final_answer"] == "" for x in data["prompts"])
    for x in data["prompts"][1:]:
        x["final_answer"] = "accept"
    first = data["prompts"][0]
    changed = {"yes": "no", "partly": "no", "no": "yes", "not_evidenced": "no"}[first["draft_answer"]]
    first["final_answer"] = changed
    first["comment"] = "Inspector disagrees <b>strongly</b>"
    t.write_text(yaml.safe_dump(data))
    code, out, err = run_cli("confirm", p, "--import", t, "--who", "Inspector B")
    assert code == 0, err
    assert "saved 34" in out

    code, out, _ = run_cli("agreement", "--format", "json")
    rows = {r["prompt_id"]: r for r in json.loads(out)}
    assert rows["1a"]["agreement"] == 0.0 and rows["1a"]["overturned"] == {f"{first['draft_answer']}->{changed}": 1}
    assert rows["4f"]["agreement"] == 1.0

    md = tmp_path / "feedback.md"
    code, _, err = run_cli("export", p, "--format", "md", "--output", md)
    assert code == 0, err
    text = md.read_text()
    assert "All answers confirmed by the inspector." in text and "(confirmed)" in text and "(DRAFT)" not in text
    assert "Changed by the inspector" in text and "\\<b\\>strongly\\</b\\>" in text
    docx_out = tmp_path / "feedback.docx"
    code, _, err = run_cli("export", p, "--format", "docx", "--output", docx_out)
    assert code == 0 and docx_out.stat().st_size > 1000


def test_import_errors_are_one_line(env, run_cli, tmp_path):
    p, _ = env
    bad = tmp_path / "bad.yaml"
    bad.write_text("prompts: [{prompt_id: 9z, final_answer: yes}]")
    code, _, err = run_cli("confirm", p, "--import", bad, "--who", "A")
    assert code == 2 and "unknown prompt '9z'" in err
    bad.write_text("prompts: [{prompt_id: 1a, final_answer: perhaps}]")
    code, _, err = run_cli("confirm", p, "--import", bad, "--who", "A")
    assert code == 2 and "final_answer must be one of" in err
    bad.write_text("sha256: deadbeef\nprompts: []")
    code, _, err = run_cli("confirm", p, "--import", bad, "--who", "A")
    assert code == 2 and "different file" in err
    bad.write_text("prompts: [unclosed")
    code, _, err = run_cli("confirm", p, "--import", bad, "--who", "A")
    assert code == 2 and "not valid YAML" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli("export", p, "--format", "docx")
    assert code == 2 and "--output" in err


def test_agreement_refuses_unknown_standards_and_never_creates_a_store(env, run_cli, tmp_path):
    code, _, err = run_cli("agreement", "--standards", "1999")
    assert code == 2 and "unknown standards version" in err
    missing = tmp_path / "nodir" / "x.db"
    code, _, err = run_cli("agreement", "--db", missing)
    assert code == 2 and "no such folder" in err and err.count("\n") == 1
    assert not missing.parent.exists()
    code, out, _ = run_cli("agreement")  # the default store not created yet: nothing to show, nothing created
    assert code == 0 and "No confirmed decisions yet" in out and not env[1].exists()


def test_an_untouched_template_confirms_nothing(env, run_cli, tmp_path):
    p, db = env
    t = tmp_path / "decisions.yaml"
    assert run_cli("confirm", p, "--template", t)[0] == 0
    code, out, err = run_cli("confirm", p, "--import", t, "--who", "B")
    assert code == 2 and "no final_answer filled in (34 prompts left empty), so nothing was saved" in err
    assert err.count("\n") == 1
    code, out, _ = run_cli("agreement")
    assert "No confirmed decisions yet" in out
    # only the prompts filled in are confirmed; the rest stay DRAFT
    data = yaml.safe_load(t.read_text())
    data["prompts"][2]["final_answer"] = "ne"
    data["prompts"][5]["final_answer"] = "Accept"
    t.write_text(yaml.safe_dump(data))
    code, out, err = run_cli("confirm", p, "--import", t, "--who", "B")
    assert code == 0 and "saved 2 decisions" in out and "32 prompts not confirmed" in out


def test_template_hint_keeps_password_db_and_standards_but_never_prints_the_password(env, run_cli, tmp_path):
    p, _ = env
    t = tmp_path / "my decisions.yaml"
    db = tmp_path / "other.sqlite"
    code, _, err = run_cli("confirm", p, "--template", t, "--password", "s3cret", "--db", db, "--standards", "2021")
    assert code == 0, err
    assert f"--import '{t}' --db {db} --standards 2021 --password PASSWORD" in err
    assert "s3cret" not in err
    code, _, err = run_cli("confirm", p, "--template", t, "--force")
    assert "--password" not in err


def test_export_refuses_a_db_in_a_missing_folder_and_creates_nothing(env, run_cli, tmp_path):
    """A store not made yet is exported all DRAFT (tests/test_cli_qa9.py); a missing folder is a typo."""
    p, _ = env
    missing = tmp_path / "nodir" / "x.sqlite"
    code, out, err = run_cli("export", p, "--db", missing)
    assert code == 2 and err.startswith("error: ") and "--db" in err and err.count("\n") == 1
    assert not missing.exists() and not (tmp_path / "nodir").exists()


def _all_partly_draft() -> dict:
    """A stored analysis whose every draft answer is partly (each standard Requires improvement)."""
    from sfo_nlp.results import PromptAnswer, composite_label
    from sfo_nlp.standards import load_standards
    from sfo_nlp.standards.ratings import rate

    spec = load_standards("2023")
    answers, ratings = [], []
    for std in spec.standards:
        mine = [PromptAnswer(str(std["number"]), p["id"], p["question"], "partly", 0.5, "Draft reason.")
                for p in std["prompts"]]
        answers += mine
        ratings.append(rate(std, mine, spec.bands))
    total = sum(r.score for r in ratings)
    return {"source": "r.pdf", "sha256": "0" * 64, "standards_version": "2023", "checks": {},
            "answers": [a.to_dict() for a in answers], "ratings": [r.to_dict() for r in ratings],
            "composite": {"label": composite_label(total), "score": total}}


def _no(*prompt_ids: str) -> list[dict]:
    return [{"prompt_id": p, "draft_answer": "partly", "final_answer": "no", "comment": "", "who": "I"}
            for p in prompt_ids]


def test_note_counts_ratings_and_composite_follow_the_confirmed_answers():
    from sfo_nlp.report import build_note

    result = _all_partly_draft()
    assert result["composite"] == {"label": "Requires improvement", "score": 4}
    note = build_note(result, _no("1b"))
    s1 = note.sections[0]
    # the heading's counts agree with the list below it: 1b is a confirmed no
    assert s1.rating == "Requires improvement (DRAFT)"
    assert s1.rating_basis == ("DRAFT, 1 of 8 answers confirmed, the rest draft: "
                               "0 yes, 7 partly, 1 no of 8 prompts (score 44%)")
    assert note.composite == "Requires improvement (4/12, DRAFT: 1 of 34 prompts confirmed)"
    assert note.sections[1].rating_basis.startswith("DRAFT: 0 yes, 7 partly")  # untouched standards stay draft

    note = build_note(result, _no("1a", "1b", "1c", "1d", "1e", "1f", "1g", "1h"))
    s1 = note.sections[0]
    assert s1.rating == "Inadequate" and s1.rating_basis.startswith("From the confirmed answers: 0 yes, 0 partly, 8 no")
    assert note.composite == "Requires improvement (3/12, DRAFT: 8 of 34 prompts confirmed)"

    assert build_note(result).composite == "Requires improvement (4/12, DRAFT)"
    everything = _no(*(a["prompt_id"] for a in result["answers"]))
    assert build_note(result, everything).composite == "Inadequate (0/12)"


@pytest.mark.parametrize("command", [["confirm", "REVIEW", "--who", "A"], ["export", "REVIEW"], ["agreement"],
                                     ["batch", "REVIEW", "--quiet"]])
def test_sfo_nlp_db_in_a_missing_folder_is_refused_like_db(env, run_cli, tmp_path, monkeypatch, command):
    """A typo in SFO_NLP_DB must not create folders any more than a typo in --db does."""
    p, _ = env
    missing = tmp_path / "nodir" / "x.sqlite"
    monkeypatch.setenv("SFO_NLP_DB", str(missing))
    code, out, err = run_cli(*(str(p) if a == "REVIEW" else a for a in command))
    assert code == 2 and err.startswith("error: SFO_NLP_DB=") and "no such folder" in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "nodir").exists()


# -- QA 8 ----------------------------------------------------------------------------
def test_a_template_never_overwrites_a_decisions_file_and_carries_the_saved_answers(env, run_cli, tmp_path):
    p, _ = env
    t = tmp_path / "keep.yaml"
    assert run_cli("confirm", p, "--template", t)[0] == 0
    data = yaml.safe_load(t.read_text())
    for x in data["prompts"][:5]:
        x["final_answer"] = "no"
        x["comment"] = "checked"
    t.write_text(yaml.safe_dump(data))
    edited = t.read_text()
    code, _, err = run_cli("confirm", p, "--template", t)
    assert code == 2 and err.count("\n") == 1 and "already exists" in err and "--force" in err
    assert t.read_text() == edited  # the inspector's five answers are still there

    code, out, err = run_cli("confirm", p, "--import", t, "--who", "C")
    assert code == 0 and "saved 5 decisions" in out, err
    for name in ("again.yaml", "again.json"):
        code, _, err = run_cli("confirm", p, "--template", tmp_path / name)
        assert code == 0 and "5 answers already saved for this review filled in" in err, err
        text = (tmp_path / name).read_text()
        again = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
        assert [(x["final_answer"], x["comment"]) for x in again["prompts"][:6]] == [("no", "checked")] * 5 + [("", "")]
    code, _, err = run_cli("confirm", p, "--template", t, "--force")
    assert code == 0, err
    assert [x["final_answer"] for x in yaml.safe_load(t.read_text())["prompts"][:5]] == ["no"] * 5


def test_a_yaml_mistake_names_its_line_and_prompt_and_how_to_fix_it(env, run_cli, tmp_path):
    p, _ = env
    t = tmp_path / "bad.yaml"
    assert run_cli("confirm", p, "--template", t)[0] == 0
    lines = t.read_text().splitlines()
    at = [i for i, line in enumerate(lines) if line.strip().startswith("comment:")][1]  # in the second prompt
    lines[at] = "  comment: Note: this was: wrong"
    t.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli("confirm", p, "--import", t, "--who", "A")
    assert code == 2 and err.count("\n") == 1, err
    assert f"not valid YAML at line {at + 1} (prompt 1b): mapping values are not allowed here" in err
    assert 'must be in quotes, e.g. comment: "Note: this was: wrong"' in err
    t.write_text("review: [unclosed\n")
    code, _, err = run_cli("confirm", p, "--import", t, "--who", "A")
    assert code == 2 and "not valid YAML at line" in err and "prompt" not in err.split("YAML")[1].split(":")[0]
