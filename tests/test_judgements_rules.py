"""Every rule in rules/judgements.yaml and every target group in rules/roles.yaml ships
examples that must fire and must not fire; this runs them all."""

import pytest

from sfo_nlp import rules
from sfo_nlp.learn import cues

JUDGEMENT_RULES = sorted(cues.ruleset("judgements"))
TARGET_GROUPS = sorted(rules.load("roles")["targets"])


@pytest.mark.parametrize("name", JUDGEMENT_RULES)
def test_judgement_rule_examples(name):
    rule = cues.ruleset("judgements")[name]
    assert rule.examples.get("fire"), f"{name} has no examples that must fire"
    assert rule.examples.get("no_fire"), f"{name} has no examples that must not fire"
    assert rule.severity in ("info", "warning", "error") and rule.message
    for text in rule.examples["fire"]:
        assert rule.find(text), f"{name} should fire on: {text}"
    for text in rule.examples["no_fire"]:
        assert not rule.find(text), f"{name} should not fire on: {text} (fired on {rule.find(text)})"


@pytest.mark.parametrize("group", TARGET_GROUPS)
def test_role_examples(group):
    # the features read role terms longest-first, so the examples are checked the same way
    spec = rules.load("roles")["targets"][group]
    for text in spec["examples"]["fire"]:
        assert group in cues.term_hits_longest("targets", text), f"{group} should fire on: {text}"
    for text in spec["examples"]["no_fire"]:
        assert group not in cues.term_hits_longest("targets", text), f"{group} should not fire on: {text}"


def test_settled_rules_exist():
    for name in rules.load("judgements")["not_judgement_if"]:
        assert name in JUDGEMENT_RULES
