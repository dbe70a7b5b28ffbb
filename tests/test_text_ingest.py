import json

from sfo_nlp.ingest import load

MD = """# Summary of the SFO

The probation practitioner (PP) did not review the OASys assessment.[^1]

| Action | Owner |
|---|---|
| Train staff in risk assessment | SPO |

- first item
- second item

[^1]: OASys is the offender assessment system.
"""


def test_markdown_blocks_tables_footnotes(tmp_path):
    p = tmp_path / "r.md"
    p.write_text(MD)
    doc = load(p)
    assert [b.type for b in doc.blocks] == ["heading", "paragraph", "table", "list_item", "list_item", "footnote"]
    assert doc.tables[0].rows == [["Action", "Owner"], ["Train staff in risk assessment", "SPO"]]
    for b in doc.blocks:
        assert doc.text[b.start : b.end] == b.text
        assert doc.block_at(b.start) is b
    fn = doc.footnotes[0]
    assert fn.label == "1" and "offender assessment system" in fn.text
    assert doc.text[fn.markers[0] : fn.markers[0] + 4] == "[^1]"


def test_extract_json_cli(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text(MD)
    code, out, err = run_cli("extract", p, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["pages"] == 1
    assert {"type", "page", "text"} <= set(data["blocks"][0])
    assert data["tables"][0]["rows"][1][1] == "SPO"


def test_sentences_respect_blocks(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("# Heading without stop\n\nFirst sentence here. Second one follows.\n")
    doc = load(p)
    sents = [s.text for s in doc.sentences]
    assert sents == ["Heading without stop", "First sentence here.", "Second one follows."]
    assert doc.spacy[0]._.block.type == "heading"
