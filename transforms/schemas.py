"""Arrow schemas of every claimflow table, in one place.

These schemas are the contract with analysts: every writer casts to them
before a commit (Delta silently converts types on append otherwise), and
every test checks against them.  Columns may be added; none is renamed.

Spans are ``list<struct<start: int64, end: int64>>`` of character offsets
into ``documents.text``: ``text[start:end]`` is the span's text, end
exclusive, Python ``str`` indices (code points, not bytes).
"""

from __future__ import annotations

import pyarrow as pa

SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64())])
SPANS = pa.list_(SPAN)

DOCUMENTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_path", pa.string()),
        ("line", pa.int64()),  # 1-based line of a JSONL record; null for .txt
        ("title", pa.string()),
        ("published", pa.date32()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("text", pa.string()),
        ("content_sha256", pa.string()),
        ("n_chars", pa.int64()),
        # End offset of the headline line; null when the text has none.
        ("headline_end", pa.int64()),
    ]
)

#: Kinds of sentence rows.  An open list: later stages only rely on
#: ``body`` being the article's running text.
SENTENCE_KINDS = (
    "headline",  # first line of a .txt article when more text follows
    "dateline",  # "KYIV, Jan. 10 (Reuters) -" on a line of its own
    "byline",  # "By Jane Doe" on a line of its own
    "body",  # running text of the article
    "boilerplate",  # social footers, "Read more", subscription prompts, credits
    "caption",  # "Image caption ...", "Pictured: ...", "Figure 1.5 Residents of ..."
)
#: A dateline or byline that opens a body paragraph is not a row of its own:
#: it stays in the first sentence and is named in ``sentences.opener``.

SENTENCES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("sentence_id", pa.int64()),
        ("paragraph_id", pa.int64()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("kind", pa.string()),
        ("check_worthiness", pa.float64()),
        # A dateline or byline that opens the paragraph inside this (its first)
        # sentence: "dateline" | "byline", null otherwise; text[start:opener_end]
        # is the opener ("KYIV, Jan. 10 (Reuters) -").
        ("opener", pa.string()),
        ("opener_end", pa.int64()),
    ]
)

QUOTE_TYPES = ("direct", "indirect", "mixed")

ATTRIBUTIONS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("attribution_id", pa.string()),
        ("source_text", pa.string()),
        ("source_spans", SPANS),
        ("cue_text", pa.string()),
        ("cue_spans", SPANS),
        ("content_text", pa.string()),
        ("content_spans", SPANS),
        ("speaker", pa.string()),
        # The same, as analysts count voices: "The State Department", "the
        # State Department" -> "State Department"; "The poll" -> "poll".
        ("speaker_key", pa.string()),
        ("source_type", pa.string()),
        # The organisation, group or place a person's source names
        # ("a White House official" -> "White House"); null otherwise.
        ("speaker_affiliation", pa.string()),
        # The same, as analysts count voices: "GOP", "Republicans" ->
        # "Republican"; "Fla." -> "Florida"; "the White House" -> "White House".
        ("speaker_affiliation_key", pa.string()),
        ("cue_lemma", pa.string()),
        ("quote_type", pa.string()),
        ("sentence_ids", pa.list_(pa.int64())),
        ("confidence", pa.float64()),
    ]
)

CLAIM_TYPES = (
    "quantity",
    "event",
    "causal",
    "rule",
    "prediction",
    "position",
    "personal",
    "other",
)

CLAIM_STANCES = ("asserts", "denies", "declines_to_comment", "speculates", "reports")

