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
import logging
import os
import signal
from collections.abc import Callable

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.nlp import warm_worker

RUNNERS = ("local", "dask")


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def make_task_runner(
    kind: str = "local", workers: int = 1, address: str | None = None, verbose: bool = False
) -> TaskRunner:
    """The runner ``claimflow run`` hands its flow; ``verbose`` (``-v``) keeps
    every line Prefect's loggers write in a worker (see :func:`start_worker`)."""
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
        return ProcessPoolTaskRunner(
            max_workers=workers, initializer=start_worker, initargs=(verbose,)
        )
    return ThreadPoolTaskRunner(max_workers=1)


def start_worker(verbose: bool = False) -> None:
    """Pool initializer: leave Ctrl-C to the flow's process, quiet the noise
    of a lost Prefect API (unless ``verbose``), then load the models.

    Ctrl-C in a terminal reaches every process of the group.  A worker that
    took it crashed its batch and stayed alive, and the flow's process then
    waited on it at exit; the flow's process stops the workers itself (see
    :func:`stop_children`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not verbose:
        quiet_lost_api()
    warm_worker()


class LostApiNoise(logging.Filter):
    """Keeps one line of what Prefect logs while its API is gone.

    When the API goes away mid-run (the temporary server killed, a remote
    one restarted), Prefect's events client warns every few seconds that it
    cannot connect, and its events worker logs every event it could not
    send, in full (2-3 kB a line): 25 such pairs on the console in the two
    minutes Prefect retries, from the flow's process and from each worker.
    The run itself goes on (see ``flows.pipeline``).  The first warning says
    what happened; the rest add nothing a user can act on.  Records are
    recognised by Prefect's own message formats (Prefect 3.9); should those
    change, nothing is dropped.
    """

    def __init__(self) -> None:
        super().__init__()
        #: The warning that was let through: every handler the filter sits
        #: on asks about the same record.
        self.first: logging.LogRecord | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Service %r failed to process item") and record.args:
            return not (isinstance(record.args, tuple) and record.args[0] == "EventsWorker")
        if record.name == "prefect.events.clients" and message.startswith("Unable to connect to"):
            self.first = self.first or record
            return record is self.first
        return True


def quiet_lost_api() -> Callable[[], None]:
    """Put a :class:`LostApiNoise` on the handlers Prefect's console lines go
    through (the root logger's, and ``prefect._internal``'s own, which does
    not propagate); returns what takes it off again."""
    noise = LostApiNoise()
    handlers = [*logging.getLogger().handlers, *logging.getLogger("prefect._internal").handlers]
    for handler in handlers:
        handler.addFilter(noise)

    def undo() -> None:
        for handler in handlers:
            handler.removeFilter(noise)

    return undo


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
