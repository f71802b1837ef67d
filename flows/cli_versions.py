"""CLI commands about versions: ``runs``, ``rerun``, ``lineage``, ``diff``, ``maintain``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import textwrap
from functools import partial

from flows.cli import add_data_option, hours, positive_int, version_number
from flows.storage import Catalog
from transforms.schemas import ALL_TABLES, DATA_TABLES

log = logging.getLogger("claimflow")
STAGE_CHOICES = ("sentences", "attributions", "claims")


def register(sub: argparse._SubParsersAction) -> None:
    runs = sub.add_parser("runs", help="list runs: status, time, versions they committed")
    add_data_option(runs)
    runs.add_argument("--limit", type=positive_int, default=20, help="newest N runs (default: 20)")
    runs.add_argument("--json", action="store_true", help="print the runs as JSON, newest first")
    runs.set_defaults(handler=cmd_runs)

    rerun = sub.add_parser(
        "rerun",
        help="re-derive one stage (and optionally the later ones) from stored tables",
        description=textwrap.dedent(
            """\
            Re-derive STAGE for every article from the upstream table versions a
            run recorded (default: the latest complete run), after you changed a
            rule or a model. The stored rows of earlier stages are reused:
            `rerun attributions` keeps the stored sentence ids and offsets (the
            text is parsed again; sentences are not re-segmented). Commits a new
            version of STAGE only (with --downstream also of the later stages) and
            records the rerun as a new run."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rerun.add_argument("stage", choices=STAGE_CHOICES)
    rerun.add_argument("--from-run", help="run id whose table versions to read (default: latest)")
    rerun.add_argument("--downstream", action="store_true", help="also rerun the later stages")
    add_data_option(rerun)
    rerun.add_argument("--batch-size", type=positive_int, default=100, help="articles per task run")
    rerun.add_argument("--processes", type=positive_int, default=1, help="spaCy parser processes")
    rerun.add_argument("--json", action="store_true", help="print the run summary as JSON")
    rerun.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs too")
    rerun.set_defaults(handler=cmd_rerun)

    lineage = sub.add_parser(
        "lineage",
        help="walk a table version's lineage back to the documents it came from",
        description=textwrap.dedent(
            """\
            Print the tree of table versions a version was computed from (claims
            -> attributions -> sentences -> documents), each with the run that
            wrote it and its code version: what `claimflow maintain` keeps
            readable, and what to rerun from (`claimflow rerun --from-run`)."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lineage.add_argument("table", choices=[t for t in DATA_TABLES if t != "errors"])
    lineage.add_argument("--version", type=version_number, help="table version (default: current)")
    add_data_option(lineage)
    lineage.add_argument(
        "--json", action="store_true", help="print the tree as JSON (each node's upstream nested)"
    )
    lineage.set_defaults(handler=cmd_lineage)

    diff = sub.add_parser(
        "diff",
        help="rows added, removed and changed between two versions",
        description=textwrap.dedent(
            """\
            Compare two versions of a table row by row. Sentences, claims and
            attributions are matched within each article by their text (the
            content's, for attributions), as `diff` matches lines, so a claim
            a rule adds does not make every later claim "changed" because its
            claim_id moved up by one. Rows that differ only in such ids, or in
            offsets all shifted by text an edit added or cut before them, are
            counted as moved, not listed. Other tables are matched by their ids
            (doc_id, run_id, ...). Prints the counts per article; --rows also
            prints each changed row with the columns that differ (old -> new),
            and each row added or removed. `claimflow history TABLE` lists the
            versions."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument(
        "table", choices=list(ALL_TABLES), metavar="TABLE", help=", ".join(ALL_TABLES)
    )
    diff.add_argument("v1", type=version_number, help="the older version")
    diff.add_argument("v2", type=version_number, help="the newer version")
    add_data_option(diff)
    diff.add_argument(
        "--limit",
        type=positive_int,
        default=30,
        help="articles (with --rows: rows) to list (default: 30)",
    )
    diff.add_argument(
        "--rows", action="store_true", help="list the rows that differ, column by column"
    )
    diff.add_argument(
        "--json", action="store_true", help="print every row change as JSON (one object per line)"
    )
    diff.set_defaults(handler=cmd_diff)

    maintain = sub.add_parser(
        "maintain",
        help="compact small files and vacuum old ones (never a version still referenced)",
        description=textwrap.dedent(
            """\
            Compact each table's small files, then delete data files that no
            version newer than --retention-hours needs. Versions still referenced
            by the lineage of the current versions and of the latest complete run
            are always kept readable. Also removes files left by killed writers."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_option(maintain)
    maintain.add_argument(
        "--retention-hours",
        type=hours,
        default=168,
        help="keep every version of the last N hours readable (default: 168, a week)",
    )
    maintain.add_argument("--dry-run", action="store_true", help="only list what would go")
    maintain.set_defaults(handler=cmd_maintain)


def cmd_runs(args: argparse.Namespace) -> int:
    runs = Catalog(args.data).runs()[-args.limit :]
    if args.json:
        print(json.dumps(runs[::-1], indent=1, default=str))
        return 0
    if not runs:
        print(f"no runs yet in {args.data}")
        return 0
    for r in reversed(runs):
        versions = ", ".join(f"{t} v{v}" for t, v in sorted(r["table_versions"].items()))
        took = (r["ended_at"] - r["started_at"]).total_seconds()
        extra = f"  rerun of {r['rerun_of']}" if r.get("rerun_of") else ""
        print(
            f"{r['run_id']}  {r['status']:<10} {r['started_at']:%Y-%m-%d %H:%M:%S}  "
            f"{took:6.1f} s  {r['n_documents']} articles  {r['n_errors']} errors{extra}"
        )
        print(f"    committed: {', '.join(r['committed']) or '-'}   reads: {versions}")
    return 0


def cmd_rerun(args: argparse.Namespace) -> int:
    from flows.cli import flow_summary, format_summary, with_problem_counts

    catalog = Catalog(args.data)
    complete = [r["run_id"] for r in catalog.complete_runs()]
    if args.from_run is not None and args.from_run not in complete:
        latest = f"; the latest is {complete[-1]}" if complete else ""
        print(
            f"claimflow: no complete run {args.from_run!r} in {args.data} "
            f"(`claimflow runs` lists them{latest})",
            file=sys.stderr,
        )
        return 2
    if not complete:
        print(f"claimflow: no complete run in {args.data} to rerun from", file=sys.stderr)
        return 2
    catalog.check_unlocked()
    from flows.pipeline import claimflow

    summary = flow_summary(
        partial(
            claimflow,
            data_dir=args.data,
            batch_size=args.batch_size,
            n_process=args.processes,
            stages=[args.stage],
            from_run=args.from_run,
            downstream=args.downstream,
        ),
        args.verbose,
    )
    if summary is None:
        return 2
    with_problem_counts(catalog, summary)
    print(json.dumps(summary, indent=1, default=str) if args.json else format_summary(summary))
    return 0


def cmd_lineage(args: argparse.Namespace) -> int:
    from flows.versions import format_lineage, lineage_tree

    catalog = Catalog(args.data)
    if args.version is not None:
        catalog.check_version(args.table, args.version)
    tree = lineage_tree(catalog, args.table, args.version)
    if args.json:
        print(json.dumps(dataclasses.asdict(tree), indent=1, default=str))
        return 0
    print("\n".join(format_lineage(tree)))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from flows.versions import ROW_KEYS, diff_versions

    diff = diff_versions(
        Catalog(args.data), args.table, args.v1, args.v2, rows=args.rows or args.json
    )
    if args.json:
        for change in diff.rows:
            record = {
                "kind": change.kind,
                "key": dict(zip(ROW_KEYS[args.table], change.key, strict=True)),
            }
            if "doc_id" in ALL_TABLES[args.table].names:
                record["doc_id"] = None if change.doc_id == "-" else change.doc_id
            record["columns"] = {c: {"old": o, "new": n} for c, (o, n) in change.columns.items()}
            print(json.dumps(record, default=str))
        return 0
    totals = diff.totals()
    print(
        f"{args.table} v{args.v1} -> v{args.v2}: {totals['added']} added, "
        f"{totals['removed']} removed, {totals['changed']} changed rows "
        f"in {len(diff.by_doc)} articles"
        + (f" ({diff.moved} more rows only moved)" if diff.moved else "")
    )
    ranked = sorted(diff.by_doc.items(), key=lambda kv: -sum(kv[1].values()))
    for doc_id, counts in ranked[: args.limit]:
        print(f"  {doc_id}: +{counts['added']} -{counts['removed']} ~{counts['changed']}")
    if len(ranked) > args.limit:
        print(f"  ... {len(ranked) - args.limit} more articles")
    if args.rows:
        for line in format_row_changes(diff.rows, args.limit):
            print(line)
    return 0


#: Columns that say what an added or removed row is, the first present wins.
_LABEL_COLUMNS = ("text", "content_text", "message", "status", "source_path")


def format_row_changes(rows: list, limit: int) -> list[str]:
    """``~ key`` and a ``column: old -> new`` line per differing column for
    changed rows, ``+``/``- key  text`` for added and removed ones; values
    shortened to fit a line."""
    sign = {"added": "+", "removed": "-", "changed": "~"}
    lines = []
    for change in rows[:limit]:
        key = " ".join(json.dumps(k, default=str, ensure_ascii=False) for k in change.key)
        if change.kind == "changed":
            lines.append(f"~ {key}")
            for column, (old, new) in change.columns.items():
                before, after = _around_difference(_json(old), _json(new))
                lines.append(f"    {column}: {before} -> {after}")
            continue
        values = {c: n if change.kind == "added" else o for c, (o, n) in change.columns.items()}
        label = next((c for c in _LABEL_COLUMNS if values.get(c) is not None), None)
        lines.append(f"{sign[change.kind]} {key}" + (f"  {_short(values[label])}" if label else ""))
    if len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more rows (--limit)")
    return lines


def _json(value: object) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _short(value: object, width: int = 60) -> str:
    text = _json(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _around_difference(old: str, new: str, width: int = 60) -> tuple[str, str]:
    """Both values cut to ``width`` around where they first differ, so that
    two long values that share a start do not print the same."""
    if max(len(old), len(new)) <= width:
        return old, new
    first = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    start = max(0, first - width // 3)

    def cut(text: str) -> str:
        piece = text[start : start + width]
        return ("..." if start else "") + piece + ("..." if start + width < len(text) else "")

    return cut(old), cut(new)


def cmd_maintain(args: argparse.Namespace) -> int:
    from flows.versions import maintain

    report = maintain(Catalog(args.data), args.retention_hours, args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for table, r in report.items():
        print(
            f"{table:<14} v{r['version']}  compacted {r['files_compacted']} files, "
            f"{verb} {r['files_removed']} files; kept versions {r['kept_versions']}"
        )
    return 0
