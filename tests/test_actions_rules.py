"""Every rule in rules/smart.yaml ships examples that must fire and must not fire."""

import re

import pytest

from sfo_nlp import rules
from sfo_nlp.learn import cues

SMART_RULES = sorted(cues.ruleset("smart"))


def _fires_as_its_examples_say(rule):
    assert rule.examples.get("fire") and rule.examples.get("no_fire")
    for text in rule.examples["fire"]:
        assert rule.find(text), f"{rule.name} should fire on: {text}"
    for text in rule.examples["no_fire"]:
        assert not rule.find(text), f"{rule.name} should not fire on: {text} (fired on {rule.find(text)})"


@pytest.mark.parametrize("name", SMART_RULES)
def test_smart_rule_examples(name):
    _fires_as_its_examples_say(cues.ruleset("smart")[name])


def test_column_patterns_compile_and_levels_known():
    cfg = rules.load("smart")
    for role, pat in cfg["columns"].items():
        re.compile(pat)
    levels = set(rules.load("roles")["levels"])
    assert levels == {"individual", "local", "regional", "national", "multi-agency"}
    for target, lv in cfg["target_levels"].items():
        assert set(lv) <= levels


@pytest.mark.parametrize("level", ["individual", "local", "regional", "national", "multi-agency"])
def test_level_examples(level):
    spec = rules.load("roles")["levels"][level]
    for text in spec["examples"]["fire"]:
        assert level in cues.term_hits("levels", text), f"{level} should fire on: {text}"
    for text in spec["examples"]["no_fire"]:
        assert level not in cues.term_hits("levels", text), f"{level} should not fire on: {text}"


def test_owner_examples():
    spec = rules.load("roles")["owners"]
    for text in spec["examples"]["fire"]:
        assert cues.owner_pattern().search(text)
    for text in spec["examples"]["no_fire"]:
        assert not cues.owner_pattern().search(text)


@pytest.mark.parametrize("name", sorted(cues.ruleset("smart", "scope")))
def test_scope_rule_examples(name):
    _fires_as_its_examples_say(cues.ruleset("smart", "scope")[name])


def test_joint_cue_examples_and_use():
    from sfo_nlp.learn.action_features import joint_with_partner

    _fires_as_its_examples_say(cues.rule("smart", "joint_cue"))
    # read where it is used: in the words before a partner body
    assert joint_with_partner("HMPPS should work with the police to agree a protocol.")
    assert not joint_with_partner("Issue guidance on judging the work of the police.")
