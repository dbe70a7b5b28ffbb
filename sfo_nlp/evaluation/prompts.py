"""Evaluator "prompts": DRAFT prompt answers and ratings against the corpus gold files.

Each review of the chosen split (``corpus_samples/reviews/gold/sfo-NN.yaml`` with
``split: test`` by default) is analysed from its built PDF (the form inspectors receive;
DOCX, then the Markdown source, when the PDF is not built) and compared with the gold:
per-prompt agreement (a ``not_evidenced`` draft counts as a disagreement: gold always
answers), standard ratings exact and within one grade, and the composite band.
Targets (issue 7): prompt agreement >= 80%, ratings within one grade >= 95%.

Where a review also has a blind second reading (``reviews/second/sfo-NN.yaml``: the same
34 prompts answered by a second reader who saw neither the gold nor the drafts), the
report adds how often the two readers agree before adjudication (the ceiling any draft can
be expected to reach against one reader's answers) and the drafts' agreement with each
reading. Where the readings differed a third reader decided, and the gold file holds the
decision; ``reviews/adjudication/sfo-NN.yaml`` keeps the first reading of those prompts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sfo_nlp.evaluation import EvalContext, Metric, evaluator

PROMPT_TARGET = 0.80
WITHIN_ONE_TARGET = 0.95
STANDARD_NUMBERS = {"analysis": "1", "judgements": "2", "learning": "3", "victims": "4"}


@dataclass
class GoldReview:
    id: str
    path: Path  # the file analysed
    gold: dict
    second: dict | None = None  # a blind second reading of the prompts, when there is one
    adjudication: dict | None = None  # disputes between the readings and their decisions

    def first_reading(self) -> dict[str, str]:
        """The gold file's answers as first written, before any adjudication."""
        answers = answers_of(self.gold.get("prompts"))
        for pid, rec in ((self.adjudication or {}).get("prompts") or {}).items():
            answers[str(pid)] = _answer(rec["first"])
        return answers


def gold_reviews(corpus_dir: Path, split: str | None = "test") -> list[GoldReview]:
    """Gold files of ``split`` (None: all) that have a review file to analyse."""
    base = Path(corpus_dir) / "reviews"
    out = []
    for g in sorted((base / "gold").glob("sfo-*.yaml")):
        gold = yaml.safe_load(g.read_text(encoding="utf-8")) or {}
        if split and gold.get("split") != split:
            continue
        rid = gold.get("id", g.stem)
        second, adjudication = (_optional_yaml(base / kind / f"{rid}.yaml") for kind in ("second", "adjudication"))
        for candidate in (base / "pdf" / f"{rid}.pdf", base / "docx" / f"{rid}.docx", base / "src" / f"{rid}.md"):
            if candidate.exists():
                out.append(GoldReview(rid, candidate, gold, second, adjudication))
                break
    return out


def _optional_yaml(path: Path) -> dict | None:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


def _answer(value) -> str:
    # gold files are YAML: a bare yes/no reads as a boolean
    return {True: "yes", False: "no"}.get(value, str(value))


def answers_of(prompts: dict | None) -> dict[str, str]:
    """Prompt id -> answer of a gold or second-reading ``prompts:`` mapping (each value an
    ``{answer, rationale}`` mapping or a bare answer)."""
    return {str(k): _answer(v["answer"] if isinstance(v, dict) else v) for k, v in (prompts or {}).items()}


