"""Bad input, faults and invariants (issue 8): nothing lost, every problem named.

The tests build a corpus of every kind of bad input mixed with good
articles, run the real flow over it once (through the CLI, with a stage
fault injected), run the good articles alone once, and compare: every good
article gets the same rows either way, every bad input is in ``errors``
with the right kind, and the tables are readable and valid afterwards.
Two flow runs in all; the other checks read their output or call the pure
readers directly.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows import pipeline
from flows.cli import main as cli
from flows.storage import Catalog
from tests.conftest import SAMPLE
from transforms.schemas import DATA_TABLES, ERROR_KINDS, ERRORS, SENTENCES, conform
from transforms.validation import violations

GOOD_TXT = {
    "council-budget": (
        "City council approves new budget for road repairs\n"
        "The city council voted 7-2 on Monday to approve a $4.5 million budget for road "
        "repairs, Mayor Ana Torres said.\n"
        "“This is the largest investment in our streets in a decade,” Torres told reporters "
        "after the vote.\n"
        "Council member James Holt, who voted against the plan, said the money should have "
        "gone to public transit.\n"
        "The repairs will begin in April and are expected to last two years, according to "
        "the city's public works department.\n"
    ),
    "river-flood": (
        "Flood warning issued as river rises\n"
        "The national weather service issued a flood warning for the Red River on Friday, "
        "saying water levels could reach 30 feet by Sunday.\n"
        "Emergency officials urged residents of low-lying areas to move to higher ground.\n"
        "“We are not taking any chances,” county sheriff Maria Gomez said in a statement.\n"
    ),
}
GOOD_JSONL = [
    {
        "id": "factory-jobs",
        "title": "Factory to add 300 jobs",
        "published": "2024-03-02",
        "text": "A car parts maker will add 300 jobs at its plant in Toledo, the company said "
        "on Thursday. Chief executive Linda Park said demand for electric vehicle parts had "
        "doubled since last year.",
    },
    {
        "id": "school-lunch",
        "text": "The school board said free lunches will be offered to every student next "
        "year. Parents at the meeting welcomed the decision, which the board estimated "
        "would cost $2 million.",
    },
]
#: An article whose text makes the injected stage fault fire.
POISON = "POISON-PILL"
#: An article whose sentence rows the injected fault corrupts after the stage.
CORRUPTED = "corrupt-offsets"

FRENCH = (
    "Le ministre de la Défense a déclaré mardi que les forces armées allaient renforcer "
    "leur présence dans la région. Selon le porte-parole, cette décision a été prise après "
    "une série de consultations avec les alliés européens, qui ont exprimé leur inquiétude "
    "face à la situation sur le terrain depuis plusieurs semaines."
)
CP1252_TEXT = (
    "Café owners protest new rules\n"
    "“We were never consulted,” said Renée Dubois, who runs a café on Main Street — "
    "one of 40 owners at the protest.\n"
    "The city said the rules, which limit outdoor seating, would be reviewed in June.\n"
)
UTF16_TEXT = (
    "Library extends opening hours\n"
    "The public library will stay open until 9 p.m. on weekdays, the library director "
    "said on Tuesday.\n"
)
CONTROL_TEXT = (
    "Port strike enters third day\n"
    "Dock workers stayed off the job for a third day,\x07 union leader Tom Reyes said, "
    "and talks\x1b are set to resume on Monday.\n"
)
#: 50,000 characters on one line, no punctuation at all.
LONG_LINE = (
    "Long line without punctuation\n"
    + " ".join(["officials", "said", "the", "report", "showed", "budget", "growth", "city"] * 900)[
        :50_000
    ]
)


def build_corpus(root: Path, max_bytes: int) -> dict[str, str]:
    """Write the mixed corpus; return {what: expected error kind} for the bad inputs."""
    root.mkdir(parents=True)
    shutil.copy(SAMPLE, root / SAMPLE.name)
    shutil.copy(SAMPLE.with_suffix(".json"), root / SAMPLE.with_suffix(".json").name)
    for doc_id, text in GOOD_TXT.items():
        (root / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    expected = {}

    def bad(name: str, data: bytes, kind: str) -> None:
        (root / name).write_bytes(data)
        expected[name] = kind

    bad("empty.txt", b"", "empty")
    bad("blank.txt", b"  \n\t\r\n  \n", "empty")
    bad("junk.txt", bytes(range(256)) * 8, "binary")
    bad("scan.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "binary")
    bad("controls.txt", bytes(range(1, 32)) * 20, "binary")
    bad("broken-utf16.txt", b"\xff\xfe" + "Broken".encode("utf-16-le") + b"\x00\xdc", "decode")
    bad("huge.txt", b"a" * (max_bytes + 1), "too_large")
    # A good text whose metadata sidecar is broken: not loaded with half its metadata.
    (root / "bad-sidecar.txt").write_text(GOOD_TXT["river-flood"], encoding="utf-8")
    (root / "bad-sidecar.json").write_bytes(b"{not json")
    expected["bad-sidecar.txt"] = "malformed_record"
    # Warnings: these land.
    (root / "bom-utf8.txt").write_bytes(b"\xef\xbb\xbf" + UTF16_TEXT.encode("utf-8"))
    (root / "utf16-bom.txt").write_bytes(UTF16_TEXT.encode("utf-16"))
    (root / "cp1252.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    (root / "control-chars.txt").write_text(CONTROL_TEXT, encoding="utf-8")
    (root / "french.txt").write_text("Renforts militaires\n" + FRENCH, encoding="utf-8")
    (root / "long-line.txt").write_text(LONG_LINE, encoding="utf-8")
    # A file name in Latin-1, not UTF-8 (a lone surrogate in Python; Arrow refuses those).
    (root / os.fsdecode(b"caf\xe9-news.txt")).write_text(GOOD_TXT["river-flood"], "utf-8")
    # Stage faults: a good-looking article that makes a stage raise, and one
    # whose rows the fault corrupts (caught by validation before the commit).
    (root / "poisoned.txt").write_text(
        f"Poisoned article\nThis text carries the {POISON} that makes the stage fail.\n",
        encoding="utf-8",
    )
    (root / f"{CORRUPTED}.txt").write_text(
        "Corrupted offsets\nThe mayor said the bridge would reopen in May.\n", encoding="utf-8"
    )
    expected["poisoned.txt"] = "stage_failure"
    expected[f"{CORRUPTED}.txt"] = "stage_failure"

    lines = [json.dumps(r, ensure_ascii=False) for r in GOOD_JSONL]
    bad_lines = {
        3: ('{"id": "broken", "text": "unterminated', "malformed_record"),
        4: (json.dumps({"text": "A record without an id."}), "missing_field"),
        5: (json.dumps({"id": "no-text", "title": "No text"}), "missing_field"),
        6: ("[1, 2, 3]", "malformed_record"),
        7: (
            json.dumps({"id": "council-budget", "text": "Same id as a .txt file."}),
            "duplicate_id",
        ),
        8: ('{"id": "surrogate", "text": "broken \\ud800 escape"}', "decode"),
        9: (json.dumps({"id": "too-long", "text": "word " * 210_000}), "too_large"),
        10: (json.dumps({"id": "blank-text", "text": "   "}), "empty"),
    }
    lines += [line for line, _ in bad_lines.values()]
    (root / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected.update({f"export.jsonl:{n}": kind for n, (_, kind) in bad_lines.items()})
    return expected


#: Articles that land with a warning of this kind.
WARNED = {
    "cp1252": "encoding_fallback",
    "caf\\xe9-news": "encoding_fallback",
    "control-chars": "control_characters",
    "french": "non_english",
}
#: Articles that land, every one (good, and bad-but-readable).
LANDING = {
    SAMPLE.stem,
    *GOOD_TXT,
    *(r["id"] for r in GOOD_JSONL),
    "bom-utf8",
    "utf16-bom",
    "cp1252",
    "control-chars",
    "french",
    "long-line",
    "caf\\xe9-news",
}
MAX_BYTES = 2_000_000


def faulty_sentences_task(calls: list[int]):
    """The flow's sentences task with the retries it has, plus two injected faults:
    it raises on any batch holding the poisoned article, and it corrupts the
    offsets of one article's rows after the stage."""
    original = pipeline.STAGE_TASKS["sentences"]

    def sentences(items):
        calls.append(len(items))
        if any(POISON in item.text for item in items):
            raise RuntimeError("injected fault")
        rows = original.fn(items).to_pylist()
        for row in rows:
            if row["doc_id"] == CORRUPTED:
                row["text"] = row["text"].upper()  # no longer text[start:end]
        return conform(rows, SENTENCES)

    return task(
        sentences,
        name="sentences",
        cache_policy=NO_CACHE,
        retries=original.retries,
        retry_delay_seconds=0,
    )


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, prefect_home):
    """One CLI run over the mixed corpus with the stage fault injected."""
    root = tmp_path_factory.mktemp("mixed")
    expected = build_corpus(root / "seeds", MAX_BYTES)
    calls: list[int] = []
    mp = pytest.MonkeyPatch()
    mp.setitem(pipeline.STAGE_TASKS, "sentences", faulty_sentences_task(calls))
    args = ["-q", "run", "--seeds", str(root / "seeds"), "--data", str(root / "data")]
    args += ["--max-bytes", str(MAX_BYTES), "--strict", "--json"]
    t0 = time.perf_counter()
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            code = cli(args)
    finally:
        mp.undo()
    seconds = time.perf_counter() - t0
    return {
        "root": root,
        "code": code,
        "expected": expected,
        "calls": calls,
        "catalog": Catalog(root / "data"),
        "seconds": seconds,
        "summary": json.loads(printed.getvalue()),
    }


