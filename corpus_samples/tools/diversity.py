"""Report label counts and text diversity for the labelled judgement and action data.

    python corpus_samples/tools/diversity.py              # full plain-text report
    python corpus_samples/tools/diversity.py --markdown   # the section pasted into DATA_CARD.md
    python corpus_samples/tools/diversity.py --json       # machine-readable
    python corpus_samples/tools/diversity.py --update-card  # rewrite that section in DATA_CARD.md

Near-duplicates are pairs whose TF-IDF character n-gram (3-5, word-bounded) cosine
similarity is at or above the threshold (0.85 by default). Pairs that fall in different
splits are leakage and are reported separately. Every figure here is computed from the
JSONL files, so the data card's numbers can be reproduced by re-running this command.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

LABELLED = Path(__file__).resolve().parents[1] / "labelled"
FILES = {"judgements": LABELLED / "judgements.jsonl", "actions": LABELLED / "actions.jsonl"}
CARD = LABELLED / "DATA_CARD.md"
CARD_START, CARD_END = "<!-- diversity:start -->", "<!-- diversity:end -->"
DEFAULT_THRESHOLD = 0.85
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Surface cues a model could learn instead of the label: the report shows how often a
# sentence containing each cue is a judgement, so the data card can state the bias.
CUES = ["did not", "should have", "should ", "told me", "told us", "there was no", "good practice", "%", "was not"]
SIMILAR_BAND = 0.70
RELABEL = LABELLED / "agreement" / "relabel_sample.txt"
# The fictional reviews' gold files (another part of corpus_samples) are merged into training
# by `sfo-nlp train`, so leakage is also checked between them and this data.
GOLD_DIR = LABELLED.parent / "reviews" / "gold"
CODE_TARGET = {"I": "individual", "M": "management", "S": "system", "P": "partnership"}  # pairs between this and the threshold are listed as a count only

# Label fields counted for each file; booleans are counted as the number of True values.
LABEL_FIELDS = {
    "judgements": ["is_judgement", "target", "polarity", "evidence", "why", "significance"],
    "actions": ["specific", "measurable", "owner", "time_bound", "level", "developmental", "strength"],
}


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def distinct_n(texts: list[str], n: int) -> float:
    """Distinct n-grams divided by total n-grams over the whole file (Li et al., 2016)."""
    grams = Counter()
    for text in texts:
        toks = tokens(text)
        grams.update(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))
    total = sum(grams.values())
    return round(len(grams) / total, 3) if total else 0.0


def near_duplicates(records: list[dict], threshold: float) -> list[tuple[float, dict, dict]]:
    """All pairs with char n-gram TF-IDF cosine >= threshold, most similar first."""
    return similar_pairs(records, threshold)


def similar_pairs(records: list[dict], threshold: float) -> list[tuple[float, dict, dict]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [r["text"] for r in records]
    if len(texts) < 2:
        return []
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True).fit_transform(texts)
    sims = (matrix @ matrix.T).tocoo()
    pairs = [
        (round(float(v), 3), records[i], records[j])
        for i, j, v in zip(sims.row, sims.col, sims.data)
        if i < j and v >= threshold
    ]
    return sorted(pairs, key=lambda p: -p[0])


def label_counts(records: list[dict], fields: list[str]) -> dict:
    counts = {}
    for field in fields:
        values = [r.get(field) for r in records]
        if all(isinstance(v, bool) for v in values):
            counts[field] = {"true": sum(values), "false": len(values) - sum(values)}
        else:
            counts[field] = dict(sorted(Counter("null" if v is None else v for v in values).items()))
    return counts


def cue_rates(records: list[dict]) -> dict:
    """For each cue: how many sentences contain it and what share of those are judgements."""
    rates = {}
    for cue in CUES:
        hits = [r for r in records if cue in r["text"].lower()]
        if hits:
            rates[cue.strip()] = {"n": len(hits), "judgement_share": round(sum(r["is_judgement"] for r in hits) / len(hits), 2)}
    return rates


def summarise(kind: str, records: list[dict], threshold: float) -> dict:
    texts = [r["text"] for r in records]
    lengths = [len(tokens(t)) for t in texts]
    openings = Counter(" ".join(tokens(t)[:3]) for t in texts)
    band = similar_pairs(records, min(SIMILAR_BAND, threshold))
    dups = [p for p in band if p[0] >= threshold]
    similar = [p for p in band if p[0] < threshold]
    return {
        "records": len(records),
        "groups": len({r["group"] for r in records}),
        "by_split": dict(sorted(Counter(r["split"] for r in records).items())),
        "by_register": dict(sorted(Counter(r["register"] for r in records).items())),
        "labels": label_counts(records, LABEL_FIELDS[kind]),
        "labels_by_split": {
            split: label_counts([r for r in records if r["split"] == split], LABEL_FIELDS[kind])
            for split in ("train", "test")
        },
        "length_words": {
            "mean": round(statistics.mean(lengths), 1) if lengths else 0,
            "sd": round(statistics.pstdev(lengths), 1) if lengths else 0,
            "min": min(lengths, default=0),
            "max": max(lengths, default=0),
        },
        "distinct": {f"distinct_{n}": distinct_n(texts, n) for n in (1, 2, 3)},
        "top_openings": openings.most_common(10),
        "similar_band": {
            "from": SIMILAR_BAND,
            "pairs": len(similar),
            "within_group": sum(a["group"] == b["group"] for _, a, b in similar),
            "cross_split": sum(a["split"] != b["split"] for _, a, b in similar),
        },
        "cue_rates": cue_rates(records) if kind == "judgements" else {},
        "near_duplicates": [
            {"similarity": s, "a": a["id"], "b": b["id"], "a_text": a["text"], "b_text": b["text"],
             "cross_split": a["split"] != b["split"]}
            for s, a, b in dups
        ],
    }


def _code(record: dict) -> str:
    """A stored sentence label in the re-labelling notation: N, or target letter + polarity letter."""
    if not record["is_judgement"]:
        return "N"
    return record["target"][0].upper() + record["polarity"][0]


def relabel_agreement(records: list[dict]) -> dict | None:
    """Agreement between a blind re-labelling of a random sample and the labels stored at the
    time (frozen in the file), plus how many of those stored labels were corrected since."""
    if not RELABEL.exists():
        return None
    from sklearn.metrics import cohen_kappa_score

    current = {r["id"]: _code(r) for r in records}
    rows = [line.split() for line in RELABEL.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    again, stored = [r[1] for r in rows], [r[2] for r in rows]
    both = [(a, b) for a, b in zip(again, stored) if a != "N" and b != "N"]
    judged_a, judged_b = [a != "N" for a in again], [b != "N" for b in stored]
    return {
        "n": len(rows),
        "is_judgement_agreement": round(sum(x == y for x, y in zip(judged_a, judged_b)) / len(rows), 3),
        "is_judgement_kappa": round(float(cohen_kappa_score(judged_a, judged_b)), 3),
        "target_agreement_when_both_judgements": round(sum(a[0] == b[0] for a, b in both) / len(both), 3),
        "target_kappa_when_both_judgements": round(float(cohen_kappa_score([a[0] for a, _ in both], [b[0] for _, b in both])), 3),
        "polarity_agreement_when_both_judgements": round(sum(a[1] == b[1] for a, b in both) / len(both), 3),
        "full_label_agreement": round(sum(a == b for a, b in zip(again, stored)) / len(rows), 3),
        "disagreements": [r for r in rows if r[1] != r[2]],
        "corrected_since": sum(current.get(r[0]) != r[2] for r in rows),
    }


def gold_items(kind: str) -> list[dict]:
    """Sentences or actions from the review gold files, as records with the review's split."""
    import yaml

    items = []
    for path in sorted(GOLD_DIR.glob("*.yaml")):
        try:
            gold = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue  # a gold file being rewritten by its owner; checked on the next run
        entries = (gold.get("judgements") or []) + [{"text": t} for t in gold.get("non_judgements") or []] \
            if kind == "judgements" else gold.get("actions") or []
        for n, entry in enumerate(entries):
            text = entry.get("text") if isinstance(entry, dict) else None
            if text:
                items.append({"id": f"{gold.get('id', path.stem)}#{n}", "text": text,
                              "split": gold.get("split", "train"), "group": path.stem})
    return items


