"""The ``claimflow`` Prefect flow: seeds → documents → parse → sentences →
attributions → claims → versioned tables.

Tasks work on batches of documents (Prefect costs 5-20 ms per task run and
about a second per flow run, so one task per sentence or article would cost
more than the NLP).  Each article is parsed once; the parsed ``Doc`` feeds
every stage of its batch.  A stage that fails on a batch is retried once by
Prefect, then run article by article so that only the failing articles are
left out (and recorded in ``errors``): one broken article never sinks its
batch.

Commits happen once per run, table by table in dependency order, each with
its lineage, and the ``runs`` manifest last.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import logging
import math
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor
from functools import partial

import pyarrow as pa
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner

from flows.lineage import RunConfig, code_fingerprint, code_version
from flows.memory import BATCH_CHARS, bounded_chunks, frozen_heap, release_memory
from flows.models import warm_models
from flows.plan import (
    IDENTITY_COLUMNS,
    STAGES,
    Plan,
    changed_documents,
    dirty_from,
    location,
    relocated_documents,
    unreadable_articles,
    with_stages_after,
)
from flows.report import publish_report
from flows.runners import default_workers, make_task_runner
from flows.sources import Ingested, read_seeds
from flows.stages import (
    PLAIN_STAGES,
    BatchOutput,
    Item,
    process_batch,
    rows_by_doc,
    sentence_keys,
)
from flows.storage import Catalog, Lineage, Staging, failpoint
from transforms.documents import InputProblem, documents_table
from transforms.schemas import ALL_TABLES, DATA_TABLES, ERRORS, RUNS, conform

log = logging.getLogger("claimflow")

#: The summary of the latest run that recorded itself in this process.
#: Once the ``runs`` row is in, the run's tables stand; should Prefect then
#: fail to record the flow run's end (its API went away), the flow call
#: raises, and the CLI reports the run from here instead.  One entry: a
#: process that serves a deployment runs the flow again and again.
FINISHED: collections.deque[dict] = collections.deque(maxlen=1)

#: Upstream tables each table is derived from (recorded as lineage).
UPSTREAM = {
    "documents": (),
    "sentences": ("documents",),
    "attributions": ("documents", "sentences"),
    "claims": ("documents", "sentences", "attributions"),
    "errors": (),
}

#: The stages as Prefect tasks: same functions, run as task runs.  No cache:
#: their inputs are parsed docs, and caching is keyed on tables (not here).
STAGE_TASKS = {
    name: task(fn, name=name, cache_policy=NO_CACHE, retries=1, retry_delay_seconds=0)
    for name, fn in PLAIN_STAGES.items()
}


@task(name="ingest documents", cache_policy=NO_CACHE)
def ingest(seeds_dir: str, config: RunConfig) -> Ingested:
    return read_seeds(seeds_dir, config.max_bytes)


def new_run_id(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def inputs_hash(
    documents: pa.Table, problems: Sequence[InputProblem], seeds_dir: str | None = None
) -> str:
    """Fingerprint of a run's inputs: every article's id, content hash and
    metadata (what :func:`~flows.plan.changed_documents` compares), where it
    is within the seeds folder (:func:`~flows.plan.location`, and its JSONL
    line), and every input problem (a newly broken file is a change too)."""
    digest = hashlib.sha256()
    columns = ["doc_id", *(c for c in IDENTITY_COLUMNS if c in documents.column_names)]
    places = [location(p, seeds_dir) for p in documents["source_path"].to_pylist()]
    rows = zip(
        *(documents[c].to_pylist() for c in columns),
        places,
        documents["line"].to_pylist(),
        strict=True,
    )
    digest.update(json.dumps(sorted(rows, key=str), default=str).encode())
    issues = sorted((p.source_path, p.line or 0, p.doc_id or "", p.kind) for p in problems)
    digest.update(json.dumps(issues).encode())
    return digest.hexdigest()[:16]


def carried_problems(
    catalog: Catalog, run_id: str | None, rerun: Iterable[str]
) -> list[InputProblem]:
    """The problems recorded for run ``run_id``'s tables, for a rerun of it:
    files that did not land (or landed with a warning) still did, and a
    stage failure still holds for an article the rerun does not recompute
    (one that never landed); the rerun records its own for the rest."""
    fields = ("kind", "message", "source_path", "line", "doc_id", "severity", "stage")
    recomputed = set(rerun)
    return [
        InputProblem(**{f: r[f] for f in fields})
        for r in (catalog.errors_of(run_id) if run_id else [])
        if r["kind"] != "stage_failure" or r["doc_id"] not in recomputed
    ]


def problems_table(problems: Sequence[InputProblem], run_id: str) -> pa.Table:
    return conform(
        [
            {
                "run_id": run_id,
                "source_path": p.source_path or None,
                "line": p.line,
                "doc_id": p.doc_id,
                "stage": p.stage,
                "severity": p.severity,
                "kind": p.kind,
                "message": p.message,
            }
            for p in problems
        ],
        ERRORS,
    )


@flow(
    name="claimflow",
    log_prints=False,
    # Batches go to worker processes when ``workers`` > 1 (the CLI and
    # ``serve`` pass one per core); the CLI swaps in Dask on request.
    task_runner=make_task_runner("local", default_workers()),
)
def claimflow(
    seeds_dir: str = "seeds",
    data_dir: str = "data",
    batch_size: int = 100,
    n_process: int = 1,
    max_bytes: int = 5_000_000,
    force: bool = False,
    prune: bool = False,
    stages: list[str] | None = None,
    from_run: str | None = None,
    downstream: bool = False,
    workers: int = 1,
    report: bool = True,
    stage_timeout: float | None = 120.0,
) -> dict:
    """Turn the articles under ``seeds_dir`` into versioned tables under ``data_dir``.

    Incremental: only new and changed articles are processed, and only
    their rows are replaced (one atomic commit per table).  A stage whose
    code, model or config changed is recomputed for every article.  With
    nothing changed no table gets a new version (status ``unchanged``);
    ``force`` recomputes everything; ``prune`` removes articles whose files
    are gone.

    ``report`` writes the HTML report of the run under ``<data>/report`` and
    attaches it to the Prefect run.

    ``workers`` > 1 runs batches in parallel on the flow's task runner
    (``claimflow.with_options(task_runner=...)``: processes or Dask).

    ``stage_timeout`` stops a stage that runs longer than that many seconds
    per 100,000 characters of its batch (never less): the batch's articles
    are retried one by one, and one that still hangs is recorded in
    ``errors`` instead of holding up the run.  None or 0: no limit.

    ``stages`` (e.g. ``["attributions"]``) reruns only those stages (with
    ``downstream``, also the later ones) from the table versions recorded by
    run ``from_run`` (default: the latest complete run), reusing the stored
    rows of the stages before them; the seeds folder is not read.

    Returns a summary of the run.
    """
    t0 = time.perf_counter()
    config = RunConfig(max_bytes=max_bytes)
    catalog = Catalog(data_dir)
    started = dt.datetime.now(dt.UTC)
    run = RunRecord(catalog, new_run_id(started), started, str(seeds_dir), config)
    with catalog.lock():
        run.fingerprint = code_fingerprint(config)  # loads the spaCy model
        warm_models()
        latest = catalog.latest_complete_run()
        rollback_incomplete(catalog, latest, run)
        # The run's staging folder: article texts while the run plans and
        # executes, each batch's rows until the commit.
        staging = Staging(catalog, run.run_id)
        try:
            problems: list[InputProblem] = []
            if stages:
                plan = plan_rerun(catalog, run, stages, from_run, downstream, staging)
                # The seeds are not read: the source run's problems still
                # hold, and the rerun's errors must say so.
                problems = carried_problems(catalog, run.source_run, plan.documents)
            else:
                ingested = ingest(seeds_dir, config)
                log.info(
                    "read %d files: %d articles, %d input problems",
                    ingested.n_files,
                    len(ingested.articles),
                    len(ingested.problems),
                )
                documents = documents_table(ingested.articles)
                problems = list(ingested.problems)
                run.inputs = inputs_hash(documents, problems, seeds_dir)
                retry = catalog.failed_articles()
                current = {t: _stage_current(catalog, t, catalog.version(t), run) for t in STAGES}
                # Fast path: same inputs, code and config as the latest complete
                # run, every stored table made by this code (a rerun of one
                # stage or a rollback can leave an earlier one behind), and no
                # article to retry; a prune must still look for articles whose
                # files are gone.
                if (
                    not force
                    and not prune
                    and not retry
                    and latest is not None
                    and run.same_as(latest)
                    and all(current.values())
                ):
                    log.info(
                        "nothing changed since run %s: no new table versions", latest["run_id"]
                    )
                    return run.unchanged(latest, time.perf_counter() - t0)
                plan = plan_incremental(
                    catalog,
                    documents,
                    force,
                    prune,
                    staging,
                    current,
                    retry,
                    problems,
                    seeds=(seeds_dir, latest["seeds_dir"] if latest else None),
                )
                del ingested, documents  # the texts are in staging now
                if plan.nothing_to_do and not problems:
                    log.info(
                        "no article changed since run %s: no new table versions",
                        latest["run_id"] if latest else "-",
                    )
                    return run.unchanged(latest, time.perf_counter() - t0)
            # What reading and planning freed goes back to the OS before the
            # workers start, rather than sitting beside them for the whole run.
            release_memory()
            phases = {"prepare": time.perf_counter() - t0}
            out = execute(
                catalog, plan, config, batch_size, n_process, workers, staging, stage_timeout
            )
            _release_workers()
            phases["execute"] = time.perf_counter() - t0 - sum(phases.values())
            problems += locate(out.problems, plan.documents)
            versions, run.committed, run.counts, run.failed = commit(
                catalog, plan, out, problems, run, staging
            )
            phases["commit"] = time.perf_counter() - t0 - sum(phases.values())
            out_of_date = _out_of_date_or_none(catalog, run, versions) if stages else {}
        finally:
            staging.close()
        summary = run.finish(
            "complete",
            versions,
            run.committed,
            len(plan.documents) - len(run.failed),
            sum(1 for p in problems if p.severity == "error"),
            counts=run.counts,
            changed=len(plan.changed),
            removed=len(plan.removed),
            dirty=list(plan.dirty),
            stage_seconds={k: round(v, 3) for k, v in out.seconds.items()},
            out_of_date=out_of_date,
        )
    if report:
        # Reads only; never fails the run.  Incremental runs rewrite the
        # pages of the articles they changed (and the index).
        publish_report(data_dir, summary["run_id"], only=None if plan.dirty else plan.changed)
        phases["report"] = time.perf_counter() - t0 - sum(phases.values())
    # Wall time of the run's phases (start-up before the flow body excluded).
    summary["phase_seconds"] = {k: round(v, 3) for k, v in phases.items()}
    return summary


def locate(problems: Sequence[InputProblem], documents: dict[str, dict]) -> list[InputProblem]:
    """Stage failures name the article's file and line, like input problems."""
    out = []
    for p in problems:
        row = documents.get(p.doc_id or "")
        if not p.source_path and row is not None:
            p = dataclasses.replace(p, source_path=row["source_path"], line=row.get("line"))
        out.append(p)
    return out


