"""Reports how much of each review's source text ingestion recovers from the built files.

    python corpus_samples/tools/check_ingest.py            # every review, PDF and DOCX
    python corpus_samples/tools/check_ingest.py sfo-05     # some

For each file it prints the share of the source's words (as a multiset, lower-cased)
found in the ingested body text plus footnotes, the page count, and the numbers of
tables and footnotes ingestion found against those in the source. The test suite
requires the word share to be at least 98%.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(TOOLS.parents[1]))

from build import REVIEWS, sources  # noqa: E402
from source import read_review, words  # noqa: E402

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def overlap(source_words: list[str], ingested: str) -> float:
    have = Counter(WORD.findall(ingested.lower()))
    want = Counter(source_words)
    return sum(min(n, have[w]) for w, n in want.items()) / sum(want.values())


def main(argv: list[str]) -> int:
    from sfo_nlp.errors import SfoError
    from sfo_nlp.ingest import load

    print(f"{'review':8} {'fmt':5} {'pages':>5} {'words':>6} {'overlap':>8} {'tables':>7} {'notes':>6}")
    worst = 1.0
    for src in sources(argv or None):
        review = read_review(src)
        want_tables = sum(b.kind == "table" for b in review.blocks)
        for fmt in ("pdf", "docx"):
            path = REVIEWS / fmt / f"{src.stem}.{fmt}"
            try:
                doc = load(path)
            except (SfoError, OSError) as exc:
                print(f"{src.stem:8} {fmt:5} error: {exc}")
                worst = 0.0
                continue
            text = doc.text + " " + " ".join(f.text for f in doc.footnotes)
            share = overlap(words(review), text)
            worst = min(worst, share)
            print(
                f"{src.stem:8} {fmt:5} {doc.page_count:>5} {len(words(review)):>6} {share:>8.1%} "
                f"{len(doc.tables):>3}/{want_tables:<3} {len(doc.footnotes):>2}/{len(review.footnotes):<3}"
            )
    print(f"lowest overlap: {worst:.1%}")
    return 0 if worst >= 0.98 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
