"""Times each pipeline stage on one review, in this (fresh) process, and prints JSON.

    python bench/stages.py REVIEW.pdf [--profile N]

Stages: import, model load, ingest, parse (the one spaCy pass), every check, standards
(answering the prompts from the check results), report (JSON and HTML). Each check is
timed by wrapping its registered function, so the timings come from the real
``analyse_document`` path rather than a re-implementation of it. ``--profile N`` adds the
N functions with the most cumulative time in ingest and in analysis, which is how the
lead can see where time goes without editing the modules.

For comparison it also times plain pdfplumber ``extract_text`` and pypdfium2
``get_text_range`` over every page of the same file, in the same process.

Stages run one after another in this one process (``SFO_NLP_REVIEW_WORKERS=1``), so each
stage's time is its whole cost: with two processes per review (the default of
``sfo-nlp analyse``, sfo_nlp/parallel.py) the victims checks would run in a child where
they cannot be timed. ``--parallel`` keeps the default, to see the parse on two cores;
``bench/run.py`` times the fresh ``sfo-nlp analyse`` process as users run it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import sys
import time
from pathlib import Path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _top(profile: cProfile.Profile, n: int) -> list[dict]:
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    for (file, line, func), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        rows.append({"function": f"{Path(file).name}:{line}({func})", "calls": ncalls,
                     "own_s": round(tottime, 3), "cumulative_s": round(cumtime, 3)})
    return sorted(rows, key=lambda r: -r["cumulative_s"])[:n]


def run(path: Path, profile_n: int = 0) -> dict:
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}  # process CPU seconds: honest on a shared machine
    cpu0 = time.process_time()
    profiles: dict[str, list] = {}
    t = time.perf_counter()
    c = time.process_time()
    from sfo_nlp import nlp
    from sfo_nlp.analyse import analyse_document
    from sfo_nlp.checks import registry
    from sfo_nlp.ingest import load

    times["import"] = time.perf_counter() - t
    cpu["import"] = time.process_time() - c

    t = time.perf_counter()
    c = time.process_time()
    nlp.get_nlp(registry.needs_of())
    times["model load"] = time.perf_counter() - t
    cpu["model load"] = time.process_time() - c

    prof = cProfile.Profile() if profile_n else None
    t = time.perf_counter()
    c = time.process_time()
    if prof:
        prof.enable()
    doc = load(path)
    if prof:
        prof.disable()
        profiles["ingest"] = _top(prof, profile_n)
    times["ingest"] = time.perf_counter() - t
    cpu["ingest"] = time.process_time() - c

    t = time.perf_counter()
    c = time.process_time()
    doc.spacy  # noqa: B018 - the single parse every check then reads
    times["parse"] = time.perf_counter() - t
    cpu["parse"] = time.process_time() - c

    check_times: dict[str, float] = {}
    check_cpu: dict[str, float] = {}
    for spec in registry.all_checks():
        def timed(d, ctx, _fn=spec.fn, _id=spec.id):
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return _fn(d, ctx)
            finally:
                check_times[_id] = check_times.get(_id, 0.0) + time.perf_counter() - t0
                check_cpu[_id] = check_cpu.get(_id, 0.0) + time.process_time() - c0
        spec.fn = timed

    prof = cProfile.Profile() if profile_n else None
    t = time.perf_counter()
    c = time.process_time()
    if prof:
        prof.enable()
    analysis = analyse_document(doc)
    if prof:
        prof.disable()
        profiles["analysis"] = _top(prof, profile_n)
    total = time.perf_counter() - t
    total_cpu = time.process_time() - c
    for cid, secs in check_times.items():
        times[f"check {cid}"] = secs
        cpu[f"check {cid}"] = check_cpu[cid]
    times["standards"] = max(0.0, total - sum(check_times.values()))
    cpu["standards"] = max(0.0, total_cpu - sum(check_cpu.values()))

    t = time.perf_counter()
    c = time.process_time()
    result = analysis.to_dict()
    json.dumps(result, default=str)
    try:
        from sfo_nlp import report

        report.render_html(result, doc)
    except (ImportError, AttributeError):  # the HTML report may not exist in older trees
        pass
    times["report"] = time.perf_counter() - t
    cpu["report"] = time.process_time() - c
    peak = peak_rss_mb()

    comparison: dict[str, float] = {}
    comparison_cpu: dict[str, float] = {}
    if doc.format == "pdf":
        import pdfplumber
        import pypdfium2

        t = time.perf_counter()
        c = time.process_time()
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
        comparison["pdfplumber extract_text, all pages"] = time.perf_counter() - t
        comparison_cpu["pdfplumber extract_text, all pages"] = time.process_time() - c
        t = time.perf_counter()
        c = time.process_time()
        pdf = pypdfium2.PdfDocument(str(path))
        for i in range(len(pdf)):
            page = pdf[i]
            page.get_textpage().get_text_range()
        pdf.close()
        comparison["pypdfium2 get_text_range, all pages"] = time.perf_counter() - t
        comparison_cpu["pypdfium2 get_text_range, all pages"] = time.process_time() - c

    cpu_total = time.process_time() - cpu0
    pipeline = sum(v for k, v in times.items() if k not in ("import", "model load"))
    return {
        "file": str(path), "format": doc.format, "pages": doc.page_count, "words": doc.word_count,
        "stages_s": {k: round(v, 3) for k, v in times.items()},
        "stages_cpu_s": {k: round(v, 3) for k, v in cpu.items()},
        "review_workers": int(os.environ.get("SFO_NLP_REVIEW_WORKERS", "2")),
        "pipeline_s": round(pipeline, 3),
        "pages_per_second": round(doc.page_count / pipeline, 2) if pipeline else None,
        "peak_rss_mb": round(peak, 1),
        "cpu_s_all_stages": round(cpu_total, 2),
        "wall_s_all_stages": round(sum(times.values()), 2),
        "comparison_s": {k: round(v, 3) for k, v in comparison.items()},
        "comparison_cpu_s": {k: round(v, 3) for k, v in comparison_cpu.items()},
        "composite": result.get("composite"),
        "profiles": profiles,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("review", type=Path)
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="list the N costliest functions")
    ap.add_argument("--parallel", action="store_true", help="let the review use a second process (parse, checks)")
    args = ap.parse_args(argv)
    if not args.parallel:
        os.environ["SFO_NLP_REVIEW_WORKERS"] = "1"
    json.dump(run(args.review, args.profile), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
