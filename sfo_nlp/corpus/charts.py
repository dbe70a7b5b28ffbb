"""PNG charts of theme prevalence (matplotlib, Agg backend: no display, no network).

Each function returns PNG bytes so the caller decides where they go: a file in the
output folder, or a data URI inside the HTML summary.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: laptops running the CLI may have no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SEEDED, DISCOVERED = "#1f6f8b", "#c46d1f"
TARGET_COLOURS = {"individual": "#b2182b", "management": "#ef8a62", "system": "#67a9cf", "partnership": "#2166ac"}


def _png(fig) -> bytes:
    buf = io.BytesIO()
    # metadata=None-ish: no software/date stamp, so the same data gives the same bytes
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def overall_chart(rows: list[dict[str, Any]], n_reviews: int) -> bytes:
    """Horizontal bars: share of reviews in which each theme occurs (seeded and discovered)."""
    rows = sorted(rows, key=lambda r: r["share"])
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.2))
    colours = [SEEDED if r["kind"] == "seeded" else DISCOVERED for r in rows]
    ax.barh([_short(r["name"]) for r in rows], [100 * r["share"] for r in rows], color=colours)
    for y, r in enumerate(rows):
        ax.text(100 * r["share"] + 1, y, f"{r['reviews_with_theme']}/{r['reviews_in_group']}", va="center", fontsize=7)
    ax.set_xlim(0, 112)
    ax.set_xlabel(f"% of reviews (n = {n_reviews})")
    ax.set_title("Themes: share of reviews in which each occurs\n(blue: seeded taxonomy, orange: discovered)")
    ax.tick_params(axis="y", labelsize=7)
    return _png(fig)


def heatmap(rows: list[dict[str, Any]], dimension: str) -> bytes:
    """Theme x group heat map of the share of reviews, each cell labelled n/N."""
    themes = list(dict.fromkeys(r["name"] for r in rows))
    values = sorted({r["value"] for r in rows})
    share = np.zeros((len(themes), len(values)))
    label = [["" for _ in values] for _ in themes]
    for r in rows:
        i, j = themes.index(r["name"]), values.index(r["value"])
        share[i, j] = r["share"]
        label[i][j] = f"{r['reviews_with_theme']}/{r['reviews_in_group']}"
    fig, ax = plt.subplots(figsize=(1.1 * len(values) + 3.5, 0.3 * len(themes) + 1.5))
    im = ax.imshow(share * 100, cmap="Blues", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(values)), [_short(v, 18) for v in values], rotation=30, ha="right", fontsize=7)
    ax.set_yticks(range(len(themes)), [_short(t) for t in themes], fontsize=7)
    for i in range(len(themes)):
        for j in range(len(values)):
            ax.text(j, i, label[i][j], ha="center", va="center", fontsize=6,
                    color="white" if share[i, j] > 0.6 else "black")
    fig.colorbar(im, ax=ax, label="% of reviews in the group")
    ax.set_title(f"Themes by {dimension.replace('_', ' ')}")
    return _png(fig)


def target_chart(rows: list[dict[str, Any]]) -> bytes:
    """Stacked bars: whose practice the judgements in each theme's paragraphs judge."""
    themes = [t for t in dict.fromkeys(r["name"] for r in rows)
              if any(r["judgements"] for r in rows if r["name"] == t)]
    fig, ax = plt.subplots(figsize=(8, 0.32 * max(len(themes), 1) + 1.5))
    left = np.zeros(len(themes))
    for target, colour in TARGET_COLOURS.items():
        vals = np.array([next((100 * r["share"] for r in rows if r["name"] == t and r["target"] == target), 0.0)
                         for t in themes])
        ax.barh([_short(t) for t in themes], vals, left=left, color=colour, label=target)
        left += vals
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the judgements made in the theme's paragraphs")
    ax.set_title("Whose practice is judged, by theme")
    ax.legend(fontsize=7, loc="lower right")
    ax.tick_params(axis="y", labelsize=7)
    return _png(fig)


def _short(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"
