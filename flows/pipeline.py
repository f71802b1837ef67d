"""The ``claimflow`` Prefect flow: seeds → documents → parse → sentences →
attributions → claims → versioned tables.

Tasks work on batches of documents (Prefect costs 5-20 ms per task run and
about a second per flow run, so one task per sentence or article would cost
more than the NLP).  Each article is parsed once; the parsed ``Doc`` feeds
every stage of the run.  A stage that fails on a batch is retried, then run
article by article so that only the failing articles are left out (and
recorded in ``errors``): one broken article never sinks its batch.

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
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from spacy.tokens import Doc

from flows.lineage import RunConfig, code_fingerprint, code_version
from flows.nlp import load_model, parse
from flows.sources import Ingested, read_seeds
from flows.storage import Catalog, Lineage
from transforms.attributions import attributions_table
from transforms.claims import claims_tables, with_sentence_scores
from transforms.documents import InputProblem, documents_table
from transforms.schemas import ATTRIBUTIONS, CLAIMS, ERRORS, RUNS, SENTENCES, conform
from transforms.sentences import sentences_table

log = logging.getLogger("claimflow")
T = TypeVar("T")

#: Upstream tables each table is derived from (recorded as lineage).
UPSTREAM = {
    "documents": (),
    "sentences": ("documents",),
    "attributions": ("documents", "sentences"),
    "claims": ("documents", "sentences", "attributions"),
    "errors": (),
}


@dataclass
class Item:
    """One article travelling through the stages of a batch."""

    doc_id: str
    text: str
    headline_end: int | None
    doc: Doc | None = None
    sentences: list[tuple] = field(default_factory=list)
    attributions: list[dict] = field(default_factory=list)


@dataclass
class BatchOutput:
    sentences: list[pa.Table] = field(default_factory=list)
    attributions: list[pa.Table] = field(default_factory=list)
    claims: list[pa.Table] = field(default_factory=list)
    scores: dict = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))


# ---------------------------------------------------------------- tasks


@task(name="ingest documents", cache_policy=NO_CACHE)
def ingest(seeds_dir: str, config: RunConfig) -> Ingested:
    return read_seeds(seeds_dir, config.max_bytes)


@task(name="parse", cache_policy=NO_CACHE, retries=1)
def parse_batch(items: list[Item], model: str, n_process: int) -> list[Item]:
    nlp = load_model(model)
    docs = parse(nlp, ((i.text, i.headline_end) for i in items), n_process=n_process)
    for item, doc in zip(items, docs, strict=True):
        item.doc = doc
    return items


@task(name="sentences", cache_policy=NO_CACHE, retries=1)
def sentences_stage(items: list[Item]) -> pa.Table:
    return sentences_table((i.doc_id, i.doc, i.headline_end) for i in items)


@task(name="attributions", cache_policy=NO_CACHE, retries=1)
def attributions_stage(items: list[Item]) -> pa.Table:
    return attributions_table((i.doc_id, i.doc, i.sentences) for i in items)


@task(name="claims", cache_policy=NO_CACHE, retries=1)
def claims_stage(items: list[Item]) -> tuple[pa.Table, dict]:
    return claims_tables((i.doc_id, i.doc, i.sentences, i.attributions) for i in items)


@task(name="commit tables", cache_policy=NO_CACHE)
def commit_tables(
    catalog: Catalog,
    tables: dict[str, pa.Table],
    run_id: str,
    config: RunConfig,
) -> dict[str, int]:
    """Commit each table in dependency order; return the new versions."""
    versions: dict[str, int] = {}
    for name in ("documents", "sentences", "attributions", "claims", "errors"):
        if name not in tables:
            continue
        upstream = {u: versions.get(u, catalog.version(u)) for u in UPSTREAM[name]}
        lineage = Lineage(
            run_id=run_id,
            flow_run_id=flow_run.get_id(),
            code_version=code_version(name, config),
            config_hash=config.hash(),
            upstream=upstream,
        )
        if name == "errors":
            versions[name] = catalog.append(name, tables[name], lineage)
        else:
            versions[name] = catalog.overwrite(name, tables[name], lineage)
        log.info("committed %s v%d (%d rows)", name, versions[name], tables[name].num_rows)
    return versions


# ---------------------------------------------------------------- resilience


def _isolating(
    stage: str, run: Callable[[list[Item]], T], items: list[Item], problems: list
) -> list[tuple[list[Item], T]]:
    """Run a stage on the batch; if it fails, article by article.

    Returns ``(items, result)`` pairs: one for the whole batch, or one per
    surviving article.  Each failing article becomes a ``stage_failure``.
    """
    try:
        return [(items, run(items))]
    except Exception as exc:
        if len(items) == 1:
            problems.append(_stage_failure(stage, items[0], exc))
            return []
        log.warning(
            "%s failed on a batch of %d (%s); retrying article by article", stage, len(items), exc
        )
    out = []
    for item in items:
        try:
            out.append(([item], run([item])))
        except Exception as exc:
            problems.append(_stage_failure(stage, item, exc))
    return out


def _stage_failure(stage: str, item: Item, exc: Exception) -> InputProblem:
    return InputProblem(
        "stage_failure",
        f"{stage} failed: {type(exc).__name__}: {exc}",
        source_path="",
        doc_id=item.doc_id,
        stage=stage,
    )


def _rows_by_doc(table: pa.Table) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for row in table.to_pylist():
        out[row["doc_id"]].append(row)
    return out


def process_batch(items: list[Item], config: RunConfig, n_process: int) -> BatchOutput:
    """All stages for one batch, isolating failing articles at every stage."""
    out = BatchOutput()

    def timed(stage: str, run: Callable[[list[Item]], Any], batch: list[Item]):
        t0 = time.perf_counter()
        result = _isolating(stage, run, batch, out.problems)
        out.seconds[stage] += time.perf_counter() - t0
        return result

    parsed = timed("parse", lambda b: parse_batch(b, config.model, n_process), items)
    alive_parsed = [i for batch, _ in parsed for i in batch]

    alive = []
    for batch, table in timed("sentences", sentences_stage, alive_parsed):
        out.sentences.append(table)
        rows = _rows_by_doc(table)
        for item in batch:
            item.sentences = [
                (r["sentence_id"], r["start"], r["end"], r["kind"], r["paragraph_id"])
                for r in rows.get(item.doc_id, [])
            ]
            alive.append(item)

    attr_parts = timed("attributions", attributions_stage, alive)
    kept = []
    for batch, table in attr_parts:
        out.attributions.append(table)
        rows = _rows_by_doc(table)
        for item in batch:
            item.attributions = rows.get(item.doc_id, [])
            kept.append(item)

    for _, (claims, scores) in timed("claims", claims_stage, kept):
        out.claims.append(claims)
        out.scores.update(scores)
    for item in items:
        item.doc = None  # free the parse as soon as the batch is done
    return out


# ---------------------------------------------------------------- flow


def new_run_id(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def _chunks(seq: Sequence[T], size: int) -> list[Sequence[T]]:
    return [seq[i : i + size] for i in range(0, len(seq), size)]


def _problems_table(problems: list[InputProblem], run_id: str) -> pa.Table:
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


def _only_docs(table: pa.Table, keep: set[str]) -> pa.Table:
    mask = pa.array([d in keep for d in table.column("doc_id").to_pylist()], pa.bool_())
    return table.filter(mask)


def _concat(parts: list[pa.Table], empty: pa.Table) -> pa.Table:
    return pa.concat_tables(parts) if parts else empty


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
    run_id = new_run_id(started)
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
        fingerprint = code_fingerprint(config)
        inputs = inputs_hash(documents, problems)
        latest = catalog.latest_complete_run()
        if (
            not force
            and latest is not None
            and (latest["code_version"], latest["config_hash"], latest["inputs_hash"])
            == (fingerprint, config.hash(), inputs)
        ):
            log.info("nothing changed since run %s: no new table versions", latest["run_id"])
            return _finish(
                catalog,
                run_id,
                started,
                "unchanged",
                seeds_dir,
                config,
                fingerprint,
                inputs,
                dict(latest["table_versions"]),
                [],
                latest["n_documents"],
                latest["n_errors"],
                {},
            )

        out = BatchOutput()
        items = [
            Item(r["doc_id"], r["text"], r["headline_end"])
            for r in documents.select(["doc_id", "text", "headline_end"]).to_pylist()
        ]
        batches = _chunks(items, batch_size)
        t0 = time.perf_counter()
        for n, batch in enumerate(batches, 1):
            part = process_batch(list(batch), config, n_process)
            out.sentences += part.sentences
            out.attributions += part.attributions
            out.claims += part.claims
            out.scores.update(part.scores)
            out.problems += part.problems
            for k, v in part.seconds.items():
                out.seconds[k] += v
            done = sum(len(b) for b in batches[:n])
            log.info(
                "batch %d/%d: %d/%d articles, %.1f s",
                n,
                len(batches),
                done,
                len(items),
                time.perf_counter() - t0,
            )
        problems += out.problems

        failed = {p.doc_id for p in out.problems if p.doc_id}
        landed = {d for d in documents.column("doc_id").to_pylist() if d not in failed}
        tables = {
            "documents": _only_docs(documents, landed),
            "sentences": _only_docs(
                with_sentence_scores(_concat(out.sentences, SENTENCES.empty_table()), out.scores),
                landed,
            ),
            "attributions": _only_docs(
                _concat(out.attributions, ATTRIBUTIONS.empty_table()), landed
            ),
            "claims": _only_docs(_concat(out.claims, CLAIMS.empty_table()), landed),
        }
        errors = _problems_table(problems, run_id)
        if errors.num_rows:
            tables["errors"] = errors
        versions = commit_tables(catalog, tables, run_id, config)
        committed = list(versions)
        for t in UPSTREAM:
            if t not in versions and catalog.exists(t):
                versions[t] = catalog.version(t)
        counts = {k: v.num_rows for k, v in tables.items()}
        return _finish(
            catalog,
            run_id,
            started,
            "complete",
            seeds_dir,
            config,
            fingerprint,
            inputs,
            versions,
            committed,
            len(landed),
            errors.num_rows,
            {"counts": counts, "stage_seconds": {k: round(v, 3) for k, v in out.seconds.items()}},
        )


def _finish(
    catalog: Catalog,
    run_id: str,
    started: dt.datetime,
    status: str,
    seeds_dir: str,
    config: RunConfig,
    fingerprint: str,
    inputs: str,
    versions: dict[str, int],
    committed: list[str],
    n_documents: int,
    n_errors: int,
    extra: dict,
) -> dict:
    """Write the run's manifest row (last) and return the run summary."""
    ended = dt.datetime.now(dt.UTC)
    row = {
        "run_id": run_id,
        "flow_run_id": flow_run.get_id(),
        "started_at": started,
        "ended_at": ended,
        "status": status,
        "seeds_dir": str(seeds_dir),
        "n_documents": n_documents,
        "n_errors": n_errors,
        "table_versions": list(versions.items()),
        "committed": committed,
        "code_version": fingerprint,
        "config_hash": config.hash(),
        "config": json.dumps(config.as_dict(), sort_keys=True),
        "inputs_hash": inputs,
    }
    lineage = Lineage(
        run_id, flow_run.get_id(), {"fingerprint": fingerprint}, config.hash(), versions
    )
    runs_version = catalog.append("runs", conform([row], RUNS), lineage)
    summary = {
        "run_id": run_id,
        "status": status,
        "data_dir": str(catalog.data_dir),
        "tables_dir": str(catalog.tables_dir),
        "versions": {**versions, "runs": runs_version},
        "committed": committed,
        "n_documents": n_documents,
        "n_errors": n_errors,
        "seconds": round((ended - started).total_seconds(), 2),
        **extra,
    }
    return summary
