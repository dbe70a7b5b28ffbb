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
