"""The benchmark: one run measures stage times, pages per second, peak memory, the cost of
a full analysis against plain pdfplumber, and batch scaling from 1 to 2 workers.

    python bench/run.py                         # 40-page PDF + 200-review batch; writes bench/RESULTS.md
    python bench/run.py --pdf REVIEW.pdf        # take a review instead of generating one
    python bench/run.py --reviews 20 --results /tmp/r.md   # a quicker, smaller run

Inputs are generated deterministically: the 40-page PDF by tests/docgen.py's
``long_review``; the batch from the fictional corpus sources (corpus_samples/reviews/src)
rendered by the corpus's own PDF and DOCX renderers (three PDFs to one DOCX), each copy
with its title numbered and sentences from other reviews added at random to about a
third of its paragraphs, so every file has a different hash and different text.

Every timed command runs as a fresh process (model load included), as a user would run
it; a child's peak memory comes from ``os.wait4``'s rusage, and a batch worker's from
the batch's own JSON summary (each worker reports its ``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_TOOLS = ROOT / "corpus_samples" / "tools"
CORPUS_SRC = ROOT / "corpus_samples" / "reviews" / "src"
BIN = Path(sys.executable).parent
TARGET_RATIO, AIM_RATIO, TARGET_SPEEDUP, TARGET_WORKER_MB = 1.5, 1.0, 1.7, 1024

PDFPLUMBER = (
    "import sys, pdfplumber\n"
    "with pdfplumber.open(sys.argv[1]) as pdf:\n"
    "    text = [page.extract_text() for page in pdf.pages]\n"
)


# -- inputs ---------------------------------------------------------------------------
def make_long_pdf(path: Path, pages: int) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    import docgen

    blocks, notes = docgen.long_review(pages=pages)
    return docgen.make_pdf(path, blocks, notes)


def make_batch(folder: Path, n: int, seed: int = 2024) -> list[Path]:
    """``n`` reviews from the corpus sources, each with varied text (so every hash differs)."""
    sys.path.insert(0, str(CORPUS_TOOLS))
    import copy

    from render_docx import render_docx
    from render_pdf import render_pdf
    from source import read_review

    sources = [read_review(p) for p in sorted(CORPUS_SRC.glob("sfo-*.md"))]
    if not sources:
        raise SystemExit(f"error: no corpus sources in {CORPUS_SRC}")
    pool = [s.strip() + "." for r in sources for b in r.blocks if b.kind == "paragraph"
            for s in b.text.split(". ") if 40 < len(s) < 240 and "[^" not in s]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        review = copy.deepcopy(sources[i % len(sources)])
        review.title = f"{review.title} (benchmark copy {i + 1})"
        for b in review.blocks:
            if b.kind == "paragraph" and rng.random() < 0.33:
                b.text = b.text + " " + rng.choice(pool)
        as_docx = i % 4 == 3
        path = folder / f"bench-{i + 1:03d}-{review.id}.{'docx' if as_docx else 'pdf'}"
        path.write_bytes(render_docx(review) if as_docx else render_pdf(review))
        files.append(path)
    return files


# -- fresh-process timing -------------------------------------------------------------
def timed(cmd: list[str]) -> dict:
    """Run ``cmd`` as a fresh process: wall seconds, peak memory, exit code, stderr."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd)} exited {proc.returncode}: {err.strip()[-300:]}")
    # wait4's rusage covers the child and the children it reaped (a batch's workers).
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "stderr": err}


def ratio_runs(pdf: Path, repeat: int, work: Path) -> dict:
    analyse = [str(BIN / "sfo-nlp"), "analyse", str(pdf), "--format", "json", "--output", str(work / "a.json")]
    plumber = [sys.executable, "-c", PDFPLUMBER, str(pdf)]
    runs = {"analyse": [], "pdfplumber": []}
    for _ in range(repeat):  # alternate, so load on the shared machine hits both alike
        runs["analyse"].append(timed(analyse))
        runs["pdfplumber"].append(timed(plumber))
    med = {k: statistics.median(r["wall_s"] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r["cpu_s"] for r in v) for k, v in runs.items()}
    return {
        "analyse_cpu_median_s": round(cpu["analyse"], 2),
        "pdfplumber_cpu_median_s": round(cpu["pdfplumber"], 2),
        "cpu_ratio": round(cpu["analyse"] / cpu["pdfplumber"], 2),
        "analyse_s": [round(r["wall_s"], 2) for r in runs["analyse"]],
        "pdfplumber_s": [round(r["wall_s"], 2) for r in runs["pdfplumber"]],
        "analyse_median_s": round(med["analyse"], 2),
        "pdfplumber_median_s": round(med["pdfplumber"], 2),
        "ratio": round(med["analyse"] / med["pdfplumber"], 2),
        "analyse_peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs["analyse"]), 1),
        "pdfplumber_peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs["pdfplumber"]), 1),
    }


