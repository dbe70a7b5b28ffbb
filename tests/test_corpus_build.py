"""The fictional review corpus: deterministic builds, consistent gold files, and built
files that ingest back to the words of their source."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "corpus_samples" / "tools"
REVIEWS = ROOT / "corpus_samples" / "reviews"
sys.path.insert(0, str(TOOLS))

import build  # noqa: E402
from source import SourceError, plain, read_review, words  # noqa: E402

PROMPTS = (
    [f"1{c}" for c in "abcdefgh"]
    + [f"2{c}" for c in "abcdefg"]
    + [f"3.1{c}" for c in "abcdef"]
    + [f"3.2{c}" for c in "abcdefg"]
    + [f"4{c}" for c in "abcdef"]
)
STANDARDS = ("analysis", "judgements", "learning", "victims")
TARGETS = {"individual", "management", "system", "partnership"}
POLARITIES = {"deficit", "good", "mixed"}
LEVELS = {"individual", "local", "regional", "national", "multi-agency"}
KINDS = {
    "staff_name", "date_of_birth", "address", "postcode", "phone", "email",
    "nhs_number", "ni_number", "pnc_number", "crn", "prison_number", "third_party_name",
}
SOURCES = sorted((REVIEWS / "src").glob("sfo-*.md"))
GOLDS = sorted((REVIEWS / "gold").glob("sfo-*.yaml"))
# The two smallest sources keep the build tests fast while covering footnotes and tables.
SAMPLE = sorted(SOURCES, key=lambda p: p.stat().st_size)[:2]


def band(score: int) -> str:
    """HMIP composite banding."""
    return "Inadequate" if score <= 2 else "Requires improvement" if score <= 6 else "Good" if score <= 10 else "Outstanding"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def docx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_corpus_has_sources():
    assert len(SOURCES) >= 12


def test_build_is_deterministic(tmp_path):
    first = build.build(SAMPLE, tmp_path / "a")
    second = build.build(SAMPLE, tmp_path / "b")
    for (pdf1, docx1), (pdf2, docx2) in zip(first, second):
        assert pdf1.read_bytes() == pdf2.read_bytes()
        assert docx_parts(docx1) == docx_parts(docx2)
        assert docx1.read_bytes() == docx2.read_bytes()


def test_committed_builds_are_up_to_date():
    """Someone who edits a source (or the builder) must rebuild: each built file carries
    the build stamp of its source in its metadata, which is cheap to compare."""
    import docx as python_docx
    import pypdfium2

    stale = []
    for src in SOURCES:
        stamp = read_review(src).stamp
        pdf, docx = REVIEWS / "pdf" / f"{src.stem}.pdf", REVIEWS / "docx" / f"{src.stem}.docx"
        if not (pdf.exists() and docx.exists()):
            continue  # reported by test_every_source_has_built_files_and_gold
        doc = pypdfium2.PdfDocument(str(pdf))
        try:
            pdf_stamp = doc.get_metadata_dict().get("Keywords")
        finally:
            doc.close()
        docx_stamp = python_docx.Document(str(docx)).core_properties.keywords
        if pdf_stamp != stamp or docx_stamp != stamp:
            stale.append(src.stem)
    assert not stale, f"stale builds, run python corpus_samples/tools/build.py {' '.join(stale)}"


def test_every_source_has_built_files_and_gold():
    for src in SOURCES:
        assert (REVIEWS / "pdf" / f"{src.stem}.pdf").exists(), src.stem
        assert (REVIEWS / "docx" / f"{src.stem}.docx").exists(), src.stem
        assert (REVIEWS / "gold" / f"{src.stem}.yaml").exists(), src.stem


def test_every_review_says_fictional_on_first_page():
    import docx as python_docx
    import pdfplumber

    for src in SOURCES:
        pdf = REVIEWS / "pdf" / f"{src.stem}.pdf"
        if not pdf.exists():
            continue  # reported by test_every_source_has_built_files_and_gold
        with pdfplumber.open(pdf) as doc:
            assert "FICTIONAL" in doc.pages[0].extract_text(), pdf.name
        opening = " ".join(p.text for p in python_docx.Document(str(REVIEWS / "docx" / f"{src.stem}.docx")).paragraphs[:3])
        assert "FICTIONAL" in opening, src.stem


def test_bad_source_is_one_line_error_and_writes_nothing(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "sfo-99.md").write_text("---\nid: sfo-99\ntitle: x\n---\n\nText with a note[^1].\n")
    code = build.main(["--src", str(src), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "[^1]" in err
    assert not (tmp_path / "out").exists()


def test_footnotes_do_not_shrink_the_pages_after_them(tmp_path):
    import pypdfium2

    para = "3.{n} The practitioner reviewed the assessment and recorded the outcome of each contact in detail. " * 3
    body = "\n\n".join(para.format(n=n).strip() + (f" See the note[^{n}]." if n <= 6 else "") for n in range(1, 7))
    notes = "\n\n".join(f"[^{n}]: An explanatory footnote number {n} of two lines, long enough to take real room at the foot of the page." for n in range(1, 7))
    rows = "\n".join(f"| {i} | Action number {i} for the team | SPO | 31 March 2025 |" for i in range(1, 121))
    table = "| No | Action | Owner | Date |\n|---|---|---|---|\n" + rows
    src = tmp_path / "src"
    src.mkdir()
    (src / "sfo-96.md").write_text(f"---\nid: sfo-96\ntitle: x\n---\n\nFICTIONAL.\n\n{body}\n\n{table}\n\n{notes}\n")
    (src / "sfo-95.md").write_text(f"---\nid: sfo-95\ntitle: x\n---\n\nFICTIONAL.\n\n{body.replace(' See the note', '').replace('[^', '').replace(']', '')}\n\n{table}\n")
    (with_notes, _), (without, _) = build.build(sorted(src.glob("*.md"), reverse=True), tmp_path / "out")
    pages = [len(pypdfium2.PdfDocument(str(p))) for p in (with_notes, without)]
    # notes take room on their own pages only: the long table after them fills whole pages
    assert pages[0] <= pages[1] + 1, pages


def test_footnotes_out_of_order_are_refused(tmp_path):
    bad = tmp_path / "sfo-97.md"
    bad.write_text("---\nid: sfo-97\ntitle: x\n---\n\nFirst[^2] then[^1].\n\n[^1]: one\n\n[^2]: two\n")
    with pytest.raises(SourceError, match="order"):
        read_review(bad)


def test_footnote_in_table_is_refused(tmp_path):
    bad = tmp_path / "sfo-98.md"
    bad.write_text("---\nid: sfo-98\ntitle: x\n---\n\n| A | B |\n|---|---|\n| a[^1] | b |\n\n[^1]: note\n")
    with pytest.raises(SourceError):
        read_review(bad)


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem)
def test_gold_file_is_consistent(gold_path):
    gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    src = REVIEWS / "src" / f"{gold_path.stem}.md"
    assert gold["id"] == gold_path.stem and src.exists()
    assert gold["split"] in ("train", "test")
    assert sorted(str(k) for k in gold["prompts"]) == sorted(PROMPTS)
    for pid, answer in gold["prompts"].items():
        assert answer["answer"] in ("yes", "partly", "no"), pid
        assert answer["rationale"].strip() and "\n" not in answer["rationale"], pid
    ratings = gold["ratings"]
    assert set(ratings) == set(STANDARDS) and all(ratings[s] in (0, 1, 2, 3) for s in STANDARDS)
    assert gold["composite"]["score"] == sum(ratings.values())
    assert gold["composite"]["label"] == band(gold["composite"]["score"])

    review = read_review(src)
    text = flat(" ".join(plain(t) for t in _all_text(review)))
    for j in gold["judgements"]:
        assert flat(j["text"]) in text, j["text"]
        assert j["target"] in TARGETS and j["polarity"] in POLARITIES
        assert isinstance(j["evidence"], bool) and isinstance(j["why"], bool)
    for n in gold["non_judgements"]:
        assert flat(n) in text, n
    for a in gold["actions"]:
        assert flat(a["text"]) in text, a["text"]
        assert a["level"] in LEVELS
        assert all(isinstance(a[k], bool) for k in ("specific", "measurable", "owner", "time_bound", "developmental"))
    for p in gold["personal_data"]:
        assert p["kind"] in KINDS and flat(p["text"]) in text, p
    for phrase in gold["insensitive"]:
        assert flat(phrase) in text, phrase
    assert gold["judgements"] and gold["actions"]


SECONDS = sorted((REVIEWS / "second").glob("sfo-*.yaml"))


@pytest.mark.parametrize("path", SECONDS, ids=lambda p: p.stem)
def test_second_reading_answers_every_prompt_of_a_gold_review(path):
    second = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert second["id"] == path.stem and (REVIEWS / "gold" / path.name).is_file()
    assert sorted(str(k) for k in second["prompts"]) == sorted(PROMPTS)
    for pid, answer in second["prompts"].items():
        assert answer["answer"] in ("yes", "partly", "no") and answer["rationale"].strip(), pid
    assert set(second["ratings"]) == set(STANDARDS) and all(second["ratings"][s] in (0, 1, 2, 3) for s in STANDARDS)


# ratings and composite as flow mappings or, as some authors write them, in block style
RATINGS_STYLES = {
    "flow": "ratings: {analysis: 1, judgements: 1, learning: 1, victims: 1}\ncomposite: {score: 4, label: Requires improvement}\n",
    "block": "ratings:\n  analysis: 1\n  judgements: 1\n  learning: 1\n  victims: 1\ncomposite:\n  score: 4\n  label: Requires improvement\n",
}


@pytest.mark.parametrize("style", sorted(RATINGS_STYLES))
def test_adjudication_writes_decided_answers_and_keeps_both_readings(tmp_path, style):
    import adjudicate

    for kind in ("gold", "second"):
        (tmp_path / kind).mkdir()
    (tmp_path / "gold" / "sfo-90.yaml").write_text(
        "id: sfo-90\nsplit: train\n" + RATINGS_STYLES[style] + "prompts:\n"
        "  1a: {answer: partly, rationale: thin}\n  '1b': {answer: 'yes', rationale: fine}\n  1c: {answer: 'no', rationale: none}\n"
        "judgements: []\n")
    (tmp_path / "second" / "sfo-90.yaml").write_text(
        "id: sfo-90\nprompts:\n  1a: {answer: 'yes', rationale: a}\n  1b: {answer: 'no', rationale: b}\n"
        "  1c: {answer: 'no', rationale: c}\nratings: {analysis: 2, judgements: 1, learning: 1, victims: 1}\n")
    decisions = tmp_path / "d.yaml"
    decisions.write_text("id: sfo-90\ndecisions:\n  1a: {answer: 'yes', reason: section 4 weighs it}\n"
                         "  1b: {answer: 'yes', reason: kept}\nratings: {analysis: 2, judgements: 2, learning: 1, victims: 1}\n")
    assert "2 disputes, 1 gold answers changed" in adjudicate.apply(decisions, tmp_path)
    gold = yaml.safe_load((tmp_path / "gold" / "sfo-90.yaml").read_text())
    assert gold["prompts"]["1a"] == {"answer": "yes", "rationale": "section 4 weighs it"}
    assert gold["prompts"]["1b"]["rationale"] == "fine" and gold["judgements"] == []
    assert gold["composite"] == {"score": 6, "label": "Requires improvement"}
    assert gold["ratings"] == {"analysis": 2, "judgements": 2, "learning": 1, "victims": 1}
    record = yaml.safe_load((tmp_path / "adjudication" / "sfo-90.yaml").read_text())
    assert record["prompts"]["1a"] == {"first": "partly", "second": "yes", "final": "yes", "reason": "section 4 weighs it"}
    assert set(record["prompts"]) == {"1a", "1b"} and record["ratings"]["first"]["analysis"] == 1
    decisions.write_text("id: sfo-90\ndecisions: {}\nratings: {analysis: 2, judgements: 2, learning: 1, victims: 1}\n")
    with pytest.raises(SystemExit, match="not decided"):
        adjudicate.apply(decisions, tmp_path)


ADJUDICATIONS = sorted((REVIEWS / "adjudication").glob("sfo-*.yaml"))


@pytest.mark.parametrize("path", ADJUDICATIONS, ids=lambda p: p.stem)
def test_gold_holds_each_adjudicated_answer(path):
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    gold = yaml.safe_load((REVIEWS / "gold" / path.name).read_text(encoding="utf-8"))
    second = yaml.safe_load((REVIEWS / "second" / path.name).read_text(encoding="utf-8"))
    answer = {True: "yes", False: "no"}
    for pid, rec in (record["prompts"] or {}).items():
        assert rec["first"] != rec["second"] and answer.get(second["prompts"][pid]["answer"], second["prompts"][pid]["answer"]) == rec["second"]
        assert answer.get(gold["prompts"][pid]["answer"], gold["prompts"][pid]["answer"]) == rec["final"], pid
    assert gold["ratings"] == record["ratings"]["final"]


def test_split_is_about_a_third_test_and_spread_across_quality():
    golds = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in GOLDS]
    test = [g for g in golds if g["split"] == "test"]
    assert 0.2 <= len(test) / len(golds) <= 0.45
    assert len({g["composite"]["label"] for g in test}) >= 3


def _all_text(review):
    yield review.title
    for b in review.blocks:
        yield b.text
        yield from b.items
        yield from (c for r in b.rows for c in r)
    yield from review.footnotes.values()


def _overlap(source_words: list[str], ingested: str) -> float:
    """Share of the source's words (as a multiset) found in the ingested text."""
    from collections import Counter

    have = Counter(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", ingested.lower()))
    want = Counter(source_words)
    found = sum(min(n, have[w]) for w, n in want.items())
    return found / sum(want.values())


def _ingest(path: Path):
    try:
        from sfo_nlp.ingest import load
        import importlib

        importlib.import_module(f"sfo_nlp.ingest.{path.suffix[1:]}")
    except ImportError as exc:
        pytest.skip(f"ingestion for {path.suffix} not available yet: {exc}")
    return load(path)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_built_file_ingests_to_source_text(src, fmt):
    """Words, headings, tables (rows, with repeated headers dropped), footnotes, and no
    running header in the body: what the renderers promise ingestion can recover."""
    built = REVIEWS / fmt / f"{src.stem}.{fmt}"
    assert built.exists(), f"{built.name} not built: run python corpus_samples/tools/build.py"
    review = read_review(src)
    doc = _ingest(built)
    text = doc.text + " " + " ".join(f.text for f in doc.footnotes)
    overlap = _overlap(words(review), text)
    assert overlap >= 0.98, f"{built.name}: only {overlap:.1%} of the source's words recovered"
    headings = {flat(plain(b.text)).lower() for b in doc.blocks if b.type == "heading"}
    missing = [b.text for b in review.blocks if b.kind == "heading" and flat(plain(b.text)).lower() not in headings]
    assert not missing, f"{built.name}: headings not recovered: {missing[:3]}"
    assert [len(t.rows) for t in doc.tables] == [len(b.rows) for b in review.blocks if b.kind == "table"], built.name
    assert len(doc.footnotes) == len(review.footnotes), built.name
    assert review.render["header"] not in doc.text, f"{built.name}: running header left in the body text"
