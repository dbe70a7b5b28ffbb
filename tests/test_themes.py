"""Corpus themes: the seeded taxonomy's examples, lemma-aware matching, NMF discovery with
its stability figure, prevalence with the reviews behind it, and the written outputs."""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import re

import numpy as np
import pytest

from sfo_nlp import rules
from sfo_nlp.corpus.discovery import best_match_stability, discover
from sfo_nlp.corpus.theme_analysis import analyse_themes, year_of
from sfo_nlp.corpus.theme_outputs import render_html, write_outputs
from sfo_nlp.corpus.themes import Taxonomy
from sfo_nlp.errors import SfoError
from sfo_nlp.results import Analysis, CheckResult, Finding, StandardRating
from sfo_nlp.store import Store


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy()


def test_every_theme_fires_on_its_examples_and_not_on_its_quiet_ones(taxonomy):
    missed, over = [], []
    for theme in taxonomy.themes:
        assert theme.fire and theme.quiet, f"{theme.id} ships no examples"
        for text, found in zip(theme.fire, taxonomy.match_texts(theme.fire)):
            if theme.id not in found:
                missed.append((theme.id, text))
        for text, found in zip(theme.quiet, taxonomy.match_texts(theme.quiet)):
            if theme.id in found:
                over.append((theme.id, text))
    assert not missed and not over


def test_seeded_taxonomy_covers_the_domain_themes(taxonomy):
    ids = {t.id for t in taxonomy.themes}
    assert {"risk_assessment", "management_oversight", "professional_curiosity", "workload_staffing",
            "enforcement_recall", "approved_premises", "pre_release", "mappa", "visor",
            "domestic_abuse_safeguarding", "mental_health", "substance_misuse", "accommodation",
            "information_sharing", "training_experience"} <= ids
    assert all(t.definition for t in taxonomy.themes)


def test_matching_is_lemma_aware_with_exact_evidence(taxonomy):
    text = "Assessments were not reassessed; he was recalled, and the hostels were full. Ap staff said."
    found = taxonomy.match_texts([text])[0]
    quotes = {tid: [e.quote for e in ev] for tid, ev in found.items()}
    assert "reassessed" in quotes["risk_assessment"]
    assert "recalled" in quotes["enforcement_recall"]
    assert "hostels" in quotes["approved_premises"]
    assert "Ap" not in quotes["approved_premises"]  # acronyms are case-sensitive
    for ev in found.values():
        for e in ev:
            assert text[e.start:e.end] == e.quote


def test_bad_taxonomy_is_refused():
    spec = copy.deepcopy(rules.load("themes"))
    spec["themes"][1]["id"] = spec["themes"][0]["id"]
    with pytest.raises(SfoError, match="used twice"):
        Taxonomy(spec)
    spec = copy.deepcopy(rules.load("themes"))
    del spec["themes"][0]["terms"]
    with pytest.raises(SfoError, match="missing 'terms'"):
        Taxonomy(spec)


def test_stability_measure():
    a = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    assert best_match_stability(a, [a[::-1]]).tolist() == [1.0, 1.0]  # same topics, other order
    assert best_match_stability(a, [np.array([[0, 0, 1.0], [0, 0, 2.0]])]).tolist() == [0.0, 0.0]


HIDDEN = {  # themes the taxonomy does not know, for discovery to find
    "gangs": "gang county lines knife exploitation dealer territory rival stabbing weapon carry youth",
    "immigration": "immigration deportation nationality passport asylum interpreter tribunal visa citizenship border",
    "stalking": "stalking obsession message social media fixation follow unwanted online harassment profile",
}
FILLER = "paragraph describes events during supervision and what the reviewer found in the records".split()


def _paragraph(rng, topic):
    words = HIDDEN[topic].split()
    body = [rng.choice(words) for _ in range(14)] + rng.sample(FILLER, 4)
    rng.shuffle(body)
    return f"The {topic} concern: " + " ".join(body) + "."


