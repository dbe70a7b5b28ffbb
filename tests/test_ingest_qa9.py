"""QA round 9: a Word review whose headings are bold paragraphs or capitals, not heading
styles (the tester's "odd layout" draft), and one- or two-word answers ("No.") read as
judgements."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfo_nlp.checks import run_checks
from sfo_nlp.checks.judgements import judgement_spans
from sfo_nlp.ingest import load
from sfo_nlp.ingest.structure import heading_level

ROOT = Path(__file__).resolve().parents[1]
SFO28 = ROOT / "corpus_samples" / "reviews" / "docx" / "sfo-28.docx"

PROSE = ("The community offender manager did not ask the mental health team for an assessment after "
         "Ms Lewandowska told hostel staff she was hearing voices. This was a missed opportunity, because "
         "her earlier offence had followed a similar period of poor mental health.")


def _headings(doc) -> list[str]:
    return [b.text for b in doc.blocks if b.type == "heading"]


def _odd_layout(path: Path) -> Path:
    """As the tester's generator (/tmp/qa9/mk_odd.py) writes it: no heading styles, every
    heading a Normal paragraph in bold; and the things in bold that are not headings."""
    import docx

    d = docx.Document()

    def para(*runs: tuple[str, bool]) -> None:
        p = d.add_paragraph()
        for text, bold in runs:
            p.add_run(text).bold = bold

    para(("SERIOUS FURTHER OFFENCE REVIEW - ANNA LEWANDOWSKA", True))
    para(("OFFICIAL - SENSITIVE", True))  # a protective marking typed in the body
    para(("PART THREE: WHAT WENT WELL", True))
    para(("Release planning started eight weeks before release.", False))
    para(("Part four: what should have been done differently", True))  # bold, not capitals
    para((PROSE, False))
    para(("PP1", True), (" said that she had no time to read the hostel log.", False))  # a bold lead-in
    para(("The plan was not reviewed after the fire alarm incident.", True))  # a bold sentence
    para(("Offence: Arson with intent to endanger life", True))  # a case detail in bold
    para(("PART FIVE: DID WE TAKE ALL REASONABLE STEPS?", True))
    para(("No. The reasons are set out in part four: the warning signs were not acted on.", False))
    para(("NOTES", False))  # capitals alone, not bold
    para(("1 Approved premises are supervised hostels.", False))
    d.save(path)
    return path


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    return load(_odd_layout(tmp_path_factory.mktemp("qa9") / "odd layout Łódź.docx"))


def test_bold_and_capital_paragraphs_are_the_headings(odd):
    assert _headings(odd) == [
        "SERIOUS FURTHER OFFENCE REVIEW - ANNA LEWANDOWSKA", "PART THREE: WHAT WENT WELL",
        "Part four: what should have been done differently", "PART FIVE: DID WE TAKE ALL REASONABLE STEPS?",
        "NOTES"]
    assert next(b for b in odd.blocks if b.text.startswith("No. The reasons")).section == \
        "PART FIVE: DID WE TAKE ALL REASONABLE STEPS?"


def test_bold_that_is_not_a_heading_stays_prose(odd):
    types = {b.text: b.type for b in odd.blocks}
    assert types["OFFICIAL - SENSITIVE"] == "paragraph"
    assert types["PP1 said that she had no time to read the hostel log."] == "paragraph"
    assert types["The plan was not reviewed after the fire alarm incident."] == "paragraph"
    assert types["Offence: Arson with intent to endanger life"] == "paragraph"
    assert odd.metadata.get("offence", "").startswith("Arson")


def test_bold_paragraph_in_a_review_with_heading_styles_is_emphasis():
    """sfo-28 marks its sections with heading styles; its bold "First missed opportunity"
    lines sit inside 6.3, as in its Markdown source."""
    doc = load(SFO28)
    line = next(b for b in doc.blocks if b.text == "First missed opportunity: the location data")
    assert line.type == "paragraph" and line.section == "6.3 Delivering the plan"


@pytest.mark.parametrize("text, level", [
    ("WHAT WENT WELL", 1), ("Part four: what should have been done differently", 1),
    ("DID WE TAKE ALL REASONABLE STEPS?", 1),
    ("The plan was not reviewed.", None), ("OFFICIAL - SENSITIVE", None), ("Page 3 of 12", None),
    ("Offence: Robbery", None), ("and then he left", None),
])
def test_a_line_set_apart_is_a_heading_when_it_reads_as_one(text, level):
    assert heading_level(text, set_apart=True) == level
    assert heading_level(text) is None  # without bold or capitals: words alone say nothing


def test_text_file_paragraph_in_capitals_is_a_heading(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("OFFICIAL - SENSITIVE\n\nWHAT WENT WELL\n\nRelease planning started early.\n\nSPO\n\n"
                    "PART FIVE: DID WE TAKE ALL REASONABLE STEPS?\n\nNo.\n", encoding="utf-8")
    doc = load(path)
    assert _headings(doc) == ["WHAT WENT WELL", "PART FIVE: DID WE TAKE ALL REASONABLE STEPS?"]


def test_headings_and_one_word_answers_are_not_judgements(odd):
    quotes = [f.quote for f in run_checks(odd, ["judgements"])["judgements"].findings]
    headings = set(_headings(odd))
    assert not [q for q in quotes if q in headings or "WHAT WENT WELL" in q]
    assert "No." not in quotes
    assert any(q.startswith("The community offender manager did not ask") for q in quotes)


def test_fragments_are_not_judgement_candidates_but_short_clauses_are(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("# Conclusion\n\nDid we take all reasonable steps? No. Agreed. No issues. Yes.\n\n"
                    "The duty to refer form was the only route. It failed.\n", encoding="utf-8")
    from sfo_nlp import nlp
    from sfo_nlp.learn.infer import NEEDS

    nlp.require(NEEDS)
    doc = load(path)
    texts = [doc.text[a:b] for _, a, b in judgement_spans(doc)]
    assert texts == ["Did we take all reasonable steps?", "The duty to refer form was the only route.",
                     "It failed."]


def test_a_word_file_never_laid_out_says_its_pages_are_estimated(tmp_path):
    """QA 9: a 680-word draft written by a script (no page breaks Word ever recorded, and
    the template's "1 page" in its properties) was given 1 page with no note; a file
    Word never laid out has its pages estimated once a stretch holds more than a page."""
    import docx as python_docx

    from sfo_nlp.document import APPROXIMATE_PAGES_NOTE

    d = python_docx.Document()
    d.add_heading("Serious Further Offence Review", 1)
    for i in range(12):
        d.add_paragraph(f"Paragraph {i}: " + "the practitioner reviewed the risk assessment after the move " * 5)
    path = tmp_path / "draft.docx"
    d.save(path)
    doc = load(path)
    assert doc.page_count == 2 and doc.pages_approximate
    assert APPROXIMATE_PAGES_NOTE in doc.warnings
