"""The flow end to end: tables, contracts, lineage, the runs manifest, the
CLI and the loading recipes of the README.  One shared flow run (the
``flow_run`` fixture); reruns make their own."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import spacy
from deltalake import DeltaTable

import transforms
from flows.cli import PREFECT_LOST, flow_summary
from flows.cli import main as cli
from flows.pipeline import FINISHED, claimflow
from flows.storage import Catalog
from transforms.schemas import ALL_TABLES, DATA_TABLES
from transforms.validation import violations

CONTRACT = {
    "documents": {
        "doc_id",
        "source_path",
        "title",
        "published",
        "text",
        "content_sha256",
        "n_chars",
    },
    "sentences": {
        "doc_id",
        "sentence_id",
        "paragraph_id",
        "start",
        "end",
        "text",
        "kind",
        "check_worthiness",
    },
    "attributions": {
        "doc_id",
        "attribution_id",
        "source_text",
        "source_spans",
        "cue_text",
        "cue_spans",
        "content_text",
        "content_spans",
        "speaker",
        "quote_type",
        "sentence_ids",
    },
    "claims": {
        "doc_id",
        "claim_id",
        "sentence_id",
        "start",
        "end",
        "text",
        "check_worthiness",
        "claim_type",
        "attribution_id",
    },
}


def test_run_completes_and_summarises(flow_run):
    summary, _ = flow_run
    assert summary["status"] == "complete"
    assert summary["n_documents"] == 1
    assert summary["counts"]["sentences"] > 15
    assert summary["counts"]["attributions"] >= 9
    assert summary["counts"]["claims"] >= 5
    # ``errors`` is committed empty on a first run without problems.
    assert set(summary["committed"]) == {
        "documents",
        "sentences",
        "attributions",
        "claims",
        "errors",
    }


def test_every_table_exists_after_a_first_run_without_errors(flow_run):
    """An analyst loops over the documented tables; an empty ``errors`` must
    load with its schema, not fail as a missing table."""
    _, catalog = flow_run
    errors = DeltaTable(str(catalog.path("errors"))).to_pyarrow_table()
    assert errors.num_rows == 0
    assert errors.schema.equals(ALL_TABLES["errors"], check_metadata=False)
    for table in ALL_TABLES:
        assert catalog.exists(table), table


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_tables_hold_the_contract_columns(flow_run, table):
    _, catalog = flow_run
    data = catalog.read(table)
    assert CONTRACT[table] <= set(data.column_names)
    assert data.schema.equals(ALL_TABLES[table], check_metadata=False)
    assert data.num_rows > 0


def test_every_span_points_into_the_stored_text(flow_run):
    _, catalog = flow_run
    documents = catalog.read("documents").to_pylist()
    texts = {d["doc_id"]: d["text"] for d in documents}
    for name in ("sentences", "attributions", "claims"):
        assert violations(name, catalog.read(name), texts) == []


def test_stored_text_is_the_file_exactly(flow_run):
    from tests.conftest import SAMPLE

    _, catalog = flow_run
    (doc,) = catalog.read("documents").to_pylist()
    assert doc["text"] == SAMPLE.read_bytes().decode("utf-8")
    assert doc["doc_id"] == SAMPLE.stem
    assert str(doc["published"]) == "2022-01-11"


def test_every_version_carries_its_lineage(flow_run):
    summary, catalog = flow_run
    (latest,) = catalog.history("claims")[:1]
    assert latest["run_id"] == summary["run_id"]
    assert latest["flow_run_id"]
    assert set(latest["code_version"]) >= {"git_sha", "package_version", "stage_hash", "model"}
    # The model package and the spaCy that ran it: an upgrade of either
    # moves tokens and offsets, so both are part of what makes a table current.
    assert latest["code_version"]["model"].startswith("en_core_web_sm")
    assert latest["code_version"]["model"].endswith(f" spacy-{spacy.__version__}")
    # Which trained claims model scored the rows, as sha256sum prints it.
    model_file = Path(transforms.__file__).parent / "models" / "claims.joblib"
    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()[:12]
    assert latest["code_version"]["trained_models"]["models/claims.joblib"] == digest
    assert latest["config_hash"]
    assert latest["upstream"] == {
        "documents": summary["versions"]["documents"],
        "sentences": summary["versions"]["sentences"],
        "attributions": summary["versions"]["attributions"],
    }


def test_runs_manifest_is_written_last_and_names_every_version(flow_run):
    summary, catalog = flow_run
    run = catalog.latest_complete_run()
    assert run["run_id"] == summary["run_id"]
    assert run["status"] == "complete"
    for table in ("documents", "sentences", "attributions", "claims"):
        assert run["table_versions"][table] == catalog.version(table)
    assert run["ended_at"] >= run["started_at"]


def test_second_run_with_nothing_changed_writes_no_data_version(flow_run, tmp_path):
    first, catalog = flow_run
    data = tmp_path / "data"
    shutil.copytree(catalog.data_dir, data)
    seeds = catalog.data_dir.parent / "seeds"
    before = {t: Catalog(data).version(t) for t in DATA_TABLES if Catalog(data).exists(t)}

    again = claimflow(seeds_dir=str(seeds), data_dir=str(data))

    assert again["status"] == "unchanged"
    after = {t: Catalog(data).version(t) for t in before}
    assert after == before
    assert Catalog(data).latest_complete_run()["run_id"] == again["run_id"]
    assert again["versions"]["runs"] == Catalog(data).version("runs")
    # A script reading `run --json` finds the same keys whatever the status.
    assert set(again) == set(first)
    assert (again["counts"], again["changed"], again["dirty"]) == ({}, 0, [])

    forced = claimflow(seeds_dir=str(seeds), data_dir=str(data), force=True)
    assert forced["status"] == "complete"
    assert Catalog(data).version("claims") == before["claims"] + 1
    # Same input and code: identical contents, ids included.
    old = Catalog(data).read("claims", before["claims"]).to_pylist()
    new = Catalog(data).read("claims").to_pylist()
    assert old == new


def test_readme_loading_recipes(flow_run):
    """The three recipes the README shows, executed."""
    import duckdb
    import polars as pl

    _, catalog = flow_run
    path = str(catalog.path("claims"))
    frame = DeltaTable(path).to_pandas()
    assert len(frame) == catalog.read("claims").num_rows
    assert pl.read_delta(path).height == len(frame)
    version = catalog.version("claims")
    files = DeltaTable(path, version=version).file_uris()
    count = duckdb.sql(f"SELECT count(*) FROM read_parquet({files!r})").fetchall()[0][0]
    assert count == len(frame)


def test_cli_tables_history_show(flow_run, capsys):
    summary, catalog = flow_run
    data = str(catalog.data_dir)
    assert cli(["tables", "--data", data]) == 0
    out = capsys.readouterr().out
    assert "claims" in out and summary["run_id"] in out

    assert cli(["history", "claims", "--data", data]) == 0
    out = capsys.readouterr().out
    assert f"run {summary['run_id']}" in out and "upstream" in out

    assert (
        cli(
            [
                "show",
                "attributions",
                "--data",
                data,
                "--columns",
                "source_text,cue_text,speaker",
                "--limit",
                "50",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "U.S. news broadcaster NBC" in out and "John Kirby" in out

    # --json: rows as JSON lines, lists and dates whole, for jq and scripts.
    assert cli(["show", "claims", "--data", data, "--json"]) == 0  # every row
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == catalog.read("claims").num_rows
    quantity = next(q for r in rows for q in r["quantities"] if q["value"] == 175000)
    assert quantity["unit"] == "troops" and quantity["approximate"] is True
    dates = {t["text"]: t["date"] for r in rows for t in r["time_expressions"]}
    assert dates["Jan. 10"] == "2022-01-10"
    assert cli(["tables", "--data", data, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    claims = next(t for t in listed["tables"] if t["table"] == "claims")
    assert claims["version"] == catalog.version("claims") == claims["complete_run_version"]
    assert claims["rows"] == len(rows) and claims["last_run_id"] == summary["run_id"]
    assert listed["latest_complete_run"]["run_id"] == summary["run_id"]
    assert len({frozenset(t) for t in listed["tables"]}) == 1  # the same keys for each

    # Whole numbers stay whole beside a null (a .txt article has no line).
    assert cli(["show", "documents", "--data", data, "--columns", "headline_end,line"]) == 0
    shown = capsys.readouterr().out.splitlines()[1].split()
    assert shown[1].isdigit() and shown[2] == "<NA>"


def test_cli_refuses_a_byte_limit_below_one(capsys):
    with pytest.raises(SystemExit) as stop:
        cli(["run", "--max-bytes", "-5"])
    assert (
        stop.value.code == 2 and "--max-bytes: a whole number, 1 or more" in capsys.readouterr().err
    )


def test_cli_refuses_missing_seeds_with_one_line(tmp_path, capsys):
    assert cli(["run", "--seeds", str(tmp_path / "nope"), "--data", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert f"seeds folder {tmp_path / 'nope'} not found" in err
    # A file where a folder belongs is named for what it is.
    (tmp_path / "a.txt").write_text("Headline\nBody.\n", encoding="utf-8")
    assert cli(["run", "--seeds", str(tmp_path / "a.txt"), "--data", str(tmp_path / "d")]) == 2
    assert "a.txt is a file, not a folder (--seeds takes a folder)" in capsys.readouterr().err
    assert cli(["run", "--seeds", str(tmp_path), "--data", str(tmp_path / "a.txt")]) == 2
    assert "data folder" in (err := capsys.readouterr().err) and "is a file, not a folder" in err


def test_prefect_failing_after_the_run_recorded_itself_is_no_failed_run(capsys):
    """Prefect's API can go away after the ``runs`` row is in (the flow run's
    end is recorded after the flow body returns): the tables stand, so the
    CLI reports the run, says what Prefect could not do, and exits at once."""
    import httpx

    recorded = {"run_id": "20261207T000000Z-abcdef", "status": "complete"}

    def run_then_lose_the_api() -> dict:
        FINISHED.append(recorded)
        raise httpx.ConnectError("[Errno 111] Connection refused")

    def fail_before_recording() -> dict:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    try:
        assert flow_summary(run_then_lose_the_api, verbose=False) is recorded
        err = capsys.readouterr().err
        assert "run 20261207T000000Z-abcdef is recorded and its tables are committed" in err
        assert "ConnectError" in err and PREFECT_LOST.is_set()
    finally:
        PREFECT_LOST.clear()
    assert flow_summary(fail_before_recording, verbose=False) is None
    assert "run failed: ConnectError" in capsys.readouterr().err
    assert not PREFECT_LOST.is_set()


def test_a_lost_prefect_api_is_said_once_not_every_few_seconds():
    """With its API gone, Prefect warns every few seconds and logs every
    undeliverable event in full, from the flow's process and each worker.
    Unless -v, the first warning is kept and the event dumps are dropped;
    other services' failures still show."""
    import inspect
    import logging

    import prefect._internal.concurrency.services as services
    import prefect.events.clients as clients

    from flows.runners import quiet_lost_api

    # The filter knows these records by Prefect's own formats.
    assert '"Service %r failed to process item %r"' in inspect.getsource(services)
    assert '"Unable to connect to %r. "' in inspect.getsource(clients)
    events = logging.getLogger("prefect.events.clients")
    service = logging.getLogger("prefect._internal.concurrency")

    def unreachable() -> logging.LogRecord:
        url = ("ws://127.0.0.1:8920/api/events/in",)
        return events.makeRecord(
            events.name, logging.WARNING, __file__, 1, "Unable to connect to %r. Reason", url, None
        )

    def failed(name: str) -> logging.LogRecord:
        item = (name, "Event(occurred=..., " + "payload " * 300 + ")")
        message = "Service %r failed to process item %r"
        return service.makeRecord(service.name, logging.ERROR, __file__, 1, message, item, None)

    def shown(record: logging.LogRecord) -> bool:
        internal = logging.getLogger("prefect._internal")
        handlers = [*logging.getLogger().handlers, *internal.handlers]
        assert handlers, "Prefect's console handlers are configured"
        return all(handler.filter(record) for handler in handlers)

    undo = quiet_lost_api()
    try:
        assert [shown(unreachable()) for _ in range(3)] == [True, False, False]
        assert not shown(failed("EventsWorker"))
        assert shown(failed("APILogWorker"))
    finally:
        undo()
    assert shown(unreachable()) and shown(failed("EventsWorker"))  # as with -v


