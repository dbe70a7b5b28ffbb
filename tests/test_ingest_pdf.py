"""PDF ingestion on generated reviews with known content (see tests/docgen.py)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from docgen import expected_words, long_review, make_pdf
from sfo_nlp.ingest import load


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory):
    blocks, notes = long_review(pages=42)
    path = make_pdf(tmp_path_factory.mktemp("pdf") / "long.pdf", blocks, notes)
    return path, blocks, notes, load(path)


def _words(text: str) -> Counter:
    """Words as letters/digits runs: punctuation spacing and bullets do not count."""
    return Counter(re.findall(r"[A-Za-z]+|\d+", re.sub(r"\(cid:\d+\)", " ", text)))


def test_page_count_and_furniture(long_pdf):
    path, _, _, doc = long_pdf
    import pypdfium2

    assert doc.page_count == len(pypdfium2.PdfDocument(str(path))) >= 40
    assert "OFFICIAL - SENSITIVE" not in doc.text
    assert not re.search(r"Page \d+ of \d+", doc.text)
    headers = [f for f in doc.furniture if f.type == "header"]
    footers = [f for f in doc.furniture if f.type == "footer"]
    assert len(headers) == doc.page_count and len(footers) == doc.page_count
    assert footers[2].text == f"Page 3 of {doc.page_count}"


def test_same_words_as_text_layer(long_pdf):
    """Word multiset within 2% of pdfplumber's raw text minus the furniture lines."""
    import pdfplumber

    path, blocks, notes, doc = long_pdf
    furniture = {f.text for f in doc.furniture}
    kept = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            kept += [ln for ln in page.extract_text().splitlines() if ln.strip() not in furniture]
    raw = _words("\n".join(kept))
    ours = _words(doc.text)
    diff = sum(((raw - ours) + (ours - raw)).values())
    assert diff / sum(raw.values()) < 0.02, ((raw - ours).most_common(10), (ours - raw).most_common(10))
    # and against what was written (bullets and markers aside), even closer
    want = _words(" ".join(expected_words(blocks, notes)))
    assert sum(((want - ours) + (ours - want)).values()) / sum(want.values()) < 0.01


def test_spanning_table_is_one_table(long_pdf):
    _, blocks, _, doc = long_pdf
    plan = [c for k, c in blocks if k == "table"][-1]
    t = doc.tables[-1]
    assert len(t.pages) > 1 and t.pages == sorted(t.pages)
    assert t.rows == plan  # every row, wrapped cells joined, repeated headers dropped
    assert len(t.row_pages) == len(t.rows) and t.row_pages[-1] == t.pages[-1]
    block = doc.blocks[t.block]
    assert block.type == "table" and block.pages == t.pages
    # no table text leaks into paragraphs
    assert not any("refresher training" in b.text for b in doc.blocks if b.type != "table")
    assert doc.tables[0].rows[0] == ["Field", "Detail"]


def test_footnotes_linked_to_markers(long_pdf):
    _, _, notes, doc = long_pdf
    assert [f.label for f in doc.footnotes] == list(notes)
    for f in doc.footnotes:
        assert f.text == notes[f.label]
        assert doc.blocks[f.block].type == "footnote"
        assert len(f.markers) == 1
        pos = f.markers[0]
        # the marker sits at the end of a word, and the word is intact
        assert doc.text[pos - 1].isalpha() and not doc.text[pos].isalnum()
        assert abs((doc.page_at(pos) or 0) - f.page) <= 1
    assert not re.search(r"[a-z]\d+\b", doc.text.replace("OASys", ""))  # no 'oversight1'


def test_headings_lists_and_hyphens(long_pdf):
    _, blocks, _, doc = long_pdf
    want = [(int(k[1]), c) for k, c in blocks if k in ("h1", "h2", "h3")]
    got = [(b.level, b.text) for b in doc.blocks if b.type == "heading"]
    assert got == want
    items = [b.text for b in doc.blocks if b.type == "list_item"]
    assert items == [c for k, c in blocks if k == "li"]
    assert "assessment late" in doc.text and "assess-" not in doc.text
    assert "risk-assessment" in doc.text and "call-outs" in doc.text


def test_paragraphs_joined_across_pages(long_pdf):
    _, blocks, _, doc = long_pdf
    paras = [b for b in doc.blocks if b.type == "paragraph"]
    want = [re.sub(r"\[\^\d+\]", "", c.replace("-\n", "")) for k, c in blocks if k == "p"]
    assert [b.text for b in paras] == want
    assert any(len(b.pages) == 2 for b in paras)
    for b in doc.blocks:
        assert doc.text[b.start : b.end] == b.text


