"""Draft prompt answers against the gold answers for chosen reviews of the corpus.

`sfo-nlp evaluate` scores the test split; this scores any reviews, for example train
reviews a fit left out (`python -m sfo_nlp.standards.fit --exclude ...`), or new reviews
with an older version of the tool, which is how a change is checked on reviews that
neither version was fitted on:

    python scripts/prompt_agreement.py --split train --reviews sfo-31,sfo-32
    git worktree add /tmp/old <commit>
    PYTHONPATH=/tmp/old python scripts/prompt_agreement.py --split train --reviews sfo-31,sfo-32

It uses only `gold_reviews`, `analyse_reviews` and `answers_of` from
`sfo_nlp.evaluation.prompts`, so it runs against older checkouts too. With PYTHONPATH set,
that checkout's rules and models answer (its settings point at its own folders); the
corpus read is this one unless --corpus says otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "corpus_samples"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--split", default="test")
    ap.add_argument("--reviews", default="", help="comma-separated review ids (default: every review of the split)")
    ap.add_argument("--json", type=Path, help="also write per-review, per-prompt correctness here")
    args = ap.parse_args(argv)

    import sfo_nlp
    from sfo_nlp.evaluation.prompts import analyse_reviews, answers_of, gold_reviews

    wanted = {r for r in args.reviews.split(",") if r}
    reviews = [r for r in gold_reviews(args.corpus, args.split) if not wanted or r.path.stem in wanted]
    missing = wanted - {r.path.stem for r in reviews}
    if missing or not reviews:
        print(f"error: no built review of split {args.split!r} for: {', '.join(sorted(missing)) or 'any id'}", file=sys.stderr)
        return 2
    out: dict[str, dict[str, bool]] = {}
    for rev, result in analyse_reviews(reviews):
        gold = answers_of(rev.gold["prompts"])
        out[rev.path.stem] = {a["prompt_id"]: a["answer"] == gold[a["prompt_id"]]
                              for a in result["answers"] if a["prompt_id"] in gold}
    agree = sum(sum(v.values()) for v in out.values())
    total = sum(len(v) for v in out.values())
    for rid, oks in out.items():
        print(f"{rid}: {sum(oks.values())}/{len(oks)}")
    print(f"prompt agreement: {agree}/{total} = {agree / total:.3f} ({len(out)} reviews; package {Path(sfo_nlp.__file__).parent})")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