# ---------------------------------------------------------------- planning


def rollback_incomplete(catalog: Catalog, latest: dict | None, run: RunRecord) -> None:
    """Undo what a run that never completed committed.

    Delta has no transaction across tables, so the ``runs`` manifest is the
    unit of completeness: any table whose current version is not the one the
    latest complete run recorded was written by a run that died (or by a
    rerun from an older run) and is restored to the recorded version.
    """
    recorded = (latest or {}).get("table_versions", {})
    for table in DATA_TABLES:
        if not catalog.exists(table):
            continue
        want, current = recorded.get(table), catalog.version(table)
        if want == current:
            continue
        note = f"rollback to v{want} of the latest complete run, by run {run.run_id}"
        if want is None:
            # No code made these (no) rows: the next stage check finds the
            # table out of date and recomputes it for every article.
            empty = Lineage(run.run_id, flow_run.get_id(), {"note": note}, "", {})
            catalog.overwrite(table, ALL_TABLES[table].empty_table(), empty)
        else:
            catalog.restore(table, want, Lineage.carried(catalog.rows_lineage(table, want), note))
        log.warning(
            "rolled back %s v%s to v%s, the latest complete run's (left by a run that did "
            "not complete, or by a rerun from an older run)",
            table,
            current,
            want,
        )