@pytest.fixture(scope="module")
def alone(tmp_path_factory, prefect_home):
    """The good articles alone, in a flow run of their own."""
    root = tmp_path_factory.mktemp("alone")
    seeds = root / "seeds"
    seeds.mkdir()
    shutil.copy(SAMPLE, seeds / SAMPLE.name)
    shutil.copy(SAMPLE.with_suffix(".json"), seeds / SAMPLE.with_suffix(".json").name)
    for doc_id, text in GOOD_TXT.items():
        (seeds / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (seeds / "export.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in GOOD_JSONL) + "\n", encoding="utf-8"
    )
    pipeline.claimflow(seeds_dir=str(seeds), data_dir=str(root / "data"), max_bytes=MAX_BYTES)
    return Catalog(root / "data")


def errors_of(catalog: Catalog) -> list[dict]:
    return catalog.read("errors").to_pylist()


def where(row: dict) -> str:
    name = Path(row["source_path"]).name if row["source_path"] else f"{row['doc_id']}.txt"
    return f"{name}:{row['line']}" if row["line"] is not None else name


# ---------------------------------------------------------------- the mixed run


def test_run_completes_and_strict_exit_names_the_failures(mixed):
    assert mixed["code"] == 1  # --strict and some articles failed; the run completed
    summary = mixed["catalog"].latest_complete_run()
    assert summary["status"] == "complete"
    assert summary["n_documents"] == len(LANDING)
    printed = mixed["summary"]
    assert printed["n_warnings"] == len(WARNED)
    assert printed["n_failed"] == sum(r["severity"] == "error" for r in errors_of(mixed["catalog"]))


def test_every_bad_input_is_in_errors_with_its_kind(mixed):
    rows = [r for r in errors_of(mixed["catalog"]) if r["severity"] == "error"]
    found = {where(r): r["kind"] for r in rows}
    expected = mixed["expected"]
    right = {k for k, kind in expected.items() if found.get(k) == kind}
    print(f"\nbad inputs in errors with the right kind: {len(right)}/{len(expected)}")
    assert right == set(expected), {k: (expected[k], found.get(k)) for k in set(expected) - right}
    # Nothing else failed: no good article was blamed.
    assert set(found) == set(expected), set(found) - set(expected)
    assert all(r["message"] and r["kind"] in ERROR_KINDS for r in rows)


def test_warnings_name_the_article_that_landed(mixed):
    rows = [r for r in errors_of(mixed["catalog"]) if r["severity"] == "warning"]
    assert {(r["doc_id"], r["kind"]) for r in rows} == set(WARNED.items())
    message = {r["kind"]: r["message"] for r in rows if r["doc_id"] != "caf\\xe9-news"}
    assert "decoded as cp1252" in message["encoding_fallback"]
    assert "U+0007" in message["control_characters"]
    assert "non-English" in message["non_english"]


def test_only_failed_articles_are_missing_from_the_tables(mixed):
    catalog = mixed["catalog"]
    docs = set(catalog.read("documents")["doc_id"].to_pylist())
    assert docs == LANDING
    for name in ("sentences", "attributions", "claims"):
        assert set(catalog.read(name)["doc_id"].to_pylist()) <= LANDING


def test_good_articles_get_the_same_rows_as_when_run_alone(mixed, alone):
    good = sorted(alone.read("documents")["doc_id"].to_pylist())
    assert len(good) == 1 + len(GOOD_TXT) + len(GOOD_JSONL)
    for name in DATA_TABLES:
        if name == "errors":
            continue
        a = alone.read(name, doc_ids=good).drop_columns(
            ["source_path"] if name == "documents" else []
        )
        m = (
            mixed["catalog"]
            .read(name, doc_ids=good)
            .drop_columns(["source_path"] if name == "documents" else [])
        )
        key = [
            c
            for c in ("doc_id", "sentence_id", "attribution_id", "claim_id")
            if c in a.column_names
        ]
        a, m = (
            a.sort_by([(k, "ascending") for k in key]),
            m.sort_by([(k, "ascending") for k in key]),
        )
        assert a.num_rows == m.num_rows and a.to_pylist() == m.to_pylist(), name
    print(f"\ngood articles with identical rows alone vs mixed: {len(good)}/{len(good)}")


def test_decoded_texts_are_the_originals(mixed):
    texts = dict(
        zip(
            *mixed["catalog"].read("documents").select(["doc_id", "text"]).to_pydict().values(),
            strict=True,
        )
    )
    assert texts["cp1252"] == CP1252_TEXT
    assert texts["utf16-bom"] == UTF16_TEXT
    assert texts["bom-utf8"] == UTF16_TEXT  # the BOM is not text
    assert texts["control-chars"] == CONTROL_TEXT  # kept verbatim
    assert texts["long-line"] == LONG_LINE


def test_tables_are_readable_and_valid_after(mixed):
    catalog = mixed["catalog"]
    documents = DeltaTable(str(catalog.path("documents"))).to_pyarrow_table()
    texts = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True))
    for name in ("sentences", "attributions", "claims"):
        table = DeltaTable(str(catalog.path(name))).to_pyarrow_table()
        assert violations(name, table, texts) == [], name
    errors = DeltaTable(str(catalog.path("errors"))).to_pyarrow_table()
    assert errors.schema.equals(ERRORS) or set(ERRORS.names) <= set(errors.column_names)


