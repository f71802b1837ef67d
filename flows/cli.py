"""``claimflow``: the command line.

Only ``run`` imports Prefect and spaCy; the inspection commands (``tables``,
``history``, ``show``) read the Delta tables directly and answer at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from pathlib import Path

import flows  # noqa: F401  - sets Prefect's environment defaults first
from flows.storage import Catalog, LockedError
from transforms.schemas import ALL_TABLES

EXIT_OK, EXIT_ARTICLES_FAILED, EXIT_CANNOT_RUN = 0, 1, 2

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
"""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    progress = logging.getLogger("claimflow")
    if not progress.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        progress.addHandler(handler)
    progress.setLevel(logging.WARNING if args.quiet else logging.INFO)
    progress.propagate = False
    if getattr(args, "verbose", False):
        import os

        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    try:
        return args.handler(args)
    except LockedError as exc:
        print(f"claimflow: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except KeyError as exc:
        print(f"claimflow: {exc.args[0]}", file=sys.stderr)
        return EXIT_CANNOT_RUN


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
        "--batch-size", type=int, default=200, help="articles per task run (default: 200)"
    )
    run.add_argument("--processes", type=int, default=1, help="spaCy parser processes (default: 1)")
    run.add_argument(
        "--max-bytes",
        type=int,
        default=5_000_000,
        help="larger input files are rejected into errors (default: 5000000)",
    )
    run.add_argument("--force", action="store_true", help="recompute even when nothing changed")
    run.add_argument("--strict", action="store_true", help="exit 1 if any article failed to land")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs too")
    run.set_defaults(handler=cmd_run)

    tables = sub.add_parser("tables", help="list tables: current version, rows, last run")
    tables.add_argument("--data", default="data", help="data folder (default: data)")
    tables.set_defaults(handler=cmd_tables)

    history = sub.add_parser("history", help="versions of one table with their lineage")
    history.add_argument("table", choices=list(ALL_TABLES))
    history.add_argument("--data", default="data", help="data folder (default: data)")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(handler=cmd_history)

    show = sub.add_parser("show", help="print rows of a table (any version)")
    show.add_argument("table", choices=list(ALL_TABLES))
    show.add_argument("--data", default="data", help="data folder (default: data)")
    show.add_argument("--version", type=int, help="table version (default: current)")
    show.add_argument("--doc", help="only rows of this doc_id")
    show.add_argument("--limit", type=int, default=20, help="rows to show (default: 20)")
    show.add_argument("--columns", help="comma-separated columns to show")
    show.set_defaults(handler=cmd_show)

    from flows import evaluation

    evaluate = sub.add_parser(
        "eval", help="measure a stage on an annotated corpus (sentences, attributions, claims)"
    )
    train = sub.add_parser("train", help="train a stage's model from an annotated corpus")
    evaluation.register(
        evaluate.add_subparsers(title="stages", metavar="STAGE", required=True),
        train.add_subparsers(title="stages", metavar="STAGE", required=True),
    )
    return parser


# ---------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    seeds = Path(args.seeds)
    if not seeds.is_dir():
        print(f"claimflow: seeds folder not found: {seeds}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    data = Path(args.data)
    try:
        data.mkdir(parents=True, exist_ok=True)
        probe = data / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        print(f"claimflow: cannot write to data folder {data}: {exc.strerror}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    logging.getLogger("claimflow").info("starting flow (Prefect, spaCy model load) ...")
    from flows.pipeline import claimflow

    summary = claimflow(
        seeds_dir=str(seeds),
        data_dir=str(data),
        batch_size=args.batch_size,
        n_process=args.processes,
        max_bytes=args.max_bytes,
        force=args.force,
    )
    if args.json:
        print(json.dumps(summary, indent=1, default=str))
    else:
        print(format_summary(summary))
    if args.strict and summary.get("n_errors"):
        return EXIT_ARTICLES_FAILED
    return EXIT_OK


def format_summary(summary: dict) -> str:
    counts = summary.get("counts", {})
    versions = summary["versions"]
    lines = [f"run {summary['run_id']}: {summary['status']} in {summary['seconds']:.1f} s"]
    if summary["status"] == "unchanged":
        lines.append("  nothing changed since the latest complete run: no new data versions")
    else:
        lines.append(
            "  articles {a}, sentences {s}, attributions {t}, claims {c}, errors {e}".format(
                a=counts.get("documents", 0),
                s=counts.get("sentences", 0),
                t=counts.get("attributions", 0),
                c=counts.get("claims", 0),
                e=summary.get("n_errors", 0),
            )
        )
    lines.append(
        "  versions: " + ", ".join(f"{t} v{v}" for t, v in versions.items() if v is not None)
    )
    tables_dir = summary["tables_dir"]
    lines.append(f"  tables in {tables_dir}/ (Delta Lake)")
    lines.append(
        '  load: python -c "from deltalake import DeltaTable; '
        f"print(DeltaTable('{tables_dir}/claims').to_pandas())\""
    )
    if summary.get("n_errors"):
        lines.append("  see the errors: claimflow show errors")
    return "\n".join(lines)


def cmd_tables(args: argparse.Namespace) -> int:
    catalog = Catalog(args.data)
    latest = catalog.latest_complete_run() if catalog.exists("runs") else None
    print(f"{'table':<14}{'version':>8}{'rows':>10}  last run")
    for name in ALL_TABLES:
        if not catalog.exists(name):
            print(f"{name:<14}{'-':>8}{'-':>10}  (not written yet)")
            continue
        dt = catalog.delta(name)
        last = catalog.history(name)[0].get("run_id", "?")
        print(f"{name:<14}{dt.version():>8}{dt.count():>10}  {last}")
    if latest:
        print(
            f"\nlatest complete run: {latest['run_id']} ({latest['status']}, "
            f"{latest['n_documents']} articles, {latest['n_errors']} errors)"
        )
    else:
        print(f"\nno complete run yet in {args.data}: try `claimflow run --data {args.data}`")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    entries = Catalog(args.data).history(args.table)
    if args.json:
        print(json.dumps(entries, indent=1, default=str))
        return EXIT_OK
    for e in entries:
        code = e.get("code_version") or {}
        if isinstance(code, dict):
            code = ", ".join(f"{k}={v}" for k, v in code.items())
        print(
            f"v{e['version']}  {e['timestamp']:%Y-%m-%d %H:%M:%S}  {e['operation']}"
            f"  rows+{e.get('rows_added')}"
        )
        print(f"    run {e.get('run_id', '-')}  flow run {e.get('flow_run_id') or '-'}")
        print(f"    upstream {e.get('upstream', {})}  config {e.get('config_hash', '-')}")
        print(f"    code {code}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    import pandas as pd

    catalog = Catalog(args.data)
    table = catalog.read(args.table, args.version, [args.doc] if args.doc else None)
    if args.columns:
        table = table.select([c.strip() for c in args.columns.split(",")])
    frame = table.slice(0, args.limit).to_pandas()
    with pd.option_context(
        "display.max_columns", None, "display.width", 200, "display.max_colwidth", 60
    ):
        print(frame.to_string() if len(frame) else "(no rows)")
    print(f"({min(args.limit, table.num_rows)} of {table.num_rows} rows)", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