def batch_run(folder: Path, workers: int, work: Path) -> dict:
    db, out = work / f"batch-{workers}.sqlite", work / f"batch-{workers}.json"
    for p in (db, out):
        p.unlink(missing_ok=True)
    r = timed([str(BIN / "sfo-nlp"), "batch", str(folder), "--db", str(db), "--workers", str(workers),
               "--format", "json", "--output", str(out), "--quiet"])
    summary = json.loads(out.read_text())["summary"]
    per_worker = summary["peak_memory_mb_per_worker"]
    return {
        "workers": workers, "wall_s": round(r["wall_s"], 1), "cpu_s": round(r["cpu_s"], 1),
        "worker_cpu_s": sorted(summary.get("cpu_seconds_per_worker", {}).values()), "files": summary["files"],
        "analysed": summary["analysed"], "failed": summary["failed"],
        "reviews_per_s": round(summary["files"] / r["wall_s"], 3),
        "worker_peak_mb": sorted(per_worker.values()), "parent_peak_mb": round(r["peak_rss_mb"], 1),
    }


def themes_run(db: Path, work: Path) -> dict:
    """``sfo-nlp themes`` over the batch's store: every paragraph lemmatised, NMF fitted 5 times."""
    out = work / "themes"
    r = timed([str(BIN / "sfo-nlp"), "themes", "--db", str(db), "--output-dir", str(out), "--format", "json",
               "--output", str(work / "themes.json")])
    data = json.loads((work / "themes.json").read_text())
    return {"wall_s": round(r["wall_s"], 1), "peak_rss_mb": round(r["peak_rss_mb"], 1), "reviews": data["reviews"],
            "paragraphs": data["paragraphs"],
            "stability": data["discovery"]["stability_mean_best_match_cosine"],
            "topics": len(data["discovery"]["topics"])}


def stage_run(pdf: Path) -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "stages.py"), str(pdf), "--profile", "12"],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"error: bench/stages.py failed: {out.stderr.strip()[-300:]}")
    return json.loads(out.stdout)


# -- report ---------------------------------------------------------------------------
def machine() -> dict:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = f"{int(fh.readline().split()[1]) / 1048576:.0f} GiB"
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(terse=True), "load_average": os.getloadavg()}


def busy_seconds() -> tuple[float, float]:
    """(CPU seconds the whole machine has been busy, CPU seconds this run has used), so a
    run can tell how much of the machine other processes took while it ran."""
    import resource

    ticks = os.sysconf("SC_CLK_TCK")
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return float("nan"), 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    own = sum(getattr(resource.getrusage(who), a) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for a in ("ru_utime", "ru_stime"))
    return (sum(fields[:8]) - idle) / ticks, own


def machine_note(res: dict) -> str:
    (busy0, own0), (busy1, own1) = res["busy_before"], res["busy_after"]
    wall = res["wall_s"]
    others = max(0.0, (busy1 - busy0) - (own1 - own0))
    share = others / (wall * res["machine"]["cpus"]) if wall else 0.0
    measured = (f"other processes used {others:.0f} CPU-seconds during the {wall / 60:.1f}-minute run, "
                f"{share:.0%} of the machine's {res['machine']['cpus']} CPUs (from /proc/stat, less this run's own CPU)")
    if share >= 0.10:
        return (f"**The machine was shared**: {measured}, so wall times are noisy and likely pessimistic; "
                "the ratio alternates its two commands so both see similar load.")
    return f"The machine was otherwise idle: {measured}."


