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

import datetime as dt
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Sequence

import pyarrow as pa
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows.lineage import RunConfig, code_fingerprint, code_version
from flows.sources import Ingested, read_seeds
from flows.stages import PLAIN_STAGES, BatchOutput, Item, only_docs, process_batch
from flows.storage import Catalog, Lineage
from transforms.documents import InputProblem, documents_table
from transforms.schemas import ERRORS, RUNS, conform

log = logging.getLogger("claimflow")

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


@task(name="commit tables", cache_policy=NO_CACHE)
def commit_tables(
    catalog: Catalog, tables: dict[str, pa.Table], run_id: str, config: RunConfig
) -> dict[str, int]:
    """Commit each table in dependency order; return the new versions."""
    versions: dict[str, int] = {}
    for name in UPSTREAM:
        if name not in tables:
            continue
        lineage = Lineage(
            run_id=run_id,
            flow_run_id=flow_run.get_id(),
            code_version=code_version(name, config),
            config_hash=config.hash(),
            upstream={u: versions.get(u, catalog.version(u)) for u in UPSTREAM[name]},
        )
        write = catalog.append if name == "errors" else catalog.overwrite
        versions[name] = write(name, tables[name], lineage)
        log.info("committed %s v%d (%d rows)", name, versions[name], tables[name].num_rows)
    return versions


def new_run_id(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def inputs_hash(documents: pa.Table, problems: Sequence[InputProblem]) -> str:
    """Fingerprint of a run's inputs: every article's id and content hash,
    and every input problem (a newly broken file is a change too)."""
    digest = hashlib.sha256()
    keys = sorted(
        zip(
            documents["doc_id"].to_pylist(),
            documents["content_sha256"].to_pylist(),
            strict=True,
        )
    )
    digest.update(json.dumps(keys).encode())
    issues = sorted((p.source_path, p.line or 0, p.doc_id or "", p.kind) for p in problems)
    digest.update(json.dumps(issues).encode())
    return digest.hexdigest()[:16]


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


@flow(name="claimflow", log_prints=False)
def claimflow(
    seeds_dir: str = "seeds",
    data_dir: str = "data",
    batch_size: int = 200,
    n_process: int = 1,
    max_bytes: int = 5_000_000,
    force: bool = False,
) -> dict:
    """Turn the articles under ``seeds_dir`` into versioned tables under ``data_dir``.

    A run with the same inputs, code and config as the latest complete run
    commits no new data versions (status ``unchanged``); ``force`` recomputes
    anyway.  Returns a summary of the run.
    """
    config = RunConfig(max_bytes=max_bytes)
    catalog = Catalog(data_dir)
    started = dt.datetime.now(dt.UTC)
    run = RunRecord(catalog, new_run_id(started), started, str(seeds_dir), config)
    with catalog.lock():
        ingested = ingest(seeds_dir, config)
        log.info(
            "read %d files: %d articles, %d input problems",
            ingested.n_files,
            len(ingested.articles),
            len(ingested.problems),
        )
        documents = documents_table(ingested.articles)
        problems = list(ingested.problems)
        run.fingerprint = code_fingerprint(config)
        run.inputs = inputs_hash(documents, problems)
        latest = catalog.latest_complete_run()
        if not force and latest is not None and run.same_as(latest):
            log.info("nothing changed since run %s: no new table versions", latest["run_id"])
            return run.finish(
                "unchanged",
                dict(latest["table_versions"]),
                [],
                latest["n_documents"],
                latest["n_errors"],
            )

        items = [
            Item(r["doc_id"], r["text"], r["headline_end"])
            for r in documents.select(["doc_id", "text", "headline_end"]).to_pylist()
        ]
        out = BatchOutput()
        t0 = time.perf_counter()
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            out.extend(process_batch(batch, config.model, n_process, STAGE_TASKS))
            log.info(
                "batch %d/%d: %d/%d articles, %.1f s",
                start // batch_size + 1,
                -(-len(items) // batch_size),
                start + len(batch),
                len(items),
                time.perf_counter() - t0,
            )
        problems += out.problems

        failed = {p.doc_id for p in out.problems if p.doc_id}
        landed = {d for d in documents["doc_id"].to_pylist() if d not in failed}
        tables = {"documents": only_docs(documents, landed), **out.tables(landed)}
        errors = problems_table(problems, run.run_id)
        if errors.num_rows:
            tables["errors"] = errors
        versions = commit_tables(catalog, tables, run.run_id, config)
        committed = list(versions)
        for name in UPSTREAM:
            if name not in versions and catalog.exists(name):
                versions[name] = catalog.version(name)
        return run.finish(
            "complete",
            versions,
            committed,
            len(landed),
            errors.num_rows,
            counts={k: v.num_rows for k, v in tables.items()},
            stage_seconds={k: round(v, 3) for k, v in out.seconds.items()},
        )


class RunRecord:
    """The ``runs`` manifest row of one run, written last."""

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

    def same_as(self, previous: dict) -> bool:
        """Same code, config and inputs as a previous run: nothing to do."""
        return (previous["code_version"], previous["config_hash"], previous["inputs_hash"]) == (
            self.fingerprint,
            self.config.hash(),
            self.inputs,
        )

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
        }
        lineage = Lineage(
            self.run_id,
            flow_run.get_id(),
            {"fingerprint": self.fingerprint},
            self.config.hash(),
            versions,
        )
        runs_version = self.catalog.append("runs", conform([row], RUNS), lineage)
        return {
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