def test_discovery_finds_hidden_themes_stably():
    rng = random.Random(7)
    docs, truth = {}, {}
    for i in range(90):
        topic = list(HIDDEN)[i % 3]
        docs[i] = [w for w in _paragraph(rng, topic).lower().replace(".", "").replace(":", "").split() if len(w) > 2]
        truth[i] = topic
    cfg = dict(rules.load("themes")["discovery"], topics=3)
    d = discover(docs, explained=5, cfg=cfg)
    assert d.paragraphs_used == 90 and d.paragraphs_explained == 5 and len(d.topics) == 3
    assert d.stability > 0.9
    found = {next(t for t in HIDDEN if set(w for w, _ in topic.terms[:5]) <= set(HIDDEN[t].split()))
             for topic in d.topics}
    assert found == set(HIDDEN)
    # each paragraph joins the topic of its hidden theme
    by_topic = {}
    for i, tid in d.assignments.items():
        by_topic.setdefault(tid, set()).add(truth[i])
    assert all(len(v) == 1 for v in by_topic.values()) and len(d.assignments) > 80


def test_discovery_on_a_tiny_corpus_says_why_it_did_nothing():
    d = discover({0: ["gang"] * 9}, 0, rules.load("themes")["discovery"])
    assert d.topics == [] and "too few paragraphs" in d.note


def test_year_of():
    assert year_of({"sfo_date": "12 March 2023"}) == "2023"
    assert year_of({"review_date": "2024-01-05"}) == "2024"
    assert year_of({}) == "not stated"


REVIEWS = [  # name, region, offence, date, rosh, hidden theme, mentions approved premises
    ("r1", "Wales", "Murder", "3 May 2023", "High", "gangs", True),
    ("r2", "Wales", "Rape", "1 June 2023", "Medium", "immigration", False),
    ("r3", "London", "Manslaughter", "2 July 2024", "High", "stalking", True),
    ("r4", "London", "Robbery", "9 Jan 2024", "Very high", "gangs", False),
    ("r5", "North East", "Arson with intent", "5 Feb 2024", "Low", "immigration", False),
    ("r6", "North East", "", "", "", "stalking", True),
]


