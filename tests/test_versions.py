"""Versions, lineage, incremental runs, reruns of one stage, maintenance,
concurrency and crashes (issue: versions and lineage).

Runs here work on a small corpus of real news articles (PolNeAR train);
each test that reruns the flow gets its own data folder."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import flows.lineage
from flows.cli import format_summary
from flows.cli import main as cli
from flows.pipeline import claimflow
from flows.storage import Catalog
from tests.conftest import PROJECT, SHARED
from transforms.validation import violations

POLNEAR_TRAIN = SHARED / "eval" / "polnear" / "train" / "text"
STAGE_TABLES = ("sentences", "attributions", "claims")

pytestmark = pytest.mark.skipif(not POLNEAR_TRAIN.is_dir(), reason="needs ../shared/eval/polnear")


def make_corpus(folder: Path, n: int, offset: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(POLNEAR_TRAIN.glob("*.txt"))[offset : offset + n]:
        shutil.copy(path, folder / path.name)
    return folder


def rows_of(catalog: Catalog, table: str, doc_id: str, version: int | None = None) -> list[dict]:
    rows = catalog.read(table, version, doc_ids=[doc_id]).to_pylist()
    key = {"sentences": "sentence_id", "attributions": "attribution_id", "claims": "claim_id"}
    return sorted(rows, key=lambda r: r.get(key.get(table, "doc_id")))


def versions(catalog: Catalog) -> dict[str, int | None]:
    return {t: catalog.version(t) for t in ("documents", *STAGE_TABLES)}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, prefect_home):
    """A first run over 8 articles: (seeds folder, data folder, summary)."""
    root = tmp_path_factory.mktemp("versions")
    seeds = make_corpus(root / "seeds", 8)
    data = root / "data"
    summary = claimflow(seeds_dir=str(seeds), data_dir=str(data))
    assert summary["status"] == "complete"
    return seeds, data, summary


@pytest.fixture
def workspace(corpus_run, tmp_path):
    """A private copy of the corpus and its data, to change freely."""
    seeds, data, summary = corpus_run
    shutil.copytree(seeds, tmp_path / "seeds")
    shutil.copytree(data, tmp_path / "data")
    return tmp_path / "seeds", Catalog(tmp_path / "data"), summary


def test_incremental_run_replaces_only_changed_articles(workspace):
    seeds, catalog, _ = workspace
    files = sorted(seeds.glob("*.txt"))
    edited, untouched = files[0], files[1]
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nThe senator said the vote was close.\n",
        encoding="utf-8",
    )
    make_corpus(seeds, 1, offset=20)  # one new article
    before = versions(catalog)
    kept_rows = {t: rows_of(catalog, t, untouched.stem) for t in STAGE_TABLES}
    # An article moved into a subfolder is the same article, somewhere else.
    (seeds / "sub").mkdir()
    moved = untouched.rename(seeds / "sub" / untouched.name)

    summary = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))

    assert summary["status"] == "complete"
    assert summary["changed"] == 2 and summary["dirty"] == []
    after = versions(catalog)
    assert all(after[t] == before[t] + 1 for t in before)  # one commit per table
    for table in STAGE_TABLES:
        assert rows_of(catalog, table, untouched.stem) == kept_rows[table]
        diff_docs = _diff_docs(catalog, table, before[table], after[table])
        assert diff_docs <= {edited.stem, sorted(seeds.glob("*.txt"))[-1].stem} | {
            p.stem for p in seeds.glob("*.txt") if p.name not in {f.name for f in files}
        }
        assert edited.stem in diff_docs
    assert "The senator said" in rows_of(catalog, "documents", edited.stem)[0]["text"]
    assert rows_of(catalog, "documents", untouched.stem)[0]["source_path"] == str(moved)
    texts = {d["doc_id"]: d["text"] for d in catalog.read("documents").to_pylist()}
    assert len(texts) == 9
    for table in STAGE_TABLES:
        assert violations(table, catalog.read(table), texts) == []


def _diff_docs(catalog, table, v1, v2) -> set[str]:
    from flows.versions import diff_versions

    return set(diff_versions(catalog, table, v1, v2).by_doc)


def test_prune_removes_articles_whose_files_are_gone(workspace):
    seeds, catalog, _ = workspace
    gone = sorted(seeds.glob("*.txt"))[3]
    gone.unlink()

    kept = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))
    assert kept["status"] == "unchanged"  # without --prune, the article stays
    assert rows_of(catalog, "documents", gone.stem)

    # An article whose file is there but cannot be read this time (a broken
    # sidecar) is not gone: --prune keeps it, and the error says why.
    broken = sorted(seeds.glob("*.txt"))[0]
    broken.with_suffix(".json").write_text('{"published": "2016-03-05",}', encoding="utf-8")
    pruned = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir), prune=True)
    assert pruned["status"] == "complete" and pruned["removed"] == 1
    assert "removed 1 articles whose files are gone" in format_summary(pruned)
    for table in ("documents", *STAGE_TABLES):
        assert rows_of(catalog, table, gone.stem) == []
        assert rows_of(catalog, table, broken.stem)
    assert catalog.read("documents").num_rows == 7
    (error,) = [e for e in catalog.errors_of(pruned["run_id"]) if e["doc_id"] == broken.stem]
    assert "not valid JSON" in error["message"]
    # history counts the rows a prune removed, not only those added
    latest, before = catalog.history("claims", rows=True)[:2]
    assert latest["rows"] == catalog.read("claims").num_rows
    assert latest["rows_added"] == 0
    assert latest["rows_removed"] == before["rows"] - latest["rows"] > 0


def test_an_error_in_a_file_keeps_its_stored_articles_from_a_prune():
    """A JSONL line that no longer parses names no id: every article stored
    from that file is kept; a warning keeps nothing."""
    import pyarrow as pa

    from flows.plan import unreadable_articles
    from transforms.documents import InputProblem

    stored = pa.table(
        {
            "doc_id": ["a", "b", "c", "d"],
            "source_path": ["s/batch.jsonl", "s/batch.jsonl", "s/c.txt", "s/d.txt"],
        }
    )
    problems = [
        InputProblem("malformed_record", "line 2 is not valid JSON", "s/batch.jsonl", line=2),
        InputProblem("malformed_record", "sidecar is not valid JSON", "s/c.txt", doc_id="c"),
        InputProblem("encoding_fallback", "read as cp1252", "s/d.txt", severity="warning"),
    ]
    assert unreadable_articles(stored, problems) == {"a", "b", "c"}


def test_an_article_that_moved_within_the_seeds_is_relocated_not_changed():
    """A record pushed one line down, or a file moved into a subfolder, is
    relocated (its documents row is written again); the whole seeds folder
    moved somewhere else relocates nothing."""
    import pyarrow as pa

    from flows.plan import relocated_documents

    def docs(*rows: tuple[str, str, int | None]) -> pa.Table:
        names = ("doc_id", "source_path", "line")
        return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows])

    stored = docs(
        ("j1", "seeds/b.jsonl", 1), ("j2", "seeds/b.jsonl", 2), ("x", "seeds/x.txt", None)
    )
    shifted = docs(
        ("j1", "seeds/b.jsonl", 2), ("j2", "seeds/b.jsonl", 3), ("x", "seeds/x.txt", None)
    )
    assert relocated_documents(shifted, stored, "seeds", "seeds") == {"j1", "j2"}
    moved = docs(("j1", "/m/b.jsonl", 1), ("j2", "/m/b.jsonl", 2), ("x", "/m/sub/x.txt", None))
    assert relocated_documents(moved, stored, "/m", "seeds") == {"x"}
    assert relocated_documents(stored, stored, "seeds", "./seeds/") == set()


def test_a_changed_published_date_alone_is_a_change(workspace):
    """Metadata in a sidecar counts like text: a new ``published`` date
    re-derives the article's claims, whose dates resolve against it."""
    seeds, catalog, _ = workspace
    article = sorted(seeds.glob("*.txt"))[2]
    article.with_suffix(".json").write_text('{"published": "2016-03-01"}', encoding="utf-8")

    summary = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))

    assert summary["status"] == "complete" and summary["changed"] == 1
    assert str(rows_of(catalog, "documents", article.stem)[0]["published"]) == "2016-03-01"
    lineage = catalog.lineage("claims", catalog.version("claims"))
    assert lineage["run_id"] == summary["run_id"]


