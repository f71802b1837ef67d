"""Scale-out: the same tables from every runner.

A corpus of real articles in small batches, run in-process (one worker),
on a pool of worker processes, and on a local Dask cluster: every table
must hold the same rows."""

from __future__ import annotations

import logging
import shutil

import pytest

from flows.pipeline import claimflow
from flows.runners import make_task_runner
from flows.storage import Catalog
from tests.conftest import SHARED

POLNEAR_DEV = SHARED / "eval" / "polnear" / "dev" / "text"
TABLES = ("documents", "sentences", "attributions", "claims")

pytestmark = pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="needs ../shared/eval/polnear")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    seeds = tmp_path_factory.mktemp("runners") / "seeds"
    seeds.mkdir()
    for path in sorted(POLNEAR_DEV.glob("*.txt"))[:6]:
        shutil.copy(path, seeds / path.name)
    return seeds


def _run(seeds, data, runner: str, workers: int) -> dict[str, list]:
    flow = claimflow.with_options(task_runner=make_task_runner(runner, workers))
    summary = flow(seeds_dir=str(seeds), data_dir=str(data), batch_size=2, workers=workers)
    assert summary["status"] == "complete"
    catalog = Catalog(data)
    return {t: sorted(catalog.read(t).to_pylist(), key=repr) for t in TABLES}


@pytest.fixture(scope="module")
def in_process(corpus, tmp_path_factory, prefect_home):
    return _run(corpus, tmp_path_factory.mktemp("serial") / "data", "local", 1)


def test_process_pool_gives_the_same_tables(corpus, in_process, tmp_path):
    assert _run(corpus, tmp_path / "data", "local", 2) == in_process


def test_dask_gives_the_same_tables(corpus, in_process, tmp_path):
    assert _run(corpus, tmp_path / "data", "dask", 2) == in_process


def test_a_dead_worker_is_said_once_and_its_batches_run_here(
    corpus, in_process, tmp_path, monkeypatch, caplog
):
    """A worker process killed mid-batch breaks the pool: one warning, and
    every batch (the dead one's, those queued behind it) still lands."""
    monkeypatch.setenv("CLAIMFLOW_FAILPOINT", "in-worker")  # each worker dies on its first batch
    with caplog.at_level(logging.WARNING):
        assert _run(corpus, tmp_path / "data", "local", 2) == in_process
    died = [r for r in caplog.records if "worker process died" in r.getMessage()]
    assert len(died) == 1
