"""victims.jargon: every definition form, both orders, plurals, case variants, definitions
split by a line or page break, footnotes, glossary sections and acronyms inside tables,
on Markdown, PDF and (when DOCX ingestion is present) DOCX reviews made in the tests."""

from __future__ import annotations

import importlib.util
import json

import pytest

from sfo_nlp.checks import run_checks
from sfo_nlp.checks.victims_abbrev import best_long_form, find_definitions, is_acronym, key
from sfo_nlp.ingest import load
from docgen import make_docx, make_pdf

HAS_DOCX = importlib.util.find_spec("sfo_nlp.ingest.docx") is not None

# Every term's expected (explained, how, before first use); None = must not be reported.
BLOCKS = [
    ("h1", "Serious Further Offence Review"),
    ("p", "FICTIONAL DOCUMENT: all names are invented. Section II describes the case in the UK."),
    ("p", "The probation delivery unit (PDU) allocated the case. OASys (Offender Assessment System) "
          "was completed. The senior probation officer [SPO] countersigned it, and the other SPOs agreed."),
    ("p", "The RoSH was rated high. A later review of the risk of serious harm (ROSH) did not change it."),
    ("p", "PQiP - Professional Qualification in Probation trainees held some cases."),
    ("p", "The case was managed under multi-agency public protection\narrangements (MAPPA) at level 1."),
    ("p", "The MARAC was not told. The VISOR record was out of date."),
    ("p", "The case record system, nDelius[^1], held the contacts."),
    ("table", [["Action", "Owner"], ["Review HDC cases", "HoPDU"], ["Audit IOM cohort", "SPO"]]),
    ("p", "The approved premises (AP) key worker spoke to him. The IOM team met monthly."),
    ("h2", "Glossary"),
    ("li", "HDC - home detention curfew, early release with an electronic tag"),
    ("li", "IOM: integrated offender management, police and probation working together"),
]
FOOTNOTES = {"1": "nDelius is the probation service's case record system."}
EXPECT = {
    "PDU": (True, "inline", True),
    "OASys": (True, "inline", True),
    "SPO": (True, "inline", True),          # plural SPOs counts as SPO
    "RoSH": (True, "inline", False),        # ROSH defined after RoSH is first used
    "PQiP": (True, "inline", True),         # dash form
    "MAPPA": (True, "inline", True),        # long form split by a line break
    "MARAC": (False, "none", False),
    "ViSOR": (False, "none", False),        # case variant VISOR of the glossary's ViSOR
    "nDelius": (True, "footnote", True),
    "HDC": (True, "glossary", False),       # only in a table, explained in the glossary after it
    "HoPDU": (False, "none", False),        # only in a table, never explained
    "AP": (True, "inline", True),
    "IOM": (True, "glossary", False),
    "UK": (True, "common", True),
}
NOT_TERMS = {"FICTIONAL", "DOCUMENT", "II"}


def _md(blocks, footnotes) -> str:
    out = []
    for kind, val in blocks:
        if kind == "h1":
            out.append(f"# {val}")
        elif kind == "h2":
            out.append(f"## {val}")
        elif kind == "li":
            out.append(f"- {val}")
        elif kind == "table":
            rows = [f"| {' | '.join(r)} |" for r in val]
            out.append("\n".join([rows[0], "|" + "---|" * len(val[0])] + rows[1:]))
        elif kind == "pagebreak":
            out.append("\f")
        else:
            out.append(val)
    out += [f"[^{k}]: {v}" for k, v in footnotes.items()]
    return "\n\n".join(out) + "\n"


def _terms(path) -> dict[str, dict]:
    doc = load(path)
    res = run_checks(doc, ["victims.jargon"])["victims.jargon"]
    return {t["term"]: t for t in res.summary["terms"]}, res


def _assert_expected(terms):
    for term, (explained, how, before) in EXPECT.items():
        assert term in terms, f"{term} not reported; got {sorted(terms)}"
        t = terms[term]
        assert (t["explained"], t["how"], t["explained_before_first_use"]) == (explained, how, before), (term, t)
    assert not NOT_TERMS & set(terms)
    assert terms["SPO"]["count"] == 3