def test_offsets_and_metadata(long_pdf):
    _, _, _, doc = long_pdf
    assert doc.metadata["offence"] == "Wounding with intent"
    assert doc.metadata["rosh_level"] == "high"
    assert doc.metadata["mappa_category"] == 2 and doc.metadata["mappa_level"] == 1


def test_hyphen_kept_for_compounds(tmp_path):
    blocks = [
        ("p", "The review found that the risk-\nassessment was late and the multi-\nagency meeting "
              "did not take place, so the manager had to re-\nassess the case and write an assess-\nment."),
    ]
    doc = load(make_pdf(tmp_path / "h.pdf", blocks, header=None, footer=None))
    assert "risk-assessment" in doc.text
    assert "multi-agency" in doc.text
    assert "an assessment." in doc.text


def test_extract_cli_json(tmp_path, run_cli):
    blocks = [("h1", "Review"), ("p", "Some text[^1] here."), ("table", [["A", "B"], ["1", "2"]])]
    path = make_pdf(tmp_path / "s.pdf", blocks, {"1": "A note."})
    code, out, err = run_cli("extract", path, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["pages"] == 1
    assert [b["type"] for b in data["blocks"]] == ["heading", "paragraph", "table", "footnote"]
    assert data["tables"][0]["rows"] == [["A", "B"], ["1", "2"]] and data["tables"][0]["pages"] == [1]
    code, out, err = run_cli("extract", path)
    assert code == 0 and "Some text here." in out


def test_word_style_footnotes_and_table_without_repeated_header(tmp_path):
    rows = [["Date", "Event"]] + [[f"{d} May 2024", f"Contact number {d} with the person on probation"] for d in range(1, 80)]
    blocks = [("h1", "Chronology"), ("p", "The chronology below is taken from the case record[^1]."),
              ("table", rows), ("p", "The record was incomplete[^2].")]
    notes = {"1": "nDelius, the probation case management system.", "2": "See paragraph 3.2."}
    doc = load(make_pdf(tmp_path / "w.pdf", blocks, notes, note_label="super", repeat_header=False))
    assert len(doc.tables) == 1 and len(doc.tables[0].pages) >= 2
    assert doc.tables[0].rows == rows
    assert [(f.label, f.text) for f in doc.footnotes] == list(notes.items())
    assert all(len(f.markers) == 1 for f in doc.footnotes)
    assert "case record." in doc.text and "incomplete." in doc.text


def test_hanging_numbered_paragraphs_and_indented_quote(tmp_path):
    long = "The practitioner saw the person on probation weekly but did not record any discussion of risk. " * 3
    blocks = [("h2", "Analysis"), ("np", "3.1 " + long), ("np", "3.2 " + long),
              ("quote", "He told the review: " + long), ("p", "After the quotation.")]
    doc = load(make_pdf(tmp_path / "n.pdf", blocks, header=None, footer=None))
    assert [(b.type, b.text) for b in doc.blocks] == [
        ("heading", "Analysis"), ("paragraph", "3.1 " + long.strip()), ("paragraph", "3.2 " + long.strip()),
        ("quote", "He told the review: " + long.strip()), ("paragraph", "After the quotation.")]


def test_soft_hyphen_always_joins():
    from sfo_nlp.ingest.hyphens import Vocabulary, line_break

    assert line_break("the safe\u00ad", "guarding lead", Vocabulary([])) == (1, "")
    assert line_break("risk-", "assessment", Vocabulary(["a risk-assessment was"])) == (0, "")
    assert line_break("assess-", "ment", Vocabulary([])) == (1, "")
    assert line_break("ended.", "Next", Vocabulary([])) == (0, " ")


def test_table_row_broken_across_pages_is_rejoined():
    from sfo_nlp.ingest.tables import TablePart, merge

    a = TablePart(page=3, bbox=(0, 0, 1, 1), cells=[], col_x=[60, 200],
                  rows=[["Date", "Event"], ["1 May", "Home visit"], ["8 May", "Office visit, risk"]],
                  row_pages=[3, 3, 3], pages=[3])
    b = TablePart(page=4, bbox=(0, 0, 1, 1), cells=[], col_x=[60, 200],
                  rows=[["Date", "Event"], ["", "discussed"], ["15 May", "Missed"]], row_pages=[4, 4, 4], pages=[4])
    merge(a, b)
    assert a.rows == [["Date", "Event"], ["1 May", "Home visit"], ["8 May", "Office visit, risk discussed"],
                      ["15 May", "Missed"]]
    assert a.row_pages == [3, 3, 3, 4] and a.pages == [3, 4]


def test_table_grid_drawn_as_one_path(tmp_path):
    """Some producers draw a whole grid as one path: pdfplumber then parses the page."""
    from reportlab.pdfgen import canvas

    rows = [["Action", "Owner"], ["Train the team", "SPO"], ["Audit ten cases", "Head of PDU"]]
    path = tmp_path / "grid.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "The action plan is below.")
    p = c.beginPath()
    xs, ys = [72, 272, 472], [740, 716, 692, 668]
    for y in ys:
        p.moveTo(xs[0], y)
        p.lineTo(xs[-1], y)
    for x in xs:
        p.moveTo(x, ys[0])
        p.lineTo(x, ys[-1])
    c.drawPath(p)
    for r, row in enumerate(rows):
        for k, text in enumerate(row):
            c.drawString(xs[k] + 4, ys[r] - 16, text)
    c.showPage()
    c.save()
    doc = load(path)
    assert doc.tables and doc.tables[0].rows == rows
    assert [b.type for b in doc.blocks] == ["paragraph", "table"]


def test_footnote_marker_in_a_table_cell(tmp_path):
    blocks = [("p", "Case details follow."), ("table", [["Field", "Detail"], ["MAPPA[^1]", "Category 2"]])]
    doc = load(make_pdf(tmp_path / "c.pdf", blocks, {"1": "Multi-agency public protection arrangements."}))
    assert doc.tables[0].rows == [["Field", "Detail"], ["MAPPA", "Category 2"]]
    f = doc.footnotes[0]
    assert len(f.markers) == 1 and doc.text[f.markers[0] - 5 : f.markers[0]] == "MAPPA"
    assert not doc.warnings


def test_long_footnote_continued_on_next_page(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "cont.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    for page, (body, notes) in enumerate([
        ("The practitioner relied on the OASys", [("1 OASys is the Offender Assessment System, used to", True)]),
        ("The review found no further gaps in the record.", [("assess risk and plan work with a person.", False)]),
    ]):
        c.setFont("Helvetica", 11)
        for k in range(30):
            c.drawString(72, 760 - 18 * k, f"Line {k + 1} of page {page + 1}: {body}.")
        if page == 0:
            c.setFont("Helvetica", 7)
            c.drawString(72 + c.stringWidth(f"Line 30 of page 1: {body}", "Helvetica", 11), 760 - 18 * 29 + 4, "1")
        c.setFont("Helvetica", 8)
        for i, (text, _) in enumerate(notes):
            c.drawString(72, 120 - 10 * i, text)
        c.showPage()
    c.save()
    doc = load(path)
    assert [(f.label, f.text) for f in doc.footnotes] == [
        ("1", "OASys is the Offender Assessment System, used to assess risk and plan work with a person.")]
    assert "assess risk" not in doc.text.split("\n\n")[-2]
    assert len(doc.footnotes[0].markers) == 1


