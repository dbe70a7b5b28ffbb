"""Redaction never leaves a removed string anywhere in the output file."""

from __future__ import annotations

import json
import re
import zipfile

import docx
import pytest

from sfo_nlp.redact import Removal, redact_docx
from test_victims_shareable import EXPECTED, REVIEW


def _all_parts_text(path) -> str:
    """Every part of a DOCX, raw, plus each paragraph's text with its runs joined."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            raw = z.read(name).decode("utf-8", errors="ignore")
            out.append(raw)
            for p in re.findall(r"<w:p[ >].*?</w:p>", raw, re.S):
                out.append("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)))
    return "\n".join(out).lower()


def _present(value: str, content: str) -> bool:
    """At word edges: "Tyler" inside the markup "tblStyleRowBandSize" is not a leak."""
    return re.search(rf"(?<![a-z0-9]){re.escape(value.lower())}(?![a-z0-9])", content) is not None


def _docx_with_split_runs(path):
    d = docx.Document()
    d.core_properties.author = "Jane Smith"
    d.core_properties.title = "Review by Jane Smith"
    d.sections[0].header.paragraphs[0].text = "OFFICIAL - SENSITIVE - author Jane Smith"
    d.sections[0].footer.paragraphs[0].text = "Call 07700 900123"
    p = d.add_paragraph("Supervised by probation officer ")
    for piece in ("Ja", "ne S", "mith", " from May; mobile 07700 ", "900123."):
        p.add_run(piece).bold = piece.startswith("ne")
    q = d.add_paragraph("Countersigned by Jane")
    q.add_run().add_break()
    q.add_run("Smith on 2 July.")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Reviewing manager", "Jane Smith"
    d.save(path)
    return path


def test_docx_parts_and_split_runs(tmp_path):
    src = _docx_with_split_runs(tmp_path / "in.docx")
    removals = [Removal("staff_name", "staff name", "Jane Smith", 1, "[REDACTED: staff name]"),
                Removal("phone", "phone", "07700 900123", 1, "[REDACTED: phone]")]
    out = tmp_path / "out.docx"
    out.write_bytes(redact_docx(src, removals))
    text = _all_parts_text(out)
    assert not _present("jane smith", text) and not _present("07700 900123", text) and "smith" not in text
    assert "[redacted: staff name]" in text
    d = docx.Document(out)  # still a valid Word file
    assert "Supervised by probation officer [REDACTED: staff name] from May" in d.paragraphs[0].text
    assert "Countersigned by [REDACTED: staff name]" in d.paragraphs[1].text  # name split by a line break
    assert removals[0].occurrences >= 5


def test_cli_redact_text_and_docx(tmp_path, run_cli):
    src = tmp_path / "r.md"
    src.write_text(REVIEW)
    for name in ("out.txt", "out.docx"):
        out = tmp_path / name
        code, stdout, err = run_cli("redact", src, "--output", out)
        assert code == 0, err
        content = _all_parts_text(out) if name.endswith(".docx") else out.read_text().lower()
        for _, value in EXPECTED:
            assert not _present(value, content), (name, value)
        assert "daniel harper" in content  # the subject of the review stays
        log_file = tmp_path / f"{name}.redaction-log.json"
        assert f"log: {log_file} (" in stdout and "not the removed text" in stdout
        log = json.loads(log_file.read_text())
        # The log lies beside the copy meant for the family: it must not repeat what was removed.
        for _, value in EXPECTED:
            assert not _present(value, log_file.read_text().lower()), (name, value)
        assert log["holds_removed_text"] is False and "text" not in log["removed"][0]
        assert sorted((r["kind"], r["length"]) for r in log["removed"]) == sorted((k, len(v)) for k, v in EXPECTED)
        assert all(r["occurrences"] >= 1 and len(r["fingerprint"]) == 12 for r in log["removed"])


def test_log_text_only_on_request_with_a_warning(tmp_path, run_cli):
    from sfo_nlp.ingest import load
    from sfo_nlp.redact import _fingerprint_key, fingerprint

    src = tmp_path / "r.md"
    src.write_text(REVIEW)
    out = tmp_path / "out.txt"
    code, stdout, err = run_cli("shareable", src, "--redact", "-o", out, "--log-text")
    assert code == 0, err
    log = json.loads((tmp_path / "out.txt.redaction-log.json").read_text())
    assert log["holds_removed_text"] is True
    assert {(r["kind"], r["text"]) for r in log["removed"]} == EXPECTED
    assert "IN CLEAR" in stdout and err.startswith("warning: ") and "never send it" in err
    # Someone holding the original can tell which string an entry stands for (case and spacing aside).
    key = _fingerprint_key(load(src))
    for r in log["removed"]:
        assert r["fingerprint"] == fingerprint("  " + r["text"].upper(), key)
    code, _, err = run_cli("shareable", src, "--log-text")
    assert code == 2 and "only applies with --redact" in err


def test_shareable_redact_refuses_a_report_format(tmp_path, run_cli):
    src = tmp_path / "r.md"
    src.write_text(REVIEW)
    for fmt in ("json", "text"):
        out = tmp_path / "x.txt"
        code, stdout, err = run_cli("shareable", src, "--redact", "-f", fmt, "-o", out)
        if fmt == "text":  # the default: the copy is written
            assert code == 0 and out.exists(), err
        else:
            assert code == 2 and err.count("\n") == 1 and "not a json report" in err and "Traceback" not in err
            assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]


def test_cli_redact_docx_input(tmp_path, run_cli):
    pytest.importorskip("sfo_nlp.ingest.docx")
    from docgen import make_docx

    blocks = [("h1", "Serious Further Offence Review"),
              ("p", "He was supervised by probation officer Jane Smith. His mobile was 07700 900123."),
              ("table", [["Field", "Detail"], ["Reviewing manager", "Susan Blake"]])]
    src = make_docx(tmp_path / "in.docx", blocks, footer="Susan Blake - Page {page}")
    out = tmp_path / "out.docx"
    code, stdout, err = run_cli("shareable", src, "--redact", "--output", out)
    assert code == 0, err
    text = _all_parts_text(out)
    for value in ("jane smith", "susan blake", "07700 900123"):
        assert value not in text  # plain substrings: none of these occur in Word markup
    assert "layout kept" in stdout


def test_bad_input_writes_nothing(tmp_path, run_cli):
    out = tmp_path / "out.docx"
    code, _, err = run_cli("redact", tmp_path / "missing.docx", "--output", out)
    assert code == 2 and err.startswith("error:") and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.iterdir())
    code, _, err = run_cli("shareable", tmp_path / "missing.docx", "--redact")
    assert code == 2 and "--output" in err


def test_cli_redact_pdf_input(tmp_path, run_cli):
    from docgen import make_pdf

    blocks = [("h1", "Serious Further Offence Review"),
              ("p", "He was supervised by probation officer Jane Smith. Her mobile was 07700 900123."),
              ("table", [["Field", "Detail"], ["Reviewing manager", "Susan Blake"]])]
    src = make_pdf(tmp_path / "in.pdf", blocks, header="OFFICIAL - SENSITIVE", footer="Tel 0161 496 0000 - Page {page}")
    for name in ("out.txt", "out.docx"):
        out = tmp_path / name
        code, stdout, err = run_cli("redact", src, "--output", out)
        assert code == 0, err
        content = _all_parts_text(out) if name.endswith(".docx") else out.read_text().lower()
        for value in ("jane smith", "susan blake", "07700 900123", "0161 496 0000"):
            assert not _present(value, content), (name, value)
        assert "probation officer [redacted: staff name]" in content
    assert "layout not kept" in stdout
    assert "built from the text of the PDF" in stdout


def test_output_must_be_docx_or_txt(tmp_path, run_cli):
    src = tmp_path / "r.md"
    src.write_text("He was supervised by probation officer Jane Smith.\n")
    for name in ("out.pdf", "out.md", "out"):
        out = tmp_path / name
        code, _, err = run_cli("redact", src, "-o", out)
        assert (code, err.strip()) == (2, "error: --output must end in .docx or .txt"), (name, err)
        assert not out.exists()
        code, _, err = run_cli("shareable", src, "--redact", "-o", out)
        assert code == 2 and "must end in .docx or .txt" in err
    # A missing folder is named as the output the user typed, not the log beside it.
    code, _, err = run_cli("redact", src, "-o", tmp_path / "nodir" / "out.docx")
    assert code == 2 and "does not exist" in err and "redaction-log" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]


@pytest.mark.parametrize("markup, what", [
    ('<w:del w:id="9" w:author="x" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>Call 07700 900123</w:delText></w:r></w:del>',
     "tracked changes"),
    ('<w:r><w:rPr><w:vanish/></w:rPr><w:t>staff member Bob Hiddenname</w:t></w:r>', "hidden text"),
])
def test_docx_with_text_no_one_sees_is_refused(tmp_path, run_cli, markup, what):
    """Tracked deletions and hidden text are never read, so they could not be checked."""
    from docgen import make_docx

    src = make_docx(tmp_path / "in.docx", [("h1", "Review"), ("p", "The practitioner visited. MARKER")])
    patched = tmp_path / "patched.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"MARKER</w:t></w:r>", b"MARKER</w:t></w:r>" + markup.encode())
                assert markup.encode() in data
            zout.writestr(info, data)
    out = tmp_path / "out.docx"
    code, stdout, err = run_cli("redact", patched, "--output", out)
    assert code == 2 and err.startswith("error: ") and what in err
    assert not out.exists()


STREET_AND_INITIALS = """# Serious Further Offence Review: Tyler Brannigan

