"""QA round 8: headings typed without styles (Word and copied text), merged cells in a
Word action plan, and the page of a quote from a paragraph that runs over a page break."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfo_nlp.checks.actions_plan import find_plan
from sfo_nlp.document import Block
from sfo_nlp.ingest import load
from sfo_nlp.ingest.structure import heading_level

ROOT = Path(__file__).resolve().parents[1]
SFO06 = ROOT / "corpus_samples" / "reviews" / "docx" / "sfo-06.docx"
SFO01_PDF = ROOT / "corpus_samples" / "reviews" / "pdf" / "sfo-01.pdf"


def _headings(doc) -> list[str]:
    return [b.text for b in doc.blocks if b.type == "heading"]


@pytest.mark.parametrize("text, level", [
    ("1. Introduction", 1), ("12. Learning", 1), ("10A. What staff told the reviewing manager", 1),
    ("4.2 Planning", 2), ("6.1.3 Review of risk", 3), ("Part 3", 1), ("Section 5: Analysis", 1),
    ("Appendix A", 1), ("Appendix A: Glossary", 1),
    # sentences, lead-ins and wrapped lines are not headings
    ("1. The PP saw him on 3 May.", None), ("3.3 The reviewing manager interviewed:", None),
    ("12 months' imprisonment suspended for 24 months", None), ("Section 5 of the Act", None),
    ("2023. He was recalled", None), ("Introduction", None),
])
def test_heading_level_by_the_words(text, level):
    assert heading_level(text) == level


def test_a_contents_entry_is_a_known_title():
    assert heading_level("Case details", frozenset({"case details"})) == 1


@pytest.fixture(scope="module")
def unstyled_06(tmp_path_factory):
    """sfo-06.docx with every heading style set to Normal, as a review typed by hand."""
    import docx

    d = docx.Document(str(SFO06))
    for p in d.paragraphs:
        if p.style.name.lower().startswith(("heading", "title")):
            p.style = d.styles["Normal"]
    path = tmp_path_factory.mktemp("qa8") / "nohead.docx"
    d.save(path)
    return load(path)


def test_unstyled_word_review_has_the_styled_reviews_sections(unstyled_06):
    styled = load(SFO06)
    # the review's title line is not a section: only a style or a font size tells it
    assert _headings(unstyled_06) == [h for h in _headings(styled) if not h.startswith("Serious Further")]
    assert [b.type for b in unstyled_06.blocks if b.text == "Case details"] == ["contents", "heading"]


def test_unstyled_word_review_keeps_its_plan_and_is_a_review(unstyled_06):
    from sfo_nlp.corpus.review_shape import shape_problem

    assert shape_problem(unstyled_06) == ""
    plan = find_plan(unstyled_06)
    assert plan.source == "table" and len(plan.items) == len(find_plan(load(SFO06)).items)
    learning = [b for b in unstyled_06.blocks if b.section == "12. Learning" and b.type != "heading"]
    assert learning and all(b.text.startswith("12.") for b in learning)


# Text as copied from the PDF (pdftotext): no blank lines, no '#', the plan table flattened.
COPIED = """OFFICIAL - SENSITIVE
Contents
Case details
10A. What staff told the reviewing manager
11. Conclusions
12. Learning
13. Action plan
14. Countersignature
Page 2
10A. What staff told the reviewing manager
10A.5 The police domestic abuse officer said that the police had treated the silent calls as a
low-level matter because there was no proof they came from Mr Lowther. She said that, had she
known about the van sightings and the comment in the group, she would have considered the case
for a MARAC referral and would have spoken to Ms K about her safety.
10A.6 The accounts show that each agency held part of the picture and that nobody put the pieces
together.
Page 7
OFFICIAL - SENSITIVE
11. Conclusions
11.1 The reviewing manager considers that all reasonable steps were not taken.
11.2 There were a number of warning signs and they were not acted upon. The risk assessment
was not reviewed. Information from other agencies was not always followed up. The transfer of the
case was not well handled.
11.3 There were some issues with workload and the transfer process.
12. Learning
12.1 Staff need to make sure that they review risk assessments when things change.
12.2 Staff need to read the history of a case when they take it over.
12.3 Communication with partners could be better.
13. Action plan
Recommendation Who When
Staff to be reminded of the importance of reviewing risk assessments. SPO ASAP
Staff to be reminded to read case histories on transfer. SPO ASAP
Communication with police to be improved. All Ongoing
Consider stalking training for the team. SPO TBC
Emails from programme staff to be responded to. PPs With immediate
effect
PP to reflect on this case. PP Ongoing
14. Countersignature
Countersigned by the head of the probation delivery unit, 21 May 2024. I agree with the review.
"""


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    path = tmp_path_factory.mktemp("qa8") / "r06.txt"
    path.write_text(COPIED, encoding="utf-8")
    return load(path)


def test_copied_text_has_its_headings(copied):
    assert [h for h in _headings(copied) if h[0].isdigit()] == [
        "10A. What staff told the reviewing manager", "11. Conclusions", "12. Learning", "13. Action plan",
        "14. Countersignature"]
    # a wrapped line stays in its paragraph; a numbered paragraph starts its own
    conclusions = [b.text for b in copied.blocks if b.section == "11. Conclusions" and b.type == "paragraph"]
    assert [t[:4] for t in conclusions] == ["11.1", "11.2", "11.3"]
    assert conclusions[1].endswith("The transfer of the case was not well handled.")


def test_copied_text_plan_rows_are_the_actions(copied):
    plan = find_plan(copied)
    assert [i.text for i in plan.items] == [
        "Staff to be reminded of the importance of reviewing risk assessments.",
        "Staff to be reminded to read case histories on transfer.",
        "Communication with police to be improved.",
        "Consider stalking training for the team.",
        "Emails from programme staff to be responded to.",
        "PP to reflect on this case.",
    ]
    assert all(copied.text[i.start:i.end] == i.text for i in plan.items)


def _plan_docx(path: Path, merged: bool) -> Path:
    """An action plan table: a title row across it, then the header and three actions.
    Merged: the title across all columns, Owner merged down rows 1-2, Level and Date
    merged in row 3."""
    import docx

    d = docx.Document()
    d.add_paragraph("The actions below answer the learning.")
    t = d.add_table(rows=5, cols=4)
    rows = [["13. Action plan", "", "", ""], ["Action", "Owner", "Level", "Target date"],
            ["Train all PPs in stalking risk by October.", "SPO", "Local", "31/10/2024"],
            ["Review every transferred case within 10 days.", "SPO", "Local", "30/09/2024"],
            ["Share the learning with the regional lead.", "Head of PDU", "Regional", "30/11/2024"]]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    if not merged:  # the title is a paragraph above the table
        t._tbl.remove(t.rows[0]._tr)
    else:
        t.cell(0, 0).merge(t.cell(0, 3)).text = "13. Action plan"
        t.cell(3, 1).text = ""
        t.cell(2, 1).merge(t.cell(3, 1)).text = "SPO"
        t.cell(4, 2).merge(t.cell(4, 3)).text = "Regional, 30/11/2024"
    d.save(path)
    return path


def test_merged_plan_cells_read_as_the_unmerged_table(tmp_path):
    got = find_plan(load(_plan_docx(tmp_path / "m.docx", merged=True)))
    want = find_plan(load(_plan_docx(tmp_path / "u.docx", merged=False)))
    assert [i.text for i in got.items] == [i.text for i in want.items] == [
        "Train all PPs in stalking risk by October.", "Review every transferred case within 10 days.",
        "Share the learning with the regional lead."]
    assert [i.fields["owner"] for i in got.items] == ["SPO", "SPO", "Head of PDU"]
    assert "30/11/2024" in got.items[2].fields["date"] and "Regional" in got.items[2].fields["level"]


def test_a_title_row_across_the_table_is_not_its_header(tmp_path):
    doc = load(_plan_docx(tmp_path / "m.docx", merged=True))
    table = doc.tables[0]
    assert table.header == ["Action", "Owner", "Level", "Target date"]
    title = doc.blocks[table.block - 1]
    assert title.text == "13. Action plan" and title.type in ("heading", "paragraph")


def test_page_of_an_offset_after_a_page_break():
    b = Block(id=0, type="paragraph", text="x" * 100, page=3, pages=[3, 4], page_breaks=[(60, 4)])
    assert [b.page_of(0), b.page_of(59), b.page_of(60), b.page_of(99)] == [3, 3, 4, 4]


def test_pdf_quote_is_on_the_page_it_is_printed_on():
    """sfo-01's paragraph 5.1.4 starts on page 3; its last sentence is all on page 4."""
    import pdfplumber

    from sfo_nlp.results import Finding

    doc = load(SFO01_PDF)
    quote = "The reviewing manager is satisfied that PP1's workload was a significant reason why"
    start = doc.text.index(quote)
    assert doc.block_at(start).page == 3
    finding = Finding.at(doc, start, start + len(quote), "test", "info", "m")
    with pdfplumber.open(SFO01_PDF) as pdf:
        printed = [n for n, p in enumerate(pdf.pages, 1) if quote[:60] in " ".join((p.extract_text() or "").split())]
    assert finding.page == printed[0] == 4
    # the paragraph's first words are still on page 3
    assert doc.page_at(doc.block_at(start).start) == 3
