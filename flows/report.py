"""``claimflow report``: the analyst report of one table version set, as static HTML.

Reads the tables of one complete run (default: the latest) through the
catalog, builds the pages with the pure functions of ``transforms/report.py``
and writes::

    <out>/index.html              overview, charts, most check-worthy claims, articles
    <out>/articles/<doc>.html     one page per article, spans highlighted

Every page is self-contained (inline CSS, inline SVG charts, a few lines of
inline JavaScript for the click-for-details panel): no server, no CDN, the
report opens from disk offline.  One page per article keeps the overview
small for large corpora and lets a browser open any article at once.

Prefect is imported only by :func:`publish_report`, which the flow calls to
attach the report to its run; the command itself answers without Prefect.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from flows.storage import COMPLETE_STATUSES, Catalog
from transforms.report import (
    ReportData,
    TableRows,
    article_page,
    count_by,
    index_page,
    overview,
    safe_filename,
    summary_text,
    top_claims,
)
from transforms.schemas import ALL_TABLES

log = logging.getLogger("claimflow")

EXIT_OK, EXIT_CANNOT_RUN = 0, 2
ARTICLES_DIR = "articles"
#: Article pages are written this many at a time (bounded memory).
PAGE_CHUNK = 500
#: The columns the overview page and the summary read from each table.
INDEX_COLUMNS = {
    "documents": tuple(n for n in ALL_TABLES["documents"].names if n != "text"),
    "sentences": ("doc_id",),
    "attributions": (
        "doc_id",
        "attribution_id",
        "speaker",
        "speaker_key",
        "speaker_affiliation_key",
        "source_type",
        "cue_lemma",
        "quote_type",
    ),
    "claims": (
        "doc_id",
        "claim_id",
        "start",
        "end",
        "text",
        "check_worthiness",
        "checkworthy",
        "claim_type",
        "speaker",
        "stance",
    ),
}


class ReportError(RuntimeError):
    """No report can be made (no complete run, unknown or failed run)."""


@dataclass(frozen=True)
class ReportResult:
    """A written report: where it is and what it shows."""

    out_dir: Path
    index: Path
    data: ReportData
    n_pages: int

    @property
    def summary(self) -> str:
        return summary_text(self.data, str(self.index))


# ---------------------------------------------------------------- reading


def choose_run(catalog: Catalog, run_id: str | None = None) -> dict:
    """The run whose table versions the report shows (default: latest complete)."""
    runs = catalog.runs() if catalog.exists("runs") else []
    if run_id is None:
        done = [r for r in runs if r["status"] in COMPLETE_STATUSES]
        if not done:
            raise ReportError(
                f"no complete run in {catalog.data_dir} yet: "
                f"try `claimflow run --data {catalog.data_dir}`"
            )
        return done[-1]
    found = [r for r in runs if r["run_id"] == run_id]
    if not found:
        raise ReportError(f"no run {run_id!r} in {catalog.data_dir}")
    run = found[-1]
    if run["status"] not in COMPLETE_STATUSES:
        raise ReportError(
            f"run {run_id} did not complete (status {run['status']}): "
            "its table versions are not a consistent set"
        )
    return run


def _errors_of(catalog: Catalog, run: dict) -> list[dict]:
    """The errors that describe the run's tables.

    A run that recomputed nothing (``unchanged``) wrote no errors: those of
    the latest run before it that did compute still hold.
    """
    if not catalog.exists("errors"):
        return []
    run_id = run["run_id"]
    if run["status"] != "complete":
        computed = [
            r
            for r in catalog.runs()
            if r["status"] == "complete" and r["started_at"] <= run["started_at"]
        ]
        run_id = computed[-1]["run_id"] if computed else None
    if run_id is None:
        return []
    rows = catalog.read("errors", run["table_versions"].get("errors")).to_pylist()
    return [r for r in rows if r.get("run_id") == run_id]


def load_report_data(catalog: Catalog, run_id: str | None = None) -> ReportData:
    """The tables of one run's version set, as rows made on demand, with
    only the columns the overview shows (:data:`INDEX_COLUMNS`).

    Memory stays well below the size of the tables: no article text, no
    spans; article pages read their full rows a slice of articles at a time.
    """
    run = choose_run(catalog, run_id)
    versions = run["table_versions"]

    def rows(table: str) -> TableRows:
        version = versions.get(table)
        if version is None:
            return TableRows(ALL_TABLES[table].empty_table().select(list(INDEX_COLUMNS[table])))
        return TableRows(catalog.read(table, version, columns=INDEX_COLUMNS[table]))

    return ReportData(
        run=run,
        documents=list(rows("documents")),
        sentences=rows("sentences"),
        attributions=rows("attributions"),
        claims=rows("claims"),
        errors=_errors_of(catalog, run),
    )


# ---------------------------------------------------------------- writing


def write_report(
    data_dir: str | Path,
    run_id: str | None = None,
    out_dir: str | Path = "report",
    only: set[str] | None = None,
) -> ReportResult:
    """Write the HTML report of one run (default: the latest complete) to ``out_dir``.

    Article pages of documents no longer in the run are removed from
    ``<out_dir>/articles`` so that the folder always matches its index.
    With ``only`` (an incremental run's changed articles), other articles'
    pages are rewritten only when missing: the index is always rewritten.
    """
    catalog = Catalog(data_dir)
    data = load_report_data(catalog, run_id)
    out = Path(out_dir)
    pages = out / ARTICLES_DIR
    pages.mkdir(parents=True, exist_ok=True)
    files = {str(d["doc_id"]): safe_filename(str(d["doc_id"])) for d in data.documents}
    todo = [d for d in files if only is None or d in only or not (pages / files[d]).exists()]
    versions = data.run["table_versions"]
    readers = {
        table: catalog.rows_by_doc(table, versions[table])
        for table in ("documents", "attributions", "claims")
        if versions.get(table) is not None
    }
    for start in range(0, len(todo), PAGE_CHUNK):
        # A slice of articles at a time: their full rows, then their pages.
        chunk = todo[start : start + PAGE_CHUNK]
        by_doc: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        for table, read in readers.items():
            for row in read(chunk).to_pylist():
                by_doc[str(row["doc_id"])][table].append(row)
        for doc_id in chunk:
            rows = by_doc[doc_id]
            if not rows["documents"]:
                continue
            doc = rows["documents"][0]
            page = article_page(doc, rows["attributions"], rows["claims"], data.run)
            (pages / files[doc_id]).write_text(page, encoding="utf-8")
        del by_doc
        # Scanning for a slice reads whole row groups; hand the buffers back
        # (Arrow's allocator keeps freed memory otherwise).
        pa.default_memory_pool().release_unused()
    wanted = set(files.values())
    for stale in pages.glob("*.html"):
        if stale.name not in wanted:
            stale.unlink()
    index = out / "index.html"
    index.write_text(index_page(data, files, ARTICLES_DIR), encoding="utf-8")
    return ReportResult(out, index, data, len(files))


# ---------------------------------------------------------------- Prefect artifact


def report_artifact_markdown(result: ReportResult, top: int = 10) -> str:
    """The report's overview as Markdown, for a Prefect artifact."""
    data = result.data
    counts = overview(data)
    versions = ", ".join(f"{t} v{v}" for t, v in data.run["table_versions"].items())
    lines = [
        f"# claimflow report — run `{data.run['run_id']}`",
        "",
        f"HTML report: [{result.index.resolve()}]({result.index.resolve().as_uri()})",
        "",
        f"Table versions: {versions}",
        "",
        "| " + " | ".join(counts) + " |",
        "|" + "---:|" * len(counts),
        "| " + " | ".join(str(v) for v in counts.values()) + " |",
        "",
        "## Most-quoted speakers",
        "",
        "| speaker | attributions |",
        "|---|---:|",
        *(f"| {_md(k)} | {v} |" for k, v in count_by(data.attributions, "speaker", top=top)),
        "",
        "## Most check-worthy claims",
        "",
        "| score | claim | speaker | stance |",
        "|---:|---|---|---|",
    ]
    for c in top_claims(data.claims, top):
        score = c.get("check_worthiness")
        lines.append(
            f"| {'–' if score is None else f'{score:.2f}'} | {_md(str(c.get('text') or ''))} "
            f"| {_md(str(c.get('speaker') or '–'))} | {_md(str(c.get('stance') or '–'))} |"
        )
    return "\n".join(lines) + "\n"


def _md(text: str, limit: int = 200) -> str:
    """One Markdown table cell: one line, pipes escaped, shortened."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def publish_report(
    data_dir: str | Path,
    run_id: str | None = None,
    out_dir: str | Path | None = None,
    only: set[str] | None = None,
) -> ReportResult | None:
    """Write the report (default: ``<data_dir>/report``) and attach it to the
    current Prefect flow run as a link and a Markdown artifact.

    Called from inside the flow; a report that cannot be written is logged,
    never a reason to fail the run whose tables are already committed.
    """
    from prefect.artifacts import create_link_artifact, create_markdown_artifact

    try:
        result = write_report(data_dir, run_id, out_dir or Path(data_dir) / "report", only)
        create_link_artifact(
            key="claimflow-report",
            link=result.index.resolve().as_uri(),
            link_text="claimflow HTML report",
            description=f"Analyst report of run {result.data.run['run_id']} (open from disk)",
        )
        create_markdown_artifact(
            key="claimflow-report-summary",
            markdown=report_artifact_markdown(result),
            description="Overview of the tables this run left: counts, speakers, claims",
        )
    except Exception as exc:
        log.warning("report not written: %s: %s", type(exc).__name__, exc)
        return None
    log.info("report: %s", result.index)
    return result


# ---------------------------------------------------------------- CLI


def cmd_report(args: argparse.Namespace) -> int:
    """``claimflow report``: write the HTML report, print the plain-text summary."""
    try:
        result = write_report(args.data, args.run, args.out)
    except ReportError as exc:
        print(f"claimflow: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except OSError as exc:
        print(f"claimflow: cannot write the report to {args.out}: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(result.summary)
    print(f"  open: {result.index.resolve().as_uri()}", file=sys.stderr)
    return EXIT_OK