def test_a_rerun_from_an_older_run_does_not_hide_later_articles(workspace, capsys):
    """A rerun from run R1 after run R2 added an article reads R1's tables;
    the next run sees that the seeds hold more than those tables and brings
    the article back, instead of reporting "unchanged"."""
    seeds, catalog, first = workspace
    added = make_corpus(seeds, 1, offset=20)
    added_id = sorted(added.glob("*.txt"))[-1].stem
    claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))
    assert rows_of(catalog, "documents", added_id)

    claimflow(data_dir=str(catalog.data_dir), stages=["attributions"], from_run=first["run_id"])
    # Until the next run, `show` reads the tables the rerun's manifest
    # lists, not the newer documents the second run left.
    data = str(catalog.data_dir)
    capsys.readouterr()
    assert cli(["show", "documents", "--data", data, "--columns", "doc_id", "--limit", "50"]) == 0
    shown = capsys.readouterr()
    assert added_id not in shown.out and "the latest complete run's" in shown.err
    again = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))

    assert again["status"] == "complete"
    versions_read = dict(catalog.latest_complete_run()["table_versions"])
    for table in ("documents", *STAGE_TABLES):
        assert rows_of(catalog, table, added_id, versions_read[table]), table
    # The rerun kept its source run's seeds folder, so the articles it did
    # not touch were not taken for moved and rewritten.
    runs = {r["run_id"]: r for r in catalog.complete_runs()}
    rerun = next(r for r in runs.values() if r["rerun_of"] == first["run_id"])
    assert rerun["seeds_dir"] == runs[first["run_id"]]["seeds_dir"] != "seeds"


