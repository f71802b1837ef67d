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

import os

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
        return ProcessPoolTaskRunner(max_workers=workers, initializer=warm_worker)
    return ThreadPoolTaskRunner(max_workers=1)
