"""Every analysis check ships sentences it must flag and sentences it must not."""

import pytest

from sfo_nlp import rules
from sfo_nlp.checks.analysis_patterns import load_rules

CASES = [
    (name, ex["group"], ex["text"], True)
    for name, spec in rules.load("analysis")["checks"].items()
    for ex in spec["examples"]["fire"]
] + [
    (name, None, text, False)
    for name, spec in rules.load("analysis")["checks"].items()
    for text in spec["examples"]["quiet"]
]


@pytest.mark.parametrize("name,group,text,fires", CASES)
def test_rule_examples(name, group, text, fires):
    found = load_rules()[name].groups_in(text)
    if fires:
        assert group in found, f"{name}: expected group {group} on {text!r}, got {found}"
    else:
        assert found == [], f"{name}: expected nothing on {text!r}, got {found}"


def test_every_check_ships_examples():
    for name, spec in rules.load("analysis")["checks"].items():
        assert spec["examples"]["fire"] and spec["examples"]["quiet"], name
        groups = {ex["group"] for ex in spec["examples"]["fire"]}
        assert groups <= set(spec["groups"]), name
