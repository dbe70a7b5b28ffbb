"""Builds the fictional SFO review corpus: every reviews/src/*.md -> reviews/pdf/*.pdf and
reviews/docx/*.docx, deterministically (same bytes on every run).

    python corpus_samples/tools/build.py                 # build all
    python corpus_samples/tools/build.py sfo-01 sfo-07   # build some
    python corpus_samples/tools/build.py --out /tmp/x    # build elsewhere (tests)

A broken source stops the build with a one-line error and exit code 2; files are
written through a temporary name and renamed, so no half-written output is left.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

from render_docx import render_docx  # noqa: E402
from render_pdf import render_pdf  # noqa: E402
from source import SourceError, read_review  # noqa: E402

REVIEWS = TOOLS.parent / "reviews"


def sources(names: list[str] | None = None, src: Path = REVIEWS / "src") -> list[Path]:
    paths = sorted(src.glob("sfo-*.md"))
    if names:
        wanted = {n.removesuffix(".md") for n in names}
        missing = wanted - {p.stem for p in paths}
        if missing:
            raise SourceError(f"no source for: {', '.join(sorted(missing))}")
        paths = [p for p in paths if p.stem in wanted]
    return paths


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def build(paths: list[Path], out: Path = REVIEWS) -> list[tuple[Path, Path]]:
    built = []
    for path in paths:
        review = read_review(path)
        if review.id != path.stem:
            raise SourceError(f"{path.name}: front matter id '{review.id}' does not match the file name")
        # Render both before writing either, so a failure leaves the pair untouched.
        pdf, docx = render_pdf(review), render_docx(review)
        pdf_path, docx_path = out / "pdf" / f"{path.stem}.pdf", out / "docx" / f"{path.stem}.docx"
        _write(pdf_path, pdf)
        _write(docx_path, docx)
        built.append((pdf_path, docx_path))
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the fictional SFO review corpus (PDF and DOCX).")
    parser.add_argument("names", nargs="*", help="review ids to build (default: all in reviews/src)")
    parser.add_argument("--src", type=Path, default=REVIEWS / "src", help="folder of sfo-NN.md sources")
    parser.add_argument("--out", type=Path, default=REVIEWS, help="folder to write pdf/ and docx/ into")
    args = parser.parse_args(argv)
    try:
        paths = sources(args.names, args.src)
        if not paths:
            raise SourceError(f"no sfo-*.md sources in {args.src}")
        for pdf_path, _ in build(paths, args.out):
            print(f"built {pdf_path.stem}")
    except (SourceError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
