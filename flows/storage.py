"""The data catalog: every read and write of claimflow's Delta tables.

Tables live under ``<data>/tables/<name>`` as Delta Lake tables (delta-rs).
Each commit carries claimflow's lineage as custom commit metadata
(``claimflow.*`` keys, visible in ``DeltaTable.history()``).  The ``runs``
table is written last by every run and is the unit of completeness: Delta
has no transaction across tables, so readers that want a consistent set of
versions read them from the latest complete run.

Every read goes through the Delta log: plain Parquet readers would also see
files of removed versions.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, TableNotFoundError

from transforms.schemas import ALL_TABLES, conform

META_PREFIX = "claimflow."
#: Delta operations that rewrite files but keep every row as it was.
ROW_KEEPING_OPERATIONS = frozenset({"VACUUM START", "VACUUM END", "OPTIMIZE"})
COMPLETE_STATUSES = ("complete", "unchanged", "maintained")


class LockedError(RuntimeError):
    """Another claimflow process is writing to the same data directory."""


class CatalogError(KeyError):
    """A table or version the data folder does not hold; the message says
    what it does hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Lineage:
    """What produced a table version: recorded with every commit."""

    run_id: str
    flow_run_id: str | None
    code_version: Mapping[str, object]
    config_hash: str
    upstream: Mapping[str, int]

    @classmethod
    def carried(cls, recorded: Mapping[str, object], note: str) -> Lineage:
        """The lineage a version recorded (as :meth:`Catalog.lineage` reads
        it), for a commit that brings back or rewrites that version's rows
        unchanged (a restore, a compaction), with ``note`` saying which.

        Rows keep the lineage of the run and code that made them, so the next
        run judges them by that code, not by the code of whoever moved them.
        """
        code = recorded.get("code_version")
        upstream = recorded.get("upstream")
        return cls(
            run_id=str(recorded.get("run_id") or ""),
            flow_run_id=str(recorded.get("flow_run_id") or "") or None,
            code_version={**code, "note": note} if isinstance(code, dict) else {"note": note},
            config_hash=str(recorded.get("config_hash") or ""),
            upstream=dict(upstream) if isinstance(upstream, dict) else {},
        )

    def metadata(self) -> dict[str, str]:
        return {
            META_PREFIX + "run_id": self.run_id,
            META_PREFIX + "flow_run_id": self.flow_run_id or "",
            META_PREFIX + "code_version": json.dumps(self.code_version, sort_keys=True),
            META_PREFIX + "config_hash": self.config_hash,
            META_PREFIX + "upstream": json.dumps(dict(self.upstream), sort_keys=True),
        }


