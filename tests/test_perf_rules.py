"""Speed changes that must not change what is read: libyaml reads every rule file to the
same data as the pure-Python loader, and the cached sentences are the parse's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sfo_nlp import rules, settings

RULE_FILES = sorted(Path(settings.RULES_DIR).rglob("*.yaml"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_rule_files_read_the_same_with_libyaml(path):
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=rules._LOADER) == yaml.safe_load(text)


def test_sentences_built_once_and_handed_out_as_copies():
    from sfo_nlp.ingest import load

    doc = load(Path(settings.CORPUS_DIR) / "reviews" / "docx" / "sfo-03.docx")
    first = doc.sentences
    first.clear()  # a caller changing its list must not change the document's
    again = doc.sentences
    assert again and again == doc._build_sentences()