def _stage_current(catalog: Catalog, table: str, version: int | None, run: RunRecord) -> bool:
    if version is None:
        return False
    recorded = catalog.rows_lineage(table, version)
    code = recorded.get("code_version") or {}
    wanted = code_version(table, run.config)
    return (
        isinstance(code, dict)
        and code.get("stage_hash") == wanted["stage_hash"]
        and code.get("model") == wanted["model"]
        and (code.get("libraries") or {}) == wanted["libraries"]
        and recorded.get("config_hash") == run.config.hash()
    )


def plan_incremental(
    catalog: Catalog,
    documents: pa.Table,
    force: bool,
    prune: bool,
    staging: Staging,
    current: Mapping[str, bool],
    retry: Iterable[str] = (),
    problems: Iterable[InputProblem] = (),
    seeds: tuple[str | None, str | None] = (None, None),
) -> Plan:
    """The articles read from the seeds, against what the stored tables hold.

    Articles whose files are gone stay in the tables (and their texts in
    the plan) unless ``prune``; those whose file is there but could not be
    read this run (an error in ``problems``) stay even then.  ``current``
    says which stage tables this code made (the first that it did not, and
    every later one, is recomputed).  Articles in ``retry`` (a stage failed
    on them last time) count as changed.  ``seeds`` are this run's seeds
    folder and the one the stored rows were read from: an article that
    moved within it (or to another JSONL line) gets its ``documents`` row
    written again.
    """
    base = {t: v for t in DATA_TABLES if (v := catalog.version(t)) is not None}
    stored = catalog.read(
        "documents",
        base.get("documents"),
        columns=("doc_id", "source_path", "line", *IDENTITY_COLUMNS),
    )
    new_ids = set(documents.column("doc_id").to_pylist())
    missing = set(stored.column("doc_id").to_pylist()) - new_ids
    unreadable = missing & unreadable_articles(stored, problems)
    gone = missing - unreadable
    if unreadable:
        log.info(
            "%d article(s) in the tables could not be read this run: kept as stored "
            "(see the errors)",
            len(unreadable),
        )
    if gone:
        log.info(
            "%d article(s) in the tables have no file under the seeds any more: %s",
            len(gone),
            "removing them (--prune)" if prune else "kept (--prune removes them)",
        )
    removed = gone if prune else set()
    kept = catalog.read("documents", base.get("documents"), doc_ids=missing - removed)
    texts = staging.texts([kept, documents])
    rows = {r["doc_id"]: r for t in (kept, documents) for r in t.drop_columns("text").to_pylist()}
    if force:
        return Plan(base, rows, texts, changed=new_ids, removed=removed, dirty=STAGES)
    retried = set(retry) & new_ids
    if retried:
        log.info("retrying %d article(s) a stage failed on last time", len(retried))
    changed = changed_documents(documents, stored) | retried
    relocated = relocated_documents(documents, stored, *seeds) - changed
    if relocated:
        log.info(
            "%d article(s) moved within the seeds (another file or line): "
            "their documents rows say where they are now",
            len(relocated),
        )
    return Plan(
        base,
        rows,
        texts,
        changed=changed,
        relocated=relocated,
        removed=removed,
        dirty=dirty_from(current),
    )