def compare(pairs: list[tuple[GoldReview, dict]], dataset: str) -> list[Metric]:
    """Metrics from (gold, Analysis.to_dict()) pairs."""
    per_prompt: dict[str, list[bool]] = {}
    per_standard_prompts: dict[str, list[bool]] = {}
    exact, within, composite = [], [], []
    for rev, result in pairs:
        gold_prompts = rev.gold.get("prompts") or {}
        for a in result["answers"]:
            g = gold_prompts.get(a["prompt_id"])
            if g is None:
                continue
            ok = a["answer"] == _answer(g["answer"] if isinstance(g, dict) else g)
            per_prompt.setdefault(a["prompt_id"], []).append(ok)
            per_standard_prompts.setdefault(a["standard"], []).append(ok)
        drafts = {r["standard"]: r["score"] for r in result["ratings"]}
        for key, score in (rev.gold.get("ratings") or {}).items():
            num = STANDARD_NUMBERS.get(key)
            if num in drafts:
                exact.append(drafts[num] == int(score))
                within.append(abs(drafts[num] - int(score)) <= 1)
        label = (rev.gold.get("composite") or {}).get("label")
        if label:
            composite.append(result["composite"]["label"] == label)
    everything = [ok for oks in per_prompt.values() for ok in oks]
    n_reviews = len(pairs)

    def share(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 0.0

    note = f"{n_reviews} reviews"
    out = [
        Metric("prompts", dataset, "prompt agreement (all prompts)", share(everything), len(everything), PROMPT_TARGET, note),
        Metric("prompts", dataset, "rating agreement exact", share(exact), len(exact), None, note),
        Metric("prompts", dataset, "rating agreement within one grade", share(within), len(within), WITHIN_ONE_TARGET, note),
        Metric("prompts", dataset, "composite band exact", share(composite), len(composite), None, note),
    ]
    out += _second_reader(pairs, dataset)
    for std in sorted(per_standard_prompts):
        out.append(Metric("prompts", dataset, f"prompt agreement, standard {std}", share(per_standard_prompts[std]),
                          len(per_standard_prompts[std])))
    from sfo_nlp.store import _prompt_sort_key

    for pid in sorted(per_prompt, key=_prompt_sort_key):
        out.append(Metric("prompts", dataset, f"prompt {pid} agreement", share(per_prompt[pid]), len(per_prompt[pid])))
    return out


def _second_reader(pairs: list[tuple[GoldReview, dict]], dataset: str) -> list[Metric]:
    """How far two readers agreed before adjudication, and the drafts with each reading."""
    readers, drafts_first, drafts_second, ratings_within = [], [], [], []
    read_twice = [(rev, result) for rev, result in pairs if rev.second]
    for rev, result in read_twice:
        first = rev.first_reading()
        second = answers_of(rev.second.get("prompts"))
        for a in result["answers"]:
            pid = a["prompt_id"]
            if pid in first and pid in second:
                readers.append(first[pid] == second[pid])
                drafts_first.append(a["answer"] == first[pid])
                drafts_second.append(a["answer"] == second[pid])
        first_ratings = ((rev.adjudication or {}).get("ratings") or {}).get("first") or rev.gold.get("ratings") or {}
        for key, score in (rev.second.get("ratings") or {}).items():
            if key in first_ratings:
                ratings_within.append(abs(int(score) - int(first_ratings[key])) <= 1)
    if not readers:
        return []

    def share(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 4)

    note = f"{len(read_twice)} reviews read twice, blind"
    return [
        Metric("prompts", dataset, "readers' agreement before adjudication (prompts)", share(readers), len(readers), None, note),
        Metric("prompts", dataset, "draft agreement with the first reading", share(drafts_first), len(drafts_first), None, note),
        Metric("prompts", dataset, "draft agreement with the second reading", share(drafts_second), len(drafts_second), None, note),
        Metric("prompts", dataset, "readers' ratings within one grade", share(ratings_within), len(ratings_within), None, note),
    ]


def analyse_reviews(reviews: list[GoldReview]) -> list[tuple[GoldReview, dict]]:
    from sfo_nlp.analyse import analyse_path

    return [(rev, analyse_path(rev.path)[1].to_dict()) for rev in reviews]


@evaluator("prompts")
def evaluate_prompts(ctx: EvalContext) -> list[Metric]:
    reviews = gold_reviews(ctx.corpus_dir, ctx.split)
    dataset = f"corpus-{ctx.split}"
    if not reviews:
        return [Metric("prompts", dataset, "prompt agreement (all prompts)", 0.0, 0, PROMPT_TARGET,
                       f"no gold reviews of split {ctx.split!r} with a built review file under {ctx.corpus_dir}")]
    return compare(analyse_reviews(reviews), dataset)


def diagnose(split: str, prompt_ids: list[str], version: str = "2023", only_wrong: bool = False,
             corpus_dir: Path | None = None) -> str:
    """For each review of ``split`` (train for design work: the test split is measured,
    never read), each chosen prompt's draft, the gold answer, the signal values that decided
    the draft and the inspector's rationale: what to read before changing a rule."""
    from sfo_nlp.analyse import analyse_path
    from sfo_nlp.standards import load_standards
    from sfo_nlp.standards.engine import _Missing, read_signal

    if split == "test":
        raise SystemExit("refusing to diagnose the test split: it is for measuring, not tuning")
    spec = load_standards(version)
    rules = {p["id"]: p for _, p in spec.prompts()}
    lines = []
    for rev in gold_reviews(corpus_dir or settings_corpus(), split):
        _, analysis = analyse_path(rev.path, standards=version)
        drafts = {a.prompt_id: a for a in analysis.answers}
        for pid in prompt_ids:
            g = (rev.gold.get("prompts") or {}).get(pid)
            if g is None or pid not in drafts:
                continue
            gold = _answer(g["answer"] if isinstance(g, dict) else g)
            draft = drafts[pid]
            if only_wrong and draft.answer == gold:
                continue
            values = []
            for spec_ in rules[pid]["rule"].get("signals", []):
                try:
                    sig = read_signal(spec_, analysis.checks)
                    values.append(f"{sig.name}={sig.value:g}")
                except _Missing as exc:
                    values.append(f"missing({exc})")
            mark = "ok " if draft.answer == gold else "XX "
            lines.append(f"{mark}{rev.id} {pid}: draft={draft.answer} gold={gold} [{', '.join(values)}]")
            lines.append(f"    reason: {draft.reason}")
            lines.append(f"    gold:   {g.get('rationale', '') if isinstance(g, dict) else ''}")
            for q in draft.evidence[:5]:
                lines.append(f"    quote p{q.page}: {q.quote[:160]}")
    return "\n".join(lines)


def settings_corpus() -> Path:
    from sfo_nlp import settings

    return Path(settings.CORPUS_DIR)


def main(argv: list[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(description="Per-review drafts, gold answers and signals for chosen prompts (train split).")
    ap.add_argument("--split", default="train")
    ap.add_argument("--prompt", action="append", required=True, help="prompt id (repeatable)")
    ap.add_argument("--standards", default="2023")
    ap.add_argument("--wrong", action="store_true", help="only the reviews where draft and gold disagree")
    ap.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: corpus_samples)")
    args = ap.parse_args(argv)
    print(diagnose(args.split, args.prompt, args.standards, args.wrong, args.corpus))


if __name__ == "__main__":
    main()