class Catalog:
    """Named, versioned tables under one data directory."""

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir)
        self.tables_dir = self.data_dir / "tables"

    # ------------------------------------------------------------ paths

    def path(self, table: str) -> Path:
        if table not in ALL_TABLES:
            raise CatalogError(f"unknown table {table!r}; tables: {', '.join(ALL_TABLES)}")
        return self.tables_dir / table

    def files(self, table: str) -> pafs.FileSystem:
        """The table's folder as pyarrow's own local filesystem, for scans.

        Left to itself, deltalake (1.6) scans through a Python filesystem
        wrapped around its Rust object store, and a process that did so
        aborted at exit ("terminate called without an active exception",
        exit 134) in 3 to 8 of 8 runs, its work done: ``claimflow tables``,
        or a script reading the five tables.  The tables are local folders,
        so pyarrow's own filesystem reads the same files, with the same
        fragments, statistics and schema from the log.
        """
        return pafs.SubTreeFileSystem(str(self.path(table).resolve()), pafs.LocalFileSystem())

    def exists(self, table: str) -> bool:
        return DeltaTable.is_deltatable(str(self.path(table)))

    def require(self, table: str) -> None:
        """Refuse a table that no run has written yet (an interrupted first
        run, a wrong ``--data``): an empty answer would read as "no rows"."""
        if not self.exists(table):
            raise CatalogError(f"table {table!r} has not been written yet in {self.data_dir}")

    def delta(self, table: str, version: int | None = None) -> DeltaTable:
        path = self.path(table)
        if version is not None and not (path / "_delta_log" / f"{version:020d}.json").exists():
            # Not a commit of this table (or one whose log entry was cleaned
            # up): delta-rs would answer with a log-segment error, an
            # overflow, or a search that grows with the number asked for.
            self.check_version(table, version)
        try:
            return DeltaTable(str(path), version=version)
        except TableNotFoundError as exc:
            self.require(table)
            raise CatalogError(f"table {table!r} in {self.data_dir} cannot be read") from exc

    def check_version(self, table: str, version: int) -> None:
        """Refuse a version the table never had, naming the ones it has."""
        current = self.delta(table).version()
        if not 0 <= version <= current:
            raise CatalogError(
                f"table {table!r} in {self.data_dir} has versions 0 to {current}, not {version}"
            )

    # ------------------------------------------------------------ reads

    def version(self, table: str) -> int | None:
        return self.delta(table).version() if self.exists(table) else None

    def read(
        self,
        table: str,
        version: int | None = None,
        doc_ids: Iterable[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """Read one table version (default: current) as Arrow, optionally only
        the rows of some documents (filtered while scanning, not after) and
        only some columns (those the table has)."""
        if not self.exists(table):
            empty = ALL_TABLES[table].empty_table()
            return empty if columns is None else empty.select(list(columns))
        delta = self.delta(table, version)
        if columns is not None:
            present = {f.name for f in delta.schema().fields}
            columns = [c for c in columns if c in present]
        with self._files_present(table, delta.version()):
            if doc_ids is None:
                return delta.to_pyarrow_table(columns=columns, filesystem=self.files(table))
            return _doc_reader(delta, self.files(table), columns)(doc_ids)

    @contextmanager
    def _files_present(self, table: str, version: int) -> Iterator[None]:
        """Say which version lost its files, rather than which Parquet file."""
        try:
            yield
        except FileNotFoundError as exc:
            raise CatalogError(
                f"table {table!r} v{version} in {self.data_dir} is no longer readable: its "
                "files are gone (`claimflow maintain` removes those of versions that no "
                "run references and that are older than its --retention-hours; "
                f"`claimflow history {table}` lists the versions)"
            ) from exc

    def rows_by_doc(
        self, table: str, version: int | None = None
    ) -> Callable[[Iterable[str]], pa.Table]:
        """A reader of one table version for slices of articles: opens the
        table once, then each call scans for the rows of ``doc_ids``."""
        if not self.exists(table):
            empty = ALL_TABLES[table].empty_table()
            return lambda doc_ids: empty
        return _doc_reader(self.delta(table, version), self.files(table))

    def lineage(self, table: str, version: int) -> dict:
        """The claimflow lineage recorded with one version of a table ({} if none)."""
        for entry in self.history(table):
            if entry["version"] == version:
                return entry
        return {}

    def rows_lineage(self, table: str, version: int) -> dict:
        """The lineage of the commit that made ``version``'s rows.

        Maintenance commits keep the rows as they are and may record no
        lineage (``VACUUM START``/``END``, an ``OPTIMIZE`` run by another
        tool): past those, the newest lineage at or before ``version``.
        """
        for entry in self.history(table):
            if entry["version"] > version:
                continue
            if "run_id" in entry or entry.get("operation") not in ROW_KEEPING_OPERATIONS:
                return entry
        return {}

    def history(self, table: str, rows: bool = False) -> list[dict]:
        """Versions of a table, newest first, with claimflow lineage decoded;
        with ``rows``, also each version's row count (see :meth:`_count_rows`:
        it replays the log, so only where a user asked for it)."""
        out = []
        for entry in self.delta(table).history():
            item = {
                "version": entry.get("version"),
                "timestamp": dt.datetime.fromtimestamp(entry.get("timestamp", 0) / 1000, tz=dt.UTC),
                "operation": entry.get("operation"),
                "rows_added": (entry.get("operationMetrics") or {}).get("num_added_rows"),
            }
            for key, value in entry.items():
                if key.startswith(META_PREFIX):
                    name = key[len(META_PREFIX) :]
                    item[name] = _maybe_json(value)
            out.append(item)
        if rows:
            self._count_rows(table, out)
        return out

    def _count_rows(self, table: str, entries: list[dict]) -> None:
        """Give each history entry the table's ``rows`` at that version and
        the ``rows_removed`` by its commit (None where unknown).

        Delta's operation metrics count rows added only; a partial overwrite
        or a prune also removes rows.  The row counts come from the file
        statistics of each version's log, walked oldest first on one table
        object (an incremental replay: 0.6 s for 300 versions).
        """
        delta: DeltaTable | None = None
        previous: int | None = None
        for entry in sorted(entries, key=lambda e: e["version"]):
            rows = None
            try:
                if delta is None:
                    delta = DeltaTable(str(self.path(table)), version=entry["version"])
                else:
                    delta.load_as_version(entry["version"])
                counts = delta.get_add_actions(flatten=True).column("num_records").to_pylist()
                rows = None if None in counts else sum(counts)
            except Exception:  # a version whose log entry maintenance removed
                delta = None
            entry["rows"] = rows
            added = entry["rows_added"]
            known = None not in (rows, previous, added)
            entry["rows_removed"] = previous + added - rows if known else None
            previous = rows

    def runs(self) -> list[dict]:
        """All runs, oldest first."""
        rows = self.read("runs").to_pylist()
        for row in rows:
            row["table_versions"] = dict(row["table_versions"] or [])
        return sorted(rows, key=lambda r: r["started_at"])

    def complete_runs(self) -> list[dict]:
        """The runs whose table versions can be read back, oldest first."""
        return [r for r in self.runs() if r["status"] in COMPLETE_STATUSES]

    def latest_complete_run(self) -> dict | None:
        done = self.complete_runs()
        return done[-1] if done else None

    def latest_computing_run(self) -> dict | None:
        """The newest run that computed rows (status ``complete``): its
        errors describe the current tables (``unchanged`` and ``maintained``
        runs compute nothing and record no errors)."""
        computed = [r for r in self.runs() if r["status"] == "complete"]
        return computed[-1] if computed else None

    def errors_of(self, run_id: str) -> list[dict]:
        """The ``errors`` rows that describe run ``run_id``'s tables: its own,
        or, for a run that computed nothing (``unchanged``, ``maintained``),
        those of the newest run at or before it that did."""
        runs = self.runs()
        at = next((i for i, r in enumerate(runs) if r["run_id"] == run_id), None)
        if at is None or not self.exists("errors"):
            return []
        computed = [r for r in runs[: at + 1] if r["status"] == "complete"]
        if not computed:
            return []
        errors = self.read("errors")
        mask = pc.equal(errors["run_id"], computed[-1]["run_id"])
        return errors.filter(mask).to_pylist()

    def failed_articles(self) -> set[str]:
        """Articles a stage failed on in the latest computing run.

        Their rows are older than that run's text or code (a failed article
        keeps what it had), so the next run tries them again.
        """
        run = self.latest_computing_run()
        rows = self.errors_of(run["run_id"]) if run else []
        return {r["doc_id"] for r in rows if r["kind"] == "stage_failure" and r["doc_id"]}

    # ------------------------------------------------------------ writes

    def overwrite(self, table: str, data: pa.Table | pa.RecordBatchReader, lineage: Lineage) -> int:
        """Replace a table's contents in one commit; return the new version."""
        return self._write(table, data, lineage, mode="overwrite")

    def append(self, table: str, data: pa.Table, lineage: Lineage) -> int:
        return self._write(table, data, lineage, mode="append")

    def replace_docs(
        self,
        table: str,
        data: pa.Table | pa.RecordBatchReader,
        doc_ids: Iterable[str],
        lineage: Lineage,
    ) -> int:
        """Replace the rows of some documents in one atomic commit.

        Every row of ``doc_ids`` is removed and ``data`` (rows of those
        documents only) takes their place; a document in ``doc_ids`` without
        rows in ``data`` is thereby deleted.  Rows of other documents are not
        touched.
        """
        ids = sorted(set(doc_ids))
        if not self.exists(table):
            return self.overwrite(table, data, lineage)
        if isinstance(data, pa.Table):
            stray = set(data.column("doc_id").to_pylist()) - set(ids)
            if stray:
                raise ValueError(f"{table}: rows of other documents: {sorted(stray)[:5]}")
        predicate = "doc_id IN (" + ", ".join(_sql_string(i) for i in ids) + ")"
        return self._write(table, data, lineage, mode="overwrite", predicate=predicate)

    def restore(self, table: str, version: int, lineage: Lineage) -> int:
        """Make ``version``'s contents current again, as a new commit."""
        self.delta(table).restore(
            version, commit_properties=CommitProperties(custom_metadata=lineage.metadata())
        )
        return self.delta(table).version()

    def _write(
        self,
        table: str,
        data: pa.Table | pa.RecordBatchReader,
        lineage: Lineage,
        mode: str,
        predicate: str | None = None,
    ) -> int:
        schema = ALL_TABLES[table]
        # Cast to the declared schema first: delta-rs converts types silently.
        if isinstance(data, pa.RecordBatchReader):
            batches = (
                b
                for batch in data
                for b in conform(pa.Table.from_batches([batch]), schema).to_batches()
            )
            data = pa.RecordBatchReader.from_batches(schema, batches)
        else:
            data = conform(data, schema)
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(5):
            try:
                write_deltalake(
                    str(self.path(table)),
                    data,
                    mode=mode,
                    predicate=predicate,
                    # A full overwrite may change the schema; appends and
                    # partial overwrites may only add columns.
                    schema_mode="overwrite" if mode == "overwrite" and not predicate else "merge",
                    commit_properties=CommitProperties(custom_metadata=lineage.metadata()),
                )
                break
            except CommitFailedError:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return self.delta(table).version()

    # ------------------------------------------------------------ locking

    def check_unlocked(self) -> None:
        """Raise :class:`LockedError` now if another run holds the lock: a
        command says so before Prefect's start-up, not after it (the run
        takes the lock for itself later)."""
        with self.lock():
            pass

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the data directory's writer lock for the duration of a run.

        ``flock`` is released by the kernel when the holder dies, so a killed
        run never blocks the next one.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / ".claimflow.lock"
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise LockedError(
                    f"another claimflow run is writing to {self.data_dir} "
                    f"(lock {path} held by {holder}); wait for it to finish"
                ) from exc
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
            try:
                yield
            finally:
                handle.seek(0)
                handle.truncate()
                fcntl.flock(handle, fcntl.LOCK_UN)


class Staging:
    """A run's batch outputs, spilled to Parquet until the run commits them.

    Holding every batch's rows in memory until the commit would make memory
    grow with the corpus; instead each batch lands here and the commit
    streams the rows into Delta, one commit per table.  Staging folders of
    runs that died are removed by the next run.
    """

    def __init__(self, catalog: Catalog, run_id: str) -> None:
        base = catalog.data_dir / ".staging"
        if base.is_dir():
            for old in base.iterdir():  # left by runs that died (we hold the lock)
                shutil.rmtree(old, ignore_errors=True)
        self.root = base / run_id
        self.parts = 0

    def add(self, table: str, data: pa.Table) -> None:
        if not data.num_rows:
            return
        folder = self.root / table
        folder.mkdir(parents=True, exist_ok=True)
        self.parts += 1
        pq.write_table(data, folder / f"part-{self.parts:06d}.parquet")

    def rows(self, table: str, exclude: Iterable[str] = ()) -> tuple[pa.RecordBatchReader, int]:
        """A stream of the staged rows of ``table`` without documents ``exclude``,
        and how many rows it holds."""
        schema = ALL_TABLES[table]
        folder = self.root / table
        if not folder.is_dir():
            return pa.RecordBatchReader.from_batches(schema, iter(())), 0
        dataset = ds.dataset(folder, format="parquet")
        excluded = sorted(set(exclude))
        expr = ~pc.field("doc_id").isin(excluded) if excluded else None
        count = dataset.count_rows(filter=expr)
        return dataset.scanner(filter=expr).to_reader(), count

    def texts(self, tables: Iterable[pa.Table]) -> TextStore:
        """Spill the ``doc_id`` and ``text`` columns of ``tables`` to this
        run's staging folder; read them back a batch of articles at a time."""
        self.root.mkdir(parents=True, exist_ok=True)
        return TextStore.write(self.root / "texts.arrow", tables)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class TextStore:
    """The texts of a run's articles on disk, read back by ``doc_id``.

    The flow's process plans the run and hands each batch its articles.  If
    the plan held the texts, the process would hold the whole corpus from
    planning to commit: 66 MB of ``str`` at 10,000 news articles (curly
    quotes make most of them two bytes per character), and its memory
    would grow with the corpus.  So the texts go to an Arrow IPC file, each
    table in ``doc_id`` order and in record batches of :attr:`ROWS`
    articles, and a batch of articles (neighbouring ids) reads back
    the few record batches that hold them.
    The file is read through plain reads, not a memory map, so pages read
    once do not stay in the process.
    """

    #: Articles per record batch: small enough that reading one article
    #: reads little else, large enough that the index stays small.
    ROWS = 64

    def __init__(self, path: Path, where: dict[str, tuple[int, int]]) -> None:
        self.path = path
        self._where = where  # doc_id -> (record batch, row)

    @classmethod
    def write(cls, path: Path, tables: Iterable[pa.Table]) -> TextStore:
        where: dict[str, tuple[int, int]] = {}
        schema = pa.schema([("doc_id", pa.string()), ("text", pa.string())])
        n_batches = 0
        with pa.ipc.new_file(str(path), schema) as writer:
            for table in tables:
                table = table.select(["doc_id", "text"]).sort_by("doc_id").cast(schema)
                for batch in table.to_batches(max_chunksize=cls.ROWS):
                    for row, doc_id in enumerate(batch.column("doc_id").to_pylist()):
                        where[doc_id] = (n_batches, row)
                    writer.write_batch(batch)
                    n_batches += 1
        return cls(path, where)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._where

    def __len__(self) -> int:
        return len(self._where)

    def read(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """``{doc_id: text}`` for ``doc_ids`` (every one must be stored)."""
        wanted: dict[int, list[tuple[int, str]]] = {}
        for doc_id in doc_ids:
            batch, row = self._where[doc_id]
            wanted.setdefault(batch, []).append((row, doc_id))
        out: dict[str, str] = {}
        with pa.OSFile(str(self.path)) as source:
            reader = pa.ipc.open_file(source)
            for batch, rows in wanted.items():
                texts = reader.get_batch(batch).column("text")
                for row, doc_id in rows:
                    out[doc_id] = texts[row].as_py()
        return out


def _doc_reader(
    delta: DeltaTable, files: pafs.FileSystem, columns: Sequence[str] | None = None
) -> Callable[[Iterable[str]], pa.Table]:
    """Rows of some documents, filtered while scanning, not after."""
    dataset = delta.to_pyarrow_dataset(filesystem=files)

    def read(doc_ids: Iterable[str]) -> pa.Table:
        ids = sorted(set(doc_ids))
        expr = pc.field("doc_id").isin(ids) if ids else pc.scalar(False)
        return dataset.to_table(columns=columns, filter=expr)

    return read


def failpoint(name: str) -> None:
    """Crash here, as SIGKILL would, when ``CLAIMFLOW_FAILPOINT`` names this
    point; raise ``SystemExit`` when it names ``<point>:exit``.

    A testing hook (databases call them failpoints): the kill tests use it to
    stop a run deterministically between two commits; unset, it does nothing.
    """
    point = os.environ.get("CLAIMFLOW_FAILPOINT")
    if point == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if point == f"{name}:exit":
        raise SystemExit(1)


def _sql_string(value: str) -> str:
    """A SQL string literal (quotes doubled) for a Delta predicate."""
    return "'" + value.replace("'", "''") + "'"


def _maybe_json(value: str) -> object:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