def _out_of_date_or_none(
    catalog: Catalog, run: RunRecord, versions: dict[str, int]
) -> dict[str, str]:
    """:func:`left_out_of_date`, logged; a failure to tell costs the note,
    never the rerun, whose tables are committed by now."""
    try:
        stale = left_out_of_date(catalog, run, versions)
    except Exception as exc:  # informational only
        log.warning("could not tell which tables the rerun left out of date: %s", exc)
        return {}
    for table, why in stale.items():
        log.warning("%s is out of date: %s", table, why)
    return stale


def left_out_of_date(catalog: Catalog, run: RunRecord, versions: dict[str, int]) -> dict[str, str]:
    """The stage tables a rerun of some stages left to other code, and why.

    A rerun commits only the stages it was asked for.  After a changed rule,
    a later stage still holds rows built by the old one (claims pointing at
    attribution ids that are gone); after ``train claims``, an earlier one
    holds the old model's scores (``sentences.check_worthiness``).  A
    table's code version covers the code of the stages it is built on, so
    "made by other code than this run's" finds both, and not a table whose
    upstream the rerun rewrote with the same code (same rows).  The next
    plain run recomputes them; the user should not have to find out from
    the data.
    """
    return {
        table: f"v{versions[table]} was made by other code, model or config than this rerun's"
        for table in STAGES
        if table not in run.committed
        and versions.get(table) is not None
        and not _stage_current(catalog, table, versions[table], run)
    }


def plan_rerun(
    catalog: Catalog,
    run: RunRecord,
    stages: Sequence[str],
    from_run: str | None,
    downstream: bool,
    staging: Staging,
) -> Plan:
    chosen = with_stages_after(stages, downstream)
    runs = catalog.complete_runs()
    source = (
        next((r for r in runs if r["run_id"] == from_run), None)
        if from_run
        else (runs[-1] if runs else None)
    )
    if source is None:
        raise ValueError(
            f"no complete run {from_run!r} in {catalog.data_dir}"
            if from_run
            else f"no complete run in {catalog.data_dir} to rerun from"
        )
    base = dict(source["table_versions"])
    stored = catalog.read("documents", base.get("documents"))
    texts = staging.texts([stored])
    rows = {r["doc_id"]: r for r in stored.drop_columns("text").to_pylist()}
    del stored
    log.info(
        "rerunning %s from run %s (%d articles)", ", ".join(chosen), source["run_id"], len(rows)
    )
    run.source_run = source["run_id"]
    # The rerun's tables hold the source run's articles: its inputs are the
    # source's, so a later run compares the seeds with those.
    run.inputs = source.get("inputs_hash") or ""
    # ... and its seeds folder, else the next run compares the articles'
    # places with the rerun's default and takes them all for moved.
    run.seeds_dir = source.get("seeds_dir") or run.seeds_dir
    return Plan(base, rows, texts, dirty=chosen, write_documents=False)


# ---------------------------------------------------------------- executing

#: The smallest batch the pipeline splits a run into for parallel workers.
MIN_BATCH = 25