def test_rerun_attributions_reuses_stored_sentences(workspace):
    _, catalog, first = workspace
    before = versions(catalog)
    sentences_before = catalog.read("sentences").to_pylist()

    summary = claimflow(data_dir=str(catalog.data_dir), stages=["attributions"])

    assert summary["committed"] == ["attributions"]
    after = versions(catalog)
    assert after["attributions"] == before["attributions"] + 1
    assert {t: after[t] for t in ("documents", "sentences", "claims")} == {
        t: before[t] for t in ("documents", "sentences", "claims")
    }
    assert catalog.read("sentences").to_pylist() == sentences_before
    lineage = catalog.lineage("attributions", after["attributions"])
    assert lineage["upstream"]["sentences"] == before["sentences"]
    assert lineage["code_version"]["rerun_of"] == first["run_id"]
    run = catalog.latest_complete_run()
    assert run["rerun_of"] == first["run_id"] and run["committed"] == ["attributions"]
    assert summary["out_of_date"] == {}  # same code: claims still match the rows
    # The loading hint reads the table the rerun wrote, not claims.
    assert "tables/attributions').to_pandas()" in format_summary(summary)
    # Same code and upstream: the rerun reproduces the rows exactly.
    assert sorted(catalog.read("attributions").to_pylist(), key=str) == sorted(
        catalog.read("attributions", before["attributions"]).to_pylist(), key=str
    )

    downstream = claimflow(data_dir=str(catalog.data_dir), stages=["attributions"], downstream=True)
    assert downstream["committed"] == ["attributions", "claims"]
    assert "tables/claims').to_pandas()" in format_summary(downstream)


def test_a_changed_stage_is_recomputed_for_every_article(workspace, monkeypatch):
    seeds, catalog, _ = workspace
    before = versions(catalog)
    real = flows.lineage.stage_hash

    def claims_changed(table: str) -> str:
        return real(table) + ("-new-rule" if table == "claims" else "")

    monkeypatch.setattr(flows.lineage, "stage_hash", claims_changed)
    summary = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))

    assert summary["dirty"] == ["claims"] and summary["changed"] == 0
    assert summary["committed"] == ["claims"]
    after = versions(catalog)
    assert after["claims"] == before["claims"] + 1
    assert {t: after[t] for t in ("documents", "sentences", "attributions")} == {
        t: before[t] for t in ("documents", "sentences", "attributions")
    }


def test_an_upgraded_scorer_library_recomputes_the_tables_it_scores(workspace, monkeypatch):
    """The claims model is a pickle of scikit-learn objects scored with numpy
    and scipy: after an upgrade of one of them, the next run recomputes the
    tables that model scores (``sentences`` for their ``check_worthiness``,
    and ``claims``) and, as after a retrain, what follows the sentences."""
    seeds, catalog, _ = workspace
    before = versions(catalog)
    recorded = catalog.history("claims")[0]["code_version"]["libraries"]
    assert recorded["scikit-learn"] == importlib.metadata.version("scikit-learn")
    assert catalog.history("attributions")[0]["code_version"]["libraries"] == {}
    real = flows.lineage.library_versions

    def upgraded(table: str) -> dict[str, str]:
        found = dict(real(table))
        if "scikit-learn" in found:
            found["scikit-learn"] += ".post1"
        return found

    monkeypatch.setattr(flows.lineage, "library_versions", upgraded)
    summary = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))

    assert summary["status"] == "complete" and summary["changed"] == 0
    assert summary["dirty"] == ["sentences", "attributions", "claims"]
    after = versions(catalog)
    assert after["claims"] == before["claims"] + 1
    latest = catalog.history("claims")[0]["code_version"]["libraries"]
    assert latest["scikit-learn"].endswith(".post1")


