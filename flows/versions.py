"""Working with table versions: lineage walks, diffs and maintenance."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from deltalake import CommitProperties

from flows.storage import Catalog, Lineage
from transforms.schemas import ALL_TABLES, DATA_TABLES, RUNS, conform

log = logging.getLogger("claimflow")

#: Row identity per table, for diffs.
ROW_KEYS = {
    "documents": ("doc_id",),
    "sentences": ("doc_id", "sentence_id"),
    "attributions": ("attribution_id",),
    "claims": ("claim_id",),
    "errors": ("run_id", "source_path", "line", "doc_id", "stage", "kind"),
    "runs": ("run_id",),
}


# ---------------------------------------------------------------- lineage


@dataclass
class LineageNode:
    table: str
    version: int
    run_id: str | None
    code: dict
    upstream: list[LineageNode] = field(default_factory=list)


def lineage_tree(catalog: Catalog, table: str, version: int | None = None) -> LineageNode:
    """A table version and, recursively, the upstream versions it was computed from."""
    if version is None:
        catalog.require(table)
        version = catalog.delta(table).version()
    entry = catalog.lineage(table, version)
    code = entry.get("code_version") if isinstance(entry.get("code_version"), dict) else {}
    node = LineageNode(table, version, entry.get("run_id"), code or {})
    for up_table, up_version in sorted((entry.get("upstream") or {}).items()):
        if up_table in DATA_TABLES and up_version is not None:
            node.upstream.append(lineage_tree(catalog, up_table, int(up_version)))
    return node


def format_lineage(node: LineageNode, indent: int = 0) -> list[str]:
    pad = "  " * indent + ("└─ " if indent else "")
    code = node.code
    detail = ", ".join(
        f"{k}={code[k]}" for k in ("stage_hash", "git_sha", "model", "note") if code.get(k)
    )
    if libraries := code.get("libraries"):
        detail += ", " + " ".join(f"{name}-{v}" for name, v in sorted(libraries.items()))
    lines = [f"{pad}{node.table} v{node.version}  run {node.run_id or '-'}  {detail}"]
    for child in node.upstream:
        lines += format_lineage(child, indent + 1)
    return lines


def referenced_versions(catalog: Catalog) -> dict[str, set[int]]:
    """Versions that must stay readable: the current ones, those of the latest
    complete run, and every version their lineage reads from."""
    keep: dict[str, set[int]] = defaultdict(set)
    roots = [(t, catalog.version(t)) for t in DATA_TABLES if catalog.exists(t)]
    latest = catalog.latest_complete_run() if catalog.exists("runs") else None
    roots += list((latest or {}).get("table_versions", {}).items())

    def visit(node: LineageNode) -> None:
        if node.version in keep[node.table]:
            return
        keep[node.table].add(node.version)
        for child in node.upstream:
            visit(child)

    for table, version in roots:
        if version is not None and catalog.exists(table):
            visit(lineage_tree(catalog, table, version))
    return keep


# ---------------------------------------------------------------- diff


@dataclass
class RowChange:
    """One row added, removed or changed between two versions of a table."""

    kind: str  # "added", "removed" or "changed"
    key: tuple
    doc_id: str
    #: Changed rows: ``{column: (old, new)}`` for each column that differs.
    #: Added and removed rows: ``{column: (None, value)}`` / ``(value, None)``
    #: for every column.
    columns: dict[str, tuple]


@dataclass
class TableDiff:
    table: str
    v1: int
    v2: int
    by_doc: dict[str, Counter]
    rows: list[RowChange] = field(default_factory=list)

    def totals(self) -> Counter:
        total: Counter = Counter()
        for counts in self.by_doc.values():
            total.update(counts)
        return total


def diff_versions(catalog: Catalog, table: str, v1: int, v2: int, rows: bool = False) -> TableDiff:
    """Rows added, removed and changed between two versions, per article;
    with ``rows``, also each row's change, column by column."""
    key = ROW_KEYS[table]
    catalog.require(table)

    def keyed(version: int) -> dict[tuple, dict]:
        records = catalog.read(table, version).to_pylist()
        return {tuple(r.get(k) for k in key): r for r in records}

    old, new = keyed(v1), keyed(v2)
    by_doc: dict[str, Counter] = defaultdict(Counter)
    changes: list[RowChange] = []
    for k in sorted(old.keys() | new.keys(), key=_natural):
        before, after = old.get(k), new.get(k)
        if before is not None and after is not None and _comparable(before) == _comparable(after):
            continue
        kind = "added" if before is None else "removed" if after is None else "changed"
        doc_id = _doc_of(after if before is None else before, table)
        by_doc[doc_id][kind] += 1
        if rows:
            changes.append(RowChange(kind, k, doc_id, _columns(before, after)))
    return TableDiff(table, v1, v2, dict(by_doc), changes)


def _doc_of(row: dict, table: str) -> str:
    """The article a row belongs to: a run for ``runs`` rows, "-" for an
    ``errors`` row no article could be read from."""
    if "doc_id" not in ALL_TABLES[table].names:
        return row.get("run_id") or "-"
    return row.get("doc_id") or "-"