#: "around 175,000 troops" -> value 175000.0, unit "troops", approximate true.
QUANTITY = pa.struct(
    [
        ("text", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("approximate", pa.bool_()),
    ]
)
ENTITY = pa.struct([("text", pa.string()), ("label", pa.string())])
#: A date or time mention, with its day when one can be resolved against
#: the article's published date (null otherwise).
TIME_EXPRESSION = pa.struct(
    [("text", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("date", pa.date32())]
)

CLAIMS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("claim_id", pa.string()),
        ("sentence_id", pa.int64()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("check_worthiness", pa.float64()),
        ("checkworthy", pa.bool_()),
        ("claim_type", pa.string()),
        ("attribution_id", pa.string()),
        ("speaker", pa.string()),
        ("speaker_key", pa.string()),
        # The linked attribution's speaker_affiliation(_key).
        ("speaker_affiliation", pa.string()),
        ("speaker_affiliation_key", pa.string()),
        # How the source stands to the claim: see CLAIM_STANCES.
        ("stance", pa.string()),
        ("hedged", pa.bool_()),
        ("hedge_cues", pa.list_(pa.string())),
        ("negated", pa.bool_()),
        ("quantities", pa.list_(QUANTITY)),
        ("entities", pa.list_(ENTITY)),
        ("time_expressions", pa.list_(TIME_EXPRESSION)),
    ]
)

ERROR_KINDS = (
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
    "control_characters",  # warning: kept verbatim in the stored text
)
#: Kinds that are warnings (the article landed); every other kind is an error.
WARNING_KINDS = ("encoding_fallback", "non_english", "control_characters")

ERRORS = pa.schema(
    [
        ("run_id", pa.string()),
        ("source_path", pa.string()),
        ("line", pa.int64()),
        ("doc_id", pa.string()),
        ("stage", pa.string()),
        ("severity", pa.string()),  # "error": did not land; "warning": landed
        ("kind", pa.string()),
        ("message", pa.string()),
    ]
)

RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("flow_run_id", pa.string()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("ended_at", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),  # "complete" | "unchanged" | "failed"
        ("seeds_dir", pa.string()),
        ("n_documents", pa.int64()),
        ("n_errors", pa.int64()),
        # Version of every table as this run leaves it: what a reader of the
        # run reads.  ``committed`` names the tables this run wrote.
        ("table_versions", pa.map_(pa.string(), pa.int64())),
        ("committed", pa.list_(pa.string())),
        ("code_version", pa.string()),  # JSON
        ("config_hash", pa.string()),
        ("config", pa.string()),  # JSON
        # Fingerprint of the inputs (article ids and content hashes, input
        # problems): equal fingerprints, code and config mean nothing to do.
        ("inputs_hash", pa.string()),
        # For ``claimflow rerun``: the run whose table versions it read.
        ("rerun_of", pa.string()),
    ]
)

#: Data tables in commit order; ``runs`` is always written last.
DATA_TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "sentences": SENTENCES,
    "attributions": ATTRIBUTIONS,
    "claims": CLAIMS,
    "errors": ERRORS,
}
ALL_TABLES: dict[str, pa.Schema] = {**DATA_TABLES, "runs": RUNS}

#: Columns that hold spans, per table: (start column, end column) pairs for
#: flat spans and list-of-span columns.  Used by the offset invariant check.
FLAT_SPANS = {"sentences": ("start", "end"), "claims": ("start", "end")}
SPAN_LISTS = {"attributions": ("source_spans", "cue_spans", "content_spans")}


def conform(rows: list[dict] | pa.Table, schema: pa.Schema) -> pa.Table:
    """Build (or cast) a table with exactly ``schema``'s columns and types.

    Missing columns become nulls; extra keys are dropped.  Casting here, not
    in the writer, means a type drift shows up as an error at the stage that
    produced it rather than as a silent conversion in storage.
    """
    if isinstance(rows, pa.Table):
        cols = {}
        for field in schema:
            if field.name in rows.column_names:
                cols[field.name] = rows.column(field.name).cast(field.type)
            else:
                cols[field.name] = pa.nulls(rows.num_rows, field.type)
        return pa.table(cols, schema=schema)
    return pa.Table.from_pylist(
        [{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema
    )
