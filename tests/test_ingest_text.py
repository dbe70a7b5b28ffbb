"""Text and Markdown: front matter, emphasis and hard-wrapped lines."""

from sfo_nlp.ingest import load


def test_front_matter_bold_and_wrapped_hyphens(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("---\nid: sfo-99\ntitle: \"A review\"\n---\n\n# Summary\n\n"
                 "The **reviewing manager** found the risk\nassessment late and the safeguarding assess-\n"
                 "ment incomplete; the risk-\nassessment was not shared.\n")
    doc = load(p)
    assert [b.type for b in doc.blocks] == ["heading", "paragraph"]
    assert doc.blocks[1].text == ("The reviewing manager found the risk assessment late and the safeguarding "
                                  "assessment incomplete; the risk-assessment was not shared.")
    assert "sfo-99" not in doc.text


def test_contents_entries_run_together_are_split_at_headings(tmp_path):
    from sfo_nlp.ingest import load

    p = tmp_path / "r.md"
    p.write_text(
        "# Contents\n\nSummary\n\nCountersignature Appendix A: Chronology Appendix B: Interviews\n\n"
        "# Summary\n\nThe review found gaps in oversight.\n\n# Countersignature\n\nSigned.\n\n"
        "# Appendix A: Chronology\n\nEvents.\n\n# Appendix B: Interviews\n\nNotes.\n"
    )
    doc = load(p)
    assert [b.text for b in doc.blocks if b.type == "contents"] == [
        "Summary", "Countersignature", "Appendix A: Chronology", "Appendix B: Interviews"]
    assert all(not b.is_prose for b in doc.blocks if b.type == "contents")
