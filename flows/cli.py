"""``claimflow``: the command line.

Only ``run`` imports Prefect and spaCy; the inspection commands (``tables``,
``history``, ``show``) read the Delta tables directly and answer at once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shlex
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import flows  # noqa: F401  - sets Prefect's environment defaults first
from flows.memory import BATCH_CHARS
from flows.storage import Catalog, CatalogError, LockedError
from transforms.schemas import ALL_TABLES, ERROR_KINDS

EXIT_OK, EXIT_ARTICLES_FAILED, EXIT_CANNOT_RUN = 0, 1, 2
#: A run stopped with Ctrl-C: 128 + SIGINT, as a shell reports it.
EXIT_INTERRUPTED = 130

DESCRIPTION = """\
claimflow turns news articles into versioned tables of sentences, claims and
attributions ("who said what").

Put articles in a folder (.txt: one article per file, the first line is the
headline, an optional <name>.json sidecar with published/url/source/title;
.jsonl: one {"id", "text", ...} record per line), then:

  claimflow run                 # seeds/ -> data/tables/{documents,sentences,...}
  claimflow tables              # what is there: versions, rows, last run
  claimflow show claims --limit 5
  claimflow history claims      # every version with its lineage
  claimflow errors              # inputs that did not land, and warnings
"""


#: Set when a run's Prefect API stopped answering: Prefect would then spend
#: minutes at exit failing to send the run's queued events (see :func:`console`).
PREFECT_LOST = threading.Event()


def console() -> None:
    """The ``claimflow`` command: :func:`main`, then exit.

    When Prefect's API went away during a run, the events Prefect still
    holds cannot be delivered; at interpreter exit it would retry each for
    seconds (minutes in all).  The command's output is out by then, so it
    exits at once instead.
    """
    code = main()
    if PREFECT_LOST.is_set():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    progress = logging.getLogger("claimflow")
    if not any(isinstance(h, _StderrHandler) for h in progress.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        progress.addHandler(handler)
    progress.setLevel(logging.WARNING if args.quiet else logging.INFO)
    progress.propagate = False
    if getattr(args, "verbose", False):
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    try:
        return args.handler(args)
    except BrokenPipeError:
        if not _stdout_closed():
            raise  # a broken pipe elsewhere (a worker), not the reader
        # The reader went away (`claimflow runs | head -1`): stop quietly,
        # and keep Python from complaining again when it flushes stdout.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except LockedError as exc:
        print(f"claimflow: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except CatalogError as exc:
        print(f"claimflow: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (``POLLERR`` on it)."""
    import select

    poll = select.poll()
    poll.register(sys.stdout.fileno(), select.POLLOUT)
    return any(events & select.POLLERR for _, events in poll.poll(0))


