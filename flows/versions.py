"""Working with table versions: lineage walks, diffs and maintenance."""

from __future__ import annotations

import datetime as dt
import difflib
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

#: Span tables whose rows are aligned by what they say, not by their ids:
#: the column that says it.  Their ids number rows in reading order
#: (``doc:c12`` is an article's twelfth claim), so one claim a rule adds
#: early in an article renumbers every later one; matched by id, each of
#: those would read as changed.  Rows are matched per article instead, as
#: ``diff`` matches lines: runs of equal texts, and between two runs rows
#: whose words are mostly the same (see :func:`aligned_rows`).
ALIGN_BY = {"sentences": "text", "attributions": "content_text", "claims": "text"}

#: Columns that only number rows in reading order, per aligned table.  A
#: matched row that differs in these alone has *moved*, not changed; a
#: reference that appears or disappears (a claim's ``attribution_id``
#: becoming null) is a change.
POSITIONAL = {
    "sentences": ("sentence_id", "paragraph_id"),
    "attributions": ("attribution_id", "sentence_ids"),
    "claims": ("claim_id", "sentence_id", "attribution_id"),
}


@dataclass
class RowChange:
    """One row added, removed or changed between two versions of a table."""

    kind: str  # "added", "removed" or "changed"
    #: The row's ``ROW_KEYS`` values: of the new row, of the old one if removed.
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
    #: Rows matched across the versions that differ only in their ids and
    #: in offsets all shifted by one amount: the same row, renumbered or
    #: moved by text an edit added or cut before it.
    moved: int = 0

    def totals(self) -> Counter:
        total: Counter = Counter()
        for counts in self.by_doc.values():
            total.update(counts)
        return total


def diff_versions(catalog: Catalog, table: str, v1: int, v2: int, rows: bool = False) -> TableDiff:
    """Rows added, removed and changed between two versions, per article;
    with ``rows``, also each row's change, column by column.

    Span tables are aligned by text within each article (:data:`ALIGN_BY`),
    other tables matched by their ``ROW_KEYS``.
    """
    catalog.require(table)
    old = catalog.read(table, v1).to_pylist()
    new = catalog.read(table, v2).to_pylist()
    return diff_rows(table, old, new, (v1, v2), rows)


def diff_rows(
    table: str, old: list[dict], new: list[dict], versions: tuple[int, int], rows: bool = False
) -> TableDiff:
    """:func:`diff_versions` of rows already read: ``old`` and ``new`` are
    the two versions' rows as dicts, ``versions`` their numbers."""
    pairs = aligned_rows(table, old, new) if table in ALIGN_BY else keyed_rows(table, old, new)
    diff = TableDiff(table, *versions, {})
    by_doc: dict[str, Counter] = defaultdict(Counter)
    for before, after in pairs:
        if before is not None and after is not None:
            if _comparable(before) == _comparable(after):
                continue
            if table in ALIGN_BY and _moved(before, after, POSITIONAL[table]):
                diff.moved += 1
                continue
        kind = "added" if before is None else "removed" if after is None else "changed"
        row = before if after is None else after
        doc_id = _doc_of(row, table)
        by_doc[doc_id][kind] += 1
        if rows:
            key = tuple(row.get(k) for k in ROW_KEYS[table])
            diff.rows.append(RowChange(kind, key, doc_id, _columns(before, after)))
    diff.by_doc = dict(by_doc)
    return diff


Pair = tuple[dict | None, dict | None]


def keyed_rows(table: str, old: list[dict], new: list[dict]) -> list[Pair]:
    """(old, new) row pairs matched by ``ROW_KEYS``, in key order."""
    key = ROW_KEYS[table]
    before = {tuple(r.get(k) for k in key): r for r in old}
    after = {tuple(r.get(k) for k in key): r for r in new}
    keys = sorted(before.keys() | after.keys(), key=_natural)
    return [(before.get(k), after.get(k)) for k in keys]