def render(res: dict) -> str:
    st, ra = res["stages"], res["ratio"]
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{res['command']}` on {res['when']} "
        f"({res['machine']['cpus']} CPUs, {res['machine']['memory']}, Python {res['machine']['python']}).",
        "",
        machine_note(res),
        "",
        f"## 1. One {st['pages']}-page review PDF ({st['words']} words): stage times",
        "",
        "One fresh process (`bench/stages.py`), every stage in that one process (`SFO_NLP_REVIEW_WORKERS=1`) "
        "so that each stage's time is its whole cost; each check timed through its registered function.",
        "",
        "| stage | seconds |",
        "| --- | ---: |",
    ]
    for k, v in sorted(st["stages_s"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v:.3f} |")
    lines += [
        f"| **pipeline (ingest to report)** | **{st['pipeline_s']:.2f}** |",
        "",
        f"- Pages per second (ingest to report, model already loaded): **{st['pages_per_second']}**",
        f"- Peak memory of that process (ru_maxrss): **{st['peak_rss_mb']:.0f} MB**",
    ]
    if "cpu_s_all_stages" in st:
        gap = ("(more CPU than wall time: the process ran more than one thread at a time)"
               if st["cpu_s_all_stages"] > st["wall_s_all_stages"]
               else "(the gap is time spent waiting for a CPU)")
        lines.append(f"- All stages above: {st['wall_s_all_stages']:.1f} s wall, {st['cpu_s_all_stages']:.1f} s CPU {gap}")
    for k, v in st["comparison_s"].items():
        lines.append(f"- Same file, same process: {k}: {v:.2f} s")
    lines += [
        "",
        "## 2. Full `sfo-nlp analyse` against plain pdfplumber `extract_text` (fresh processes)",
        "",
        f"Both commands run {len(ra['analyse_s'])} times, alternating; medians compared. Model load and "
        "imports included, as a user would see them. `sfo-nlp analyse` uses two processes for one review "
        "(sfo_nlp/parallel.py), so its CPU time (all processes) exceeds its wall time on an idle machine.",
        "",
        "| command | wall, each run (s) | wall median (s) | CPU median (s) | peak memory (MB) |",
        "| --- | --- | ---: | ---: | ---: |",
        f"| `sfo-nlp analyse FILE --format json` | {', '.join(map(str, ra['analyse_s']))} | "
        f"{ra['analyse_median_s']} | {ra.get('analyse_cpu_median_s', '-')} | {ra['analyse_peak_rss_mb']:.0f} |",
        f"| pdfplumber `extract_text` on every page | {', '.join(map(str, ra['pdfplumber_s']))} | "
        f"{ra['pdfplumber_median_s']} | {ra.get('pdfplumber_cpu_median_s', '-')} | {ra['pdfplumber_peak_rss_mb']:.0f} |",
        "",
        f"**Ratio analyse / pdfplumber: {ra['ratio']}x** wall time (target <= {TARGET_RATIO}x, aim < {AIM_RATIO}x): "
        + ("meets the target" if ra["ratio"] <= TARGET_RATIO else "**misses the target**")
        + (" and the aim." if ra["ratio"] < AIM_RATIO else "."),
    ]
    if "cpu_ratio" in ra:
        lines.append(f"By CPU time of all processes, which other load on the machine disturbs less: "
                     f"**{ra['cpu_ratio']}x** (the work done, not the wait: analyse runs on two cores).")
    lines.append("")
    if res.get("batch"):
        b1, b2 = res["batch"]
        speedup = b1["wall_s"] / b2["wall_s"]
        worst = max(b1["worker_peak_mb"] + b2["worker_peak_mb"])
        lines += [
            f"## 3. Batch of {b1['files']} reviews: 1 and 2 workers",
            "",
            f"`sfo-nlp batch DIR --workers N` on {b1['files']} generated reviews (PDF and DOCX, corpus text "
            "varied per copy), a fresh database each time.",
            "",
            "| workers | wall (s) | reviews/s | CPU, all processes (s) | CPU per worker (s) | analysed | failed "
            "| peak MB per worker | parent peak MB |",
            "| ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: |",
        ]
        for b in (b1, b2):
            lines.append(f"| {b['workers']} | {b['wall_s']} | {b['reviews_per_s']} | {b.get('cpu_s', '-')} | "
                         f"{', '.join(f'{c:.0f}' for c in b.get('worker_cpu_s', []))} | {b['analysed']} | "
                         f"{b['failed']} | {', '.join(f'{m:.0f}' for m in b['worker_peak_mb'])} | "
                         f"{b['parent_peak_mb']:.0f} |")
        lines += [
            "",
            f"**Speed-up 1 -> 2 workers: {speedup:.2f}x** wall time (target >= {TARGET_SPEEDUP}x): "
            + ("meets the target." if speedup >= TARGET_SPEEDUP else "**misses the target**.")
            + f" Peak memory per worker: {worst:.0f} MB (target <= {TARGET_WORKER_MB} MB): "
            + ("meets the target." if worst <= TARGET_WORKER_MB else "**misses the target**."),
        ]
        if b1.get("cpu_s") and b2.get("cpu_s"):
            lines.append(
                f"CPU cost of running two workers instead of one: {b2['cpu_s'] / b1['cpu_s']:.2f}x the CPU seconds. "
                f"On an idle two-core machine that bounds the speed-up at about "
                f"{2 * b1['cpu_s'] / b2['cpu_s']:.2f}x (2 x CPU(1 worker) / CPU(2 workers), ignoring the idle tail "
                "when one worker finishes first); the wall-time figure above is what this run measured.")
        lines.append("")
    if res.get("themes"):
        th = res["themes"]
        lines += [
            f"## 4. Themes over the batch's store",
            "",
            f"`sfo-nlp themes --db STORE --output-dir DIR` over {th['reviews']} reviews ({th['paragraphs']} "
            f"paragraphs): **{th['wall_s']} s**, peak memory {th['peak_rss_mb']:.0f} MB; {th['topics']} "
            f"discovered topics, stability {th['stability']} (mean best-match cosine over 5 seeds; the batch is "
            "copies of a few corpus reviews, so its topics say little about real themes).",
            "",
        ]
    lines += ["## Where the time goes (cProfile, cumulative seconds, profiler overhead included)", ""]
    for stage, rows in st.get("profiles", {}).items():
        lines += [f"### {stage}", "", "| function | calls | cumulative (s) | own (s) |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| `{r['function']}` | {r['calls']} | {r['cumulative_s']} | {r['own_s']} |" for r in rows]
        lines.append("")
    if res.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in res["notes"]] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="sfo-nlp benchmark (see bench/RESULTS.md)")
    ap.add_argument("--pdf", type=Path, help="a review PDF to use instead of generating one")
    ap.add_argument("--pages", type=int, default=40, help="pages of the generated review")
    ap.add_argument("--reviews", type=int, default=200, help="reviews in the batch (0: skip the batch)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command for the ratio")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    ap.add_argument("--json", type=Path, help="also write the raw results as JSON here")
    ap.add_argument("--work", type=Path, help="folder for generated inputs (default: a temporary one)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="sfo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {"command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                 "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
                 "load_before": os.getloadavg(), "busy_before": busy_seconds(), "notes": []}
    started = time.monotonic()
    res["command"] = res["command"].strip()
    pdf = args.pdf or make_long_pdf(work / f"long-{args.pages}.pdf", args.pages)
    if not pdf.is_file():
        raise SystemExit(f"error: {pdf}: no such file")
    print(f"stages on {pdf} ...", file=sys.stderr)
    res["stages"] = stage_run(pdf)
    print("analyse vs pdfplumber ...", file=sys.stderr)
    res["ratio"] = ratio_runs(pdf, args.repeat, work)
    if args.reviews:
        folder = work / "batch"
        if folder.exists():
            shutil.rmtree(folder)
        print(f"generating {args.reviews} reviews ...", file=sys.stderr)
        make_batch(folder, args.reviews)
        res["batch"] = []
        for n in (1, 2):
            print(f"batch with {n} worker(s) ...", file=sys.stderr)
            res["batch"].append(batch_run(folder, n, work))
        print("themes over the batch ...", file=sys.stderr)
        res["themes"] = themes_run(work / "batch-2.sqlite", work)
    res["load_after"] = os.getloadavg()
    res["busy_after"], res["wall_s"] = busy_seconds(), time.monotonic() - started
    text = render(res)
    tmp = args.results.with_suffix(".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.results)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