| Field | Detail |
|---|---|
| Name of person on probation | Tyler Brannigan |
| Address at time of SFO | Flat 3, 27 Brindley Road, Loxley Vale |
| Probation practitioner | Kerry Walsh |

2.1 The probation officer Kerry Walsh saw him weekly. The DA checks were done and the PO was told.

18/01/24 Police intel: seen driving a silver Corsa on Brindley Road. KW to discuss at next appt.
25/01/24 PoP attended. Intel discussed. KW
"""


def test_street_and_initials_of_removed_data_are_redacted_where_they_recur(tmp_path, run_cli):
    """QA (sfo-07): the address was removed from the table but "on Brindley Road" and the
    practitioner's initials "KW" stayed. Ordinary acronyms (DA, PO) stay."""
    src = tmp_path / "r.md"
    src.write_text(STREET_AND_INITIALS)
    out = tmp_path / "out.txt"
    code, _, err = run_cli("redact", src, "-o", out)
    assert code == 0, err
    text = out.read_text()
    for gone in ("Brindley", "KW", "Kerry", "Walsh"):
        assert gone not in text, gone
    assert "Corsa on [REDACTED: address]. [REDACTED: staff name] to discuss" in text
    assert "The DA checks were done and the PO was told" in text and "Tyler Brannigan" in text


