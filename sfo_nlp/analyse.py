"""The pipeline's front door: a review in, a DRAFT ``Analysis`` out.

``analyse_document`` runs every registered check once over the one parsed document
(each check reads the others' results through the shared context), then answers the
prompts of the chosen standards from those results. The batch command, the web app
and ``sfo-nlp analyse`` all come through here, so they cannot disagree.
"""

from __future__ import annotations

import time
from pathlib import Path

from sfo_nlp import checks
from sfo_nlp.document import ReviewDocument
from sfo_nlp.results import Analysis
from sfo_nlp.settings import Settings
from sfo_nlp.standards import STANDARDS_VERSIONS, answer_standards, load_standards


def analyse_document(doc: ReviewDocument, standards: str = "2023", settings: Settings | None = None) -> Analysis:
    spec = load_standards(standards)  # refuse an unknown version before the slow part
    ctx = checks.CheckContext(settings=settings or Settings.from_env(), options={"standards": standards})
    results, warnings = _run_checks_isolated(doc, ctx)
    answers, ratings = answer_standards(spec, doc, results)
    return Analysis(
        source=doc.source,
        sha256=doc.sha256,
        standards_version=spec.version,
        metadata=dict(doc.metadata),
        pages=doc.page_count,
        checks=dict(results),
        answers=answers,
        ratings=ratings,
        warnings=list(doc.warnings) + warnings + _shape_warnings(doc),
    )


def _shape_warnings(doc: ReviewDocument) -> list[str]:
    """A note, a letter or an empty file still gets drafts; say plainly they mean little.
    The test is batch's own (corpus/review_shape.py), so the two cannot disagree; the
    wording starts "this does not look like" because stores of schema 1 are migrated by
    that prefix."""
    from sfo_nlp.corpus.review_shape import shape_problem
    from sfo_nlp.ingest.pages import joined_reviews

    problem = shape_problem(doc)
    # several reviews joined into one file (QA 9): here, so every command and the web page say it
    joined = joined_reviews(doc)
    return ([f"this {problem}: the DRAFT answers and ratings below mean little"] if problem else []) + (
        [joined] if joined else [])


def _run_checks_isolated(doc: ReviewDocument, ctx) -> tuple[dict, list[str]]:
    """Run every check once; one check failing on one document must not sink the rest
    (a batch of 500 reviews would stop). Its prompts become not_evidenced and the
    failure is reported as a warning. SFO_NLP_DEBUG=1 re-raises for developers.

    Where a second core is free (sfo_nlp/parallel.py), a forked child runs the victims
    checks while this process runs the rest; results and warnings come out in the same
    order as a one-process run."""
    from sfo_nlp import nlp, parallel
    from sfo_nlp.checks import registry

    order = registry._ordered([c.id for c in checks.all_checks()])
    nlp.require(registry.needs_of())  # the one parse must serve every check
    outcomes: dict[str, tuple] = {}
    child_ids = _child_checks(order)
    if child_ids and parallel.available():
        doc.spacy  # noqa: B018 - parse before forking, so the child inherits the Doc
        mine = [s for s in order if s.id not in child_ids]
        theirs = [s for s in order if s.id in child_ids]
        own, other = parallel.run_split(lambda: _run_specs(doc, mine, ctx), lambda: _run_specs(doc, theirs, ctx))
        outcomes.update(own)
        outcomes.update(other)
    else:
        outcomes = _run_specs(doc, order, ctx)
    results: dict = {}
    warnings: list[str] = []
    for spec in order:
        result, warning = outcomes[spec.id]
        if result is not None:
            results[spec.id] = result
        if warning:
            warnings.append(warning)
    ctx.results.clear()
    ctx.results.update(results)
    return ctx.results, warnings


# The victims checks read no other check and take about half of the checks' time; the
# others stay with the process that holds the trained models.
CHILD_FAMILY = "victims."


def _child_checks(order) -> set[str]:
    """Ids a child can run on its own: the family's checks whose reads it runs too and
    which no check left in the parent reads."""
    child = {s.id for s in order if s.id.startswith(CHILD_FAMILY)}
    changed = True
    while changed:
        changed = False
        for s in order:
            inside = s.id in child
            if (inside and any(d not in child for d in s.reads)) or (
                    not inside and any(d in child for d in s.reads)):
                child.discard(s.id if inside else next(d for d in s.reads if d in child))
                changed = True
    return child