def test_a_rerun_of_one_stage_after_a_retrain_leaves_the_rest_to_the_next_run(
    workspace, monkeypatch
):
    """After retraining the claims model, ``rerun claims`` rewrites claims
    only; ``sentences.check_worthiness`` still holds the old model's scores,
    so the next run recomputes from sentences on, not "unchanged"."""
    seeds, catalog, _ = workspace
    real = flows.lineage.stage_hash

    def retrained(table: str) -> str:
        return real(table) + ("-retrained" if table in ("sentences", "claims") else "")

    monkeypatch.setattr(flows.lineage, "stage_hash", retrained)
    rerun = claimflow(data_dir=str(catalog.data_dir), stages=["claims"])
    assert rerun["committed"] == ["claims"]
    # ... and says what it left to the next run
    assert list(rerun["out_of_date"]) == ["sentences"]
    assert "out of date: sentences" in format_summary(rerun)

    summary = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))
    assert summary["status"] == "complete"
    assert summary["dirty"] == ["sentences", "attributions", "claims"]
    again = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))
    assert again["status"] == "unchanged"


def test_a_rolled_back_table_keeps_the_lineage_of_the_code_that_made_it(workspace, monkeypatch):
    """A run with changed attribution code dies after committing
    ``attributions``.  The next run restores the table's old rows, and with
    them the old code version: it recomputes attributions, not only claims."""
    from flows.lineage import RunConfig, code_version
    from flows.storage import Lineage

    seeds, catalog, _ = workspace
    real = flows.lineage.stage_hash

    def changed(table: str) -> str:
        return real(table) + ("-changed" if table in ("attributions", "claims") else "")

    monkeypatch.setattr(flows.lineage, "stage_hash", changed)
    # What the dead run left: a commit under the new code, no manifest row.
    catalog.overwrite(
        "attributions",
        catalog.read("attributions"),
        Lineage("dead-run", None, code_version("attributions", RunConfig()), "", {}),
    )

    summary = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))

    assert summary["dirty"] == ["attributions", "claims"]
    assert summary["committed"] == ["attributions", "claims"]


def test_a_retrained_model_changes_the_code_version_of_the_tables_it_feeds(tmp_path):
    """Retraining the claims model (``claimflow train claims`` rewrites
    ``models/claims.joblib``) changes the code version of ``claims`` and of
    ``sentences``, whose ``check_worthiness`` is that model's score, and of
    no other table; the attribution model feeds ``attributions`` and what
    follows.  A run compares these hashes, so it then recomputes those
    tables instead of reporting "unchanged"."""
    package = Path(flows.lineage.transforms.__file__).parent
    root = tmp_path / "transforms"
    shutil.copytree(package, root, ignore=shutil.ignore_patterns("__pycache__"))
    for table, files in flows.lineage.STAGE_FILES.items():
        missing = [f for f in files if f.endswith(".py") and not (root / f).exists()]
        assert not missing, f"{table} lists modules that do not exist: {missing}"
    before = {t: flows.lineage.stage_hash(t, root) for t in flows.lineage.STAGE_FILES}

    model = root / "models" / "claims.joblib"
    model.write_bytes(model.read_bytes() + b"\0")
    flows.lineage.stage_hash.cache_clear()
    after = {t: flows.lineage.stage_hash(t, root) for t in flows.lineage.STAGE_FILES}
    assert {t for t in before if before[t] != after[t]} == {"sentences", "claims"}

    (root / "models" / "attributions.json.gz").unlink()  # not trained: rules only
    flows.lineage.stage_hash.cache_clear()
    untrained = {t: flows.lineage.stage_hash(t, root) for t in flows.lineage.STAGE_FILES}
    assert {t for t in after if after[t] != untrained[t]} == {"attributions", "claims"}
    flows.lineage.stage_hash.cache_clear()


def test_a_changed_parse_changes_the_code_version_of_every_parsed_table(tmp_path):
    """``flows/nlp.py`` parses and ``flows/stages.py`` feeds the stages: an
    edit to either can move tokens or rows, so it makes every parsed table
    out of date, and leaves ``documents`` (plain text) as it is."""
    package = Path(flows.lineage.__file__).parent
    root = tmp_path / "flows"
    root.mkdir()
    for name in flows.lineage.PARSE_FILES:
        shutil.copy(package / name, root / name)
    before = {t: flows.lineage.stage_hash(t, flows_root=root) for t in flows.lineage.STAGE_FILES}
    with (root / "nlp.py").open("a") as fh:
        fh.write("\nPARSE_TOKENS = 6_000\n")
    flows.lineage.stage_hash.cache_clear()
    after = {t: flows.lineage.stage_hash(t, flows_root=root) for t in flows.lineage.STAGE_FILES}
    flows.lineage.stage_hash.cache_clear()
    assert {t for t in before if before[t] != after[t]} == {"sentences", "attributions", "claims"}


