"""Claims: the propositions an article asserts or reports, scored for checking.

A claim is a declarative clause of the article's body: either the content of
an attribution (linked by ``attribution_id``, in the source's voice) or a
clause in the author's own voice.  Questions, boilerplate and headlines are
not claims.  Coordinated main clauses with their own subjects become
separate claims.

Whether a claim *is* a claim and whether it is *worth checking* are separate
decisions: a promise is a claim (``prediction``) even when it is not
check-worthy.  ``check_worthiness`` in this first version is a transparent
linear score over features that fact-checkers name (numbers, named actors,
reported speech, concrete past events) squashed to 0-1; it is not
calibrated yet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import pyarrow as pa
from spacy.tokens import Doc, Span

from transforms.lexicon import words
from transforms.schemas import CLAIMS, conform

CHECKWORTHY_THRESHOLD = 0.5

_NUMERIC_ENTS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
_ACTOR_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LAW", "EVENT", "FAC"})
_RULE_WORDS = words(
    """
    law ban bill policy regulation rule legislation act statute order
    sanction require prohibit mandate legal illegal
    """
)
_CAUSAL = re.compile(
    r"\b(because|due to|caused?|causing|leads? to|led to|result(ed|s)? in|as a result|"
    r"thanks to|owing to)\b",
    re.IGNORECASE,
)
_PREDICTION_CUES = words(
    """
    promise pledge vow predict expect plan intend forecast warn threaten
    """
)
_POSITION_CUES = words(
    """
    deny confirm insist believe think argue claim reject dispute support
    oppose agree disagree
    """
)
_FUTURE_MODALS = frozenset({"will", "would", "could", "may", "might", "shall"})
_FIRST_SECOND = frozenset({"i", "me", "my", "we", "us", "our", "you", "your"})

#: Weights of the first check-worthiness score.  Chosen by hand on the
#: ClaimBuster guidelines' description of a check-worthy factual claim;
#: the claims issue replaces them with a model trained on annotated data.
WEIGHTS = {
    "bias": -1.6,
    "number": 1.4,
    "actors": 0.45,  # per named actor, capped at 3
    "reported": 0.5,
    "past_event": 0.6,
    "speculative": -0.5,
    "first_second_person": -0.6,
    "short": -1.0,
}


def features(span: Span) -> dict[str, float]:
    """Check-worthiness features of one sentence or clause."""
    words = [t for t in span if not t.is_punct and not t.is_space]
    ents = [e for e in span.ents]
    numeric = any(e.label_ in _NUMERIC_ENTS for e in ents) or any(
        t.like_num and t.ent_type_ not in ("DATE", "TIME", "ORDINAL") for t in words
    )
    actors = len({e.text for e in ents if e.label_ in _ACTOR_ENTS})
    past = any(t.tag_ in ("VBD", "VBN") for t in words)
    return {
        "number": float(numeric),
        "actors": float(min(actors, 3)),
        "past_event": float(past),
        "speculative": float(any(t.lower_ in ("could", "may", "might") for t in words)),
        "first_second_person": float(any(t.lower_ in _FIRST_SECOND for t in words)),
        "short": float(len(words) < 6),
    }


def check_worthiness(span: Span, reported: bool = False) -> float:
    """A 0-1 score: how much a fact-checker would want to check this text."""
    feats = features(span)
    feats["reported"] = float(reported)
    z = WEIGHTS["bias"] + sum(WEIGHTS[k] * v for k, v in feats.items())
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def claim_type(span: Span, cue_lemma: str | None = None) -> str:
    """Full Fact-style type of one claim, first matching rule wins."""
    lemmas = {t.lemma_.lower() for t in span}
    if lemmas & _RULE_WORDS:
        return "rule"
    if _CAUSAL.search(span.text):
        return "causal"
    if cue_lemma in _PREDICTION_CUES or any(
        t.lower_ in _FUTURE_MODALS and t.dep_ == "aux" for t in span
    ):
        return "prediction"
    if features(span)["number"]:
        return "quantity"
    if cue_lemma in _POSITION_CUES:
        return "position"
    if any(t.tag_ in ("VBD", "VBN") for t in span):
        return "event"
    return "other"


def is_statement(span: Span) -> bool:
    """A declarative clause with a verb, not a question or a fragment."""
    text = span.text.strip()
    if not text or text.rstrip("”\"’' ").endswith("?"):
        return False
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in span)
    return has_verb and sum(1 for t in span if t.is_alpha) >= 4


def clause_spans(sent: Span) -> list[Span]:
    """Split a sentence at coordinated main clauses that have their own subject."""
    root = sent.root
    cuts = []
    for conj in root.children:
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children)
        if conj.dep_ == "conj" and conj.pos_ in ("VERB", "AUX") and own_subject:
            left = conj.left_edge.i
            cc = [c for c in root.children if c.dep_ == "cc" and c.i < left]
            cuts.append(cc[-1].i if cc else left)
    if not cuts:
        return [sent]
    pieces, start = [], sent.start
    for cut in sorted(cuts):
        pieces.append(sent.doc[start:cut])
        start = cut
    pieces.append(sent.doc[start : sent.end])
    return [_trimmed(p) for p in pieces if _trimmed(p) is not None]


def _trimmed(span: Span) -> Span | None:
    toks = [t for t in span]
    while toks and (toks[0].is_punct or toks[0].is_space or toks[0].dep_ in ("cc", "mark")):
        toks.pop(0)
    while toks and (toks[-1].is_punct or toks[-1].is_space):
        toks.pop()
    if not toks:
        return None
    return span.doc[toks[0].i : toks[-1].i + 1]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def document_claims(
    doc_id: str,
    doc: Doc,
    sentences: Sequence[tuple[int, int, int, str, int | None]],
    attributions: Sequence[dict],
) -> tuple[list[dict], dict[int, float]]:
    """Claims of one document, and the check-worthiness of each body sentence.

    ``sentences`` are ``(sentence_id, start, end, kind, paragraph_id)``;
    ``attributions`` are rows of the ``attributions`` table for this
    document.  Returns ``(claim rows, {sentence_id: score})``.
    """
    claims: list[dict] = []
    scores: dict[int, float] = {}
    for sentence_id, start, end, kind, _ in sentences:
        if kind != "body":
            continue
        sent = doc.char_span(start, end, alignment_mode="expand")
        if sent is None:
            continue
        linked = [
            a
            for a in attributions
            if any(_overlaps((c["start"], c["end"]), (start, end)) for c in a["content_spans"])
        ]
        scores[sentence_id] = check_worthiness(sent, reported=bool(linked))
        if not is_statement(sent):
            continue
        pieces: list[tuple[Span, dict | None]] = []
        for attr in linked:
            for c in attr["content_spans"]:
                s, e = max(c["start"], start), min(c["end"], end)
                piece = doc.char_span(s, e, alignment_mode="contract")
                piece = _trimmed(piece) if piece is not None else None
                if piece is not None and not is_statement(piece):
                    # "Russia has denied any plans": a noun-phrase content is
                    # no proposition alone; the reporting clause is the claim.
                    piece = _trimmed(sent)
                if piece is not None:
                    pieces.append((piece, attr))
        if not linked:
            pieces = [(p, None) for p in clause_spans(sent)]
        for piece, attr in pieces:
            if not is_statement(piece):
                continue
            n = len(claims)
            score = check_worthiness(piece, reported=attr is not None)
            claims.append(
                {
                    "doc_id": doc_id,
                    "claim_id": f"{doc_id}:c{n}",
                    "sentence_id": sentence_id,
                    "start": piece.start_char,
                    "end": piece.end_char,
                    "text": doc.text[piece.start_char : piece.end_char],
                    "check_worthiness": score,
                    "checkworthy": score >= CHECKWORTHY_THRESHOLD,
                    "claim_type": claim_type(piece, attr["cue_lemma"] if attr else None),
                    "attribution_id": attr["attribution_id"] if attr else None,
                    "speaker": attr["speaker"] if attr else None,
                }
            )
    return claims, scores


def claims_tables(
    parsed: Iterable[tuple[str, Doc, Sequence[tuple], Sequence[dict]]],
) -> tuple[pa.Table, dict[tuple[str, int], float]]:
    """The ``claims`` table for a batch, and sentence scores keyed by (doc, id)."""
    rows: list[dict] = []
    scores: dict[tuple[str, int], float] = {}
    for doc_id, doc, sentences, attributions in parsed:
        claims, sent_scores = document_claims(doc_id, doc, sentences, attributions)
        rows.extend(claims)
        scores.update({(doc_id, k): v for k, v in sent_scores.items()})
    return conform(rows, CLAIMS), scores


def with_sentence_scores(sentences: pa.Table, scores: dict[tuple[str, int], float]) -> pa.Table:
    """The sentences table with ``check_worthiness`` filled in (null: non-body)."""
    values = [
        scores.get((d, i))
        for d, i in zip(
            sentences.column("doc_id").to_pylist(),
            sentences.column("sentence_id").to_pylist(),
            strict=True,
        )
    ]
    index = sentences.schema.get_field_index("check_worthiness")
    return sentences.set_column(index, "check_worthiness", pa.array(values, type=pa.float64()))
