"""Scale-out: the same tables from every runner.

A corpus of real articles in small batches, run in-process (one worker),
on a pool of worker processes, and on a local Dask cluster: every table
must hold the same rows."""

from __future__ import annotations

import logging
import shutil
import signal
import time

import psutil
import pytest
from prefect import flow, task
from prefect.task_runners import ProcessPoolTaskRunner

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


@pytest.mark.parametrize(
    ("failpoint", "said"),
    [
        ("in-worker", "a worker process died"),  # SIGKILL: the pool breaks
        # SystemExit, as Prefect's engine in a worker does when its API is gone:
        # the pool's future never completes, its result thread ends (with the
        # SystemExit, which Python's thread hook ignores and pytest's reports).
        pytest.param(
            "in-worker:exit",
            "a worker could not run its batch",
            marks=pytest.mark.filterwarnings(
                "ignore::pytest.PytestUnhandledThreadExceptionWarning"
            ),
        ),
    ],
)
def test_a_failed_worker_is_said_once_and_the_batches_run_here(
    corpus, in_process, tmp_path, monkeypatch, caplog, failpoint, said
):
    """Each worker fails on its first batch: one warning, and every batch
    (the failed ones, those queued behind them) still lands."""
    monkeypatch.setenv("CLAIMFLOW_FAILPOINT", failpoint)
    with caplog.at_level(logging.WARNING):
        assert _run(corpus, tmp_path / "data", "local", 2) == in_process
    assert len([r for r in caplog.records if said in r.getMessage()]) == 1
    workers = [
        p
        for p in psutil.Process().children(recursive=True)
        if "spawn_main" in " ".join(p.cmdline()) and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert not workers  # none left for Python's exit to wait on


@task
def _work_for(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


@task
def _exit_at_once() -> None:
    raise SystemExit(1)


@flow(task_runner=ProcessPoolTaskRunner(max_workers=2))
def _one_worker_exits_while_the_other_works() -> str:
    from flows.pipeline import (
        WorkerExited,
        _end_broken_pool,
        _worker_result,
        _workers_share_this_api,
    )

    # As the pipeline does: workers without this run's API address would each
    # start a temporary server, which outlives them when they are terminated.
    with _workers_share_this_api():
        slow = _work_for.submit(8)  # long enough for the other worker to start and exit
        _exit_at_once.submit()
    try:
        _worker_result(slow)
    except WorkerExited as exc:
        return str(exc)
    finally:
        _end_broken_pool()
    return "the batch was delivered"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_batch_behind_another_workers_exit_is_not_waited_for(prefect_home):
    """The flow waits for one worker's batch while the other worker's task
    run exits first: that exit ends the pool's result thread, so the batch
    waited for never completes.  The wait must see that (before the fix it
    hung; the alarm turns such a hang into a failure)."""

    def hung(signum: int, frame: object) -> None:
        raise AssertionError("the wait for a batch behind an exited task run hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        said = _one_worker_exits_while_the_other_works()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert said.startswith("the pool stopped delivering results")