def aligned_rows(table: str, old: list[dict], new: list[dict]) -> list[Pair]:
    """(old, new) row pairs of a span table, aligned per article by text.

    Within an article, rows in reading order are matched like lines in
    ``diff``: runs of equal texts pair up, and between two runs rows with
    alike texts pair in order (a claim that lost a word is *changed*, see
    :func:`_pair_block`); the rest is added or removed.  Articles come in
    ``doc_id`` order.
    """
    column = ALIGN_BY[table]
    id_column = ROW_KEYS[table][-1]
    by_doc: dict[str, tuple[list[dict], list[dict]]] = defaultdict(lambda: ([], []))
    for side, records in enumerate((old, new)):
        for record in records:
            by_doc[record.get("doc_id") or "-"][side].append(record)
    pairs: list[Pair] = []
    for doc_id in sorted(by_doc, key=lambda d: _natural((d,))):
        before, after = (
            sorted(rows, key=lambda r: _natural((r.get(id_column),))) for rows in by_doc[doc_id]
        )
        matcher = difflib.SequenceMatcher(
            None, [r.get(column) for r in before], [r.get(column) for r in after], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pairs += zip(before[i1:i2], after[j1:j2], strict=True)
            else:
                pairs += _pair_block(before[i1:i2], after[j1:j2], column)
    return pairs


#: How alike two texts must be (:func:`_similarity`) for rows between two
#: matched runs to count as one row changed rather than one removed and one
#: added; and the largest block (old rows × new rows) weighed that way, above
#: which rows simply pair in order.
SAME_ROW_SIMILARITY = 0.5
MAX_BLOCK = 2500


def _pair_block(olds: list[dict], news: list[dict], column: str) -> list[Pair]:
    """Rows between two matched runs: pairs that keep reading order and
    maximise the summed similarity of their texts (pairs alike at least
    :data:`SAME_ROW_SIMILARITY`), as a dynamic programme over the block; the rest
    added or removed, in order."""
    if not olds or not news or len(olds) * len(news) > MAX_BLOCK:
        paired = min(len(olds), len(news))
        return [
            *zip(olds[:paired], news[:paired], strict=True),
            *[(r, None) for r in olds[paired:]],
            *[(None, r) for r in news[paired:]],
        ]
    m, n = len(olds), len(news)
    old_words = [_words(r.get(column)) for r in olds]
    new_words = [_words(r.get(column)) for r in news]
    # A pair too unlike to be one row weighs -1: never worth taking.
    weight = [
        [s if (s := _similarity(o, w)) >= SAME_ROW_SIMILARITY else -1.0 for w in new_words]
        for o in old_words
    ]
    best = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(m - 1, -1, -1):
        for j in range(n - 1, -1, -1):
            take = weight[i][j] + best[i + 1][j + 1]
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[Pair] = []
    i = j = 0
    while i < m and j < n:
        if weight[i][j] > 0 and best[i][j] == weight[i][j] + best[i + 1][j + 1]:
            pairs.append((olds[i], news[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((olds[i], None))
            i += 1
        else:
            pairs.append((None, news[j]))
            j += 1
    return pairs + [(r, None) for r in olds[i:]] + [(None, r) for r in news[j:]]


def _words(text: str | None) -> Counter:
    return Counter(text.split()) if text is not None else Counter()


def _similarity(a: Counter, b: Counter) -> float:
    """How alike two texts are: the Dice coefficient of their words (counted
    with repeats; 1 for two empty texts).  Cheap enough to weigh every pair
    of a block, which ``difflib``'s character ratio is not on a corpus."""
    total = a.total() + b.total()
    return 2 * (a & b).total() / total if total else 1.0


#: Keys (at any depth) whose integers are character offsets into the text.
OFFSET_KEYS = frozenset({"start", "end", "opener_end"})


def _moved(before: dict, after: dict, positional: tuple[str, ...]) -> bool:
    """Whether two rows differ only in positional ids (:data:`POSITIONAL`)
    and in offsets that all shifted by the same amount."""
    old_offsets: list[int] = []
    new_offsets: list[int] = []
    old = _comparable(_without_offsets(_unnumbered(before, positional), old_offsets))
    new = _comparable(_without_offsets(_unnumbered(after, positional), new_offsets))
    shifts = {n - o for o, n in zip(old_offsets, new_offsets, strict=True)} if old == new else ()
    return old == new and len(shifts) <= 1


def _unnumbered(row: dict, columns: tuple[str, ...]) -> dict:
    """The row without its positional ids, keeping whether each is set."""
    return {c: (v is not None if c in columns else v) for c, v in row.items()}


def _without_offsets(value: object, offsets: list[int]) -> object:
    """``value`` with each offset (:data:`OFFSET_KEYS`) replaced by a marker
    and appended to ``offsets``, in reading order of the structure."""
    if isinstance(value, dict):
        plain = {}
        for key, item in value.items():
            if key in OFFSET_KEYS and isinstance(item, int):
                offsets.append(item)
                plain[key] = "<offset>"
            else:
                plain[key] = _without_offsets(item, offsets)
        return plain
    if isinstance(value, list):
        return [_without_offsets(item, offsets) for item in value]
    return value


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