def test_markdown_review(tmp_path):
    p = tmp_path / "r.md"
    p.write_text(_md(BLOCKS, FOOTNOTES))
    terms, res = _terms(p)
    _assert_expected(terms)
    flagged = {f.data["term"] for f in res.findings if f.severity == "warning"}
    assert {"MARAC", "ViSOR", "HoPDU"} <= flagged
    assert res.summary["unexplained"] == sum(not t["explained"] for t in terms.values())


def test_pdf_review(tmp_path):
    p = make_pdf(tmp_path / "r.pdf", BLOCKS, footnotes=FOOTNOTES)
    terms, _ = _terms(p)
    _assert_expected(terms)


@pytest.mark.skipif(not HAS_DOCX, reason="DOCX ingestion not yet available")
def test_docx_review(tmp_path):
    p = make_docx(tmp_path / "r.docx", BLOCKS, footnotes=FOOTNOTES)
    terms, _ = _terms(p)
    _assert_expected(terms)


def test_definition_split_by_page_break(tmp_path):
    blocks = [("p", "The case sat with the probation delivery"), ("pagebreak", None),
              ("p", "unit (PDU) in the north. Later the PDU met. The CRC had closed.")]
    md = tmp_path / "r.md"
    md.write_text("The case sat with the probation delivery\f unit (PDU) in the north. Later the PDU met. "
                  "The CRC had closed.\n")
    for path in (md, make_pdf(tmp_path / "r.pdf", blocks)):
        doc = load(path)
        assert doc.page_count == 2
        terms, _ = _terms(path)
        assert terms["PDU"]["explained"] and terms["PDU"]["how"] == "inline", path
        assert terms["PDU"]["count"] == 2
        assert not terms["CRC"]["explained"]


