"""How faithfully the built corpus PDFs/DOCX ingest, measured against their Markdown sources.

For every corpus_samples/reviews/{pdf,docx}/sfo-NN.* with a source src/sfo-NN.md:
  blocks   share of the source's blocks (type + first 60 characters of text) found in
           order in the built file (contents pages and title lines exist only in the
           built file, so they are not counted against it)
  words    word-multiset difference between source and built text, as a share of the
           source's words (contents pages count here)
  tables   row counts equal to the source's tables
  notes    footnotes found / linked to a marker

    python bench/ingest_fidelity.py [--verbose]
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = ROOT / "corpus_samples" / "reviews"
MARKER = re.compile(r"\[\^[^\]]+\]")


def signature(doc) -> list[tuple]:
    out = []
    for b in doc.blocks:
        if b.type == "table":
            out.append(("table", len(doc.tables[b.table].rows)))
        else:
            out.append((b.type, " ".join(MARKER.sub("", b.text).split())[:60]))
    return out


def words(text: str) -> Counter:
    return Counter(re.findall(r"[A-Za-z]+|\d+", MARKER.sub("", text)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true", help="show the blocks that differ")
    args = ap.parse_args(argv)
    from sfo_nlp.ingest import load

    totals = Counter()
    print(f"{'file':<16}{'blocks':>8}{'words':>8}{'tables':>8}{'notes':>8}  pages")
    for src in sorted(REVIEWS.glob("src/*.md")):
        md = load(src)
        for fmt in ("pdf", "docx"):
            built = REVIEWS / fmt / f"{src.stem}.{fmt}"
            if not built.exists():
                continue
            doc = load(built)
            a, b = signature(md), signature(doc)
            sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
            matched = sum(m.size for m in sm.get_matching_blocks())
            wa, wb = words(md.text), words(doc.text)
            wdiff = sum(((wa - wb) + (wb - wa)).values()) / max(1, sum(wa.values()))
            tables_ok = [len(t.rows) for t in doc.tables] == [len(t.rows) for t in md.tables]
            linked = sum(bool(f.markers) for f in doc.footnotes)
            print(f"{built.name:<16}{matched / len(a):>8.1%}{wdiff:>8.1%}{'ok' if tables_ok else 'DIFF':>8}"
                  f"{f'{linked}/{len(md.footnotes)}':>8}  {doc.page_count}")
            totals.update(files=1, blocks=len(a), matched=matched, tables_ok=tables_ok,
                          notes=len(md.footnotes), linked=linked)
            if args.verbose:
                for op, i1, i2, j1, j2 in sm.get_opcodes():
                    if op != "equal":
                        print(f"    {op}: {a[i1:i2][:3]} -> {b[j1:j2][:3]}")
    if totals["files"]:
        print(f"\n{totals['files']} files: {totals['matched']}/{totals['blocks']} source blocks recovered "
              f"({totals['matched'] / totals['blocks']:.1%}); tables equal in {totals['tables_ok']} files; "
              f"footnotes linked {totals['linked']}/{totals['notes']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