def execute(
    catalog: Catalog,
    plan: Plan,
    config: RunConfig,
    batch_size: int,
    n_process: int,
    workers: int,
    staging: Staging,
    stage_timeout: float | None = None,
) -> BatchOutput:
    """Run the planned stages batch by batch; stored rows stand in for the
    stages a batch does not recompute.

    With one worker (or one batch) the batch runs here, one task run per
    stage.  With several, each batch is one task run submitted to the flow's
    task runner (processes or a Dask cluster), which parses and runs every
    stage of its batch on the worker: parsed docs never cross processes,
    only articles in and Arrow tables out.  Results are gathered in
    submission order, so every runner produces the same tables.

    Each batch's rows go to ``staging`` as soon as the batch is done; the
    returned output holds only problems and timings, so memory does not grow
    with the corpus.
    """
    groups = plan.groups()
    if workers > 1:
        # At least four batches per worker, so that none idles at the end;
        # never below MIN_BATCH articles, so that a small run stays in this
        # process instead of paying for worker start-up.
        n = sum(len(ids) for _, ids in groups)
        batch_size = min(batch_size, max(MIN_BATCH, math.ceil(n / (4 * workers))))
    batches = [
        (compute, chunk)
        for compute, doc_ids in groups
        for chunk in bounded_chunks(
            doc_ids, lambda d: plan.documents[d]["n_chars"], batch_size, BATCH_CHARS
        )
    ]
    total = sum(len(ids) for _, ids in batches)
    progress = _Progress(total)

    def items_of(compute: Sequence[str], ids: Sequence[str]) -> list[Item]:
        items = [_item(row) for row in plan.rows(ids)]
        _load_stored(catalog, plan, compute, items)
        return items

    out = BatchOutput()
    # A finished batch's result sits in reference cycles (the batch's docs;
    # between Prefect's and concurrent.futures' future objects), which only
    # the cycle collector frees; left to the collector's own schedule, every
    # batch's rows stayed in this process until the run ended (+44 MB at 840
    # articles, traced).  So each batch ends with a collection, made cheap by
    # freezing what the run already holds (models, the plan).
    with frozen_heap():
        if workers <= 1 or len(batches) <= 1:
            for compute, ids in batches:
                items = items_of(compute, ids)
                with _heartbeat(compute, ids):
                    result = process_batch(
                        items, config.model, n_process, STAGE_TASKS, compute, stage_timeout
                    )
                _absorb(out, staging, result)
                del items, result
                release_memory()
                progress.advance(len(ids), compute)
            return out
        # A sliding window of batches in flight: enough to keep every worker
        # busy, few enough that neither queued articles nor finished results
        # pile up in this process as the corpus grows.
        window = 2 * workers
        queue = iter(batches)
        pending: collections.deque = collections.deque()

        fallback = _Fallback(config, stage_timeout)

        def submit(n: int) -> None:
            for compute, ids in itertools.islice(queue, n):
                future = None
                if fallback.broken is None:
                    future = batch_task.submit(
                        items_of(compute, ids), config.model, compute, stage_timeout
                    )
                pending.append((compute, ids, future))

        with _workers_share_this_api():
            submit(window)
            while pending:
                compute, ids, future = pending.popleft()
                with _heartbeat(compute, ids):
                    result = fallback.result(future, partial(items_of, compute, ids), compute)
                del future
                _absorb(out, staging, result)
                del result
                release_memory()
                progress.advance(len(ids), compute)
                submit(1)
            if fallback.broken is not None:
                _end_broken_pool()
    return out


#: Seconds between the lines that say a batch is still being worked on.
HEARTBEAT_SECONDS = 60.0