def test_long_line_lands_in_bounded_pieces(mixed):
    """A 50,000-character line without punctuation lands, cut into sentences
    that cover it (its time and memory are a benchmark matter, not a test's)."""
    sentences = mixed["catalog"].read("sentences", doc_ids=["long-line"]).to_pylist()
    assert len(sentences) > 1
    assert sentences[-1]["end"] == len(LONG_LINE)
    assert max(s["end"] - s["start"] for s in sentences) < len(LONG_LINE)


def test_a_failing_stage_is_retried_then_run_article_by_article(mixed):
    calls = mixed["calls"]
    batch = calls[0]
    assert batch > 1 and calls[:2] == [batch, batch]  # the batch, then Prefect's retry
    assert all(n == 1 for n in calls[2:])  # then one article at a time
    rows = {r["doc_id"]: r for r in errors_of(mixed["catalog"]) if r["kind"] == "stage_failure"}
    assert rows["poisoned"]["stage"] == "sentences"
    assert "RuntimeError: injected fault" in rows["poisoned"]["message"]
    assert rows[CORRUPTED]["stage"] == "validate"
    assert "text does not equal text[" in rows[CORRUPTED]["message"]


def test_the_next_run_retries_the_articles_a_stage_failed_on(mixed, tmp_path):
    """The seeds did not change, but the faults are gone (as after a fixed
    bug): the next run retries the two articles a stage failed on, instead
    of reporting "unchanged", and they land; the articles that never could
    (undecodable, duplicate, ...) stay out."""
    data = tmp_path / "data"
    shutil.copytree(mixed["root"] / "data", data)
    summary = pipeline.claimflow(
        seeds_dir=str(mixed["root"] / "seeds"), data_dir=str(data), max_bytes=MAX_BYTES
    )

    assert summary["status"] == "complete" and summary["changed"] == 2
    catalog = Catalog(data)
    landed = set(catalog.read("documents")["doc_id"].to_pylist())
    assert landed == LANDING | {"poisoned", CORRUPTED}
    assert {"poisoned", CORRUPTED} <= set(catalog.read("sentences")["doc_id"].to_pylist())
    assert catalog.failed_articles() == set()
    again = pipeline.claimflow(
        seeds_dir=str(mixed["root"] / "seeds"), data_dir=str(data), max_bytes=MAX_BYTES
    )
    assert again["status"] == "unchanged"


