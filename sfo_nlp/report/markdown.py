"""The feedback note as Markdown, ready to paste into Word."""

from __future__ import annotations

from sfo_nlp.report.note import ANSWER_WORDS, FeedbackNote, NoteItem


def _escape(text: str) -> str:
    """Review text must not turn into Markdown structure (or HTML) when pasted or rendered."""
    out = text.replace("\\", "\\\\")
    for ch in "`*_[]<>#|":
        out = out.replace(ch, "\\" + ch)
    return out


def _item(i: NoteItem) -> list[str]:
    lines = [f"- **{i.prompt_id}** {_escape(i.question)} **{ANSWER_WORDS[i.answer]}** ({i.status}). {_escape(i.reason)}"]
    for quote, page in i.quotes:
        where = f" (page {page})" if page else ""
        lines.append(f"  - \u201c{_escape(quote)}\u201d{where}")
    if i.answer != "yes" and i.fix:
        lines.append(f"  - Suggested change: {_escape(i.fix)}")
    if i.comment:
        lines.append(f"  - Inspector's comment{f' ({_escape(i.who)})' if i.who else ''}: {_escape(i.comment)}")
    return lines


def render_note_md(note: FeedbackNote) -> str:
    out = [f"# {_escape(note.title)}", "", f"> {note.notice}", "",
           f"**Composite rating:** {note.composite}  ", f"**Standards:** HMIP {note.standards_version}", ""]
    for s in note.sections:
        out += [f"## {s.number}. {s.title}: {s.rating}", "", f"_{_escape(s.rating_basis)}_", ""]
        out += ["### What met the standard", ""]
        out += [ln for i in s.met for ln in _item(i)] or ["- Nothing yet identified as meeting the standard."]
        out += ["", "### What needs to change", ""]
        out += [ln for i in s.to_change for ln in _item(i)] or ["- No changes identified."]
        out.append("")
    return "\n".join(out)