@contextlib.contextmanager
def _heartbeat(compute: Sequence[str], ids: Sequence[str]) -> Iterator[None]:
    """Say every :data:`HEARTBEAT_SECONDS` which batch the run is waiting
    for: a long article otherwise looks like a hung run, with no progress
    line until its batch is done."""
    stop, t0 = threading.Event(), time.perf_counter()
    first = ids[0] if ids else "-"
    more = f" and {len(ids) - 1} more" if len(ids) > 1 else ""

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            log.info(
                "%s: still on %s%s, %.0f s",
                "+".join(compute),
                first,
                more,
                time.perf_counter() - t0,
            )

    thread = threading.Thread(target=beat, name="claimflow-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class _Fallback:
    """Where a batch whose worker failed runs instead: in this process.

    A worker process that dies takes its pool with it (``BrokenProcessPool``),
    and so does a worker's task run that exits (:class:`WorkerExited`): every
    batch still on the pool fails or never returns, and so would every batch
    submitted after.  So a broken pool is said once, the batches it held run
    here, and the ones not yet submitted are no longer sent to it.  Any other
    failure of a batch task is said per batch.
    """

    def __init__(self, config: RunConfig, stage_timeout: float | None) -> None:
        self.config, self.stage_timeout = config, stage_timeout
        #: Why the pool broke; None while it works.
        self.broken: str | None = None

    def result(
        self,
        future: PrefectFuture | None,
        items: Callable[[], list[Item]],
        compute: Sequence[str],
    ) -> BatchOutput:
        """The batch's output from its worker or, once the pool broke or when
        the batch failed there, from this process.  A batch still on a broken
        pool is not waited for: a pool whose worker's task run exited no
        longer delivers any result (see :func:`_worker_result`)."""
        if future is not None and self.broken is None:
            try:
                return _worker_result(future)
            except (BrokenProcessPool, WorkerExited) as exc:
                self.broken = str(exc)
                log.warning(
                    "%s (%s); this batch and every one after it run in this process",
                    "a worker process died"
                    if isinstance(exc, BrokenProcessPool)
                    else "a worker could not run its batch",
                    exc,
                )
            except Exception as exc:
                log.warning("batch failed on its worker (%s); running it here", exc)
        return process_batch(
            items(), self.config.model, 1, PLAIN_STAGES, compute, self.stage_timeout
        )


class WorkerExited(Exception):
    """A worker's task run ended in ``SystemExit`` (or another non-``Exception``)."""


#: Seconds between two looks at a worker's batch while the flow waits for it.
WORKER_POLL_SECONDS = 1.0


def _worker_result(future: PrefectFuture) -> BatchOutput:
    """``future.result()``, but never a wait for a task run that has ended.

    Prefect's engine in a worker process exits (``SystemExit``) when it
    cannot set a task run up, as when its API has gone away.  The process
    pool hands that back as the call's outcome, but the future Prefect's
    process pool runner gives the flow passes on only ``Exception``s, so it
    never completes (Prefect 3.9), and the exception, raised in the pool's
    own thread, ends the thread that delivers every result: the run would
    wait forever.  So every :data:`WORKER_POLL_SECONDS` the wait looks at
    the pool's own future and at that thread (:func:`_pool_delivers`), and
    raises :class:`WorkerExited` for such an outcome or for a thread that has
    ended.  Futures of other runners (Dask) are waited for plainly.
    """
    chained = getattr(getattr(future, "wrapped_future", None), "wrapped_future", None)
    if chained is None or not hasattr(chained, "_process_future"):
        return future.result()
    while True:
        try:
            return future.result(timeout=WORKER_POLL_SECONDS)
        except TimeoutError:
            pool_future = chained._process_future
            if pool_future is None or chained.done():
                continue
            if not pool_future.done():
                if not _pool_delivers():
                    raise WorkerExited(
                        "the pool stopped delivering results: a task run on another worker exited"
                    ) from None
                continue
            outcome = pool_future.exception()
            if outcome is not None and not isinstance(outcome, Exception):
                raise WorkerExited(
                    f"its task run exited: {type(outcome).__name__} {outcome}"
                ) from outcome


def _pool_delivers() -> bool:
    """Whether the process pool's result thread still runs (True when unknown).

    The ``SystemExit`` of one worker's task run ends that thread while it
    hands the result over (see :func:`_worker_result`); the batches of the
    other workers then never complete.  Which batch exits first is down to
    timing, so the batch the flow waits for may be one of those.
    """
    thread = getattr(_pool_executor(), "_executor_manager_thread", None)
    return thread is None or thread.is_alive()


def _pool_executor() -> ProcessPoolExecutor | None:
    """The ``ProcessPoolExecutor`` behind the flow's task runner (None for
    other runners), read from Prefect's private attribute."""
    runner = getattr(FlowRunContext.get(), "task_runner", None)
    return getattr(runner, "_executor", None)


def _release_workers() -> None:
    """Stop the pool's worker processes once every batch is in.

    The commit and the report run in this process; idle workers, each with
    its own spaCy and stage models, would otherwise hold their memory until
    the flow ends.  A Dask cluster is left alone (it may not be ours).
    """
    runner = getattr(FlowRunContext.get(), "task_runner", None)
    if isinstance(runner, ProcessPoolTaskRunner):
        runner.cancel_all()


def _end_broken_pool() -> None:
    """Terminate the worker processes of a pool that broke.

    A pool whose result thread has ended (see :func:`_worker_result`) never
    tells its idle workers to stop, and Python's exit waits for every one of
    them: the run would end and its process would not.  Its queue of calls,
    no longer read, must not hold the exit up either.
    """
    executor = _pool_executor()
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
    calls = getattr(executor, "_call_queue", None)
    if calls is not None:
        calls.cancel_join_thread()


def _absorb(out: BatchOutput, staging: Staging, batch: BatchOutput) -> None:
    """Spill a batch's rows to staging; keep its problems and timings."""
    for table, data in batch.batch_tables().items():
        staging.add(table, data)
    out.extend(BatchOutput(problems=batch.problems, seconds=batch.seconds))


@contextlib.contextmanager
def _workers_share_this_api() -> Iterator[None]:
    """Point worker processes started now at this run's Prefect API.

    Without ``PREFECT_API_URL`` the flow runs on Prefect's temporary server;
    worker processes spawned by the pool would each start one of their own
    (seconds each, and their task runs would not show in this run).  They
    inherit the environment, so for the duration of the submission it names
    the server this process already talks to.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    with get_client(sync_client=True) as client:
        os.environ["PREFECT_API_URL"] = str(client.api_url)
    try:
        yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)


@task(name="batch", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=0)
def batch_task(
    items: list[Item], model: str, compute: Sequence[str], stage_timeout: float | None = None
) -> BatchOutput:
    """Every stage of one batch in one task run, on whichever worker runs it;
    the worker then hands what the batch freed back to the OS."""
    failpoint("in-worker")
    out = process_batch(items, model, 1, PLAIN_STAGES, compute, stage_timeout)
    release_memory()
    return out


class _Progress:
    """Progress lines on long runs: articles done, elapsed time, rate."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.t0 = total, 0, time.perf_counter()

    def advance(self, n: int, compute: Sequence[str]) -> None:
        self.done += n
        failpoint(f"after-batch:{self.done}")
        elapsed = time.perf_counter() - self.t0
        rate = self.done / elapsed if elapsed else 0.0
        log.info(
            "%s: %d/%d articles, %.1f s (%.1f articles/s)",
            "+".join(compute),
            self.done,
            self.total,
            elapsed,
            rate,
        )


def _item(row: dict) -> Item:
    return Item(row["doc_id"], row["text"], row["headline_end"], published=row.get("published"))


def _load_stored(catalog: Catalog, plan: Plan, compute: Sequence[str], items: list[Item]) -> None:
    """Give the items the stored rows of the stages they will not recompute."""
    ids = [i.doc_id for i in items]
    if "sentences" not in compute:
        rows = rows_by_doc(catalog.read("sentences", plan.base.get("sentences"), doc_ids=ids))
        for item in items:
            item.sentences = sentence_keys(rows.get(item.doc_id, []))
    if "claims" in compute and "attributions" not in compute:
        rows = rows_by_doc(catalog.read("attributions", plan.base.get("attributions"), ids))
        for item in items:
            item.attributions = sorted(rows.get(item.doc_id, []), key=lambda r: r["attribution_id"])


# ---------------------------------------------------------------- committing


#: Articles per staged part of the ``documents`` table at commit time.
DOCUMENT_CHUNK = 1000


@task(name="commit tables", cache_policy=NO_CACHE)
def commit(
    catalog: Catalog,
    plan: Plan,
    out: BatchOutput,
    problems: list[InputProblem],
    run: RunRecord,
    staging: Staging,
) -> tuple[dict[str, int], list[str], dict[str, int], set[str]]:
    """Commit each table the run changed, in dependency order.

    Returns the version of every table as this run leaves them, the tables
    committed, rows written per table, and the articles that failed.
    """
    failed = {p.doc_id for p in out.problems if p.doc_id} & set(plan.documents)
    counts: dict[str, int] = {}
    written = sorted(plan.computed("documents") - failed)
    for start in range(0, len(written), DOCUMENT_CHUNK):
        rows = plan.rows(written[start : start + DOCUMENT_CHUNK])
        staging.add("documents", conform(rows, ALL_TABLES["documents"]))
    versions: dict[str, int] = {}
    for table in ("documents", *STAGES):
        done = plan.computed(table) - failed
        # A table this run leaves unchanged is not committed again; one that
        # does not exist yet is created, empty if no article landed, so that
        # every documented table can be read from the first run on.
        if not done and not plan.removed and catalog.exists(table):
            continue
        data, n_rows = staging.rows(table, exclude=failed)
        upstream = {u: versions.get(u, plan.base.get(u)) for u in UPSTREAM[table]}
        lineage = run.lineage(table, upstream)
        whole = done == set(plan.documents) and plan.removed.isdisjoint(plan.documents)
        if whole or not catalog.exists(table):
            versions[table] = catalog.overwrite(table, data, lineage)
        else:
            versions[table] = catalog.replace_docs(table, data, done | plan.removed, lineage)
        counts[table] = n_rows
        failpoint(f"after-commit:{table}")
        log.info(
            "committed %s v%d (%d rows for %d articles)", table, versions[table], n_rows, len(done)
        )
    errors = problems_table(problems, run.run_id)
    # The first run creates ``errors`` even when empty, so that every
    # documented table can be read (and looped over) from the start.
    if errors.num_rows or not catalog.exists("errors"):
        versions["errors"] = catalog.append("errors", errors, run.lineage("errors", {}))
        counts["errors"] = errors.num_rows
        failpoint("after-commit:errors")
    committed = list(versions)
    for table in DATA_TABLES:
        if table not in versions and plan.base.get(table) is not None:
            versions[table] = plan.base[table]
    return versions, committed, counts, failed


class RunRecord:
    """One run: its identity, what it committed, and its ``runs`` manifest
    row, written last."""

    def __init__(
        self, catalog: Catalog, run_id: str, started: dt.datetime, seeds_dir: str, config: RunConfig
    ) -> None:
        self.catalog = catalog
        self.run_id = run_id
        self.started = started
        self.seeds_dir = seeds_dir
        self.config = config
        self.fingerprint = ""
        self.inputs = ""
        self.source_run: str | None = None  # the run a rerun read from
        self.committed: list[str] = []
        self.counts: dict[str, int] = {}
        self.failed: set[str] = set()

    def same_as(self, previous: dict) -> bool:
        """Same code, config and inputs as a previous run: nothing to do."""
        return (previous["code_version"], previous["config_hash"], previous["inputs_hash"]) == (
            self.fingerprint,
            self.config.hash(),
            self.inputs,
        )

    def lineage(self, table: str, upstream: dict[str, int | None], note: str = "") -> Lineage:
        code = {**code_version(table, self.config), **({"note": note} if note else {})}
        if self.source_run:
            code["rerun_of"] = self.source_run
        return Lineage(
            run_id=self.run_id,
            flow_run_id=flow_run.get_id(),
            code_version=code,
            config_hash=self.config.hash(),
            upstream={k: v for k, v in upstream.items() if v is not None},
        )

    def unchanged(self, latest: dict | None, prepare_seconds: float) -> dict:
        """Record a run that changed nothing.  Its versions are the current
        ones: equal in content to the latest complete run's (a rollback may
        have renumbered them).  The summary has the keys of a complete run's,
        empty, so that a script reading ``run --json`` needs no case for it."""
        latest = latest or {"n_documents": 0, "n_errors": 0}
        current = {t: v for t in DATA_TABLES if (v := self.catalog.version(t)) is not None}
        summary = self.finish(
            "unchanged",
            current,
            [],
            latest["n_documents"],
            latest["n_errors"],
            counts={},
            changed=0,
            removed=0,
            dirty=[],
            stage_seconds={},
            out_of_date={},
        )
        summary["phase_seconds"] = {"prepare": round(prepare_seconds, 3)}
        return summary

    def finish(
        self,
        status: str,
        versions: dict[str, int],
        committed: list[str],
        n_documents: int,
        n_errors: int,
        **extra: object,
    ) -> dict:
        """Append the manifest row and return the run summary."""
        ended = dt.datetime.now(dt.UTC)
        row = {
            "run_id": self.run_id,
            "flow_run_id": flow_run.get_id(),
            "started_at": self.started,
            "ended_at": ended,
            "status": status,
            "seeds_dir": self.seeds_dir,
            "n_documents": n_documents,
            "n_errors": n_errors,
            "table_versions": list(versions.items()),
            "committed": committed,
            "code_version": self.fingerprint,
            "config_hash": self.config.hash(),
            "config": json.dumps(self.config.as_dict(), sort_keys=True),
            "inputs_hash": self.inputs,
            "rerun_of": self.source_run,
        }
        lineage = Lineage(
            self.run_id,
            flow_run.get_id(),
            {"fingerprint": self.fingerprint},
            self.config.hash(),
            versions,
        )
        runs_version = self.catalog.append("runs", conform([row], RUNS), lineage)
        summary = {
            "run_id": self.run_id,
            "status": status,
            "data_dir": str(self.catalog.data_dir),
            "tables_dir": str(self.catalog.tables_dir),
            "versions": {**versions, "runs": runs_version},
            "committed": committed,
            "n_documents": n_documents,
            "n_errors": n_errors,
            "seconds": round((ended - self.started).total_seconds(), 2),
            **extra,
        }
        FINISHED.append(summary)
        try:
            publish_artifacts(summary)
        except Exception as exc:  # the API went away: the tables are in all the same
            log.warning(
                "could not publish the run's summary to Prefect (%s: %s); the tables are "
                "committed. If Prefect's API is gone, Prefect retries recording the flow "
                "run's end for about two minutes before this command ends",
                type(exc).__name__,
                exc,
            )
        return summary


def publish_artifacts(summary: dict) -> None:
    """Show what the run produced in Prefect's UI: counts per table, a summary."""
    counts = summary.get("counts", {})
    rows = [
        {
            "table": table,
            "version": version,
            "rows written": counts.get(table, 0),
            "committed": table in summary["committed"],
        }
        for table, version in summary["versions"].items()
    ]
    create_table_artifact(
        rows, key="claimflow-tables", description=f"claimflow run {summary['run_id']}"
    )
    lines = [
        f"# claimflow run `{summary['run_id']}`: {summary['status']}",
        "",
        f"- articles: {summary['n_documents']} ({summary.get('changed', 0)} new or changed, "
        f"{summary.get('removed', 0)} removed)",
        f"- errors: {summary['n_errors']}",
        f"- committed: {', '.join(summary['committed']) or 'nothing (no change)'}",
        f"- tables: `{summary['tables_dir']}`",
        f"- took {summary['seconds']:.1f} s",
    ]
    if summary.get("stage_seconds"):
        lines.append(
            "- stage seconds: "
            + ", ".join(f"{k} {v:.2f}" for k, v in summary["stage_seconds"].items())
        )
    create_markdown_artifact("\n".join(lines), key="claimflow-summary")
