"""The feedback note as a Word document (python-docx), same structure as the Markdown."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from sfo_nlp.report.note import ANSWER_WORDS, FeedbackNote

# Word's XML refuses control characters that a PDF's text layer can carry.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: str) -> str:
    return text.translate(_CONTROL)


def render_note_docx(note: FeedbackNote) -> bytes:
    from docx import Document

    d = Document()
    d.core_properties.title = note.title
    d.core_properties.author = "sfo-nlp (draft)"
    d.core_properties.created = datetime(2000, 1, 1, tzinfo=timezone.utc)  # no timestamps leak into the file
    d.add_heading(_clean(note.title), level=1)
    d.add_paragraph(_clean(note.notice)).runs[0].italic = True
    p = d.add_paragraph()
    p.add_run(_clean("Composite rating: ")).bold = True
    p.add_run(_clean(note.composite))
    d.add_paragraph(_clean(f"Standards: HMIP {note.standards_version}"))
    for s in note.sections:
        d.add_heading(_clean(f"{s.number}. {s.title}: {s.rating}"), level=2)
        d.add_paragraph().add_run(_clean(s.rating_basis)).italic = True
        for heading, items, empty in (
            ("What met the standard", s.met, "Nothing yet identified as meeting the standard."),
            ("What needs to change", s.to_change, "No changes identified."),
        ):
            d.add_heading(_clean(heading), level=3)
            if not items:
                d.add_paragraph(_clean(empty), style="List Bullet")
            for i in items:
                para = d.add_paragraph(style="List Bullet")
                para.add_run(_clean(f"{i.prompt_id} ")).bold = True
                para.add_run(_clean(f"{i.question} "))
                para.add_run(_clean(f"{ANSWER_WORDS[i.answer]} ({i.status}). ")).bold = True
                para.add_run(_clean(i.reason))
                for quote, page in i.quotes:
                    where = f" (page {page})" if page else ""
                    d.add_paragraph(_clean(f"\u201c{quote}\u201d{where}"), style="List Bullet 2")
                if i.answer != "yes" and i.fix:
                    d.add_paragraph(_clean(f"Suggested change: {i.fix}"), style="List Bullet 2")
                if i.comment:
                    who = f" ({i.who})" if i.who else ""
                    d.add_paragraph(_clean(f"Inspector's comment{who}: {i.comment}"), style="List Bullet 2")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
