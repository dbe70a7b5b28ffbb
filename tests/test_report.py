import html.parser
import io
import json

import pytest

REVIEW = """# Serious Further Offence Review: Mr Test

FICTIONAL DOCUMENT: all names are invented.

## Analysis of practice

The OASys assessment was not reviewed following the arrest in March. This was a missed opportunity to recall Mr Test.
The decision not to recall in June was a crucial decision. This happened because the practitioner's caseload was high.

The practitioner wrote <script>alert('x')</script> and <img src=x onerror=alert(1)> in the case notes.

## Conclusions

Not all reasonable steps were taken. The reviewing manager interviewed the probation practitioner and the SPO.

Countersigned by: Head of Service. As countersigning manager I endorse the learning.
"""


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    from sfo_nlp.analyse import analyse_path

    p = tmp_path_factory.mktemp("r") / "review.md"
    p.write_text(REVIEW)
    doc, a = analyse_path(p)
    return p, doc, a.to_dict()


class _Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text, self.ids = [], [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(k for k, _ in attrs)
        self.ids.update(v for k, v in attrs if k == "id")

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_self_contained_and_escapes_review_text(analysed):
    from sfo_nlp.report import render_html

    _, doc, result = analysed
    page = render_html(result, doc)
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not any(a.startswith("on") for a in parsed.attrs)
    text = "".join(parsed.text)
    assert "<script>alert('x')</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert "http://" not in page and "https://" not in page and "src=" not in page.replace("&lt;img src=", "")
    assert "DRAFT" in text
    # every evidence link points at an anchor that exists in the page text
    links = [frag for frag in page.split('href="#')[1:]]
    targets = {x.split('"')[0] for x in links}
    assert {t for t in targets if t.startswith("q")} <= parsed.ids
    assert any(t.startswith("q") for t in targets)


def test_json_validates_and_schema_rejects_bad(analysed):
    from sfo_nlp.errors import SfoError
    from sfo_nlp.report import validate

    _, _, result = analysed
    validate(json.loads(json.dumps(result)))
    bad = dict(result, answers=[dict(result["answers"][0], answer="maybe")])
    with pytest.raises(SfoError, match="answers/0/answer"):
        validate(bad)


def test_markdown_note_structure_and_escaping(analysed):
    from sfo_nlp.report import build_note, render_note_md

    _, _, result = analysed
    md = render_note_md(build_note(result))
    assert md.startswith("# SFO review quality assurance feedback")
    assert md.count("### What met the standard") == 4 and md.count("### What needs to change") == 4
    assert "DRAFT" in md and "<script>" not in md


def test_docx_note_opens_and_has_every_standard(analysed):
    import docx

    from sfo_nlp.report import build_note, render_note_docx

    _, _, result = analysed
    d = docx.Document(io.BytesIO(render_note_docx(build_note(result))))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading 2")]
    assert len(heads) == 4 and heads[0].startswith("1. Analysis of practice")
    assert any("DRAFT" in p.text for p in d.paragraphs)


def test_note_uses_confirmed_answers(analysed):
    from sfo_nlp.report import build_note

    _, _, result = analysed
    decisions = [{"prompt_id": a["prompt_id"], "final_answer": "yes", "comment": "ok", "who": "Insp"}
                 for a in result["answers"]]
    note = build_note(result, decisions)
    assert note.confirmed_count == note.prompt_count == 34
    assert note.composite == "Outstanding (12/12)" and "DRAFT" not in note.sections[0].rating
    partial = build_note(result, decisions[:3])
    assert partial.confirmed_count == 3 and "DRAFT" in partial.composite


def test_note_never_quotes_personal_data_even_from_an_old_stored_draft(analysed):
    import copy

    from sfo_nlp.report import build_note, render_note_md

    _, _, result = analysed
    old = copy.deepcopy(result)
    a = next(a for a in old["answers"] if a["evidence"])
    leaked = dict(a["evidence"][0], quote="PNC | 19/0384756K")
    a["evidence"].insert(0, leaked)
    old["checks"].setdefault("victims.shareable", {"check": "victims.shareable", "findings": [], "summary": {}})
    old["checks"]["victims.shareable"]["findings"].append(
        {"start": leaked["start"], "end": leaked["start"] + 1, "quote": "1", "kind": "pnc_number"})
    assert "19/0384756K" not in render_note_md(build_note(old))


@pytest.mark.parametrize("fmt", ["text", "json", "html", "md", "docx"])
def test_analyse_cli_formats(analysed, run_cli, tmp_path, fmt):
    p, _, _ = analysed
    out = tmp_path / f"out.{fmt}"
    code, _, err = run_cli("analyse", p, "--format", fmt, "--output", out)
    assert code == 0, err
    assert out.stat().st_size > 500
    if fmt == "json":
        assert len(json.loads(out.read_text())["answers"]) == 34


def test_analyse_cli_bad_input(run_cli, tmp_path):
    code, out, err = run_cli("analyse", tmp_path / "missing.pdf")
    assert code == 2 and err.startswith("error:") and "Traceback" not in err
    (tmp_path / "r.md").write_text(REVIEW)
    code, _, err = run_cli("analyse", tmp_path / "r.md", "--standards", "1999")
    assert code == 2 and "unknown standards version" in err
    code, _, err = run_cli("analyse", tmp_path / "r.md", "--format", "docx")
    assert code == 2 and "--output" in err
    code, _, err = run_cli("analyse", tmp_path / "r.md", "--format", "csv", "-o", tmp_path / "x.csv")
    assert code == 2 and not (tmp_path / "x.csv").exists()


def test_2021_standards_via_cli(analysed, run_cli):
    p, _, _ = analysed
    code, out, err = run_cli("analyse", p, "--standards", "2021", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["standards_version"] == "2021" and len(data["answers"]) == 46


def test_a_failing_check_does_not_sink_the_analysis(tmp_path, monkeypatch):
    from sfo_nlp.analyse import analyse_path
    from sfo_nlp.checks import registry
    from sfo_nlp.report import validate

    def broken(doc, ctx):
        raise ValueError("boom")

    spec = registry.get("analysis.measures")
    monkeypatch.setattr(spec, "fn", broken)
    p = tmp_path / "r.md"
    p.write_text(REVIEW)
    _, a = analyse_path(p)
    result = a.to_dict()
    validate(result)
    assert any("analysis.measures failed (ValueError: boom)" in w for w in result["warnings"])
    assert next(x for x in a.answers if x.prompt_id == "3.2f").answer == "not_evidenced"
    assert "analysis.measures" not in result["checks"] and len(result["answers"]) == 34


def test_fixes_name_their_passage_and_never_ask_for_keywords():
    from sfo_nlp.report.summary import fix_for

    long = {"question": "Is the review concise?", "searched": '"good practice", "commendable"', "evidence": [
        {"quote": "The practitioner, who had " + "a very long clause, " * 5 + "did not visit.", "page": 4,
         "suggestion": "Split it into two or three sentences of under 25 words.", "severity": "warning"}]}
    fix = fix_for(long)
    assert fix.startswith("Split it") and '(page 4)' in fix and 'On "The practitioner, who had' in fix
    bare = {"question": "Does the SFO review sufficiently highlight areas of exceptional practice?",
            "searched": '"good practice", "commendable"', "evidence": [], "reason": "r"}
    assert fix_for(bare) == ""  # nothing specific: the note shows no "Suggested change" line
    from sfo_nlp.report.markdown import _item
    from sfo_nlp.report.note import NoteItem

    item = NoteItem(prompt_id="1g", question=bare["question"], answer="partly", confirmed=False, reason="r",
                    quotes=[], comment="", who="", fix=fix_for(bare))
    assert "Suggested change" not in "\n".join(_item(item))


def test_a_document_that_is_not_a_review_is_flagged(run_cli, tmp_path, analysed):
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("Hello.\n")
    code, out, _ = run_cli("analyse", tiny)
    assert code == 0 and "this does not look like an SFO review (1 word, 0 headings, no case details)" in " ".join(out.split())
    _, _, result = analysed  # a short but review-shaped text still warns: it is far below a real review
    assert any("does not look like an SFO review" in w for w in result["warnings"])


def test_case_details_read_as_a_reader_would_name_them(analysed):
    from sfo_nlp.ingest.metadata import as_stated
    from sfo_nlp.report import render_html
    from rich.console import Console

    from sfo_nlp.report import draw_summary

    _, doc, result = analysed
    result = dict(result, metadata={"index_offence": "Robbery", "rosh": "High, to the public", "rosh_level": "high"})
    assert as_stated(result["metadata"]) == [("Index offence", "Robbery"), ("Risk of serious harm", "High, to the public")]
    page = render_html(result, doc)
    assert "<td>Index offence</td><td>Robbery</td>" in page and "rosh_level" not in page
    con = Console(record=True, width=200)
    draw_summary(con, result)
    text = " ".join(con.export_text().split())
    assert "Case: Index offence: Robbery; Risk of serious harm: High, to the public" in text and "rosh_level" not in text


def test_top_fixes_are_specific_suggestions_never_the_question_again():
    from sfo_nlp.report.summary import top_fixes

    def answer(pid, ans, conf, evidence=()):
        return {"prompt_id": pid, "answer": ans, "confidence": conf, "question": f"Does the review do {pid}?",
                "reason": "r", "evidence": list(evidence)}

    def finding(quote, suggestion):
        return {"quote": quote, "page": 2, "suggestion": suggestion, "severity": "warning"}

    result = {"checks": {}, "answers": [
        answer("3.1d", "no", 0.9),  # nothing specific to suggest: skipped, not "Make sure the review answers"
        answer("3.2e", "no", 0.8, [finding("Staff to be reminded.", "Add what will change.")]),
        answer("3.2g", "no", 0.7, [finding("Police to be told.", "Add what will change.")]),  # same fix again
        answer("1e", "partly", 0.9, [finding("Workloads were high.", "Analyse the systems.")]),
        answer("4a", "yes", 0.9, [finding("RAR", "Spell it out.")]),  # met: no fix needed
    ]}
    assert top_fixes(result) == [("3.2e", 'Add what will change. On "Staff to be reminded." (page 2).'),
                                 ("1e", 'Analyse the systems. On "Workloads were high." (page 2).')]


def test_summary_says_1_page_and_lists_no_empty_fixes(analysed):
    from rich.console import Console

    from sfo_nlp.report import draw_summary, render_html

    _, doc, result = analysed
    bare = dict(result, pages=1, answers=[dict(a, evidence=[]) for a in result["answers"]])
    con = Console(record=True, width=200)
    draw_summary(con, bare)
    text = con.export_text()
    assert "(1 page, HMIP" in text and "1 pages" not in text
    assert "Make sure the review answers" not in text
    assert "No specific suggestion from the checks: see the weakest prompts above." in text
    page = render_html(bare, doc)
    assert "<p>1 page; HMIP" in page and "Make sure the review answers" not in page


def test_extract_says_1_page_and_table_1_page_1(tmp_path, run_cli):
    p = tmp_path / "one.md"
    p.write_text("# Review\n\n| Action | Owner |\n|---|---|\n| Audit cases | SPO |\n")
    code, out, err = run_cli("extract", p)
    assert code == 0, err
    text = " ".join(out.split())
    assert "TEXT, 1 page, 2 blocks, 1 table, 0 footnotes" in text and "table 1 (page 1)" in text
    assert "1 pages" not in text and "(pages 1)" not in text


def test_html_says_confidence_and_the_file_fingerprint_in_plain_words(analysed):
    """QA 8: "(confidence 0.54)" and "SHA-256" meant nothing to an inspector."""
    from sfo_nlp.report import render_html

    _, doc, result = analysed
    first = dict(result["answers"][0], confidence=0.54)
    page = render_html(dict(result, answers=[first] + result["answers"][1:]), doc)
    assert "SHA-256" not in page and "file fingerprint" in page
    assert "(confidence" not in page and "fairly sure: 54 of 100" in page