# Stored by batch but set aside as "not a review": in no figure of the themes (QA 8).
NOT_A_REVIEW = ("note", "Wales", "Murder", "3 May 2023", "High", "gangs", True)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A store of six small reviews with metadata, paragraphs and judgement findings."""
    from sfo_nlp.ingest import load

    root = tmp_path_factory.mktemp("themes")
    rng = random.Random(3)
    db = root / "t.sqlite"
    with Store(db) as st:
        for name, region, offence, date, rosh, hidden, ap in REVIEWS + [NOT_A_REVIEW]:
            pars = [_paragraph(rng, hidden) for _ in range(20 if name != "note" else 2)]
            if ap:
                pars.append("He lived at approved premises, where key workers recorded his curfew breaches.")
            pars.append("Note <script>alert(1)</script> & more.")
            # cover-page text: a disclaimer worded differently in each review, and a
            # template paragraph every review repeats with its own name filled in
            pars.insert(0, f"FICTIONAL DOCUMENT ({name}): invented test material; the staff and places do not exist.")
            pars.insert(1, f"This review of the case of {name} was completed under the national procedures by a "
                           "senior manager with no previous involvement in the management of the case.")
            # enough words under enough headings to look like a review (corpus/review_shape.py)
            sections = [f"## {title}\n\n" + "\n\n".join(pars[i::3]) for i, title in
                        enumerate(("Summary", "Practice", "Partnership")) if name != "note"] or pars
            md = (f"# Review {name}\n\nRegion: {region}\n\nOffence: {offence}\n\nDate of SFO: {date}\n\n"
                  f"RoSH level: {rosh}\n\n" + "\n\n".join(sections) + "\n")
            path = root / f"{name}.md"
            path.write_text(md, encoding="utf-8")
            doc = load(path)
            ap_block = next((b for b in doc.blocks if "approved premises" in b.text), None)
            findings = []
            if ap_block is not None:
                findings = [Finding.at(doc, ap_block.start, ap_block.end, "judgements", "warning", "judgement",
                                       data={"target": "individual" if name != "r3" else "system"})]
            analysis = Analysis(doc.source, doc.sha256, "2023", dict(doc.metadata), 1,
                                checks={"judgements": CheckResult("judgements", findings)},
                                ratings=[StandardRating("1", "Analysis of practice", 2, "x")])
            st.save_analysis(analysis, doc, path)
    return db


def test_prevalence_counts_reviews_and_names_them(stored):
    with Store(stored) as st:
        report = analyse_themes(st)
    assert len(report.reviews) == 6
    ap = {(r["dimension"], r["value"]): r for r in report.prevalence if r["theme"] == "approved_premises"}
    assert ap[("all", "all reviews")]["reviews_with_theme"] == 3
    assert ap[("region", "Wales")]["reviews_with_theme"] == 1 and ap[("region", "Wales")]["reviews"] == ["r1.md"]
    assert ap[("region", "North East")]["share"] == 0.5
    assert ap[("year", "2024")]["reviews_in_group"] == 3 and ap[("year", "not stated")]["reviews"] == ["r6.md"]
    assert ap[("offence_type", "homicide")]["reviews_with_theme"] == 2  # murder and manslaughter
    assert ap[("offence_type", "not stated")]["reviews_in_group"] == 1
    assert ap[("rosh_level", "high")]["reviews"] == ["r1.md", "r3.md"]
    targets = {r["target"]: r for r in report.by_target if r["theme"] == "approved_premises"}
    assert targets["individual"]["judgements"] == 2 and targets["system"]["reviews"] == ["r3.md"]
    assert targets["individual"]["share"] == pytest.approx(2 / 3, abs=1e-3)
    # discovery finds the three hidden themes in this corpus too (as lemmas: "stabbing" -> "stab")
    stems = {topic: {w[:4] for w in words.split()} for topic, words in HIDDEN.items()}
    for topic, st in stems.items():
        assert any(sum(w[:4] in st for w, _ in t.terms[:4]) >= 3 for t in report.discovery.topics), topic


def test_outputs_csv_png_and_escaped_html(stored, tmp_path):
    with Store(stored) as st:
        report = analyse_themes(st)
    written = {p.name: p for p in write_outputs(report, tmp_path / "out")}
    assert {"prevalence.csv", "theme_paragraphs.csv", "judgement_targets.csv", "discovered_themes.csv",
            "prevalence_overall.png", "prevalence_by_region.png", "judgement_targets.png", "themes.html"} <= set(written)
    rows = list(csv.DictReader(io.StringIO(written["theme_paragraphs.csv"].read_text())))
    ap_rows = [r for r in rows if r["theme"] == "approved_premises"]
    assert len(ap_rows) == 3 and "approved premises" in ap_rows[0]["evidence"]
    assert written["prevalence_overall.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = written["themes.html"].read_text()
    assert "data:image/png;base64," in html and "src=\"http" not in html
    assert "<script>" not in html  # review text is escaped (it appears in top paragraphs)
    assert not list((tmp_path / "out").glob("*.part"))


def test_cli_themes(run_cli, stored, tmp_path):
    code, out, err = run_cli("themes", "--db", stored, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["reviews"] == 6 and data["discovery"]["stability_mean_best_match_cosine"] is not None
    code, out, err = run_cli("themes", "--db", stored, "--output-dir", tmp_path / "o")
    assert code == 0 and "Approved premises" in out and (tmp_path / "o" / "themes.html").is_file()
    code, out, err = run_cli("themes", "--db", tmp_path / "missing.sqlite")
    assert code == 2 and err.startswith("error: ") and "no store there" in err and err.count("\n") == 1
    code, out, err = run_cli("themes", "--db", stored, "--standards", "1999")
    assert code == 2 and "unknown standards version '1999'" in err
    code, out, err = run_cli("themes", "--db", tmp_path / "nodir" / "x.sqlite")
    assert code == 2 and "no such folder" in err and not (tmp_path / "nodir").exists()
    empty = tmp_path / "empty.sqlite"
    Store(empty).open().close()
    code, out, err = run_cli("themes", "--db", empty)
    assert code == 2 and "no analysed reviews" in err


def test_lemmas_are_cached_in_the_store(stored, monkeypatch):
    from sfo_nlp.corpus import lemma_cache

    with Store(stored) as st:
        paras = [p for p in st.paragraphs() if p["type"] == "paragraph"][:20]
        keys, texts = [(p["sha256"], p["block"]) for p in paras], [p["text"] for p in paras]
        first = lemma_cache.lemmas(st.conn, keys, texts)
        assert first == lemma_cache.lemmatise(texts)  # what the cache gives back is what spaCy gave
        monkeypatch.setattr(lemma_cache, "lemmatise", lambda texts: pytest.fail("lemmatised again"))
        again = lemma_cache.lemmas(st.conn, keys, texts)
        version = st.conn.execute("SELECT version FROM corpus_schema WHERE name = 'lemma_cache'").fetchone()[0]
        store_version = st.schema_version
    assert again == first and version == len(lemma_cache._MIGRATIONS)
    assert store_version >= 1  # the store's own schema version is left alone


def test_boilerplate_patterns_fire_on_their_examples_only():
    from sfo_nlp.corpus.boilerplate import load_patterns

    patterns = load_patterns(rules.load("themes")["boilerplate"])
    assert {p.id for p in patterns} >= {"test_material_notice", "protective_marking"}
    for p in patterns:
        assert p.fire and p.quiet, f"{p.id} ships no examples"
        assert [x for x in p.fire if not p.regex.search(x)] == []
        assert [x for x in p.quiet if p.regex.search(x)] == []


def test_boilerplate_sections_match_their_examples_only():
    from sfo_nlp.corpus.boilerplate import find_boilerplate, load_section_rule

    cfg = rules.load("themes")["boilerplate"]
    rule = load_section_rule(cfg)
    assert rule.fire and rule.quiet
    assert [x for x in rule.fire if not rule.regex.search(x)] == []
    assert [x for x in rule.quiet if rule.regex.search(x)] == []
    pars = [("r1", "MAPPA: multi-agency public protection arrangements."), ("r1", "MAPPA was not considered.")]
    assert list(find_boilerplate(pars, cfg, sections=["Glossary", "5. Analysis"])) == [0]


def test_repeated_template_paragraphs_are_boilerplate_shared_phrases_are_not():
    from sfo_nlp.corpus.boilerplate import find_boilerplate

    cfg = {"repeated": {"shingle": 5, "min_words": 8, "min_overlap": 0.6, "min_reviews": 3, "min_share": 0.3}}
    template = "The review of {} was carried out under the national procedure by a manager who was not involved."
    own = ["The risk of serious harm to children was underestimated after the move to a new address.",
           "No safeguarding enquiry was made, although the risk of serious harm to the partner was known.",
           "Home visits stopped in the spring and the risk of serious harm was never reviewed again.",
           "The risk of serious harm assessment ignored the police callouts reported by the neighbours.",
           "Drug testing was not requested, and the risk of serious harm rose as his use increased."]
    pars = []
    for i, name in enumerate(["Mr Able", "Ms Baker", "Mr Cole", "Mrs Dunn", "Mr Eady"]):
        pars.append((f"r{i}", template.format(name)))
        pars.append((f"r{i}", own[i]))  # shares a phrase with the others, not its wording
    found = find_boilerplate(pars, cfg)
    assert sorted(found) == [0, 2, 4, 6, 8]  # the template in every review, nothing else
    # two reviews are not enough to tell a template from a coincidence
    assert find_boilerplate(pars[:4], cfg) == {}


def test_disclaimers_and_template_text_are_not_theme_evidence(stored):
    with Store(stored) as st:
        report = analyse_themes(st)
    texts = [p.text for p in report.paragraphs]
    assert not any("FICTIONAL" in t or "national procedures" in t for t in texts)
    assert sum(report.boilerplate.values()) == 12 and len(report.boilerplate) == 2
    assert report.to_dict()["boilerplate_left_out"] == report.boilerplate


# -- QA 8 ----------------------------------------------------------------------------
def test_a_file_batch_set_aside_as_not_a_review_is_in_no_figure_and_named_once(run_cli, stored, tmp_path):
    with Store(stored) as st:
        assert len(st.list_analyses()) == 7
        report = analyse_themes(st)
    assert len(report.reviews) == 6 and list(report.not_counted) == ["note.md"]
    assert report.not_counted["note.md"].startswith("does not look like an SFO review")
    assert {r["reviews_in_group"] for r in report.overall()} == {6}
    assert not any("note.md" in r["reviews"] for r in report.prevalence)
    written = {p.name: p for p in write_outputs(report, tmp_path / "out")}
    rows = list(csv.DictReader(io.StringIO(written["prevalence.csv"].read_text())))
    assert {r["reviews_in_group"] for r in rows if r["dimension"] == "all"} == {"6"}
    code, out, err = run_cli("themes", "--db", stored)
    assert code == 0, err
    text = " ".join(out.split())
    assert "Themes across 6 reviews" in text and "/7" not in text
    assert text.count("note.md") == 1 and "Not counted in any figure (1): note.md: does not look like" in text
    code, out, err = run_cli("themes", "--db", stored, "-f", "json")
    data = json.loads(out)
    assert data["reviews"] == 6 and list(data["not_counted"]) == ["note.md"]


def test_a_store_of_only_non_reviews_is_one_clear_error(run_cli, tmp_path):
    from sfo_nlp.ingest import load

    path = tmp_path / "hello.md"
    path.write_text("# Hello\n\nA note about approved premises, not a review.\n", encoding="utf-8")
    doc = load(path)
    with Store(tmp_path / "n.sqlite") as st:
        st.save_analysis(Analysis(doc.source, doc.sha256, "2023", {}, 1), doc, path)
    code, out, err = run_cli("themes", "--db", tmp_path / "n.sqlite")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: no reviews to find themes in") and "hello.md: does not look like" in err


def test_surface_forms_name_a_lemma_as_the_text_writes_it():
    from sfo_nlp.corpus.discovery import surface_forms
    from sfo_nlp.corpus.themes import Tok

    def tok(text, lemma):
        return Tok(text, lemma, text.lower(), "NOUN", 0, len(text))

    forms = surface_forms([[tok("data", "datum"), tok("Data", "datum")], [tok("released", "release"),
                                                                          tok("release", "release")]])
    assert forms == {"datum": "data", "release": "release"}  # a tie goes to the lemma itself


def test_themes_are_described_in_plain_words_and_labelled_as_written(run_cli, stored, tmp_path):
    with Store(stored) as st:
        report = analyse_themes(st)
    words = {w.lower().strip(".,:") for p in report.paragraphs for w in p.text.split()}
    terms = [w for t in report.discovery.topics for w, _ in t.terms]
    assert terms and set(terms) <= words  # "stabbing" as written, never the lemma "stab"
    code, out, err = run_cli("themes", "--db", stored)
    text = " ".join(out.split())
    for jargon in ("NMF", "cosine", "best-match", "(1.00)", "seeds"):
        assert jargon not in text, jargon
    assert "Themes found by grouping paragraphs that use the same words" in text
    assert re.search(r"stable: they come back when the grouping is redone from other random starts \(\d\.\d\d of 1\)",
                     text)
    assert re.search(r"\bD1: \w+", text)
    web, saved = (re.sub(r"data:image/png;base64,[^\"]+", "", render_html(report, beside_files=beside))
                  for beside in (False, True))
    for page in (web, saved):
        assert "NMF" not in page and "cosine" not in page and "grouping paragraphs that use the same words" in page
    assert '<a href="/">' in web and "beside this page" not in web
    assert "CSV files beside this page" in saved and 'href="/"' not in saved
