"""QA 8: what a Word draft hides (comments, tracked changes) and what its header names,
the Word page-number note in every command, and the --sentences/--items files a name
says are documents."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from docgen import make_docx, make_pdf
from sfo_nlp.checks import run_checks
from sfo_nlp.document import APPROXIMATE_PAGES_NOTE
from sfo_nlp.ingest import load

BODY = [("h1", "Serious Further Offence Review: Dean Lowther"),
        ("p", "1.1 The probation practitioner saw him weekly. MARKER")]
DELETION = (b'<w:del w:id="901" w:author="Ed" w:date="2024-05-01T00:00:00Z"><w:r><w:delText xml:space="preserve">'
            b" The PP was lazy and negligent and should be dismissed.</w:delText></w:r></w:del>")


def _draft_with_comment_and_deletion(tmp_path):
    """A Word draft as an SFO lead sends it round: a comment naming staff, a tracked deletion."""
    import docx

    src = make_docx(tmp_path / "plain.docx", BODY)
    d = docx.Document(str(src))
    para = d.paragraphs[-1]
    d.add_comment(para.runs, text="Kerry Walsh says check with SPO John Smith", author="Ed")
    d.save(str(src))
    out = tmp_path / "draft.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"MARKER</w:t></w:r>", b"MARKER</w:t></w:r>" + DELETION)
                assert DELETION in data
            zout.writestr(info, data)
    return out


def test_shareable_warns_of_comments_and_tracked_changes_as_redact_does(tmp_path, run_cli):
    """QA 8: shareable said "0 items" (safe to share) for a draft whose comment names staff
    and whose tracked deletion blames the practitioner; redact refused the same file."""
    draft = _draft_with_comment_and_deletion(tmp_path)
    code, _, refusal = run_cli("redact", draft, "-o", tmp_path / "red.docx")
    assert code == 2
    warning = "draft.docx holds comments, tracked changes that redaction cannot check"
    assert warning in refusal

    code, out, err = run_cli("shareable", draft)
    assert code == 0 and err == ""
    said = " ".join(out.split())
    assert f"warning: {warning}" in said
    # the same words as redact's refusal, up to its "run redact again"
    assert said.split("warning: ", 1)[1].split(" warning:")[0] in " ".join(refusal.split())

    code, out, _ = run_cli("shareable", draft, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["warnings"] and warning in data["warnings"][0]
    hidden = [f for f in data["findings"] if f["data"]["kind"] == "hidden_content"]
    assert len(hidden) == 1 and "comments" in hidden[0]["message"] and "tracked changes" in hidden[0]["message"]
    assert data["summary"]["hidden_content"] == ["comments", "tracked changes"]
    assert data["summary"]["hits"] == 0  # not an item of personal data, so not counted as one


def test_hidden_content_is_a_finding_prompt_4e_can_count(tmp_path):
    res = run_checks(load(_draft_with_comment_and_deletion(tmp_path)), ["victims.shareable"])["victims.shareable"]
    assert [f.data["kind"] for f in res.findings] == ["hidden_content"]
    assert res.findings[0].severity == "warning" and res.findings[0].quote == ""
    clean = run_checks(load(make_docx(tmp_path / "clean.docx", BODY)), ["victims.shareable"])["victims.shareable"]
    assert not clean.findings and clean.summary["hidden_content"] == []


def test_prompt_4e_is_partly_for_a_word_file_with_comments(tmp_path):
    from sfo_nlp.standards import load_standards
    from sfo_nlp.standards.engine import answer_prompt

    res = run_checks(load(_draft_with_comment_and_deletion(tmp_path)), ["victims.shareable", "victims.disclosure"])
    prompt = next(p for _, p in load_standards("2023").prompts() if p["id"] == "4e")
    a = answer_prompt("4", prompt, res)
    assert a.answer == "partly" and "comments or tracked changes" in a.reason


HEADER = "Prepared by Kerry Walsh, SPO, tel 07700 900123"


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_a_staff_name_in_the_header_is_found_as_in_the_body(tmp_path, kind):
    """QA 8: the header's phone number was found but not the name beside it. (A PDF's
    header is told from the body by recurring on every page: three pages here.)"""
    blocks = BODY[:1] + [("p", "1.1 The probation practitioner saw him weekly. " * 30)] * 6
    path = (make_docx(tmp_path / "r.docx", blocks, header=HEADER) if kind == "docx"
            else make_pdf(tmp_path / "r.pdf", blocks, header=HEADER))
    res = run_checks(load(path), ["victims.shareable"])["victims.shareable"]
    running = {(f.data["kind"], f.quote) for f in res.findings if f.data.get("furniture")}
    assert ("staff_name", "Kerry Walsh") in running and ("phone", "07700 900123") in running


def test_redact_removes_a_staff_name_in_the_header(tmp_path, run_cli):
    src = make_docx(tmp_path / "r.docx", BODY[:1] + [("p", "1.1 The practitioner saw him weekly.")], header=HEADER)
    out = tmp_path / "red.docx"
    code, _, err = run_cli("redact", src, "-o", out)
    assert code == 0, err
    with zipfile.ZipFile(out) as z:
        text = " ".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
    assert "Kerry Walsh" not in text and "SPO" in text


_SENTENCE = ("The probation practitioner did not review the risk assessment after the arrest in May, "
             "which was a missed opportunity to protect the victim. ")


def _long_word_review(tmp_path):
    blocks = [("h1", "Serious Further Offence Review"), ("h2", "Analysis")]
    blocks += [("p", f"{i + 1}.1 The PDU manager spoke to staff. " + _SENTENCE * 4) for i in range(30)]
    blocks += [("h2", "Action plan"), ("table", [["Action", "Owner", "By"],
                                                ["Train staff in risk assessment", "SPO", "31/08/2024"]])]
    path = make_docx(tmp_path / "long.docx", blocks, pages=1)
    assert load(path).page_note == APPROXIMATE_PAGES_NOTE
    return path


@pytest.mark.parametrize("cmd", ["actions", "judgements", "jargon", "readability", "sensitivity", "shareable"])
def test_every_command_says_word_page_numbers_are_approximate(tmp_path, run_cli, cmd):
    """README: for a Word file whose pages are estimated every command says so."""
    code, out, err = run_cli(cmd, _long_word_review(tmp_path))
    assert code == 0, err
    assert f"warning: {APPROXIMATE_PAGES_NOTE}" in " ".join(out.split())


def test_a_pdf_gets_no_page_note(tmp_path, run_cli):
    pdf = make_pdf(tmp_path / "r.pdf", BODY[:1] + [("p", "1.1 The PDU manager spoke to staff.")])
    code, out, _ = run_cli("jargon", pdf)
    assert code == 0 and APPROXIMATE_PAGES_NOTE not in out


@pytest.mark.parametrize("cmd, opt", [("judgements", "--sentences"), ("actions", "--items")])
@pytest.mark.parametrize("name, content", [("empty.pdf", b""), ("notes.pdf", b"A sentence.\n"),
                                           ("draft.docx", b"")])
def test_lines_file_named_as_a_document_is_refused(tmp_path, run_cli, cmd, opt, name, content):
    """QA 8: an empty empty.pdf was "no items in empty.pdf", as if it were a text file."""
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run_cli(cmd, opt, path)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert re.match(rf"error: {re.escape(name)} is named as an? (PDF|Word file), not a text file", err), err


def test_counts_of_one_are_singular(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text("# Review\n\nThe probation practitioner phoned him on 07700 900123 about the visit.\n")
    code, out, _ = run_cli("shareable", p)
    assert code == 0 and "1 item of personal data in 1 mention (" in out, out
    code, out, _ = run_cli("readability", p)
    assert code == 0 and "1 prose paragraph," in out and "paragraphs" not in out.split("\n")[0], out
