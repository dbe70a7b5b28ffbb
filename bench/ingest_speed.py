"""Ingestion speed: ``sfo_nlp.ingest.load`` against pdfplumber's plain ``extract_text``.

Generates a review PDF of about 40 pages (tests/docgen.py: headers, footers, footnotes,
a table spanning pages), then times, best of N runs each:
  - pdfplumber: open + ``page.extract_text()`` for every page (the baseline of issue 8)
  - load():     the whole structured ingestion (blocks, tables, footnotes, metadata)

    python bench/ingest_speed.py [--pages 40] [--repeat 3] [--pdf FILE]

Prints one line per measurement and the ratio load/pdfplumber (target < 1.0).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def plumber_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pdf", type=Path, help="time this PDF instead of a generated one")
    args = ap.parse_args(argv)

    from sfo_nlp.ingest import load

    with tempfile.TemporaryDirectory() as tmp:
        path = args.pdf
        if path is None:
            from docgen import long_review, make_pdf

            blocks, notes = long_review(pages=args.pages)
            path = make_pdf(Path(tmp) / "bench.pdf", blocks, notes)
        load(path)  # warm imports and the word list once, as a long-running process would
        doc = load(path)
        t_plumber = best_of(lambda: plumber_text(path), args.repeat)
        t_load = best_of(lambda: load(path), args.repeat)
    print(f"file: {path.name}, {doc.page_count} pages, {doc.word_count} words, "
          f"{len(doc.tables)} tables, {len(doc.footnotes)} footnotes")
    print(f"pdfplumber extract_text (all pages): {t_plumber:.3f} s")
    print(f"sfo_nlp.ingest.load():               {t_load:.3f} s")
    print(f"ratio load / pdfplumber:             {t_load / t_plumber:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