def test_initials_are_redacted_in_capitals_only():
    from sfo_nlp.redact import redact_string

    r = Removal("staff_name", "staff name", "KW", 1, "[REDACTED: staff name]", match_case=True)
    assert redact_string("Seen. KW. A 3 kW heater.", [r]) == "Seen. [REDACTED: staff name]. A 3 kW heater."


def test_text_copy_keeps_running_lines_once_without_page_labels(tmp_path, run_cli):
    """QA (sfo-07): the text copy started "OFFICIAL - SENSITIVE / Page 1 / Page 2 ... Page 8"
    before the title. Running headers stay once at the top, running footers once at the
    foot without their page label, and page labels go."""
    from docgen import make_pdf

    blocks = [("h1", "Serious Further Offence Review"), ("p", "First page text."), ("pagebreak", None),
              ("p", "Second page text."), ("pagebreak", None), ("p", "Third page text.")]
    src = make_pdf(tmp_path / "in.pdf", blocks, header="OFFICIAL - SENSITIVE", footer="Ref SFO/24/031 | Page {page} of {pages}")
    out = tmp_path / "out.txt"
    code, _, err = run_cli("redact", src, "-o", out)
    assert code == 0, err
    text = out.read_text()
    assert text.startswith("OFFICIAL - SENSITIVE\n\nSerious Further Offence Review"), text[:200]
    assert text.rstrip().endswith("Third page text.\n\nRef SFO/24/031"), text[-200:]
    assert "Page" not in text and text.count("OFFICIAL - SENSITIVE") == 1


