"""Reports: one ``Analysis`` rendered as text (rich), json, html, md or docx."""

from __future__ import annotations

from sfo_nlp.report.docx_note import render_note_docx
from sfo_nlp.report.html import render_html
from sfo_nlp.report.markdown import render_note_md
from sfo_nlp.report.note import build_note
from sfo_nlp.report.schema import validate
from sfo_nlp.report.text import draw_summary

__all__ = ["build_note", "draw_summary", "render_html", "render_note_docx", "render_note_md", "validate"]
