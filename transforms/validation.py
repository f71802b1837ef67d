"""Invariants every table must satisfy before it is committed.

The offset contract is what analysts rely on: for every span,
``documents.text[start:end]`` is the span's text.  ``violations`` lists
every broken invariant of a table against the documents it points into, as
readable messages naming the row, so that a failing check says what is
wrong rather than only that something is.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pyarrow as pa

from transforms.schemas import ALL_TABLES, ERROR_KINDS, FLAT_SPANS, SPAN_LISTS, WARNING_KINDS

ID_COLUMNS = {
    "documents": "doc_id",
    "sentences": None,  # (doc_id, sentence_id) is the key
    "attributions": "attribution_id",
    "claims": "claim_id",
}
TEXT_OF_SPANS = {"source_spans": "source_text", "cue_spans": "cue_text"}


Violation = tuple[str | None, str]  # (doc_id when known, message)


def violations(name: str, table: pa.Table, texts: dict[str, str]) -> list[Violation]:
    """Broken invariants of table ``name`` given ``{doc_id: text}``; [] if none."""
    problems: list[Violation] = []
    expected = ALL_TABLES[name]
    missing = [f.name for f in expected if f.name not in table.column_names]
    if missing:
        return [(None, f"{name}: missing columns {missing}")]
    drifted = [
        f"{f.name} is {table.schema.field(f.name).type}, not {f.type}"
        for f in expected
        if not table.schema.field(f.name).type.equals(f.type)
    ]
    if drifted:
        return [(None, f"{name}: column types differ from the schema: {'; '.join(drifted)}")]
    rows = table.to_pylist()
    if name == "errors":
        return _error_rows(rows)
    if name == "documents":
        problems += _document_rows(rows)
    id_col = ID_COLUMNS.get(name)
    if id_col:
        # Ids start with their article's: a duplicate is blamed on the
        # articles whose rows carry it, so the rest of the batch commits.
        docs_of: dict[str, set[str]] = {}
        for r in rows:
            docs_of.setdefault(r[id_col], set()).add(r["doc_id"])
        dupes = [k for k, n in Counter(r[id_col] for r in rows).items() if n > 1]
        problems += [
            (doc_id, f"{name}: duplicate {id_col} {d!r}")
            for d in dupes  # every one: each blames an article that must not land
            for doc_id in sorted(docs_of[d])
        ]
    if name == "sentences":
        keys = Counter((r["doc_id"], r["sentence_id"]) for r in rows)
        dupes = [k for k, n in keys.items() if n > 1]
        problems += [(d[0], f"sentences: duplicate sentence_id {d[1]}") for d in dupes]
    for r in rows:
        text = texts.get(r["doc_id"])
        if text is None:
            if name != "documents":
                problems.append((r["doc_id"], f"{name}: doc_id is not in documents"))
            continue
        found: list[str] = []
        label = f"{name} {r.get(id_col) if id_col else (r['doc_id'], r.get('sentence_id'))}"
        if name in FLAT_SPANS:
            s_col, e_col = FLAT_SPANS[name]
            found += _check_span(label, text, r[s_col], r[e_col], r.get("text"))
        for col in SPAN_LISTS.get(name, ()):
            spans = r[col] or []
            for span in spans:
                found += _check_span(f"{label} {col}", text, span["start"], span["end"], None)
            single = TEXT_OF_SPANS.get(col)
            if single and len(spans) == 1 and r[single] is not None:
                s, e = spans[0]["start"], spans[0]["end"]
                if text[s:e] != r[single]:
                    found.append(f"{label}: {single} does not equal text[{s}:{e}]")
        problems += [(r["doc_id"], msg) for msg in found]
    if name == "sentences":
        problems += _sentence_order(rows)
    return problems


def _document_rows(rows: list[dict]) -> list[Violation]:
    """A document's text is there, and its length and hash describe it."""
    problems: list[Violation] = []
    for r in rows:
        text = r["text"]
        if text is None or not r["doc_id"]:
            problems.append((r["doc_id"], "documents: doc_id or text is missing"))
            continue
        if r["n_chars"] != len(text):
            problems.append((r["doc_id"], f"documents: n_chars {r['n_chars']} != {len(text)}"))
        end = r["headline_end"]
        if end is not None and not 0 < end <= len(text):
            problems.append((r["doc_id"], f"documents: headline_end {end} outside the text"))
    return problems


def _error_rows(rows: list[dict]) -> list[Violation]:
    """Every problem is named: a known kind, a severity that matches it, a message."""
    problems: list[Violation] = []
    for r in rows:
        label = f"errors {r['source_path'] or r['doc_id']}"
        if r["kind"] not in ERROR_KINDS:
            problems.append((r["doc_id"], f"{label}: unknown kind {r['kind']!r}"))
        expected = "warning" if r["kind"] in WARNING_KINDS else "error"
        if r["severity"] != expected:
            problems.append((r["doc_id"], f"{label}: {r['kind']} should be an {expected}"))
        if not r["message"] or not r["run_id"]:
            problems.append((r["doc_id"], f"{label}: run_id or message is missing"))
        if not (r["source_path"] or r["doc_id"]):
            problems.append((None, f"{label}: names neither a file nor a document"))
    return problems


def _check_span(label: str, text: str, start: int, end: int, expected: str | None) -> list[str]:
    if start is None or end is None or not (0 <= start <= end <= len(text)):
        return [f"{label}: span [{start}, {end}) outside the document (0..{len(text)})"]
    if expected is not None and text[start:end] != expected:
        return [f"{label}: text does not equal text[{start}:{end}]"]
    return []


def _sentence_order(rows: list[dict]) -> list[Violation]:
    """Sentences of a document are numbered 0.. in order and do not overlap."""
    problems = []
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["doc_id"], []).append(r)
    for doc_id, sents in by_doc.items():
        sents.sort(key=lambda r: r["sentence_id"])
        if [s["sentence_id"] for s in sents] != list(range(len(sents))):
            problems.append((doc_id, "sentences: sentence_id is not 0..n-1"))
        for a, b in pairwise(sents):
            if b["start"] < a["end"]:
                problems.append(
                    (doc_id, f"sentences: sentence {b['sentence_id']} overlaps the one before")
                )
    return problems