def test_only_settings_that_change_rows_are_in_the_config_hash():
    """``--max-bytes`` decides which files are read, which the inputs hash
    already sees; it must not make every stage dirty.  The spaCy model does
    change rows."""
    from flows.lineage import RunConfig

    assert RunConfig(max_bytes=10_000_000).hash() == RunConfig().hash()
    assert RunConfig(model="en_core_web_md").hash() != RunConfig().hash()


def test_lineage_and_diff_commands(workspace, capsys):
    seeds, catalog, _ = workspace
    first = sorted(seeds.glob("*.txt"))[0]
    first.write_text(
        first.read_text(encoding="utf-8").replace(" said", " stated"), encoding="utf-8"
    )
    claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))
    data = str(catalog.data_dir)

    assert cli(["lineage", "claims", "--data", data]) == 0
    out = capsys.readouterr().out
    claims_v = catalog.version("claims")
    assert f"claims v{claims_v}" in out
    assert "└─ documents v" in out and "└─ sentences v" in out and "attributions v" in out
    # the scorer's libraries, which make claims out of date when upgraded
    assert f"scikit-learn-{importlib.metadata.version('scikit-learn')}" in out.splitlines()[0]

    assert cli(["diff", "attributions", str(claims_v - 1), str(claims_v), "--data", data]) == 0
    out = capsys.readouterr().out
    assert first.stem in out and "added" in out
    v1, v2 = str(claims_v - 1), str(claims_v)
    assert cli(["diff", "attributions", v1, v2, "--data", data, "--rows", "--limit", "500"]) == 0
    out = capsys.readouterr().out
    assert '    cue_text: "said" -> "stated"' in out  # the column that changed, old -> new
    assert cli(["diff", "attributions", v1, v2, "--data", data, "--json"]) == 0
    changes = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert changes and {c["doc_id"] for c in changes} == {first.stem}
    assert {"old": "said", "new": "stated"} in [
        c["columns"].get("cue_text") for c in changes if c["kind"] == "changed"
    ]

    assert cli(["runs", "--data", data]) == 0
    assert "complete" in capsys.readouterr().out
    assert cli(["runs", "--data", data, "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert runs[0]["run_id"] == catalog.latest_complete_run()["run_id"]  # newest first
    assert runs[0]["table_versions"]["claims"] == claims_v
    assert cli(["lineage", "claims", "--data", data, "--json"]) == 0
    tree = json.loads(capsys.readouterr().out)
    assert (tree["table"], tree["version"]) == ("claims", claims_v)
    assert tree["run_id"] == runs[0]["run_id"] and tree["code"]["stage_hash"]
    assert {u["table"] for u in tree["upstream"]} == {"attributions", "documents", "sentences"}

    # A script that reads the tables exits 0 once it is done: read through
    # deltalake's own filesystem layer, 4 to 7 runs of 8 aborted at exit
    # (code 134, "terminate called without an active exception").
    script = (
        "import sys; from flows.storage import Catalog; c = Catalog(sys.argv[1]); "
        "print(sum(c.read(t).num_rows for t in sys.argv[2:]))"
    )
    tables = ["documents", *STAGE_TABLES, "runs"]
    rows = sum(catalog.read(t).num_rows for t in tables)
    for _ in range(4):
        done = subprocess.run(
            [sys.executable, "-c", script, data, *tables],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=PROJECT,
        )
        assert (done.returncode, done.stdout.strip(), done.stderr) == (0, str(rows), "")


def test_bad_requests_get_one_line_and_exit_2(workspace, capsys):
    seeds, catalog, _ = workspace
    data = str(catalog.data_dir)
    claims_v = catalog.version("claims")

    def refused(*args: str) -> str:
        assert cli([*args, "--data", data]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        return err

    # versions the table never had (delta-rs: a log-segment error, an overflow)
    assert f"has versions 0 to {claims_v}, not 9" in refused("show", "claims", "--version", "9")
    assert "not 9" in refused("diff", "claims", "0", "9")
    assert "not 9" in refused("lineage", "claims", "--version", "9")
    # an article filter on the one table without articles
    assert "runs has no articles" in refused("show", "runs", "--doc", "x")
    # a run that does not exist, before Prefect starts
    err = refused("rerun", "claims", "--from-run", "nosuch")
    assert "no complete run 'nosuch'" in err and catalog.latest_complete_run()["run_id"] in err
    # another run holding the lock, before Prefect starts
    with catalog.lock():
        assert "another claimflow run is writing" in refused("rerun", "claims")

    # options argparse refuses with its usage line
    for args in (
        ["show", "claims", "--limit", "-1"],
        ["diff", "claims", "-1", "0"],
        ["errors", "--kind", "nosuch"],
        ["run", "--seeds", str(seeds), "--workers", "0"],
        ["tables", "--data", str(catalog.data_dir / "typo")],
    ):
        with pytest.raises(SystemExit) as stopped:
            cli(args)
        assert stopped.value.code == 2
    assert "no data folder" in capsys.readouterr().err

    # A run that fails as a whole (a table's log is corrupt) says why in one
    # line; Prefect's trace of the flow run shows only with -v.
    last = max((catalog.path("claims") / "_delta_log").glob("*.json"))
    last.write_text("garbage", encoding="utf-8")
    err = refused("-q", "run", "--seeds", str(seeds), "--force")
    assert err.startswith("claimflow: run failed: DeltaError: ")


def test_maintain_keeps_every_referenced_version_readable(workspace, capsys):
    seeds, catalog, _ = workspace
    (seeds / "empty.txt").write_bytes(b"")  # an input error the runs record
    for n in range(2):  # two more versions of every table
        path = sorted(seeds.glob("*.txt"))[n]
        path.write_text(path.read_text(encoding="utf-8") + f"\nEdit {n}.\n", encoding="utf-8")
        claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))
    run = catalog.latest_complete_run()
    expected = {t: catalog.read(t, v).num_rows for t, v in run["table_versions"].items()}

    assert cli(["maintain", "--data", str(catalog.data_dir), "--retention-hours", "0"]) == 0
    assert "kept versions" in capsys.readouterr().out
    # The first version no run references any more: its files are gone, and
    # reading it says so in one line.
    assert run["table_versions"]["claims"] > 0
    assert cli(["show", "claims", "--version", "0", "--data", str(catalog.data_dir)]) == 2
    assert "'claims' v0 in " in capsys.readouterr().err

    latest = catalog.latest_complete_run()
    assert latest["status"] == "maintained"
    # The errors that hold are still those of the last run that computed.
    assert cli(["errors", "--data", str(catalog.data_dir)]) == 0
    assert "empty.txt" in capsys.readouterr().out
    assert cli(["tables", "--data", str(catalog.data_dir)]) == 0
    assert "(maintained, 8 articles, 1 errors, 0 warnings)" in capsys.readouterr().out
    for table, rows in expected.items():
        assert catalog.read(table).num_rows == rows
        assert catalog.read(table, run["table_versions"][table]).num_rows == rows
    # The next run finds nothing to do; compaction kept the lineage, so an
    # edited article afterwards is recomputed alone, not the whole corpus.
    again = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))
    assert again["status"] == "unchanged"
    path = sorted(seeds.glob("*.txt"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nEdit 2.\n", encoding="utf-8")
    edited = claimflow(seeds_dir=str(seeds), data_dir=str(catalog.data_dir))
    assert edited["changed"] == 1 and edited["dirty"] == []


def test_a_second_writer_is_refused_with_a_clear_message(workspace, capsys):
    seeds, catalog, _ = workspace
    with catalog.lock():
        code = cli(["run", "--seeds", str(seeds), "--data", str(catalog.data_dir)])
    assert code == 2
    err = capsys.readouterr().err
    assert "another claimflow run is writing" in err and f"pid {os.getpid()}" in err


# ---------------------------------------------------------------- kills

#: Where the kill test stops a run (``CLAIMFLOW_FAILPOINT``, see
#: ``flows.storage.failpoint``): mid-processing, and between table commits.
KILL_POINTS = (
    "after-batch:4",
    "after-commit:documents",
    "after-commit:sentences",
    "after-commit:attributions",
    "after-commit:claims",
)


def _run_killed_at(point: str, seeds: Path, data: Path, api_url: str) -> int:
    """Run ``claimflow run`` in a subprocess that SIGKILLs itself at ``point``.

    The run reports to the session's Prefect server (``api_url``): the kills
    are about the tables, and a temporary server per run would cost more
    than the run.  (The Ctrl-C test below keeps its own: that the server
    stops too is part of what it checks.)
    """
    env = {
        **os.environ,
        "CLAIMFLOW_FAILPOINT": point,
        "PREFECT_HOME": str(data.parent / "prefect-home"),
        "PREFECT_API_URL": api_url,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "-q",
            "run",
            "--seeds",
            str(seeds),
            "--data",
            str(data),
            "--force",
            "--batch-size",
            "4",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return proc.wait(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # and whatever it started


def test_killed_runs_leave_readable_tables_and_the_next_run_completes(
    corpus_run, prefect_api_url, tmp_path, capsys
):
    seeds, data0, _ = corpus_run
    data = tmp_path / "data"
    shutil.copytree(data0, data)
    catalog = Catalog(data)
    complete = catalog.latest_complete_run()
    marked_any = False
    for point in KILL_POINTS:
        code = _run_killed_at(point, seeds, data, prefect_api_url)
        assert code == -signal.SIGKILL, f"run was not killed at {point}"
        for table in ("documents", *STAGE_TABLES, "runs"):
            catalog.read(table)  # every table stays readable
        latest = catalog.latest_complete_run()
        assert latest["run_id"] == complete["run_id"], point
        ahead = [
            t
            for t in ("documents", *STAGE_TABLES)
            if catalog.version(t) > latest["table_versions"][t]
        ]
        assert cli(["tables", "--data", str(data)]) == 0
        marked = [
            line.split()[0] for line in capsys.readouterr().out.splitlines() if "(ahead of" in line
        ]
        assert marked == ahead, point
        marked_any = marked_any or bool(marked)
        texts = {
            d["doc_id"]: d["text"]
            for d in catalog.read("documents", latest["table_versions"]["documents"]).to_pylist()
        }
        assert len(texts) == 8
        for table in STAGE_TABLES:  # the latest complete run reads back whole
            rows = catalog.read(table, latest["table_versions"][table])
            assert violations(table, rows, texts) == []
            assert set(rows["doc_id"].to_pylist()) <= set(texts)
            assert rows.num_rows == catalog.read(table, complete["table_versions"][table]).num_rows

    assert marked_any  # a kill after a commit leaves that table ahead, and `tables` says so
    summary = claimflow(seeds_dir=str(seeds), data_dir=str(data))
    assert summary["status"] == "unchanged"  # the inputs did not change
    final = catalog.latest_complete_run()
    for table in ("documents", *STAGE_TABLES):
        assert catalog.version(table) == final["table_versions"][table]
        now = sorted(catalog.read(table).to_pylist(), key=str)
        assert now == sorted(
            catalog.read(table, complete["table_versions"][table]).to_pylist(), key=str
        )


def test_ctrl_c_stops_a_run_at_once_and_leaves_no_process_behind(corpus_run, tmp_path):
    """Ctrl-C reaches the whole process group (workers and Prefect's server
    too): the run must stop within seconds, say so, and leave no worker
    running and no table changed."""
    import psutil

    seeds, data0, _ = corpus_run
    data = tmp_path / "data"
    shutil.copytree(data0, data)
    catalog = Catalog(data)
    complete = catalog.latest_complete_run()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    command = [sys.executable, "-m", "flows.cli", "run", "--seeds", str(seeds)]
    command += ["--data", str(data), "--force", "--batch-size", "1", "--workers", "2"]
    proc = subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        for line in proc.stderr:  # the first batch is done: workers are busy
            if line.startswith("sentences+attributions+claims:"):
                break
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert "run interrupted" in proc.stderr.read()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _group_members(psutil, proc.pid):
            time.sleep(0.2)
        assert _group_members(psutil, proc.pid) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert catalog.latest_complete_run()["run_id"] == complete["run_id"]
    for table in ("documents", *STAGE_TABLES):
        assert (
            catalog.read(table).num_rows
            == catalog.read(table, complete["table_versions"][table]).num_rows
        )


def _group_members(psutil, group: int) -> list[int]:
    """The live processes of process group ``group``."""
    members = []
    for process in psutil.process_iter(["pid", "status"]):
        with contextlib.suppress(ProcessLookupError, psutil.Error):
            if process.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(process.pid) == group:
                members.append(process.pid)
    return members


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "claims", "7", "9"],
        ["show", "claims", "--version", "3"],
        ["show", "claims"],
        ["history", "claims"],
    ],
)
def test_a_table_never_written_is_refused_not_shown_empty(tmp_path, capsys, argv):
    """After a first run stopped before any commit, "0 added" or "(no rows)"
    would pass for an answer; each command names the missing table."""
    assert cli([*argv, "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "table 'claims' has not been written yet" in err and str(tmp_path) in err


def test_diff_keys_sort_in_reading_order_whatever_the_ids():
    from flows.versions import _natural

    keys = [("d:c10",), ("d:c2",), (None,), ("v1²",), ("d:c1",)]
    assert sorted(keys, key=_natural) == [("d:c1",), ("d:c2",), ("d:c10",), ("v1²",), (None,)]


def test_diff_matches_claims_by_text_so_one_dropped_claim_is_one_row(flow_run):
    from flows.versions import diff_rows

    _, catalog = flow_run
    old = catalog.read("claims").to_pylist()
    doc_id = old[0]["doc_id"]
    assert len({r["doc_id"] for r in old}) == 1 and len(old) > 6
    # A rule that drops the second claim and trims the fifth: every later
    # claim_id moves up by one, which alone is no change.
    kept = [dict(r) for r in old if r["claim_id"] != f"{doc_id}:c1"]
    for n, row in enumerate(kept):
        row["claim_id"] = f"{doc_id}:c{n}"
    trimmed = kept[4]
    trimmed["text"], trimmed["end"] = trimmed["text"][:-6], trimmed["end"] - 6

    diff = diff_rows("claims", old, kept, (1, 2), rows=True)

    assert diff.by_doc == {doc_id: {"removed": 1, "changed": 1}}
    assert diff.moved == len(old) - 3  # all but c0, the dropped c1 and the trimmed one
    removed, changed = sorted(diff.rows, key=lambda c: c.kind, reverse=True)
    assert removed.kind == "removed" and removed.columns["text"][0] == old[1]["text"]
    assert changed.key == (f"{doc_id}:c4",)
    assert changed.columns["claim_id"] == (f"{doc_id}:c5", f"{doc_id}:c4")
    assert set(changed.columns) == {"claim_id", "text", "end"}


def test_diff_pairs_a_rewritten_sentence_with_its_old_self_not_its_neighbour(flow_run):
    from flows.versions import diff_rows

    _, catalog = flow_run
    old = catalog.read("sentences").to_pylist()[:3]
    # Sentence 0 is replaced by a new sentence and a reworded copy of itself.
    inserted = {**old[1], "text": "The Pentagon declined to comment on Monday."}
    reworded = {**old[0], "text": old[0]["text"].replace("Ukraine", "Kyiv")}
    assert reworded["text"] != old[0]["text"]
    new = [{**row, "sentence_id": n} for n, row in enumerate([inserted, reworded, *old[1:]])]

    diff = diff_rows("sentences", old, new, (1, 2), rows=True)

    kinds = {c.kind: c for c in diff.rows}
    assert sorted(kinds) == ["added", "changed"] and len(diff.rows) == 2
    assert kinds["added"].columns["text"][1] == inserted["text"]
    assert kinds["changed"].columns["text"] == (old[0]["text"], reworded["text"])
    assert diff.moved == 2


def test_diff_counts_claims_an_edit_only_shifted_as_moved(flow_run):
    from flows.versions import diff_rows

    _, catalog = flow_run
    old = catalog.read("claims").to_pylist()
    doc_id = old[0]["doc_id"]
    # A sentence of 40 characters inserted after the third claim: the later
    # claims keep their text, their offsets (spans, dates) shift by 40.
    dated = [r for r in old[3:] if r["time_expressions"]]
    assert dated, "the sample article dates some of its later claims"

    def moved(span: dict) -> dict:
        return {**span, "start": span["start"] + 40, "end": span["end"] + 40}

    def shifted(row: dict, n: int) -> dict:
        times = [moved(t) for t in row["time_expressions"]]
        return {**moved(row), "claim_id": f"{doc_id}:c{n}", "time_expressions": times}

    inserted = {**old[2], "claim_id": f"{doc_id}:c3", "text": "Ukraine asked for more ammunition."}
    new = [*old[:3], inserted, *(shifted(r, n) for n, r in enumerate(old[3:], start=4))]
    new[-1] = dict(new[-1], end=old[-1]["end"])  # its end did not move: a change

    diff = diff_rows("claims", old, new, (1, 2), rows=True)

    assert [c.kind for c in diff.rows] == ["added", "changed"]
    assert diff.rows[1].columns["start"] == (old[-1]["start"], old[-1]["start"] + 40)
    assert diff.moved == len(old) - 3 - 1


def test_diff_rows_show_long_values_where_they_differ():
    from flows.cli_versions import _around_difference

    start = "Russia has been deploying troops to the Ukrainian border for weeks, "
    old, new = _around_difference(f'"{start}officials said"', f'"{start}officials denied"')
    assert old != new and "said" in old and "denied" in new
    assert old.startswith("...") and len(old) <= 66