def gold_leakage(kind: str, records: list[dict], threshold: float) -> dict:
    """Near-duplicates between this data and the review gold files across train/test."""
    gold = gold_items(kind)
    pairs = [(s, a, b) for s, a, b in similar_pairs(records + gold, threshold)
             if (a in records) != (b in records) and a["split"] != b["split"]]
    return {"gold_items": len(gold), "cross_split_pairs": [
        {"similarity": s, "a": a["id"], "b": b["id"], "a_text": a["text"], "b_text": b["text"]} for s, a, b in pairs]}


def report(threshold: float) -> dict:
    result = {kind: summarise(kind, load(path), threshold) for kind, path in FILES.items()}
    result["judgements"]["relabel_agreement"] = relabel_agreement(load(FILES["judgements"]))
    for kind, path in FILES.items():
        result[kind]["gold_leakage"] = gold_leakage(kind, load(path), threshold)
    return result


def _fmt_counts(counts: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def to_markdown(result: dict, threshold: float) -> str:
    lines = [
        "<!-- generated by: python corpus_samples/tools/diversity.py --markdown -->",
        f"Near-duplicate threshold: TF-IDF char 3-5-gram cosine >= {threshold}.",
        "",
    ]
    for kind, data in result.items():
        lines += [f"#### {kind}.jsonl", ""]
        lines.append(f"- records: {data['records']} in {data['groups']} groups; "
                     f"split: {_fmt_counts(data['by_split'])}; register: {_fmt_counts(data['by_register'])}")
        for field, counts in data["labels"].items():
            per_split = "; ".join(
                f"{split}: {_fmt_counts(data['labels_by_split'][split][field])}" for split in ("train", "test")
            )
            lines.append(f"- {field}: {_fmt_counts(counts)} ({per_split})")
        length = data["length_words"]
        lines.append(f"- length in words: mean {length['mean']}, sd {length['sd']}, min {length['min']}, max {length['max']}")
        lines.append("- " + ", ".join(f"{k} {v}" for k, v in data["distinct"].items()))
        cross = sum(d["cross_split"] for d in data["near_duplicates"])
        lines.append(f"- near-duplicate pairs: {len(data['near_duplicates'])} (across train/test: {cross})")
        for dup in data["near_duplicates"]:
            mark = " CROSS-SPLIT" if dup["cross_split"] else ""
            lines.append(f"  - {dup['similarity']} {dup['a']} / {dup['b']}{mark}: \"{dup['a_text']}\" / \"{dup['b_text']}\"")
        band = data["similar_band"]
        lines.append(f"- similar pairs {band['from']} to {threshold}: {band['pairs']} "
                     f"(same group: {band['within_group']}, across train/test: {band['cross_split']})")
        if data["cue_rates"]:
            lines.append("- share of sentences containing a cue that are judgements: " + "; ".join(
                f"\"{cue}\" {v['judgement_share']} (n={v['n']})" for cue, v in data["cue_rates"].items()))
        lines.append("- most repeated openings (first 3 words): "
                     + "; ".join(f"\"{o}\" {c}" for o, c in data["top_openings"]))
        leak = data["gold_leakage"]
        # The gold files' size is left out: it changes with the reviews, not with this data.
        lines.append(f"- near-duplicates across train/test with the review gold files: {len(leak['cross_split_pairs'])}")
        for dup in leak["cross_split_pairs"]:
            lines.append(f"  - {dup['similarity']} {dup['a']} / {dup['b']}: \"{dup['a_text']}\" / \"{dup['b_text']}\"")
        agreement = data.get("relabel_agreement")
        if agreement:
            lines.append(
                f"- re-labelling agreement (blind second pass by the same writer, {agreement['n']} random sentences, "
                f"corpus_samples/labelled/agreement/relabel_sample.txt): is_judgement {agreement['is_judgement_agreement']} "
                f"(kappa {agreement['is_judgement_kappa']}); target when both judgements "
                f"{agreement['target_agreement_when_both_judgements']} (kappa {agreement['target_kappa_when_both_judgements']}); "
                f"polarity when both judgements {agreement['polarity_agreement_when_both_judgements']}; "
                f"full label {agreement['full_label_agreement']}; disagreements "
                + ", ".join(f"{i} {a}/{b}" for i, a, b in agreement["disagreements"])
                + f" (second pass/stored); stored labels corrected since: {agreement['corrected_since']}")
        lines.append("")
    return "\n".join(lines)


def to_text(result: dict, threshold: float) -> str:
    # The plain report is the markdown without the comment line; one format to maintain.
    return "\n".join(l for l in to_markdown(result, threshold).splitlines() if not l.startswith("<!--"))


def update_card(section: str) -> int:
    """Swap the text between the card's markers for a fresh report (atomically)."""
    try:
        card = CARD.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {CARD.name}: {exc}", file=sys.stderr)
        return 2
    before, start, rest = card.partition(CARD_START)
    _, end, after = rest.partition(CARD_END)
    if not start or not end:
        print(f"error: {CARD.name} lacks the {CARD_START} ... {CARD_END} markers", file=sys.stderr)
        return 2
    tmp = CARD.with_suffix(".md.tmp")
    tmp.write_text(f"{before}{CARD_START}\n{section}\n{CARD_END}{after}", encoding="utf-8")
    tmp.replace(CARD)
    print(f"updated {CARD.name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--markdown", action="store_true", help="print the data card section")
    fmt.add_argument("--json", action="store_true", help="print the report as JSON")
    fmt.add_argument("--update-card", action="store_true", help="replace the generated section of DATA_CARD.md")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="near-duplicate cosine threshold")
    args = parser.parse_args(argv)
    if not 0 < args.threshold <= 1:
        print("error: --threshold must be in (0, 1]", file=sys.stderr)
        return 2
    try:
        result = report(args.threshold)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: cannot read labelled data: {exc}", file=sys.stderr)
        return 2
    if args.update_card:
        return update_card(to_markdown(result, args.threshold))
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    elif args.markdown:
        print(to_markdown(result, args.threshold))
    else:
        print(to_text(result, args.threshold))
    return 0


if __name__ == "__main__":
    sys.exit(main())