class _StderrHandler(logging.StreamHandler):
    """Progress lines to whatever ``sys.stderr`` is at the time of writing."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimflow",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    run = sub.add_parser(
        "run",
        help="run the pipeline on a seeds folder and commit new table versions",
        description=textwrap.dedent(
            """\
            Read every .txt and .jsonl article under --seeds, split it into
            sentences, attributions and claims, and commit a new version of each
            table under --data/tables, with lineage. If nothing changed since the
            latest complete run (same articles, code and config) no table gets a
            new version; --force recomputes anyway. Bad inputs are recorded in the
            errors table and never stop the other articles.

            Prefect: with PREFECT_API_URL set the run is reported to that server;
            otherwise Prefect starts a temporary local server (state in
            PREFECT_HOME, default .prefect/ in the project)."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--seeds", default="seeds", help="input folder (default: seeds)")
    run.add_argument("--data", default="data", help="output folder (default: data)")
    run.add_argument(
        "--batch-size",
        type=positive_int,
        default=100,
        help=(
            "articles per task run at most (default: 100); a batch also ends at"
            f" {BATCH_CHARS:,} characters"
        ),
    )
    run.add_argument(
        "--runner",
        choices=("local", "dask"),
        default="local",
        help="where batches run: local worker processes (default) or a Dask cluster",
    )
    run.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="parallel workers (default: one per core, up to 8); 1 runs in-process",
    )
    run.add_argument(
        "--address", help="Dask scheduler address tcp://HOST:PORT (default: a local cluster)"
    )
    run.add_argument(
        "--processes",
        type=positive_int,
        default=1,
        help="spaCy processes inside one batch (default: 1; prefer --workers)",
    )
    run.add_argument(
        "--max-bytes",
        type=positive_int,
        default=5_000_000,
        help="larger articles (a .txt file, a .jsonl line) are rejected into errors, "
        "as are texts over 1,000,000 characters (default: 5000000)",
    )
    run.add_argument(
        "--stage-timeout",
        type=_seconds,
        default=120.0,
        metavar="SECONDS",
        help="stop a stage that runs longer than this per 100,000 characters of its batch "
        "(never less); its articles are retried one by one and one that still hangs goes "
        "to errors (default: 120; 0: no limit)",
    )
    run.add_argument("--force", action="store_true", help="recompute even when nothing changed")
    run.add_argument(
        "--prune",
        action="store_true",
        help="remove articles whose files are gone from the tables (one whose file is there "
        "but cannot be read this run is kept, and the error says why)",
    )
    run.add_argument("--strict", action="store_true", help="exit 1 if any article failed to land")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")
    run.add_argument(
        "--no-report", action="store_true", help="skip writing the HTML report (<data>/report)"
    )
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs too")
    run.set_defaults(handler=cmd_run)

    tables = sub.add_parser("tables", help="list tables: current version, rows, last run")
    add_data_option(tables)
    tables.add_argument(
        "--json", action="store_true", help="print the tables and the latest complete run as JSON"
    )
    tables.set_defaults(handler=cmd_tables)

    history = sub.add_parser(
        "history",
        help="versions of one table with their lineage",
        description=textwrap.dedent(
            """\
            List every version of TABLE, newest first: when and how it was
            committed, its rows (+ added, - removed by that commit), the run
            and Prefect flow run that wrote it, the upstream table versions it
            was computed from, its config hash and its code version (git sha,
            stage hash, trained model digests, spaCy model, library versions).
            Read a version with `claimflow show TABLE --version N`; compare two
            with `claimflow diff TABLE N M --rows`."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    history.add_argument(
        "table", choices=list(ALL_TABLES), metavar="TABLE", help=", ".join(ALL_TABLES)
    )
    add_data_option(history)
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(handler=cmd_history)

    errors = sub.add_parser(
        "errors",
        help="list the errors and warnings of a run (default: the latest)",
        description=textwrap.dedent(
            """\
            List what went wrong with the inputs of one run: severity "error" for
            an input that did not land (the rest of the run did), "warning" for an
            article that landed with a caveat (a guessed encoding, control
            characters, a text that does not look English)."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    errors.add_argument("--run", help="run id (default: the latest run that computed)")
    add_data_option(errors)
    errors.add_argument("--severity", choices=("error", "warning"), help="only this severity")
    errors.add_argument(
        "--kind", choices=ERROR_KINDS, metavar="KIND", help="only this kind: %(choices)s"
    )
    errors.add_argument("--json", action="store_true", help="print JSON rows")
    errors.set_defaults(handler=cmd_errors)

    show = sub.add_parser("show", help="print rows of a table (any version)")
    show.add_argument("table", choices=list(ALL_TABLES))
    add_data_option(show)
    show.add_argument(
        "--version",
        type=version_number,
        help="table version (default: the one the latest complete run lists, which is the "
        "newest unless a run did not complete or a rerun went back to an older run)",
    )
    show.add_argument("--doc", help="only rows of this doc_id")
    show.add_argument(
        "--limit", type=positive_int, help="rows to show (default: 20; with --json every row)"
    )
    show.add_argument("--columns", help="comma-separated columns to show")
    show.add_argument(
        "--json",
        action="store_true",
        help="print the rows as JSON, one object per line (lists and structs kept whole)",
    )
    show.set_defaults(handler=cmd_show)

    report = sub.add_parser(
        "report",
        help="write the analyst report (static HTML) of a run and print its summary",
        description=textwrap.dedent(
            """\
            Write a self-contained HTML report of one run's table versions
            (default: the latest complete run) to --out: an overview with charts
            (speakers, affiliations, source types, cue verbs, quote types, claim types,
            check-worthiness, attributions per article), the most check-worthy
            claims, and one page per article with sources, cues and contents
            highlighted and claims underlined. No server or network needed: open
            <out>/index.html in a browser. A plain-text summary is printed."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_option(report)
    report.add_argument("--run", help="run id (default: the latest complete run)")
    report.add_argument("--out", default="report", help="output folder (default: report)")
    report.set_defaults(handler=_cmd_report)

    from flows import cli_schedule, cli_versions, evaluation

    cli_versions.register(sub)
    cli_schedule.register(sub)

    evaluate = sub.add_parser(
        "eval", help="measure a stage on an annotated corpus (sentences, attributions, claims)"
    )
    train = sub.add_parser("train", help="train a stage's model from an annotated corpus")
    evaluation.register(
        evaluate.add_subparsers(title="stages", metavar="STAGE", required=True),
        train.add_subparsers(title="stages", metavar="STAGE", required=True),
    )
    return parser


# ---------------------------------------------------------------- options


def existing_data(value: str) -> str:
    """A data folder that a run has written to: the read-only commands say
    so rather than show a mistyped folder as empty."""
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(
            f"no data folder {value!r}: nothing has been written there "
            f"(`claimflow run --data {_sh(value)}` writes one)"
        )
    return value


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """``--data`` for a command that reads what runs wrote."""
    parser.add_argument(
        "--data", default="data", type=existing_data, help="data folder (default: data)"
    )


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"a whole number, 1 or more, not {value}")
    return number


def hours(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"a number of hours, 0 or more, not {value}")
    return number


def version_number(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"a table version, 0 or more, not {value}")
    return number


class _NoFlowErrors(logging.Filter):
    """Drops Prefect's flow and task run errors: the command prints the reason
    in one line, and ``-v`` shows the trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno >= logging.ERROR
            and record.name.startswith(("prefect.flow_runs", "prefect.task_runs"))
        )


@contextlib.contextmanager
def quiet_flow_errors(verbose: bool) -> Iterator[None]:
    """Keep Prefect's traceback of a failed run off this process's console
    unless -v (it still reaches the Prefect server's run logs)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    from flows.runners import quiet_lost_api

    quiet = _NoFlowErrors()
    handlers = [] if verbose else logging.getLogger().handlers
    consoles = [h for h in handlers if isinstance(h, PrefectConsoleHandler)]
    for handler in consoles:
        handler.addFilter(quiet)
    undo_lost_api = (lambda: None) if verbose else quiet_lost_api()
    try:
        yield
    finally:
        undo_lost_api()
        for handler in consoles:
            handler.removeFilter(quiet)


#: The first frame of the Rust backtrace delta-rs appends to its errors when
#: RUST_BACKTRACE is set.
_BACKTRACE = re.compile(r"\n\s*0: ")


def _stop_at_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C during a run: stop now, as a kill would, and say what is kept.

    Ctrl-C reaches the whole process group, Prefect's temporary API server
    included, which dies.  Left to Prefect, the flow then spent 40 s and
    more reporting the crash to a server that was gone and waited on busy
    workers at exit (minutes, and a second Ctrl-C left them running).  A
    run commits its tables only at its end, and the next run rolls back a
    table a stopped run had committed, so stopping hard loses nothing that
    an earlier run committed (the tests kill runs at every commit).

    Writes go straight to the file descriptor: the interrupted code may be
    inside a write to ``sys.stderr`` (the progress log), and a second
    buffered write from here would raise "reentrant call".
    """
    from flows.runners import stop_children

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while stopping
    # What runs in this process (Prefect's clients, a local Dask cluster's
    # nannies) would log each worker's end and restart: a stopping run has
    # nothing left to say but the two lines below.
    logging.disable(logging.CRITICAL)
    os.write(2, b"\nclaimflow: interrupted, stopping the workers ...\n")
    try:
        _mark_flow_run_crashed()
    finally:
        stop_children()
        os.write(
            2,
            b"claimflow: run interrupted: the tables keep the versions of the last complete "
            b"run (the next run rolls back any it had begun to commit)\n",
        )
        os._exit(EXIT_INTERRUPTED)


#: Seconds an interrupted run waits for a Prefect server to record its end.
CRASH_REPORT_SECONDS = 5.0


def _mark_flow_run_crashed() -> None:
    """Tell a Prefect server the flow run crashed, if it outlives the run.

    With ``PREFECT_API_URL`` set, the server is not this command's: it would
    show the flow run as Running for good.  Best effort, as Prefect's own
    crash handling, and bounded (the server may be unreachable).  Without it,
    the temporary server has died with the Ctrl-C or dies with the command.
    """
    from prefect.context import FlowRunContext
    from prefect.settings import get_current_settings

    context = FlowRunContext.get()
    if not get_current_settings().api.url or context is None or context.flow_run is None:
        return
    flow_run_id = context.flow_run.id

    def mark() -> None:
        from prefect.client.orchestration import get_client
        from prefect.states import Crashed

        try:
            with get_client(sync_client=True) as client:
                client.set_flow_run_state(
                    flow_run_id, Crashed(message="interrupted (Ctrl-C)"), force=True
                )
        except Exception:  # an unreachable server: the stop goes on regardless
            pass

    reporter = threading.Thread(target=mark, daemon=True)
    reporter.start()
    reporter.join(CRASH_REPORT_SECONDS)


_TRACKER_NOTICE = "ignore:resource_tracker:UserWarning"


@contextlib.contextmanager
def stop_at_interrupt() -> Iterator[None]:
    """Handle Ctrl-C with :func:`_stop_at_interrupt` for the duration of a run.

    Only in the main thread, the only one Python delivers signals to (a
    run started from another thread keeps the default handling).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Stopped workers leave the semaphores of their queues to multiprocessing's
    # resource tracker, which frees them and warns about "leaked semaphore
    # objects" after the command's last line.  Its warning filters come from
    # sys.warnoptions when it starts (with the first worker pool).
    added = _TRACKER_NOTICE not in sys.warnoptions
    if added:
        sys.warnoptions.append(_TRACKER_NOTICE)
    previous = signal.signal(signal.SIGINT, _stop_at_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if added:
            sys.warnoptions.remove(_TRACKER_NOTICE)


def flow_summary(call: Callable[[], dict], verbose: bool) -> dict | None:
    """The summary of a flow run, or None when the run itself failed: then
    one line says why (the trace with -v).  Bad articles never get here; they
    go to the errors table.  Ctrl-C stops the run at once (exit 130)."""
    from flows.pipeline import FINISHED

    before = FINISHED[-1] if FINISHED else None
    with quiet_flow_errors(verbose), stop_at_interrupt():
        try:
            return call()
        except LockedError:
            raise  # main() prints it and exits 2
        except Exception as exc:
            if verbose:
                logging.getLogger("claimflow").exception("run failed")
            reason = f"{type(exc).__name__}: {_BACKTRACE.split(str(exc), maxsplit=1)[0].strip()}"
            if FINISHED and FINISHED[-1] is not before:
                # The run recorded itself; Prefect failed after (its API went away).
                summary = FINISHED[-1]
                print(
                    f"claimflow: run {summary['run_id']} is recorded and its tables are "
                    f"committed, but Prefect could not record the flow run's end ({reason})",
                    file=sys.stderr,
                )
                PREFECT_LOST.set()
                return summary
            print(f"claimflow: run failed: {reason}", file=sys.stderr)
            return None


def errors_hint(data: str | Path) -> str:
    """The command that lists a data folder's errors, as the user would type it."""
    return "claimflow errors" + ("" if Path(data) == Path("data") else f" --data {_sh(data)}")


def _sh(path: str | Path) -> str:
    """A path as it would be typed in a shell."""
    return shlex.quote(str(path))


# ---------------------------------------------------------------- commands


def _seconds(value: str) -> float:
    seconds = float(value)
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"a number of seconds, 0 or more, not {value}")
    return seconds


def folder_problem(seeds: Path, data: Path) -> str | None:
    """Why ``--seeds`` or ``--data`` cannot be used, or None."""
    if not seeds.is_dir():
        why = "is a file, not a folder" if seeds.exists() else "not found"
        return f"seeds folder {seeds} {why} (--seeds takes a folder)"
    if data.exists() and not data.is_dir():
        return f"data folder {data} is a file, not a folder"
    return None


def cmd_run(args: argparse.Namespace) -> int:
    seeds, data = Path(args.seeds), Path(args.data)
    if (problem := folder_problem(seeds, data)) is not None:
        print(f"claimflow: {problem}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    try:
        data.mkdir(parents=True, exist_ok=True)
        probe = data / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        print(f"claimflow: cannot write to data folder {data}: {exc.strerror}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    Catalog(data).check_unlocked()
    logging.getLogger("claimflow").info("starting flow (Prefect, spaCy model load) ...")
    from flows.pipeline import claimflow
    from flows.runners import default_workers, make_task_runner

    workers = args.workers or default_workers()
    runner = make_task_runner(args.runner, workers, args.address, args.verbose)
    flow = claimflow.with_options(task_runner=runner)
    summary = flow_summary(
        partial(
            flow,
            workers=workers,
            seeds_dir=str(seeds),
            data_dir=str(data),
            batch_size=args.batch_size,
            n_process=args.processes,
            max_bytes=args.max_bytes,
            force=args.force,
            prune=args.prune,
            report=not args.no_report,
            stage_timeout=args.stage_timeout,
        ),
        args.verbose,
    )
    if summary is None:
        return EXIT_CANNOT_RUN
    with_problem_counts(Catalog(data), summary)
    if args.json:
        print(json.dumps(summary, indent=1, default=str))
    else:
        print(format_summary(summary))
    if args.strict and summary["n_failed"]:
        print(
            f"claimflow: --strict: {summary['n_failed']} input(s) did not land "
            "(claimflow errors lists them)",
            file=sys.stderr,
        )
        return EXIT_ARTICLES_FAILED
    return EXIT_OK


def run_errors(catalog: Catalog, run_id: str | None) -> list[dict]:
    """The errors that describe run ``run_id``'s tables: the rows it wrote,
    or, for a run that computed nothing (``unchanged``, ``maintained``),
    those of the latest run before it that did."""
    if run_id is None or not catalog.exists("errors"):
        return []
    own = [r for r in catalog.read("errors").to_pylist() if r["run_id"] == run_id]
    return own or catalog.errors_of(run_id)


def with_problem_counts(catalog: Catalog, summary: dict) -> dict:
    """The summary with the errors (``n_failed``) and warnings that describe
    its run's tables, as ``format_summary`` prints them."""
    counts = severity_counts(catalog, summary.get("run_id"))
    summary["n_failed"] = counts.get("error", 0)
    summary["n_warnings"] = counts.get("warning", 0)
    return summary


def severity_counts(catalog: Catalog, run_id: str | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in run_errors(catalog, run_id):
        counts[row["severity"]] = counts.get(row["severity"], 0) + 1
    return counts


def format_summary(summary: dict) -> str:
    counts = summary.get("counts", {})
    versions = summary["versions"]
    lines = [f"run {summary['run_id']}: {summary['status']} in {summary['seconds']:.1f} s"]
    if summary["status"] == "unchanged":
        lines.append("  nothing changed since the latest complete run: no new data versions")
    else:
        # The rows this run wrote; a rerun of one stage writes only its tables
        # and leaves the others at their versions.
        written = [
            f"{label} {counts[table]}"
            for table, label in (
                ("documents", "articles"),
                ("sentences", "sentences"),
                ("attributions", "attributions"),
                ("claims", "claims"),
            )
            if table in counts
        ]
        if summary.get("removed"):
            written.append(f"removed {summary['removed']} articles whose files are gone")
        lines.append(
            "  "
            + (", ".join(written) or "no rows written")
            + f", errors {summary.get('n_failed', summary.get('n_errors', 0))}"
            + (f", warnings {summary['n_warnings']}" if summary.get("n_warnings") else "")
        )
    lines.append(
        "  versions: " + ", ".join(f"{t} v{v}" for t, v in versions.items() if v is not None)
    )
    tables_dir = summary["tables_dir"]
    lines.append(f"  tables in {tables_dir}/ (Delta Lake)")
    # The newest table this run wrote (a rerun of attributions alone leaves
    # claims at a version older runs made, and the newest claims version may
    # be another run's); claims when it wrote none (an unchanged run).
    shown = next((t for t in ("claims", "attributions", "sentences") if t in counts), "claims")
    if versions.get(shown) is not None:
        lines.append(
            '  load: python -c "from deltalake import DeltaTable; '
            f"print(DeltaTable('{tables_dir}/{shown}').to_pandas())\""
        )
    if summary.get("n_errors") or summary.get("n_warnings"):
        lines.append(f"  see the errors and warnings: {errors_hint(Path(tables_dir).parent)}")
    for table, why in (summary.get("out_of_date") or {}).items():
        lines.append(f"  out of date: {table} ({why})")
    if summary.get("out_of_date"):
        lines.append("  the next `claimflow run` recomputes them")
    return "\n".join(lines)


def table_states(catalog: Catalog) -> tuple[list[dict], dict | None]:
    """Each table's current version, row count and last writing run, and the
    latest complete run (None before the first): what ``claimflow tables``
    prints; every table has the same keys.  ``complete_run_version`` is the
    version the latest complete run lists (None for ``runs``, which no run
    lists, and before the first complete run); a current ``version`` past
    it was left by a run that did not complete (or by ``rerun --from-run``),
    and the next run rolls it back."""
    latest = catalog.latest_complete_run() if catalog.exists("runs") else None
    states = []
    for name in ALL_TABLES:
        state = {"table": name, "version": None, "rows": None, "last_run_id": None}
        state["complete_run_version"] = (latest or {}).get("table_versions", {}).get(name)
        if catalog.exists(name):
            dt = catalog.delta(name)
            state |= {
                "version": dt.version(),
                "rows": dt.count(),
                "last_run_id": catalog.history(name)[0].get("run_id"),
            }
        states.append(state)
    return states, latest


def _ahead_note(state: dict) -> str:
    """Why a table's current version is not the latest complete run's, if it is not."""
    if state["table"] == "runs" or state["version"] is None:
        return ""
    recorded = state.get("complete_run_version")
    if recorded is None:
        return "  (ahead of the latest complete run, which has none: the next run empties it)"
    if state["version"] > recorded:
        return f"  (ahead of the latest complete run's v{recorded}: rolled back by the next run)"
    return ""


def cmd_tables(args: argparse.Namespace) -> int:
    catalog = Catalog(args.data)
    states, latest = table_states(catalog)
    counts = severity_counts(catalog, latest["run_id"]) if latest else {}
    if args.json:
        run = None
        if latest:
            run = {
                k: latest[k] for k in ("run_id", "status", "n_documents", "started_at", "ended_at")
            }
            run |= {"errors": counts.get("error", 0), "warnings": counts.get("warning", 0)}
        print(json.dumps({"tables": states, "latest_complete_run": run}, indent=1, default=str))
        return EXIT_OK
    print(f"{'table':<14}{'version':>8}{'rows':>10}  last run")
    for state in states:
        if state["version"] is None:
            print(f"{state['table']:<14}{'-':>8}{'-':>10}  (not written yet)")
            continue
        print(
            f"{state['table']:<14}{state['version']:>8}{state['rows']:>10}  "
            f"{state['last_run_id'] or '?'}{_ahead_note(state)}"
        )
    if latest:
        print(
            f"\nlatest complete run: {latest['run_id']} ({latest['status']}, "
            f"{latest['n_documents']} articles, {counts.get('error', 0)} errors, "
            f"{counts.get('warning', 0)} warnings)"
        )
        if counts:
            print(f"see them: {errors_hint(args.data)}")
    else:
        print(f"\nno complete run yet in {args.data}: try `claimflow run --data {_sh(args.data)}`")
    return EXIT_OK


def cmd_errors(args: argparse.Namespace) -> int:
    catalog = Catalog(args.data)
    run_id = args.run
    if run_id is None:
        latest = catalog.latest_complete_run() if catalog.exists("runs") else None
        if latest is None:
            print(f"claimflow: no complete run in {args.data} yet", file=sys.stderr)
            return EXIT_CANNOT_RUN
        run_id = latest["run_id"]
    elif catalog.exists("runs") and run_id not in {r["run_id"] for r in catalog.runs()}:
        print(f"claimflow: no run {run_id!r} in {args.data}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    rows = run_errors(catalog, run_id)
    shown = [
        r
        for r in rows
        if (args.severity is None or r["severity"] == args.severity)
        and (args.kind is None or r["kind"] == args.kind)
    ]
    if args.json:
        print(json.dumps(shown, indent=1, default=str))
        return EXIT_OK
    for r in shown:
        where = r["source_path"] or "-"
        if r["line"] is not None:
            where += f":{r['line']}"
        doc = f" [{r['doc_id']}]" if r["doc_id"] else ""
        print(f"{r['severity']:<8}{r['kind']:<19}{r['stage']:<13}{where}{doc}")
        print(f"        {r['message']}")
    n_err = sum(r["severity"] == "error" for r in rows)
    print(
        f"run {run_id}: {n_err} errors, {len(rows) - n_err} warnings"
        + (f" ({len(shown)} shown)" if len(shown) != len(rows) else ""),
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    entries = Catalog(args.data).history(args.table, rows=True)
    if args.json:
        print(json.dumps(entries, indent=1, default=str))
        return EXIT_OK
    for e in entries:
        code = e.get("code_version") or {}
        if isinstance(code, dict):
            code = ", ".join(f"{k}={v}" for k, v in code.items())
        change = f"  rows {e['rows']:,}" if e.get("rows") is not None else ""
        if change and e.get("rows_added") is not None:
            change += f" (+{e['rows_added']:,}"
            if e.get("rows_removed") is not None:
                change += f" -{e['rows_removed']:,}"
            change += ")"
        print(f"v{e['version']}  {e['timestamp']:%Y-%m-%d %H:%M:%S}  {e['operation']}{change}")
        print(f"    run {e.get('run_id', '-')}  flow run {e.get('flow_run_id') or '-'}")
        print(f"    upstream {e.get('upstream', {})}  config {e.get('config_hash', '-')}")
        print(f"    code {code}")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from flows.report import cmd_report

    return cmd_report(args)


def _complete_version(catalog: Catalog, table: str) -> int | None:
    """The version of ``table`` that the latest complete run lists, when the
    table's newest is ahead of it (left by a run that did not complete, or
    by ``rerun --from-run``; the next run rolls it back): the tables of one
    run agree with each other, the newest versions need not.  None (the
    newest) otherwise."""
    latest = catalog.latest_complete_run() if catalog.exists("runs") else None
    recorded = (latest or {}).get("table_versions", {}).get(table)
    newest = catalog.version(table)  # each call loads the Delta log
    if recorded is None or table == "runs" or newest == recorded:
        return None
    print(
        f"({table} v{recorded}, the latest complete run's; v{newest} is ahead "
        "of it and the next run rolls it back: --version shows it)",
        file=sys.stderr,
    )
    return int(recorded)


def _whole_numbers(arrow_type: object) -> object:
    """pandas' nullable integers for Arrow integers, so that a column with
    nulls shows "9" and "<NA>", not "9.0" and "NaN"; other types as usual."""
    import pandas as pd
    import pyarrow as pa

    return pd.Int64Dtype() if pa.types.is_integer(arrow_type) else None


def cmd_show(args: argparse.Namespace) -> int:
    import pandas as pd

    catalog = Catalog(args.data)
    if args.doc and "doc_id" not in ALL_TABLES[args.table].names:
        raise CatalogError(f"{args.table} has no articles: --doc filters the tables with doc_id")
    catalog.require(args.table)
    version = args.version if args.version is not None else _complete_version(catalog, args.table)
    table = catalog.read(args.table, version, [args.doc] if args.doc else None)
    if args.columns:
        wanted = [c.strip() for c in args.columns.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in table.column_names]
        if unknown or not wanted:
            named = f"no column {', '.join(unknown)}" if unknown else "--columns names no column"
            raise CatalogError(
                f"{args.table}: {named}; its columns: {', '.join(table.column_names)}"
            )
        table = table.select(wanted)
    limit = args.limit or (table.num_rows if args.json else 20)
    if args.json:
        for row in table.slice(0, limit).to_pylist():
            print(json.dumps(row, default=str, ensure_ascii=False))
        print(f"({min(limit, table.num_rows)} of {table.num_rows} rows)", file=sys.stderr)
        return EXIT_OK
    if not table.num_rows:
        print(f"(no rows{f' for article {args.doc}' if args.doc else ''})")
        return EXIT_OK
    # Arrow types keep integers whole where a column has nulls ("9", "<NA>",
    # not "9.0", "NaN").
    frame = table.slice(0, limit).to_pandas(types_mapper=_whole_numbers)
    with pd.option_context(
        "display.max_columns", None, "display.width", 200, "display.max_colwidth", 60
    ):
        print(frame.to_string())
    print(f"({min(limit, table.num_rows)} of {table.num_rows} rows)", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    console()
