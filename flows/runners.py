"""Task runners for ``claimflow run``: where batches execute.

* ``local`` (default): a pool of worker processes on this machine, one per
  core, each loading the spaCy model once; with one worker, batches run in
  the flow's own process.
* ``dask``: a Dask cluster through ``prefect-dask``: a local cluster of
  ``workers`` processes, or an existing one at ``address``
  (``tcp://HOST:PORT``).  Every worker needs claimflow and the model
  package installed.

Tables are committed once per run, from the flow, whatever the runner.
"""

from __future__ import annotations

import contextlib
import os
import signal

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.nlp import warm_worker

RUNNERS = ("local", "dask")


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def make_task_runner(
    kind: str = "local", workers: int = 1, address: str | None = None
) -> TaskRunner:
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    if kind != "local":
        raise ValueError(f"unknown runner {kind!r}; runners: {', '.join(RUNNERS)}")
    if workers > 1:
        return ProcessPoolTaskRunner(max_workers=workers, initializer=start_worker)
    return ThreadPoolTaskRunner(max_workers=1)


def start_worker() -> None:
    """Pool initializer: leave Ctrl-C to the flow's process, then load the models.

    Ctrl-C in a terminal reaches every process of the group.  A worker that
    took it crashed its batch and stayed alive, and the flow's process then
    waited on it at exit; the flow's process stops the workers itself (see
    :func:`stop_children`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_worker()


def stop_children(timeout: float = 3.0) -> int:
    """Terminate this process's child processes (batch workers, Prefect's
    temporary API server), killing those still alive after ``timeout``
    seconds; returns how many there were."""
    import psutil

    # multiprocessing's resource tracker ignores SIGTERM by design and ends
    # when the last process sharing its pipe does: not waited for.
    children = [
        child
        for child in psutil.Process().children(recursive=True)
        if "multiprocessing.resource_tracker import" not in " ".join(_cmdline(child))
    ]
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=timeout)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    return len(children)


def _cmdline(process: object) -> list[str]:
    import psutil

    try:
        return process.cmdline()  # type: ignore[attr-defined]
    except psutil.Error:
        return []
