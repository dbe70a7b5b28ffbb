"""Find a review's action plan and read it row by row.

The plan is usually a table (already merged across pages by ingestion, with each row's
page), its columns named differently in every review: "Action | Owner | Level | Target
date | Measure of impact", "Recommendation | Lead | By when | How will we know", ... so
columns are mapped by the meaning of their header words (rules/smart.yaml ``columns``),
and by their content when a header says nothing (a column of dates is the date column).
A table with no header row is read by its cells alone (a column of dates, one of owners,
one of long text) when the plan's heading or the paragraph before it introduces it.
Without a table, the plan is the numbered or bulleted items under an action, learning or
recommendation heading (Word list items, or plain paragraphs starting with a typed "1.",
"(a)" or bullet), or failing those the rows of a plan table flattened to lines of text
under the plan's heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sfo_nlp import rules
from sfo_nlp.document import ReviewDocument, Table
from sfo_nlp.ingest.pdf import BULLET, NUMBERED_ITEM
from sfo_nlp.learn import cues
from sfo_nlp.learn.dates import parse_date

# Order matters: "Action owner" is an owner column and "How impact will be measured" a
# measure column although both contain words of other roles.
ROLE_ORDER = ("number", "measure", "date", "owner", "level", "status", "action")
FIELDS = ("owner", "level", "date", "measure", "status")
# plus "addressee" for list items: the body a lead-in above the list addresses


@dataclass
class PlanItem:
    text: str
    start: int  # offsets of the action text in ReviewDocument.text
    end: int
    page: int
    row: int | None = None  # 1-based row of the table body, or None for list items
    table: int | None = None
    fields: dict[str, str] = field(default_factory=dict)  # owner, level, date, measure, status cells


@dataclass
class ActionPlan:
    items: list[PlanItem]
    source: str | None  # "table" | "list" | None (no plan found)
    columns: dict[str, str] = field(default_factory=dict)  # role -> header as written


_MOSTLY = 0.6  # share of a column's filled cells that must fit for its content to name it


def _mostly(rows: list[list[str]], col: int, fits) -> bool:
    cells = [r[col] for r in rows if col < len(r) and r[col].strip()]
    return bool(cells) and sum(bool(fits(c)) for c in cells) >= _MOSTLY * len(cells)


def plan_headings() -> re.Pattern:
    """Headings of the sections that hold the plan or the learning (rules/smart.yaml)."""
    return re.compile(rules.load("smart")["plan_headings"], re.IGNORECASE)


def _patterns() -> dict[str, re.Pattern]:
    cols = rules.load("smart")["columns"]
    return {role: re.compile(cols[role], re.IGNORECASE) for role in ROLE_ORDER}


def map_columns(header: list[str], body: list[list[str]]) -> dict[str, int]:
    """Role -> column index, from the header words and, failing that, the cells."""
    pats = _patterns()
    roles: dict[str, int] = {}
    for i, h in enumerate(header):
        for role in ROLE_ORDER:
            if role not in roles and pats[role].search(h.strip()):
                roles[role] = i
                break
            if role == "action" and role in roles and _STRONG_ACTION.search(h) \
                    and not _STRONG_ACTION.search(header[roles[role]]):
                # "Learning point | Action | Lead": the column headed "Action" holds the
                # actions, the learning-point column only their references
                roles[role] = i
                break
    free = [i for i in range(len(header)) if i not in roles.values()]
    if "date" not in roles:  # a column whose cells are mostly dates
        for i in free:
            if _mostly(body, i, lambda c: parse_date(c) is not None):
                roles["date"] = i
                free.remove(i)
                break
    if "action" not in roles and free and len(set(roles) & {"owner", "level", "measure"}) >= 2:
        # a plan whose action header says nothing: the wordiest remaining column
        roles["action"] = max(free, key=lambda i: sum(len(r[i]) for r in body if i < len(r)))
    return roles


_STRONG_ACTION = re.compile(r"action|recommendation|what (we )?will", re.IGNORECASE)

# A table typed with no header row has only its cells to go on: an owner cell is a few words
# naming a role ("Head of PDU", "SPO North team"); an action cell is a sentence.
_OWNER_CELL_WORDS = 12
_ACTION_CELL_WORDS = 6


def _owner_cell(cell: str) -> bool:
    return len(cell.split()) <= _OWNER_CELL_WORDS and bool(cues.owner_pattern().search(cell))


def _mean_words(rows: list[list[str]], col: int) -> float:
    words = [len(r[col].split()) for r in rows if col < len(r) and r[col].strip()]
    return sum(words) / len(words) if words else 0.0


def _content_roles(rows: list[list[str]]) -> dict[str, int]:
    """Action, owner and date columns from the cells alone, or {} when one is missing."""
    width = max(len(r) for r in rows)
    date = map_columns([""] * width, rows).get("date")  # an empty header: the column of dates
    free = [i for i in range(width) if i != date]
    owner = next((i for i in free if _mostly(rows, i, _owner_cell)), None)
    if date is None or owner is None:
        return {}
    free.remove(owner)
    action = max(free, key=lambda i: _mean_words(rows, i), default=None)
    if action is None or _mean_words(rows, action) < _ACTION_CELL_WORDS:
        return {}
    return {"action": action, "owner": owner, "date": date}


def _introduced_as_plan(doc: ReviewDocument, table: Table) -> bool:
    """Is the table under a plan or learning heading, or right after a paragraph that names
    the actions ("... the actions below are agreed")? A Word file typed without heading
    styles may have no heading above it at all."""
    pat = plan_headings()
    block = doc.blocks[table.block]
    before = doc.blocks[table.block - 1] if table.block > 0 else None
    return bool(pat.search(block.section or "")) or (
        before is not None and before.type in ("paragraph", "heading") and bool(pat.search(before.text)))


def _cell(row: list[str], col: int) -> str:
    return row[col] if col < len(row) else ""


def table_roles(doc: ReviewDocument, table: Table) -> tuple[dict[str, int], int] | None:
    """(role -> column, first row of actions) of a plan table, or None for another table.
    A table whose first row is already an action (its date cell is a date, which a header
    never is) is mapped by content and read from that row."""
    roles = map_columns(table.header, table.body)
    if is_plan_table(roles, table, doc.blocks[table.block].section or ""):
        return roles, table.header_rows
    roles = _content_roles(table.rows)
    if roles and parse_date(_cell(table.rows[0], roles["date"])) is not None and _introduced_as_plan(doc, table):
        return roles, 0
    return None


def _has_plan_columns(roles: dict[str, int]) -> bool:
    return bool(set(roles) & {"owner", "level", "measure"})


# A section headed as the plan itself (not "Learning"): its table of actions is the plan even
# with no owner or date column, which is what a weak plan looks like ("No. | Area | What
# will happen" under "Action plan").
_PLAN_SECTION = re.compile(r"(action|recommendation|next steps|improvement plan)", re.IGNORECASE)


def is_plan_table(roles: dict[str, int], table: Table, section: str = "") -> bool:
    """An action column plus an owner, level or measure column; a date alone is not enough
    (a chronology "Date | Event" or a signature block "Role | Name | Date" has one)."""
    if "action" not in roles or not table.body:
        return False
    if _has_plan_columns(roles) or _PLAN_SECTION.search(section or ""):
        return True
    return "date" in roles and bool(_STRONG_ACTION.search(table.header[roles["action"]]))


def _table_items(doc: ReviewDocument, table: Table, roles: dict[str, int], first: int) -> list[PlanItem]:
    block = doc.blocks[table.block]
    items = []
    col = roles["action"]
    for r, row in enumerate(table.rows):
        if r < first or col >= len(row) or not row[col].strip():
            continue
        text = row[col].strip()
        start = block.start + table.cell_offset(r, col) + (len(row[col]) - len(row[col].lstrip()))
        # cells spanning lines were flattened to spaces in the block text: quote what is there
        quoted = doc.text[start:start + len(text)]
        fields = {f: row[roles[f]].strip() for f in FIELDS if f in roles and roles[f] < len(row)}
        page = table.row_pages[r] if r < len(table.row_pages) else block.page
        items.append(PlanItem(quoted, start, start + len(text), page, r - first + 1, table.id, fields))
    return items


def _list_items(doc: ReviewDocument) -> list[PlanItem]:
    heading = plan_headings()
    under = [b for b in doc.blocks if _is_item(b) and b.section and heading.search(b.section)]
    # prefer items under an action/recommendation heading over items under "learning"
    preferred = [b for b in under if _PLAN_SECTION.search(b.section or "")]
    return _items_of_list(doc, preferred or under)


# A plan table copied as text (from a PDF, or saved as plain text) keeps one row to a line:
# the action's sentence, then its short cells run on ("... risk assessments. SPO ASAP").
_ROW = re.compile(r"^(?P<action>.*[.!?])\s+(?P<cells>[^.!?]+)$", re.DOTALL)
_ROW_CELL_WORDS = 5
_MIN_ROWS = 2  # one such line is a sentence, not a plan


def _row_items(doc: ReviewDocument) -> list[PlanItem]:
    """Paragraphs under the plan's own heading shaped as flattened table rows: the action
    is the sentence, the cells after it (owner, date) cannot be told apart and are left
    out. A column-header line ("Recommendation Who When") has no sentence and is skipped."""
    rows = []
    for b in doc.blocks:
        if b.type != "paragraph" or not _PLAN_SECTION.search(b.section or ""):
            continue
        m = _ROW.match(b.text)
        if m and len(m.group("cells").split()) <= _ROW_CELL_WORDS:
            rows.append((b, m.end("action")))
    if len(rows) < _MIN_ROWS:
        return []
    return [PlanItem(b.text[:end], b.start, b.start + end, doc.page_at(b.start) or b.page) for b, end in rows]


def _plan_heading(doc: ReviewDocument, block_id: int):
    """The outermost heading above a block that names the plan ("13. Action plan" over
    "SMART actions"), or None: the heading chain is read back by level."""
    found, level = None, None
    for b in reversed(doc.blocks[:block_id]):
        if b.type != "heading":
            continue
        lvl = b.level or 1
        if level is not None and lvl >= level:
            continue
        level = lvl
        if _PLAN_SECTION.search(b.text):
            found = b
        if lvl <= 1:
            break
    return found


def _section_lists(doc: ReviewDocument, tables: list[Table]) -> list:
    """List items in the same plan section as a plan table: "13. Action plan" with bullets
    of reminders under "Learning for the practitioner" and then a table of SMART actions
    is one plan; lists in a "Learning" section before the plan section are not."""
    out, seen = [], set()
    for t in tables:
        head = _plan_heading(doc, t.block)
        if head is None or head.id in seen:
            continue
        seen.add(head.id)
        for b in doc.blocks[head.id + 1:]:
            if b.type == "heading" and (b.level or 1) <= (head.level or 1):
                break
            if _is_item(b):
                out.append(b)
    return out


def _typed_marker(block) -> int:
    """Length of the number or bullet typed at the start of a plain paragraph ("1. ", "a) ",
    "(a) ", "- ", "\u2022 "), 0 for none: a plan typed without Word's list styles is still
    a list (a Markdown file's "1." lines already are list items)."""
    if block.type != "paragraph":
        return 0
    m = NUMBERED_ITEM.match(block.text) or BULLET.match(block.text)
    return m.end() if m else 0


def _is_item(block) -> bool:
    return block.type == "list_item" or _typed_marker(block) > 0


def _items_of_list(doc: ReviewDocument, blocks: list) -> list[PlanItem]:
    lead_ins = _lead_ins(doc)
    items = []
    for b in blocks:
        skip = _typed_marker(b)
        lo, hi, fields = list_fields(b.text[skip:])
        lo, hi = lo + skip, hi + skip
        who = lead_ins.get(b.id)
        if who:  # "HM Prison and Probation Service should:" above the bullets addresses each
            fields.setdefault("owner", who)
            fields.setdefault("addressee", who)
        if hi > lo:
            items.append(PlanItem(b.text[lo:hi], b.start + lo, b.start + hi, doc.page_at(b.start + lo) or b.page,
                                  fields=fields))
    return items


# A lead-in that addresses the list below it: "HMPPS should:", "We recommend that the
# Probation Service:", "Regional probation directors must:".
_LEAD_IN = re.compile(r"^\s*(?:we recommend that\s+)?(?P<who>[A-Za-z][\w '&,-]{1,80}?)\s*"
                      r"(?:should|must|will|needs? to|is asked to|are asked to)?\s*:\s*$", re.IGNORECASE)
_NOT_ADDRESSEE = re.compile(r"\b(recommendations?|actions?|learning|summary|following|below|these|areas?)\b", re.IGNORECASE)


def _lead_ins(doc: ReviewDocument) -> dict[int, str]:
    """List item id -> the body named by the paragraph that introduces its list."""
    out: dict[int, str] = {}
    who = None
    for b in doc.blocks:
        if _is_item(b):
            if who:
                out[b.id] = who
        elif b.type == "paragraph":
            m = _LEAD_IN.match(b.text)
            who = m.group("who").strip() if m else None
            if who and (_NOT_ADDRESSEE.search(who) or not cues.owner_pattern().search(who)):
                who = None  # "The following actions:", "Next steps:" address nobody
        else:
            who = None
    return out


# "Owner: PTA." / "Target date: 31/08/24." / "By 31/08/24." parts of a list action: the
# columns of a plan written as bullets. A label is a few words ending with a colon.
_PART = re.compile(r"(?:^|(?<=\.)\s+)(?=\S)")
_LABELLED = re.compile(r"^([A-Za-z][A-Za-z /'()-]{0,30}?)\s*:\s*(.*?)\s*[.;]?\s*$", re.DOTALL)
_BY_DATE = re.compile(r"^(?:by|due(?: by)?|deadline|target date)\s+(.+?)\s*[.;]?\s*$", re.IGNORECASE | re.DOTALL)


def _field_of(label: str) -> str | None:
    if len(label.split()) > 4:
        return None
    pats = _patterns()
    for role in ROLE_ORDER:
        if pats[role].search(label.strip()):
            return role
    return None


def list_fields(text: str) -> tuple[int, int, dict[str, str]]:
    """Split a list action into its action wording (start, end offsets in ``text``) and
    the "Label: value" parts that state its columns (owner, level, date, measure, status),
    so they are read as cells, not as the action (QA bug 6)."""
    starts = [m.end() for m in _PART.finditer(text)]
    parts = [(a, b) for a, b in zip(starts, starts[1:] + [len(text)]) if text[a:b].strip()]
    fields: dict[str, str] = {}
    lo, hi = 0, len(text.rstrip())
    first_field = None
    for k, (a, b) in enumerate(parts):
        seg = text[a:b]
        m = _LABELLED.match(seg)
        role = _field_of(m.group(1)) if m else None
        if role == "action" and k == 0:  # "Action: Revise the guidance."
            lo = a + m.start(2)
            continue
        if role in FIELDS and m.group(2):
            fields.setdefault(role, m.group(2))
        else:
            d = _BY_DATE.match(seg) if k > 0 else None
            if d and parse_date(d.group(1)) is not None:
                fields.setdefault("date", d.group(1))
            else:
                continue
        if first_field is None:
            first_field = a
    if first_field is not None and first_field > lo:
        hi = len(text[:first_field].rstrip())
    return lo, hi, fields


def find_plan(doc: ReviewDocument) -> ActionPlan:
    items: list[PlanItem] = []
    columns: dict[str, str] = {}
    plans = []
    for t in doc.tables:
        if t.block < 0 or not t.rows:
            continue
        found = table_roles(doc, t)
        if found:
            plans.append((t, *found))
    # a table with owner, level or measure columns is the plan; then a "Meeting | Actions
    # agreed" table of MAPPA minutes, with only actions and dates, is part of the narrative
    if any(_has_plan_columns(roles) for _, roles, _ in plans):
        plans = [p for p in plans if _has_plan_columns(p[1])]
    for t, roles, first in plans:
        items += _table_items(doc, t, roles, first)
        if first:  # a table read from its first row has no header to name its columns
            columns = columns or {role: t.header[i] for role, i in roles.items() if i < len(t.header)}
    if items:
        items += _items_of_list(doc, _section_lists(doc, [t for t, _, _ in plans]))
        items.sort(key=lambda i: i.start)
        return ActionPlan(items, "table", columns)
    items = _list_items(doc) or _row_items(doc)
    return ActionPlan(items, "list" if items else None, {})