def _columns(before: dict | None, after: dict | None) -> dict[str, tuple]:
    """``{column: (old, new)}``: every column of an added or removed row, the
    differing ones of a changed row."""
    before, after = before or {}, after or {}
    names = sorted(before.keys() | after.keys())
    pairs = {c: (before.get(c), after.get(c)) for c in names}
    if not before or not after:
        return pairs
    return {c: (o, n) for c, (o, n) in pairs.items() if _comparable(o) != _comparable(n)}


def _natural(key: tuple) -> tuple:
    """Row keys in reading order: ``c2`` before ``c10``, None last."""
    return tuple(
        (1, ())
        if v is None
        else (0, tuple(_natural_part(p) for p in re.split(r"([0-9]+)", str(v))))
        for v in key
    )


def _natural_part(part: str) -> tuple[int, int | str]:
    # ASCII digits only: "²" is a digit to str.isdigit but not to int().
    return (0, int(part)) if part.isascii() and part.isdigit() else (1, part)


def _comparable(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# ---------------------------------------------------------------- maintenance


def maintain(catalog: Catalog, retention_hours: int, dry_run: bool) -> dict[str, dict]:
    """Compact small files and vacuum old ones, never a referenced version.

    ``vacuum`` deletes files no version within ``retention_hours`` needs,
    except files of the versions the lineage of the current versions still
    reads (``keep_versions``), and with ``full`` also files a killed writer
    left behind that no version mentions.  Compaction commits new versions
    (same rows, and the lineage of the rows they compact, so the next run
    still finds them current); a ``maintained`` row in ``runs`` records them
    so readers of the latest complete run see the compacted versions.  A
    table a dead run left ahead of the latest complete run is not compacted:
    the next run restores it.
    """
    report: dict[str, dict] = {}
    with catalog.lock():
        keep = referenced_versions(catalog)
        latest = catalog.latest_complete_run() if catalog.exists("runs") else None
        recorded = dict((latest or {}).get("table_versions") or {})
        versions: dict[str, int] = {}
        for table in DATA_TABLES:
            if not catalog.exists(table):
                continue
            delta = catalog.delta(table)
            # A table whose current version is not the latest complete run's
            # was left by a run that died: the next run restores it, so it is
            # not compacted and the manifest keeps naming the recorded one.
            settled = latest is None or recorded.get(table) == delta.version()
            # Maintenance keeps the rows, so its commits carry the lineage
            # of the rows they keep: the next run still finds them current.
            lineage = Lineage.carried(
                catalog.rows_lineage(table, delta.version()), "claimflow maintain"
            )
            properties = CommitProperties(custom_metadata=lineage.metadata())
            compacted = {}
            if not dry_run and settled:
                compacted = delta.optimize.compact(commit_properties=properties)
                delta = catalog.delta(table)
            removed = delta.vacuum(
                retention_hours=retention_hours,
                dry_run=dry_run,
                enforce_retention_duration=False,
                full=True,
                keep_versions=sorted(keep.get(table, set()) | {delta.version()}),
                commit_properties=properties,
            )
            removed += _leftover_temp_files(catalog.path(table), retention_hours, dry_run)
            if settled:
                versions[table] = delta.version()
            elif table in recorded:
                versions[table] = recorded[table]
            report[table] = {
                "version": delta.version(),
                "kept_versions": sorted(keep.get(table, set())),
                "files_compacted": compacted.get("numFilesRemoved", 0) if compacted else 0,
                "files_removed": len(removed),
            }
        if not dry_run and catalog.exists("runs"):
            _record_maintenance(catalog, versions)
    return report


def _leftover_temp_files(folder: Path, retention_hours: int, dry_run: bool) -> list[str]:
    """Half-written ``*.parquet#N`` files of killed writers (vacuum ignores them)."""
    cutoff = dt.datetime.now().timestamp() - retention_hours * 3600
    out = []
    for path in folder.glob("*.parquet#*"):
        if path.stat().st_mtime <= cutoff:
            out.append(str(path))
            if not dry_run:
                path.unlink()
    return out


def _record_maintenance(catalog: Catalog, versions: dict[str, int]) -> None:
    latest = catalog.latest_complete_run()
    now = dt.datetime.now(dt.UTC)
    # Unique like a run's id: two maintenances can fall in one second.
    run_id = f"{now:%Y%m%dT%H%M%SZ}-maintain-{secrets.token_hex(2)}"
    row = {
        **(latest or {}),
        "run_id": run_id,
        "flow_run_id": None,
        "rerun_of": None,
        "started_at": now,
        "ended_at": now,
        "status": "maintained",
        "table_versions": list(versions.items()),
        "committed": [],
    }
    lineage = Lineage(
        run_id, None, {"note": "claimflow maintain"}, row.get("config_hash") or "", versions
    )
    catalog.append("runs", conform([row], RUNS), lineage)
