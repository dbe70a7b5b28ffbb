"""Analysis-of-practice checks defined as data in ``rules/analysis.yaml``.

Each ``occurrence`` rule there becomes a registered check ``analysis.<name>``: every
sentence of the one parsed document (headings and table rows are sentences too) is
matched against the rule's groups of patterns. What the prompts need is whether, and
how much, the review does something (analyses missed opportunities, cites interviews,
examines partnership work...), so the summary counts sentences per group and the
findings quote them as evidence. A rule with ``within: <check>`` reads only the sentences
that check found (``within: judgements``: what the judgements are about), and is
registered as reading it, so it runs after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sfo_nlp import rules
from sfo_nlp.checks.registry import register
from sfo_nlp.checks.actions_plan import table_roles
from sfo_nlp.document import CELL_SEPARATOR
from sfo_nlp.errors import SfoError
from sfo_nlp.results import CheckResult, Finding

RULE_FILE = "analysis"


@dataclass(frozen=True)
class OccurrenceRule:
    name: str
    description: str
    severity: str
    message: str
    suggestion: str | None
    groups: tuple[tuple[str, tuple[re.Pattern, ...]], ...]
    unless: tuple[re.Pattern, ...]
    sections: re.Pattern | None
    requires: re.Pattern | None = None  # a sentence must match this to count at all
    within: str | None = None  # only the sentences another check found (e.g. "judgements")
    # ``requires`` is also met, for a list item, by the lead-in paragraph the list hangs
    # from ("Interviews:" then one role per bullet)
    requires_context: bool = False
    # columns of an action-plan table this rule does not read (e.g. owner, date): an owner
    # cell naming the head of PDU is who answers for an action, not learning for the PDU
    plan_columns_ignored: frozenset[str] = frozenset()
    # patterns that keep a sentence out of one group only (``group_unless``): "I did not
    # interview Mr X" is no gap in the staff heard, though it is still about interviews
    group_unless: tuple[tuple[str, tuple[re.Pattern, ...]], ...] = ()

    def groups_in(self, text: str, context: str = "") -> list[str]:
        """Names of the groups ``text`` matches (none if an ``unless`` pattern matches).
        ``context`` (a list's lead-in, see ``requires_context``) may meet ``requires``."""
        if any(p.search(text) for p in self.unless):
            return []
        if self.requires is not None and not self.requires.search(text) and not (
                context and self.requires.search(context)):
            return []
        barred = {name for name, pats in self.group_unless if any(p.search(text) for p in pats)}
        return [name for name, pats in self.groups if name not in barred and any(p.search(text) for p in pats)]


def _compile(patterns, where: str) -> tuple[re.Pattern, ...]:
    try:
        return tuple(re.compile(p, re.I) for p in patterns or ())
    except re.error as exc:
        raise SfoError(f"rules/{RULE_FILE}.yaml: bad pattern in {where}: {exc}") from exc


@lru_cache(maxsize=None)
def load_rules() -> dict[str, OccurrenceRule]:
    out = {}
    for name, spec in (rules.load(RULE_FILE).get("checks") or {}).items():
        if spec.get("type") != "occurrence":
            continue
        out[name] = OccurrenceRule(
            name=name,
            description=spec["description"],
            severity=spec.get("severity", "info"),
            message=spec["message"],
            suggestion=spec.get("suggestion"),
            groups=tuple((g, _compile(p, f"{name}.{g}")) for g, p in spec["groups"].items()),
            unless=_compile(spec.get("unless"), f"{name}.unless"),
            sections=re.compile(spec["sections"], re.I) if spec.get("sections") else None,
            requires=_compile([spec["requires"]], f"{name}.requires")[0] if spec.get("requires") else None,
            within=spec.get("within"),
            requires_context=bool(spec.get("requires_context")),
            plan_columns_ignored=frozenset(spec.get("plan_columns_ignored") or ()),
            group_unless=tuple((g, _compile(p, f"{name}.group_unless.{g}"))
                               for g, p in (spec.get("group_unless") or {}).items()),
        )
    return out


@lru_cache(maxsize=None)
def not_review_text() -> tuple[re.Pattern, ...]:
    """Patterns of blocks that are no part of the review (``not_review_text``: the
    fictional corpus's test-material notice), which no analysis check reads."""
    return _compile(rules.load(RULE_FILE).get("not_review_text"), "not_review_text")


def is_review_text(block) -> bool:
    return not any(p.search(getattr(block, "text", "") or "") for p in not_review_text())


def _units(doc, ignored: frozenset[str] = frozenset()):
    """(start, end, block, text) of each sentence, and of each row of a table: a table is
    one block, and a whole table would be a useless quote. Rows come from the table itself,
    not from the sentence splitter, which cuts a row at the full stop inside a cell. In an
    action-plan table the header row is not read ("Area" is a column, not a region), nor
    are the ``ignored`` columns (their cells are blanked, so offsets still quote the row)."""
    seen_tables: set[int] = set()
    tables = {t.block: t for t in doc.tables if t.block >= 0}
    for sent in doc.sentences:
        block = doc.blocks[sent.block] if sent.block >= 0 else None
        if block is None:
            continue
        if block.type != "table" or block.id not in tables:
            yield sent.start, sent.end, block, doc.text[sent.start : sent.end]
            continue
        if block.id in seen_tables:
            continue
        seen_tables.add(block.id)
        yield from _table_rows(doc, tables[block.id], block, ignored)


def _table_rows(doc, table, block, ignored: frozenset[str]):
    first, blank = 0, set()
    plan = table_roles(doc, table)  # the plan finder's own reading, headerless plans too
    if plan is not None:
        roles, first = plan
        blank = {i for role, i in roles.items() if role in ignored}
    for r in range(first, len(table.rows)):
        row = table.rows[r]
        start = block.start + table.cell_offset(r, 0)
        text = CELL_SEPARATOR.join(" " * len(c) if i in blank else c.replace("\n", " ") for i, c in enumerate(row))
        lead, end = len(text) - len(text.lstrip()), len(text.rstrip())
        if end > lead:
            yield start + lead, start + end, block, text[lead:end]


def _context(doc, block) -> str:
    """For a list item, the lead-in its list hangs from: the nearest block before the run
    of list items, when it is a paragraph ending with a colon ("Interviews:")."""
    if block.type != "list_item":
        return ""
    i = block.id - 1
    while i >= 0 and doc.blocks[i].type == "list_item":
        i -= 1
    lead = doc.blocks[i] if i >= 0 else None
    return lead.text if lead is not None and lead.type == "paragraph" and lead.text.rstrip().endswith(":") else ""


def _found_by(result: CheckResult, doc):
    """(start, end, block, text) of each located finding of another check: ``within`` asks
    what those sentences say (e.g. which judgements judge policy), not every sentence."""
    for f in result.findings:
        if f.start is not None and f.end is not None and f.block is not None and 0 <= f.block < len(doc.blocks):
            yield f.start, f.end, doc.blocks[f.block], doc.text[f.start : f.end]


def run_occurrence(rule: OccurrenceRule, doc, ctx=None) -> CheckResult:
    check_id = f"analysis.{rule.name}"
    findings: list[Finding] = []
    by_group = {name: 0 for name, _ in rule.groups}
    if rule.within is not None:
        if ctx is None or rule.within not in ctx.results:
            raise SfoError(f"analysis.{rule.name} reads {rule.within}, which did not run")
        units = _found_by(ctx.results[rule.within], doc)
    else:
        units = _units(doc, rule.plan_columns_ignored)
    for start, end, block, text in units:
        if not is_review_text(block):
            continue
        if rule.sections is not None and not rule.sections.search(block.section or ""):
            continue
        found = rule.groups_in(text, _context(doc, block) if rule.requires_context else "")
        if not found:
            continue
        for g in found:
            by_group[g] += 1
        findings.append(
            Finding.at(
                doc, start, end, check_id, rule.severity,
                rule.message.format(groups=", ".join(g.replace("_", " ") for g in found)),
                suggestion=rule.suggestion, data={"groups": found},
            )
        )
    found_groups = [g for g, n in by_group.items() if n]
    summary = {
        "count": len(findings),
        "by_group": by_group,
        "groups_found": found_groups,
        "groups_missing": [g for g, n in by_group.items() if not n],
        "share": round(len(found_groups) / len(by_group), 3) if by_group else 0.0,
    }
    return CheckResult(check_id, findings, summary)


def _register_all() -> None:
    for name, rule in load_rules().items():
        def check(doc, ctx, _rule=rule) -> CheckResult:
            return run_occurrence(_rule, doc, ctx)

        check.__doc__ = rule.description
        register(f"analysis.{name}", rule.description, reads=(rule.within,) if rule.within else ())(check)


_register_all()
