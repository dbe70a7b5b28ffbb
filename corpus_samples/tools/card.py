"""Prints the figures in the reviews data card (corpus_samples/README.md) as Markdown.

    python corpus_samples/tools/card.py

Everything is read from the gold files, the sources and the built PDFs, so the card's
tables can be regenerated whenever a review is added or changed.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

from build import REVIEWS  # noqa: E402
from source import read_review, words  # noqa: E402

STANDARDS = ("analysis", "judgements", "learning", "victims")
RATING = {3: "Outstanding", 2: "Good", 1: "Requires improvement", 0: "Inadequate"}


def pdf_pages(path: Path) -> int | str:
    if not path.exists():
        return "-"
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def plan_pages(path: Path) -> str:
    """Pages the action plan table runs over in the built PDF, as ingestion reads them
    (the last table whose header mentions an action or recommendation)."""
    if not path.exists():
        return "-"
    from sfo_nlp.ingest import load

    plans = [t for t in load(path).tables if any(w in " ".join(t.header).lower() for w in ("action", "recommendation"))]
    if not plans:
        return "-"
    pages = plans[-1].pages
    return f"{pages[0]}-{pages[-1]}" if len(pages) > 1 else str(pages[0])


def rows() -> list[dict]:
    out = []
    for gold_path in sorted((REVIEWS / "gold").glob("sfo-*.yaml")):
        gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
        src = REVIEWS / "src" / f"{gold_path.stem}.md"
        review = read_review(src)
        meta = gold.get("metadata") or {}
        out.append(
            {
                "id": gold["id"],
                "offence": meta.get("offence", ""),
                "sentence": meta.get("sentence_type", meta.get("sentence", "")),
                "region": meta.get("region", ""),
                "rosh": meta.get("rosh_level", ""),
                "mappa": f"{meta.get('mappa_category') or '-'}/{meta.get('mappa_level') or '-'}",
                "style": review.style,
                "pages": pdf_pages(REVIEWS / "pdf" / f"{gold_path.stem}.pdf"),
                "plan": plan_pages(REVIEWS / "pdf" / f"{gold_path.stem}.pdf"),
                "words": len(words(review)),
                "ratings": gold["ratings"],
                "composite": gold["composite"],
                "split": gold["split"],
                "gold": gold,
            }
        )
    return out


def main() -> int:
    data = rows()
    print("| Review | Offence | Sentence | Region | RoSH | MAPPA cat/level | Style | Pages | Plan on pages | Words | A | J | L | V | Composite | Split |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in data:
        rt = r["ratings"]
        print(
            f"| {r['id']} | {r['offence']} | {r['sentence']} | {r['region']} | {r['rosh']} | {r['mappa']} | {r['style']} "
            f"| {r['pages']} | {r['plan']} | {r['words']} | {rt['analysis']} | {rt['judgements']} | {rt['learning']} | {rt['victims']} "
            f"| {r['composite']['score']} {r['composite']['label']} | {r['split']} |"
        )
    spanning = sum("-" in r["plan"] and r["plan"] != "-" for r in data)
    print(f"\nAction plan tables running across pages: {spanning} of {len(data)} reviews.")
    print()
    print("| Rating | " + " | ".join(STANDARDS) + " | composite |")
    print("|---|---|---|---|---|---|")
    composite = Counter(r["composite"]["label"] for r in data)
    for score in (3, 2, 1, 0):
        counts = [sum(r["ratings"][s] == score for r in data) for s in STANDARDS]
        print(f"| {RATING[score]} | " + " | ".join(map(str, counts)) + f" | {composite.get(RATING[score], 0)} |")
    print()
    split = Counter((r["split"], r["composite"]["label"]) for r in data)
    print("| Split | reviews | Outstanding | Good | Requires improvement | Inadequate |")
    print("|---|---|---|---|---|---|")
    for name in ("train", "test"):
        total = sum(v for (s, _), v in split.items() if s == name)
        print(f"| {name} | {total} | " + " | ".join(str(split.get((name, RATING[k]), 0)) for k in (3, 2, 1, 0)) + " |")
    print()
    golds = [r["gold"] for r in data]
    judgements = [j for g in golds for j in g["judgements"]]
    actions = [a for g in golds for a in g["actions"]]
    print("| Gold labels | count |")
    print("|---|---|")
    print(f"| judgement sentences | {len(judgements)} |")
    for key in ("target", "polarity"):
        for value, n in sorted(Counter(j[key] for j in judgements).items()):
            print(f"| judgements, {key} = {value} | {n} |")
    print(f"| judgements citing evidence / explaining why | {sum(j['evidence'] for j in judgements)} / {sum(j['why'] for j in judgements)} |")
    print(f"| non-judgements (evaluative-looking) | {sum(len(g['non_judgements']) for g in golds)} |")
    print(f"| actions | {len(actions)} |")
    for key in ("specific", "measurable", "owner", "time_bound", "developmental"):
        print(f"| actions, {key} | {sum(bool(a[key]) for a in actions)} |")
    for value, n in sorted(Counter(a["level"] for a in actions).items()):
        print(f"| actions, level = {value} | {n} |")
    print(f"| personal data items | {sum(len(g['personal_data']) for g in golds)} |")
    print(f"| insensitive phrases | {sum(len(g['insensitive']) for g in golds)} |")
    print(f"| unexplained / explained terms | {sum(len(g['unexplained_terms']) for g in golds)} / {sum(len(g['explained_terms']) for g in golds)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
