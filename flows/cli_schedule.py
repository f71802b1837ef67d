"""``claimflow serve``: run the flow on a schedule from a Prefect server."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from flows.cli import EXIT_CANNOT_RUN, folder_problem, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the flow as a Prefect deployment with a cron schedule",
        description=textwrap.dedent(
            """\
            Register a deployment of the claimflow flow on the Prefect server at
            PREFECT_API_URL, with a cron schedule, and run its scheduled (and
            manually triggered) runs from this process until you stop it (Ctrl-C;
            stopping pauses the schedule). Start a server first:

              prefect server start --host 127.0.0.1
              export PREFECT_API_URL=http://127.0.0.1:4200/api
              claimflow serve --cron "0 6 * * *"
              prefect deployment run claimflow/claimflow-daily   # a run now"""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--cron", default="0 6 * * *", help='schedule (default: "0 6 * * *")')
    serve.add_argument("--name", default="claimflow-daily", help="deployment name")
    serve.add_argument("--seeds", default="seeds", help="input folder (default: seeds)")
    serve.add_argument("--data", default="data", help="output folder (default: data)")
    serve.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="parallel workers per run (default: one per core)",
    )
    serve.set_defaults(handler=cmd_serve)


_START_A_SERVER = (
    "start one with `prefect server start --host 127.0.0.1` and set "
    "PREFECT_API_URL=http://127.0.0.1:4200/api"
)


def serve_problem(args: argparse.Namespace) -> str | None:
    """Why the deployment cannot be served, checked before Prefect is asked
    to: its folders, its schedule, its server."""
    if (problem := folder_problem(Path(args.seeds), Path(args.data))) is not None:
        return problem
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=args.cron)
    except ValidationError:
        return f'--cron "{args.cron}" is no cron schedule (five fields, e.g. "0 6 * * *")'
    url = os.environ.get("PREFECT_API_URL")
    if not url:
        return f"serve needs a running Prefect server: {_START_A_SERVER}"
    import httpx

    # Asked at the URL itself: Prefect's client reads settings that a host
    # process (a test session, a notebook) may have loaded before.
    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=10).raise_for_status()
    except httpx.HTTPError:
        return f"no Prefect server answers at PREFECT_API_URL={url}: {_START_A_SERVER}"
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    if (problem := serve_problem(args)) is not None:
        print(f"claimflow: {problem}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    from flows.pipeline import claimflow
    from flows.runners import default_workers

    claimflow.serve(
        name=args.name,
        cron=args.cron,
        parameters={
            "seeds_dir": str(Path(args.seeds).resolve()),
            "data_dir": str(Path(args.data).resolve()),
            "workers": args.workers or default_workers(),
        },
        description="seeds -> sentences, attributions, claims (versioned Delta tables)",
        pause_on_shutdown=True,
    )
    return 0