def test_cli_show_unknown_table_version_is_clear(flow_run, capsys):
    _, catalog = flow_run
    with pytest.raises(SystemExit):
        cli(["show", "nonsense", "--data", str(catalog.data_dir)])


def test_cli_show_unknown_column_names_the_columns(flow_run, capsys):
    _, catalog = flow_run
    data = str(catalog.data_dir)
    assert cli(["show", "claims", "--data", data, "--columns", "text,nosuch"]) == 2
    err = capsys.readouterr().err
    assert "claims: no column nosuch" in err and "claim_type" in err
    assert "Traceback" not in err
    assert cli(["show", "claims", "--data", data, "--doc", "nosuch"]) == 0
    assert capsys.readouterr().out.strip() == "(no rows for article nosuch)"


def test_text_store_gives_back_every_text_exactly(tmp_path, monkeypatch):
    """The plan keeps article texts on disk (so the flow's memory does not
    grow with the corpus): what a batch reads back must be each text
    exactly, whichever record batches its articles fall in."""
    import pyarrow as pa

    from flows.storage import Staging, TextStore
    from tests.conftest import SEEDS

    monkeypatch.setattr(TextStore, "ROWS", 2)  # several record batches for a few articles
    (sample,) = [p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")]
    # Nine texts of different lengths from the sample article (curly quotes,
    # dashes): the test needs no corpus beside the project.
    expected = {f"part-{i}": sample[i * 300 :] for i in range(9)}
    assert any(not t.isascii() for t in expected.values())
    ids = list(expected)
    table = pa.table({"doc_id": ids, "text": [expected[d] for d in ids]})
    staging = Staging(Catalog(tmp_path / "data"), "test-texts")
    try:
        store = staging.texts([table.slice(5), table.slice(0, 5)])
        assert len(store) == len(ids) and all(d in store for d in ids)
        assert store.read(reversed(ids)) == expected
        assert store.read(ids[1:2]) == {ids[1]: expected[ids[1]]}
    finally:
        staging.close()
    assert not staging.root.exists()