def test_running_header_that_names_the_section(tmp_path):
    blocks, notes = long_review(pages=6, table_rows=5)
    sections = ["Assessment", "Planning", "Delivery", "Review of the case", "Oversight", "Partnership"]
    doc = load(make_pdf(tmp_path / "rh.pdf", blocks, notes,
                        header=lambda page: f"SFO review - {sections[(page - 1) % len(sections)]}"))
    assert not any(b.text.startswith("SFO review - ") for b in doc.blocks)
    assert sum(f.type == "header" for f in doc.furniture) == doc.page_count


def test_footnote_markers_stay_on_their_words_after_a_contents_page(tmp_path):
    """QA: a contents page split into entries moved later blocks down the list, and a
    marker kept by block index landed in the case-details table instead of its word."""
    blocks = [("h1", "Contents"), ("p", "Case details Analysis of practice Learning"), ("pagebreak", None),
              ("h1", "Case details"), ("table", [["Field", "Detail"], ["Region", "South Central"]]),
              ("h1", "Analysis of practice"), ("p", "The reviewing manager read the OASys[^1] assessment."),
              ("h1", "Learning"), ("p", "Nothing further.")]
    doc = load(make_pdf(tmp_path / "c.pdf", blocks, {"1": "OASys is the Offender Assessment System."}))
    assert sum(b.type == "contents" for b in doc.blocks) == 3
    (pos,) = doc.footnotes[0].markers
    assert doc.text[pos - 5 : pos] == "OASys" and doc.block_at(pos).type == "paragraph"
