"""DOCX ingestion on generated reviews with known content (see tests/docgen.py)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from docgen import expected_words, long_review, make_docx, plain
from sfo_nlp.document import APPROXIMATE_PAGES_NOTE
from sfo_nlp.ingest import load


@pytest.fixture(scope="module")
def long_docx(tmp_path_factory):
    blocks, notes = long_review(pages=42)
    path = make_docx(tmp_path_factory.mktemp("docx") / "long.docx", blocks, notes, pages=42)
    return path, blocks, notes, load(path)


def _words(text: str) -> Counter:
    return Counter(re.findall(r"[A-Za-z]+|\d+", text))


def test_structure_in_body_order(long_docx):
    _, blocks, notes, doc = long_docx
    kinds = {"h1": "heading", "h2": "heading", "h3": "heading", "p": "paragraph", "li": "list_item",
             "ol": "list_item", "table": "table", "quote": "quote"}
    want = [kinds[k] for k, _ in blocks] + ["footnote"] * len(notes)
    assert [b.type for b in doc.blocks] == want
    assert [b.level for b in doc.blocks if b.type == "heading"] == [int(k[1]) for k, _ in blocks if k[0] == "h"]
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == [plain(c) for k, c in blocks if k == "p"]
    for b in doc.blocks:
        assert doc.text[b.start : b.end] == b.text


def test_page_count_words_furniture(long_docx):
    _, blocks, notes, doc = long_docx
    assert doc.page_count == 42
    # no break recorded in 42 pages of text: Word's count is kept, page numbers estimated
    assert doc.pages_approximate and doc.warnings == [APPROXIMATE_PAGES_NOTE]
    assert doc.blocks[0].page == 1 and 38 <= max(b.page for b in doc.blocks) <= 42
    want = _words(" ".join(expected_words(blocks, notes)))
    ours = _words(doc.text) + Counter(list(notes))  # labels are not in the text
    assert sum(((want - ours) + (ours - want)).values()) / sum(want.values()) < 0.02
    assert "OFFICIAL - SENSITIVE" not in doc.text
    assert [(f.type, f.text) for f in doc.furniture] == [
        ("header", "OFFICIAL - SENSITIVE"), ("footer", "Review reference SFO/TEST/01")]


def test_tables_and_footnotes(long_docx):
    _, blocks, notes, doc = long_docx
    plan = [c for k, c in blocks if k == "table"][-1]
    assert doc.tables[-1].rows == plan and doc.tables[-1].header == plan[0]
    assert [(f.label, f.text) for f in doc.footnotes] == list(notes.items())
    for f in doc.footnotes:
        assert len(f.markers) == 1
        pos = f.markers[0]
        assert doc.text[pos - 1].isalpha() and doc.blocks[f.block].type == "footnote"
    assert doc.metadata["region"] == "North West" and doc.metadata["tier"] == "A3"


def test_page_count_estimated_with_warning(tmp_path):
    blocks = [("h1", "One"), ("p", "First page."), ("pagebreak", None), ("p", "Second page."),
              ("pagebreak", None), ("p", "Third page.")]
    doc = load(make_docx(tmp_path / "e.docx", blocks, pages=None))
    assert doc.page_count == 3
    assert any("estimated" in w for w in doc.warnings)
    assert [b.page for b in doc.blocks if b.type == "paragraph"] == [1, 2, 3]


def test_merged_cells_keep_the_grid(tmp_path):
    """A title across the table is read before it; a cell merged down is in each row it
    covers, as Word shows it (QA round 8)."""
    import docx

    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "Case details"
    t.cell(1, 0).text, t.cell(1, 1).text, t.cell(1, 2).text = "Offence", "Robbery", "note"
    t.cell(1, 2).merge(t.cell(2, 2))
    t.cell(2, 0).text, t.cell(2, 1).text = "Region", "Wales"
    d.add_paragraph("After the table.")
    path = tmp_path / "m.docx"
    d.save(path)
    doc = load(path)
    assert doc.tables[0].rows == [["Offence", "Robbery", "note"], ["Region", "Wales", "note"]]
    assert [(b.type, b.text) for b in doc.blocks][0] == ("paragraph", "Case details")
    assert [b.type for b in doc.blocks][1:] == ["table", "paragraph"]
    assert doc.metadata == {"offence": "Robbery", "region": "Wales"}


def test_word_rendered_page_breaks_give_pages(tmp_path):
    """Word saves where it last broke pages: blocks get real page numbers from them."""
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    d.add_heading("Summary", level=1)
    p1 = d.add_paragraph("A paragraph that Word ran over a page ")
    p1.add_run("break.")._r.insert(0, parse_xml('<w:lastRenderedPageBreak xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'))
    p2 = d.add_paragraph()
    p2.add_run("On the third page.")._r.insert(0, parse_xml('<w:lastRenderedPageBreak xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'))
    path = tmp_path / "w.docx"
    d.save(path)
    doc = load(path)
    assert [(b.page, b.pages) for b in doc.blocks] == [(1, [1]), (1, [1, 2]), (3, [3])]
    assert doc.page_count == 3
    assert not doc.pages_approximate and APPROXIMATE_PAGES_NOTE not in doc.warnings


def test_word_table_of_contents_is_marked(tmp_path):
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    d = docx.Document()
    d.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("Contents", style="TOC Heading")
    d.add_paragraph("1. Summary\t3", style="TOC 1")
    d.add_heading("1. Summary", level=1)
    d.add_paragraph("The review found gaps.")
    path = tmp_path / "toc.docx"
    d.save(path)
    doc = load(path)
    assert [(b.type, b.style, b.text) for b in doc.blocks][:2] == [
        ("heading", "TOC Heading", "Contents"), ("contents", "contents", "1. Summary")]


def test_endnotes_are_notes_too(tmp_path):
    blocks = [("p", "The plan[^a] was not reviewed[^b]."), ("p", "Later text.")]
    notes = {"a": "A sentence plan.", "b": "See section 4."}
    doc = load(make_docx(tmp_path / "e.docx", blocks, notes, endnotes=True))
    assert [(f.label, f.text) for f in doc.footnotes] == [("i", "A sentence plan."), ("ii", "See section 4.")]
    assert [doc.text[f.markers[0] - 4 : f.markers[0]] for f in doc.footnotes] == ["plan", "ewed"]
    assert doc.blocks[0].text == "The plan was not reviewed."


def test_footnote_marker_in_a_table_cell(tmp_path):
    blocks = [("p", "Case details follow."), ("table", [["Field", "Detail"], ["MAPPA[^1]", "Category 2"]])]
    doc = load(make_docx(tmp_path / "c.docx", blocks, {"1": "Multi-agency public protection arrangements."}))
    assert doc.tables[0].rows == [["Field", "Detail"], ["MAPPA", "Category 2"]]
    f = doc.footnotes[0]
    assert len(f.markers) == 1 and doc.text[f.markers[0] - 5 : f.markers[0]] == "MAPPA"


def test_footnote_markers_stay_on_their_words_after_a_contents_page(tmp_path):
    """A contents paragraph split into entries must not shift markers onto other blocks."""
    blocks = [("h1", "Contents"), ("p", "Case details Analysis of practice Learning"),
              ("h1", "Case details"), ("table", [["Field", "Detail"], ["Region", "South Central"]]),
              ("h1", "Analysis of practice"), ("p", "The reviewing manager read the OASys[^1] assessment."),
              ("h1", "Learning"), ("p", "Nothing further.")]
    doc = load(make_docx(tmp_path / "c.docx", blocks, {"1": "OASys is the Offender Assessment System."}))
    assert sum(b.type == "contents" for b in doc.blocks) == 3
    (pos,) = doc.footnotes[0].markers
    assert doc.text[pos - 5 : pos] == "OASys" and doc.block_at(pos).type == "paragraph"


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SENTENCE = "The practitioner saw the person on probation weekly but did not record any risk discussion. "


def test_word_file_without_page_breaks_gets_approximate_page_numbers(tmp_path, run_cli):
    """QA: a Word file said '1 pages' (python-docx writes <Pages>1</Pages> whatever the
    length) and every quote said 'page 3'. A file that records too few breaks for its
    length gets pages estimated from its words, and says so once."""
    blocks = [("h1", "Review")] + [("p", f"{i + 1}.1 " + _SENTENCE * 5) for i in range(40)]
    path = make_docx(tmp_path / "long.docx", blocks, pages=1)
    doc = load(path)
    assert doc.pages_approximate and doc.page_note == APPROXIMATE_PAGES_NOTE
    assert doc.warnings.count(APPROXIMATE_PAGES_NOTE) == 1
    words = doc.word_count
    assert abs(doc.page_count - words / 400) <= 1 and doc.page_count > 5
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == doc.page_count
    assert doc.page_at(doc.blocks[-1].start) == doc.page_count
    code, out, _ = run_cli("extract", path, "--format", "json")
    assert code == 0 and '"pages_approximate": true' in out


def test_too_few_page_breaks_for_the_length_is_approximate(tmp_path):
    """Two explicit breaks (title page, contents) before 4,600 words: not page 3 throughout."""
    blocks = [("h1", "Review"), ("pagebreak", None), ("p", "Contents"), ("pagebreak", None)]
    blocks += [("p", _SENTENCE * 5)] * 60 + [("table", [["Action", "Owner"]] + [["Train staff", "SPO"]] * 30)]
    doc = load(make_docx(tmp_path / "few.docx", blocks, pages=None))
    assert doc.pages_approximate and doc.warnings == [APPROXIMATE_PAGES_NOTE]
    assert [b.page for b in doc.blocks[:3]] == [1, 2, 3]  # recorded breaks still start pages
    assert doc.page_count >= 13 and doc.blocks[-2].page >= 12
    table = doc.tables[0]
    assert table.row_pages == sorted(table.row_pages) and table.row_pages[0] == doc.blocks[-1].page


def test_word_footnote_is_on_the_estimated_page_of_its_marker(tmp_path):
    blocks = [("p", _SENTENCE * 5)] * 30 + [("p", "The OASys[^1] was late.")]
    doc = load(make_docx(tmp_path / "n.docx", blocks, {"1": "The Offender Assessment System."}))
    (note,) = doc.footnotes
    assert note.page == doc.page_at(note.markers[0]) > 1
    assert doc.blocks[note.block].page == note.page


def test_section_breaks_and_page_break_before_start_pages(tmp_path):
    """Breaks Word records besides w:br: a next-page section break and 'page break before';
    a continuous section break does not start a page."""
    import docx
    from docx.enum.section import WD_SECTION

    d = docx.Document()
    d.add_paragraph("Title page.")
    d.add_section(WD_SECTION.NEW_PAGE)
    d.add_paragraph("Second page.")
    d.add_section(WD_SECTION.CONTINUOUS)
    d.add_paragraph("Still the second page.")
    d.add_paragraph("Third page.").paragraph_format.page_break_before = True
    path = tmp_path / "s.docx"
    d.save(path)
    doc = load(path)
    assert [(b.text, b.page) for b in doc.blocks] == [
        ("Title page.", 1), ("Second page.", 2), ("Still the second page.", 2), ("Third page.", 3)]
    assert doc.page_count == 3 and not doc.pages_approximate