def _run_specs(doc: ReviewDocument, specs, ctx) -> dict[str, tuple]:
    """check id -> (CheckResult or None, warning or None), running ``specs`` in order."""
    import os

    out: dict[str, tuple] = {}
    for spec in specs:
        if any(dep not in ctx.results for dep in spec.reads):
            out[spec.id] = (None, f"check {spec.id} skipped: a check it reads did not run")
            continue
        try:
            checks.run_checks(doc, [spec.id], ctx)
            out[spec.id] = (ctx.results[spec.id], None)
        except Exception as exc:  # noqa: BLE001 - isolate a failing check, report it
            if os.environ.get("SFO_NLP_DEBUG"):
                raise
            ctx.results.pop(spec.id, None)
            out[spec.id] = (None, f"check {spec.id} failed ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})")
    return out


def analyse_path(
    path: str | Path, password: str | None = None, standards: str = "2023", settings: Settings | None = None
) -> tuple[ReviewDocument, Analysis]:
    load_standards(standards)
    doc = _read_and_parse(path, password, settings)
    return doc, analyse_document(doc, standards=standards, settings=settings)


# Share of a long review's text the child parses. The child reads the file while this
# process loads the trained models; since neither waits for the other any more (see
# parallel.Forked) both start parsing within about 0.3 s on the 40-page benchmark review.
# Loading spaCy in the child instead of before forking gained nothing measurable there,
# and each process then holds its own copy of the pipeline.
CHILD_PARSE_SHARE = 0.5


def _read_and_parse(path: str | Path, password: str | None, settings: Settings | None) -> ReviewDocument:
    """Read the file, and parse a long one, using both cores of a fresh process.

    A forked child reads the file while this process loads the trained models (neither
    needs the other); the child hands the document over, then parses the second part of
    its text while this process parses the first. A file the child cannot read is read
    again here, which raises the usual clear error; any other failure of the child means
    this process does the child's share itself. Elsewhere the parse happens on first use.
    """
    from sfo_nlp import nlp, parallel
    from sfo_nlp.checks import registry
    from sfo_nlp.ingest import guards, load

    def read() -> ReviewDocument:
        return load(path, password=password, settings=settings)

    def child():
        doc = read()
        yield doc
        split = nlp.split_point(doc, CHILD_PARSE_SHARE)
        if split is not None:
            yield split, nlp.parse_part(doc, split, len(doc.text)).to_bytes()

    if not parallel.available():
        return read()
    # A missing, empty or wrong-type file is refused at once, not after loading the models.
    guards.check_file(Path(path), settings or Settings.from_env())
    nlp.get_nlp(registry.needs_of())  # before forking: the child parses with it too
    try:
        job = parallel.Forked(child)
    except OSError:  # no memory or process slots for a child: one process it is
        return read()
    try:
        _load_trained_models()
        limit = (settings or Settings.from_env()).max_seconds
        try:
            doc = job.next(timeout=limit + 30 if limit > 0 else 3600)
        except parallel.ChildFailed:
            return read()
        split = nlp.split_point(doc, CHILD_PARSE_SHARE)
        if split is not None:
            started = time.monotonic()
            first = nlp.parse_part(doc, 0, split)
            try:
                their_split, second = job.next(timeout=30 + 4 * (time.monotonic() - started))
                if their_split != split:
                    raise parallel.ChildFailed("the child split the text elsewhere")
            except parallel.ChildFailed:
                second = nlp.parse_part(doc, split, len(doc.text))
            nlp.join(doc, first, second)
        return doc
    finally:
        job.close()


def _load_trained_models() -> None:
    from sfo_nlp.learn import infer

    for kind in ("judgements", "actions"):
        infer.load_model(kind)


def file_sha256(path: str | Path) -> str:
    import hashlib

    from sfo_nlp.errors import InputError

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def stored_or_analyse(path: str | Path, store, standards: str = "2023", password: str | None = None) -> dict:
    """The stored result for this exact file (by SHA-256) or a fresh analysis, saved.

    The inspector confirms against the same draft that was saved, so a re-run of
    ``confirm`` or ``export`` never silently changes the drafts being agreed with.
    """
    load_standards(standards)
    sha = file_sha256(path)
    result = store.get_analysis(sha, standards)
    if result is None:
        doc, analysis = analyse_path(path, password=password, standards=standards)
        store.save_analysis(analysis, doc, path)
        result = analysis.to_dict()
    return result
__all__ = ["STANDARDS_VERSIONS", "analyse_document", "analyse_path", "file_sha256", "stored_or_analyse"]
