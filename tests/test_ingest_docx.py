"""DOCX ingestion on generated reviews with known content (see tests/docgen.py)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from docgen import expected_words, long_review, make_docx, plain
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
    assert not doc.warnings
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
    assert doc.tables[0].rows == [["Case details", "", ""], ["Offence", "Robbery", "note"], ["Region", "Wales", ""]]
    assert [b.type for b in doc.blocks] == ["table", "paragraph"]
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