def test_glossary_table_section(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("# Terms used in this review\n\n| Term | Meaning |\n|---|---|\n| OPD | offender personality "
                 "disorder pathway |\n\n# Review\n\nHe was screened for the OPD and the EMS fitted a tag.\n")
    terms, _ = _terms(p)
    assert terms["OPD"]["how"] == "glossary" and terms["OPD"]["explained_before_first_use"]
    assert not terms["EMS"]["explained"]


def test_cli_json_shape(tmp_path, run_cli):
    p = tmp_path / "r.md"
    p.write_text(_md(BLOCKS, FOOTNOTES))
    code, out, err = run_cli("jargon", p, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"terms"}
    keys = {"term", "count", "first_page", "explained", "how", "explained_before_first_use", "suggestion"}
    assert all(set(t) == keys for t in data["terms"])
    assert {t["how"] for t in data["terms"]} <= {"inline", "footnote", "glossary", "common", "none"}
    code, out, err = run_cli("jargon", tmp_path / "missing.pdf")
    assert code == 2 and err.startswith("error:") and "Traceback" not in err


@pytest.mark.parametrize("word,expected", [
    ("PDU", True), ("SPOs", True), ("OASys", True), ("RoSH", True), ("nDelius", True), ("ViSOR", True),
    ("PQiP", True), ("PO", True), ("Smith", False), ("McDonald", False), ("A1234BC", False), ("the", False),
])
def test_acronym_shape(word, expected):
    assert is_acronym(word) is expected


def test_keys_and_schwartz_hearst():
    assert key("ROSH") == key("RoSH") and key("SPOs") == "SPO"
    assert best_long_form("RoSH", "the risk of serious harm") == "risk of serious harm"
    assert best_long_form("PDU", "went to the pub") is None
    forms = {d.form for d in find_definitions(
        "probation delivery unit (PDU); OASys (Offender Assessment System); PDU - probation delivery unit; "
        "the Offender Assessment System, known as OASys.")}
    assert forms == {"long (SHORT)", "SHORT (long)", "SHORT - long", "long, known as SHORT"}


def test_glossary_rules_are_complete():
    from sfo_nlp import rules

    entries = rules.load("glossary")["terms"]
    assert len(entries) >= 150
    for e in entries:
        assert e["type"] in ("acronym", "term") and e["plain"].strip(), e
        if e["type"] == "acronym":
            assert e["long"].strip(), e
    assert len({key(e["term"]) if e["type"] == "acronym" else e["term"].lower() for e in entries}) == len(entries)


def test_spelled_out_terms_of_art(tmp_path):
    """An acronym's long form that is still a term of art counts as a use of it, shown in
    the words the review used; an everyday long form (risk management plan) is left."""
    from sfo_nlp.checks import run_checks
    from sfo_nlp.ingest import load

    p = tmp_path / "r.md"
    p.write_text("He was given an extended determinate sentence in 2019. The risk management plan was weak.\n\n"
                 "His community order had a rehabilitation activity requirement (RAR), which he did not attend.\n")
    terms = {t["term"]: t for t in run_checks(load(p), ["victims.jargon"])["victims.jargon"].summary["terms"]}
    assert terms["extended determinate sentence"]["explained"] is False
    assert terms["RAR"]["count"] == 2 and terms["RAR"]["explained"] is True
    assert not any("risk management plan" in k.lower() for k in terms)


def _jargon(tmp_path, text: str) -> dict[str, dict]:
    p = tmp_path / "r.md"
    p.write_text(text)
    return _terms(p)[0]


def test_hyphenated_acronyms_are_one_term(tmp_path):
    terms = _jargon(tmp_path, "# Review\n\nThe OGRS / OSP-DC / OSP-IIC scores were 71% / medium / low. "
                              "Non-MAPPA cases and RoSH-related notes were read.\n")
    assert not terms["OSP-DC"]["explained"] and not terms["OSP-IIC"]["explained"]
    assert not {"DC", "IIC", "OSP"} & set(terms)  # never split into its parts
    assert "MAPPA" in terms and "RoSH" in terms  # a prefix or suffix word is not part of an acronym
    assert "direct contact" in terms["OSP-DC"]["suggestion"] or "against a person" in terms["OSP-DC"]["suggestion"]
    terms = _jargon(tmp_path, "The OASys sexual reoffending predictor for direct contact offences (OSP-DC) was medium.\n")
    assert terms["OSP-DC"]["explained"] and terms["OSP-DC"]["how"] == "inline"


@pytest.mark.parametrize("word,expected", [("OSP-DC", True), ("OSP-IIC", True), ("OSP-related", False),
                                           ("Non-MAPPA", False)])
def test_hyphenated_acronym_shape(word, expected):
    assert is_acronym(word) is expected  # every part must itself be an acronym


def test_tier_codes(tmp_path):
    terms = _jargon(tmp_path, "| Field | Detail |\n|---|---|\n| Tier | A3 |\n\n"
                              "He was later supervised at Tier C3. He drove on the A2 road.\n")
    assert terms["A3"]["explained"] is False and terms["C3"]["explained"] is False
    assert "A2" not in terms  # a road, not a tier
    assert "supervision level" in terms["C3"]["suggestion"]
    terms = _jargon(tmp_path, "He was supervised at Tier C3 (the level of supervision for a medium-risk case).\n")
    assert terms["C3"]["explained"] is True


def test_code_rules_examples():
    from sfo_nlp.checks.victims_glossary import load as load_glossary

    codes = load_glossary().codes
    assert codes
    for spec in codes:
        assert spec["plain"].strip() and spec["fire"] and spec["quiet"]
        for s in spec["fire"]:
            assert spec["rx"].search(s), (spec["name"], s)
        for s in spec["quiet"]:
            assert not spec["rx"].search(s), (spec["name"], s)


@pytest.mark.parametrize("term", ["youth rehabilitation order", "referral order", "detention and training order",
                                  "community psychiatric nurse"])
def test_multi_word_terms_of_art(tmp_path, term):
    terms = _jargon(tmp_path, f"In 2015 the court made a {term}. Nothing else happened.\n")
    hit = [t for t in terms.values() if t["term"].lower() == term]
    assert hit and hit[0]["explained"] is False, sorted(terms)


def test_brackets_without_words_explain_nothing(tmp_path):
    terms = _jargon(tmp_path, "His order had a referral order (6 months) and a tier (the level of supervision).\n")
    assert terms["referral order"]["explained"] is False and terms["tier"]["explained"] is True


def test_title_spelling_out_sfo_explains_it(tmp_path):
    body = "\n\n1.1 This SFO review looks at his supervision.\n"
    assert _jargon(tmp_path, "# Serious Further Offence Review: John Smith" + body)["SFO"]["how"] == "inline"
    assert _jargon(tmp_path, "# Review: John Smith" + body)["SFO"]["explained"] is False
    # A heading further down is not the title the reader starts from.
    assert _jargon(tmp_path, "# Review: John Smith" + body + "\n## Serious further offences\n\nMore.\n"
                   )["SFO"]["explained"] is False


def test_a_list_or_a_pseudonym_does_not_explain(tmp_path):
    """"the HoPDU or the MAPPA" is a list, and "The SPO (SPO1)" names one SPO: neither
    says what the acronym means."""
    terms = _jargon(tmp_path, "The SPO (SPO1) did not escalate the delay to the HoPDU or the MAPPA.\n")
    assert terms["MAPPA"]["explained"] is False and terms["SPO"]["explained"] is False
    terms = _jargon(tmp_path, "The offender manager, or OM, met him. The senior probation officer (SPO1) "
                              "countersigned it.\n")
    assert terms["OM"]["explained"] is True and terms["SPO1"]["explained"] is True


def test_everyday_meaning_examples():
    """Each `everyday` pattern in the glossary knows its everyday meaning ("DNA evidence")
    and leaves the probation one ("DNA. Phoned same day")."""
    from sfo_nlp import rules

    entries = [e for e in rules.load("glossary")["terms"] if e.get("everyday")]
    assert {e["term"] for e in entries} >= {"DNA", "AA"}
    for e in entries:
        rx = load_glossary().everyday[key(e["term"])]
        assert e["fire"] and e["quiet"], e["term"]
        for s in e["fire"]:
            assert rx.search(s), (e["term"], s)
        for s in e["quiet"]:
            assert not rx.search(s), (e["term"], s)


def load_glossary():
    from sfo_nlp.checks.victims_glossary import load

    return load()


def test_attendance_codes_are_jargon_not_common_knowledge(tmp_path):
    """QA: "DNA" (did not attend) and "AA" (acceptable absence) in a chronology were
    reported as common knowledge; a family reads them as genetics and Alcoholics Anonymous."""
    terms = _jargon(tmp_path, "| Date | Entry |\n|---|---|\n"
                              '| 21/09/23 | DNA. Phoned same day: "forgot". AA recorded. |\n')
    for term, long in (("DNA", "did not attend"), ("AA", "acceptable absence")):
        assert (terms[term]["explained"], terms[term]["how"]) == (False, "none"), terms[term]
        assert long in terms[term]["suggestion"]
    # In their everyday meaning they still need no explanation.
    terms = _jargon(tmp_path, "He was identified from CCTV and DNA evidence. He went to AA meetings.\n")
    assert terms["DNA"]["how"] == "common" and terms["AA"]["how"] == "common"
    # One use in the probation sense is enough to need explaining.
    terms = _jargon(tmp_path, "His DNA was found at the scene.\n\n05/10/23 DNA. No contact.\n")
    assert terms["DNA"]["explained"] is False


def test_an_acronym_is_one_row_named_as_the_review_writes_it(tmp_path):
    """QA 8: "WMT" alone also listed "workload measurement tool", a phrase the review never
    used, as a second term never explained."""
    terms = _jargon(tmp_path, "Her WMT figure was 127% in January. The WMT was not checked.\n")
    assert sorted(terms) == ["WMT"] and terms["WMT"]["count"] == 2 and terms["WMT"]["explained"] is False
    assert "workload measurement tool (WMT)" in terms["WMT"]["suggestion"]
    terms = _jargon(tmp_path, "Her workload measurement tool figure was 127%.\n")
    assert sorted(terms) == ["workload measurement tool"]


def test_no_term_of_art_has_an_acronym_as_a_form():
    """An acronym as a form of a term of art lists the term where only the acronym occurs:
    it needs an acronym entry with the term as its long form (rules/glossary.yaml)."""
    from sfo_nlp import rules

    for e in rules.load("glossary")["terms"]:
        if e["type"] == "term":
            assert not [f for f in e.get("forms", []) if is_acronym(f)], e