def test_duplicate_ids_name_both_places(mixed):
    (row,) = [r for r in errors_of(mixed["catalog"]) if r["kind"] == "duplicate_id"]
    assert row["doc_id"] == "council-budget"
    assert "council-budget.txt" in row["message"] and "export.jsonl:7" in row["message"]


# ---------------------------------------------------------------- the CLI


def test_cli_errors_lists_them_and_tables_counts_them(mixed, capsys):
    data = str(mixed["catalog"].data_dir)
    run_id = mixed["catalog"].latest_complete_run()["run_id"]
    n_err = sum(r["severity"] == "error" for r in errors_of(mixed["catalog"]))
    capsys.readouterr()
    assert cli(["errors", "--data", data]) == 0
    out, err = capsys.readouterr()
    assert "too_large" in out and "export.jsonl:3" in out and "encoding_fallback" in out
    assert f"{n_err} errors, {len(WARNED)} warnings" in err
    assert cli(["errors", "--data", data, "--run", run_id, "--kind", "decode", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {where(r) for r in rows} == {"broken-utf16.txt", "export.jsonl:8"}
    assert cli(["errors", "--data", data, "--run", "no-such-run"]) == 2
    assert cli(["tables", "--data", data]) == 0
    assert f"{n_err} errors, {len(WARNED)} warnings" in capsys.readouterr().out


def test_a_rerun_keeps_listing_the_inputs_that_did_not_land(mixed, tmp_path, capsys):
    """A rerun of one stage reads no seeds; the files that did not land
    still did not, so ``errors`` and ``run --strict`` after it report them
    as before, and the next run still retries the articles a stage failed
    on."""
    data = tmp_path / "data"
    shutil.copytree(mixed["root"] / "data", data)
    before = {(where(r), r["kind"]) for r in errors_of(mixed["catalog"])}
    assert cli(["-q", "rerun", "attributions", "--data", str(data)]) == 0
    capsys.readouterr()

    assert cli(["errors", "--data", str(data), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(where(r), r["kind"]) for r in rows} == before
    assert Catalog(data).failed_articles() == {"poisoned", CORRUPTED}
    run = ["-q", "run", "--seeds", str(mixed["root"] / "seeds"), "--data", str(data)]
    assert cli([*run, "--max-bytes", str(MAX_BYTES), "--strict"]) == 1
    assert {"poisoned", CORRUPTED} <= set(Catalog(data).read("documents")["doc_id"].to_pylist())


def test_rerun_exit_codes(mixed, capsys):
    """Unchanged rerun: 0 without --strict; with it, 1 (the errors still hold)."""
    args = ["-q", "run", "--seeds", str(mixed["root"] / "seeds"), "--data"]
    args += [str(mixed["catalog"].data_dir), "--max-bytes", str(MAX_BYTES)]
    assert cli(args) == 0
    assert cli([*args, "--strict"]) == 1
    assert "did not land" in capsys.readouterr().err


def test_cli_refuses_unwritable_data_and_a_held_lock(mixed, tmp_path, capsys):
    seeds = str(mixed["root"] / "seeds")
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert cli(["-q", "run", "--seeds", seeds, "--data", str(blocker / "data")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("claimflow: cannot write to data folder") and "\n" not in err

    data = mixed["catalog"].data_dir
    with open(data / ".claimflow.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert cli(["-q", "run", "--seeds", seeds, "--data", str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert "another claimflow run" in err and "\n" not in err


# ---------------------------------------------------------------- the readers


def test_a_duplicate_id_is_blamed_on_its_article_only():
    """Ids start with their article's id, so a stage that writes one twice is
    blamed on that article alone, however many do: the batch's other article
    commits (before, a duplicate blamed nobody and the whole batch was
    dropped)."""
    import pyarrow.compute as pc

    from flows.nlp import DEFAULT_MODEL
    from flows.stages import PLAIN_STAGES, Item, process_batch

    doubled = [f"copy-{k}" for k in range(7)]  # more than one message's worth

    def doubling_claims(items, model=None):
        claims, scores = PLAIN_STAGES["claims"](items, model)
        firsts = [claims.filter(pc.equal(claims["doc_id"], d)).slice(0, 1) for d in doubled]
        return pa.concat_tables([claims, *firsts]), scores

    text = SAMPLE.read_text(encoding="utf-8")
    items = [Item(doc_id, text, None) for doc_id in [*doubled, "clean"]]
    out = process_batch(items, DEFAULT_MODEL, stages={**PLAIN_STAGES, "claims": doubling_claims})
    assert [(p.doc_id, p.stage) for p in out.problems] == [(d, "validate") for d in doubled]
    assert out.problems[0].message == ("invariant broken: claims: duplicate claim_id 'copy-0:c0'")


def test_reader_messages_are_specific():
    from transforms.documents import InputError, article_from_txt, articles_from_jsonl

    def kind_and_message(data: bytes) -> tuple[str, str]:
        with pytest.raises(InputError) as caught:
            article_from_txt("x", data, "x.txt")
        return caught.value.kind, str(caught.value)

    assert kind_and_message(b"") == ("empty", "file is empty or whitespace only")
    assert "NUL bytes" in kind_and_message(b"abc\x00\x01\x02def")[1]
    assert "PDF" in kind_and_message(b"%PDF-1.4\n")[1]
    assert "UTF-16-LE byte-order mark" in kind_and_message(b"\xff\xfe\x00\xdc")[1]
    # UTF-16 without a byte-order mark is recognised, with a warning.
    article = article_from_txt("x", "Title\nThe mayor said so.".encode("utf-16-le"), "x.txt")
    assert article.text == "Title\nThe mayor said so."
    assert [w.kind for w in article.warnings] == ["encoding_fallback"]
    # UTF-8 with a few stray cp1252 bytes: only those are read as cp1252.
    data = "Title\nThe café’s owner said “no”.".encode() + b" And \x93this\x94 was pasted."
    article = article_from_txt("x", data, "x.txt")
    assert article.text.endswith("The café’s owner said “no”. And “this” was pasted.")
    (warning,) = article.warnings
    assert warning.kind == "encoding_fallback"
    assert "2 such byte(s) read as cp1252" in warning.message
    # A sidecar's bad date names the sidecar: the .txt is not what to mend.
    with pytest.raises(InputError) as caught:
        article_from_txt("x", b"Title\nBody.", "news/x.txt", {"published": "yesterday"})
    assert str(caught.value) == "sidecar x.json: 'published' is not an ISO date: 'yesterday'"
    # A date with more after it, or a number for a date, is refused, not cut
    # or guessed; so is metadata that is no string.
    for meta, message in (
        ({"published": "2022-01-11 or maybe 2023"}, "is not an ISO date"),
        ({"published": 20210101}, "'published' must be a string, not a number"),
        ({"title": ["a"]}, "'title' must be a string, not an array"),
    ):
        with pytest.raises(InputError, match=message) as caught:
            article_from_txt("x", b"Title\nBody.", "news/x.txt", meta)
        assert str(caught.value).startswith("sidecar x.json: ")
    article = article_from_txt("x", b"T\nBody.", "x.txt", {"published": "2022-01-11T09:30:00Z"})
    assert str(article.published) == "2022-01-11"
    (problem,) = articles_from_jsonl(b'{"id": "a", "text": "x", "source": 5}\n', "a.jsonl")
    assert (problem.kind, problem.doc_id) == ("malformed_record", "a")
    assert problem.message == "'source' must be a string, not a number"
    # A JSONL line with U+2028 inside a string is one record, not two.
    items = list(articles_from_jsonl('{"id": "a", "text": "x\u2028y"}\n'.encode(), "a.jsonl"))
    assert [(i.doc_id, i.text, i.line) for i in items] == [("a", "x\u2028y", 1)]


@pytest.mark.parametrize(
    ("path", "sidecar", "published"),
    [
        ("seeds/breitbart_2016-01-01_rose-bowl.txt", None, "2016-01-01"),
        ("seeds/2022-01-11-pentagon-briefing.txt", None, "2022-01-11"),
        # the sidecar's date wins
        ("seeds/2022-01-11-briefing.txt", {"published": "2022-01-12"}, "2022-01-12"),
        ("2021-05-05/briefing.txt", None, None),  # a folder's date is not the article's
        ("seeds/report-2016-13-45.txt", None, None),  # no such day
        ("seeds/id-120220111.txt", None, None),  # digits of a longer number
    ],
)
def test_a_date_in_the_file_name_is_the_publication_date_without_a_sidecar(
    path, sidecar, published
):
    from transforms.documents import article_from_txt

    article = article_from_txt("x", b"T\nBody.", path, sidecar)
    assert (str(article.published) if article.published else None) == published


def test_errors_table_schema_lists_every_kind():
    table = pa.Table.from_pylist([], schema=ERRORS)
    assert table.column_names[:2] == ["run_id", "source_path"]
    for kind in (
        "empty",
        "binary",
        "decode",
        "malformed_record",
        "missing_field",
        "duplicate_id",
        "too_large",
        "stage_failure",
        "encoding_fallback",
        "non_english",
    ):
        assert kind in ERROR_KINDS


# ---------------------------------------------------------------- a stage that hangs

#: An article whose text makes the injected stage loop forever.
HANG = "HANG-FOREVER"
HUNG_TEXT = f"Stuck article\nThe {HANG} marker is in this text. The mayor said the road is shut.\n"


def spinning(stage: Callable) -> Callable:
    """The stage, except that it never returns on a batch holding the HANG article."""

    def run(items, *args):
        if any(HANG in item.text for item in items):
            while True:  # an endless loop in pure Python, as a transform bug would be
                pass
        return stage(items, *args)

    return run


@pytest.mark.parametrize("thread", ["main", "worker"])
def test_a_hanging_stage_is_stopped_and_only_its_article_is_lost(thread):
    """In the main thread (SIGALRM) and in another one (a Dask worker's), the
    stage is stopped at its limit, the batch is retried article by article,
    and only the article it hangs on is lost."""
    from flows.models import warm_models
    from flows.nlp import DEFAULT_MODEL, load_model
    from flows.stages import PLAIN_STAGES, Item, attribution_stage, process_batch
    from transforms.documents import headline_end

    load_model(DEFAULT_MODEL)
    warm_models()  # as a run does first: loading is not a stage's time
    texts = {**GOOD_TXT, "stuck": HUNG_TEXT}
    items = [Item(doc_id, text, headline_end(text)) for doc_id, text in texts.items()]
    stages = {**PLAIN_STAGES, "attributions": spinning(attribution_stage)}
    result = []

    def run() -> None:
        result.append(process_batch(items, DEFAULT_MODEL, stages=stages, stage_timeout=2.0))

    if thread == "main":
        run()
    else:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join(timeout=60)
        assert not worker.is_alive()
    (out,) = result
    assert [(p.doc_id, p.stage) for p in out.problems] == [("stuck", "attributions")]
    assert "StageTimeout: took longer than 2 s (--stage-timeout)" in out.problems[0].message
    tables = out.batch_tables()
    assert set(tables["attributions"]["doc_id"].to_pylist()) == set(GOOD_TXT)
    assert set(tables["claims"]["doc_id"].to_pylist()) == set(GOOD_TXT)


def test_a_run_goes_past_an_article_a_stage_hangs_on(tmp_path, prefect_home, capsys):
    """Through the CLI, with the flow's attributions task stuck on one
    article: the run completes, the article is in ``errors`` with the
    reason, and the others land with all their rows."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for doc_id, text in {**GOOD_TXT, "stuck": HUNG_TEXT}.items():
        (seeds / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    original = pipeline.STAGE_TASKS["attributions"]
    stuck = task(
        spinning(original.fn),
        name="attributions",
        cache_policy=NO_CACHE,
        retries=original.retries,
        retry_delay_seconds=0,
    )
    mp = pytest.MonkeyPatch()
    mp.setitem(pipeline.STAGE_TASKS, "attributions", stuck)
    args = ["-q", "run", "--seeds", str(seeds), "--data", str(tmp_path / "data")]
    try:
        code = cli([*args, "--stage-timeout", "3", "--no-report", "--json"])
    finally:
        mp.undo()
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "complete" and summary["n_failed"] == 1
    catalog = Catalog(tmp_path / "data")
    (row,) = [r for r in errors_of(catalog) if r["kind"] == "stage_failure"]
    assert (row["doc_id"], row["stage"]) == ("stuck", "attributions")
    assert row["source_path"].endswith("stuck.txt")
    assert "took longer than 3 s (--stage-timeout)" in row["message"]
    for table in ("sentences", "attributions", "claims"):
        assert set(catalog.read(table)["doc_id"].to_pylist()) == set(GOOD_TXT), table


def test_a_batch_that_takes_long_is_named_while_the_run_waits(monkeypatch):
    # A long article gives no progress line until its batch is done; the run
    # says which batch it is waiting for, so it does not look hung.
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger = logging.getLogger("claimflow")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    monkeypatch.setattr(pipeline, "HEARTBEAT_SECONDS", 0.05)
    try:
        with pipeline._heartbeat(["parse", "claims"], ["huge-line", "b", "c"]):
            time.sleep(0.3)
        said = len(lines)
        with pipeline._heartbeat(["claims"], ["quick"]):
            pass
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert said >= 2 and len(lines) == said
    assert lines[0].startswith("parse+claims: still on huge-line and 2 more, ")


def test_a_first_run_on_only_bad_input_creates_every_table(tmp_path, prefect_home):
    """Nothing landed, yet an analyst's loop over the documented tables must
    load each one (empty, with its schema) rather than fail on a missing
    table; and the next run, with a good article, takes it in."""
    from transforms.schemas import ALL_TABLES

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "empty.txt").write_bytes(b"")
    data = tmp_path / "data"
    first = pipeline.claimflow(seeds_dir=str(seeds), data_dir=str(data), report=False)
    assert first["status"] == "complete"
    for table in ALL_TABLES:
        loaded = DeltaTable(str(data / "tables" / table)).to_pyarrow_table()
        assert loaded.schema.equals(ALL_TABLES[table], check_metadata=False), table
        assert loaded.num_rows == {"errors": 1, "runs": 1}.get(table, 0), table
    shutil.copy(SAMPLE, seeds / SAMPLE.name)
    second = pipeline.claimflow(seeds_dir=str(seeds), data_dir=str(data), report=False)
    assert second["counts"]["documents"] == 1 and second["counts"]["claims"] > 0


def test_a_sidecar_is_read_with_a_byte_order_mark_and_refused_in_another_encoding(tmp_path):
    """Windows editors save UTF-8 with a byte-order mark: the sidecar is read.
    One in a legacy code page is refused with the file and what to do."""
    from flows.sources import read_seeds

    text = "Bridge reopens\nThe mayor said the bridge would reopen in May.\n"
    (tmp_path / "bom.txt").write_text(text, encoding="utf-8")
    (tmp_path / "bom.json").write_bytes(b'\xef\xbb\xbf{"published": "2022-01-11"}')
    (tmp_path / "latin.txt").write_text(text, encoding="utf-8")
    (tmp_path / "latin.json").write_bytes('{"title": "Café reopens"}'.encode("cp1252"))

    ingested = read_seeds(tmp_path)

    (article,) = ingested.articles
    assert (article.doc_id, str(article.published)) == ("bom", "2022-01-11")
    (problem,) = [p for p in ingested.problems if p.severity == "error"]
    assert problem.doc_id == "latin" and problem.kind == "decode"
    assert problem.message.startswith("sidecar latin.json is not UTF-8 text")
    assert problem.message.endswith("save it as UTF-8")


def test_a_copy_does_not_take_the_id_of_a_first_file_that_could_not_be_read(tmp_path):
    """``dt.txt`` comes first; with its sidecar broken it does not land, and
    ``sub/dt.txt`` must not quietly become article ``dt`` in its place."""
    from flows.sources import read_seeds

    (tmp_path / "sub").mkdir()
    (tmp_path / "dt.txt").write_text("Budget passes\nThe council passed it.\n", encoding="utf-8")
    (tmp_path / "dt.json").write_text('{"published": "2022-01-11",}', encoding="utf-8")
    (tmp_path / "sub" / "dt.txt").write_text("Other story\nSomething else.\n", encoding="utf-8")

    ingested = read_seeds(tmp_path)

    assert ingested.articles == []
    kinds = sorted((p.kind, p.source_path.removeprefix(str(tmp_path))) for p in ingested.problems)
    assert kinds == [("duplicate_id", "/sub/dt.txt"), ("malformed_record", "/dt.txt")]
    (duplicate,) = [p for p in ingested.problems if p.kind == "duplicate_id"]
    assert "which could not be read (malformed_record)" in duplicate.message