LOCALITY = """# Serious Further Offence Review: Tyler Brannigan

| Field | Detail |
|---|---|
| Name of person on probation | Tyler Brannigan |
| Address at time of SFO | 14 Mill Lane, Loxley Vale |

2.1 He moved back to Loxley Vale in March and was seen in LOXLEY VALE shops and in Loxley Valentine Park.
2.2 The vale behind the estate was where he walked; Mill Lane was quiet.
"""


def test_locality_of_a_removed_address_is_redacted_where_it_recurs(tmp_path, run_cli):
    """QA: "14 Mill Lane, Loxley Vale" was removed and "Mill Lane" where it recurs, but
    "moved back to Loxley Vale" stayed. Only the whole capitalised name goes: not the
    word "vale", not inside "Loxley Valentine"."""
    src = tmp_path / "r.md"
    src.write_text(LOCALITY)
    out = tmp_path / "out.txt"
    code, _, err = run_cli("redact", src, "-o", out)
    assert code == 0, err
    text = out.read_text()
    assert "Loxley Vale " not in text and "Loxley Vale\n" not in text and "Mill Lane" not in text
    assert "moved back to [REDACTED: address] in March" in text
    assert "LOXLEY VALE shops" in text and "Loxley Valentine Park" in text and "The vale behind" in text
    log = json.loads((tmp_path / "out.txt.redaction-log.json").read_text())
    assert sorted(r["length"] for r in log["removed"] if r["kind"] == "address") == [
        len("Mill Lane"), len("Loxley Vale"), len("14 Mill Lane, Loxley Vale")]
    assert all(r["occurrences"] >= 1 for r in log["removed"])


@pytest.mark.parametrize("address, locality", [
    ("14 Mill Lane, Loxley Vale", "Loxley Vale"),
    ("Flat 3, 27 Brindley Road, Loxley Vale, Walsall", "Loxley Vale"),
    ("14 Mill Lane, Town Centre", None),  # common words, not a name
    ("14 Mill Lane, North", None),
    ("14 Mill Lane", None),
])
def test_locality_is_a_whole_capitalised_name_never_common_words(address, locality):
    from sfo_nlp.redact import address_locality

    assert address_locality(address) == locality


def test_a_locality_that_does_not_recur_adds_nothing_to_the_log():
    from types import SimpleNamespace

    from sfo_nlp.redact import removals_from

    def finding(kind, quote):
        return SimpleNamespace(quote=quote, page=1, data={"kind": kind})

    doc = SimpleNamespace(text="He lived at 14 Mill Lane, Loxley Vale.\n", furniture=[])
    removals = removals_from(doc, [finding("address", "14 Mill Lane, Loxley Vale")])
    assert [r.text for r in removals] == ["14 Mill Lane, Loxley Vale"]
    doc.text += "He went back to Loxley Vale.\n"
    removals = removals_from(doc, [finding("address", "14 Mill Lane, Loxley Vale")])
    assert [(r.text, r.match_case) for r in removals] == [("14 Mill Lane, Loxley Vale", False), ("Loxley Vale", True)]
