"""Running the stages over a batch of articles, with failure isolation.

This is the one code path from text to tables: the Prefect flow wraps each
stage in a task (``flows.pipeline``), and the ``eval`` commands call the
same functions directly, so what is measured is what runs.

Each article is parsed once; its ``Doc`` is handed to every later stage of
the batch and dropped when the batch is done.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa
from spacy.tokens import Doc

from flows.nlp import load_model, parse
from transforms.attributions import attributions_table
from transforms.checkworthiness import CheckWorthinessModel
from transforms.claims import claims_tables, with_sentence_scores
from transforms.documents import InputProblem
from transforms.schemas import ATTRIBUTIONS, CLAIMS, SENTENCES
from transforms.sentences import sentences_table
from transforms.validation import violations

log = logging.getLogger("claimflow")
T = TypeVar("T")


@dataclass
class Item:
    """One article travelling through the stages of a batch."""

    doc_id: str
    text: str
    headline_end: int | None
    doc: Doc | None = None
    #: ``(sentence_id, start, end, kind, paragraph_id)`` per sentence
    sentences: list[tuple] = field(default_factory=list)
    attributions: list[dict] = field(default_factory=list)
    #: The article's published date (``documents.published``): claims
    #: resolve "Jan. 10" against it; None leaves such dates unresolved.
    published: datetime.date | None = None


@dataclass
class BatchOutput:
    """What a batch (or a whole run) produced, before it is committed."""

    sentences: list[pa.Table] = field(default_factory=list)
    attributions: list[pa.Table] = field(default_factory=list)
    claims: list[pa.Table] = field(default_factory=list)
    scores: dict = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)
    # A plain dict (not a defaultdict of a lambda): batch outputs travel
    # between processes and must pickle.
    seconds: dict[str, float] = field(default_factory=dict)

    def extend(self, other: BatchOutput) -> None:
        self.sentences += other.sentences
        self.attributions += other.attributions
        self.claims += other.claims
        self.scores.update(other.scores)
        self.problems += other.problems
        for stage, seconds in other.seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def batch_tables(self) -> dict[str, pa.Table]:
        """The computed stage tables of this output, sentence scores filled in."""
        out = {}
        if self.sentences:
            out["sentences"] = with_sentence_scores(_concat(self.sentences, SENTENCES), self.scores)
        if self.attributions:
            out["attributions"] = _concat(self.attributions, ATTRIBUTIONS)
        if self.claims:
            out["claims"] = _concat(self.claims, CLAIMS)
        return out


# ---------------------------------------------------------------- the stages


def parse_stage(items: list[Item], model: str, n_process: int = 1) -> list[Item]:
    nlp = load_model(model)
    docs = parse(nlp, ((i.text, i.headline_end) for i in items), n_process=n_process)
    for item, doc in zip(items, docs, strict=True):
        item.doc = doc
    return items


def sentence_stage(items: list[Item]) -> pa.Table:
    return sentences_table((i.doc_id, i.doc, i.headline_end) for i in items)


def attribution_stage(items: list[Item]) -> pa.Table:
    from flows.models import attribution_model  # the packaged artifact, read once

    return attributions_table(
        ((i.doc_id, i.doc, i.sentences) for i in items), model=attribution_model()
    )


def claim_stage(
    items: list[Item], model: CheckWorthinessModel | None = None
) -> tuple[pa.Table, dict]:
    """Claims and sentence scores; ``model`` defaults to the packaged one
    (the eval passes models trained in its cross-validation folds)."""
    if model is None:
        from flows.evaluation.claims import claims_model  # the packaged artifact, read once

        model = claims_model()
    return claims_tables(
        ((i.doc_id, i.doc, i.sentences, i.attributions, i.published, i.text) for i in items),
        model,
    )


#: Stage name -> function; the flow substitutes Prefect tasks of the same
#: signature.
PLAIN_STAGES: Mapping[str, Callable[..., Any]] = {
    "parse": parse_stage,
    "sentences": sentence_stage,
    "attributions": attribution_stage,
    "claims": claim_stage,
}


def process_batch(
    items: list[Item],
    model: str,
    n_process: int = 1,
    stages: Mapping[str, Callable[..., Any]] = PLAIN_STAGES,
    compute: Iterable[str] = ("sentences", "attributions", "claims"),
    stage_timeout: float | None = None,
) -> BatchOutput:
    """Run the stages in ``compute`` for one batch, isolating failing articles.

    A stage left out of ``compute`` is not re-derived: its rows must already
    be on the items (loaded from the stored table), as when one stage is
    rerun over the stored sentences.  Every computed stage needs the parse.
    ``stage_timeout`` bounds each stage's time (see :func:`time_limit`).
    """
    compute = set(compute)
    out = BatchOutput()

    def run(stage: str, batch: list[Item], *args: Any) -> list[tuple[list[Item], Any]]:
        t0 = time.perf_counter()
        result = isolating(
            stage, lambda b: stages[stage](b, *args), batch, out.problems, stage_timeout
        )
        out.seconds[stage] = out.seconds.get(stage, 0.0) + time.perf_counter() - t0
        return result

    alive = [i for batch, _ in run("parse", items, model, n_process) for i in batch]

    if "sentences" in compute:
        parts, alive = run("sentences", alive), []
        for batch, table in parts:
            out.sentences.append(table)
            rows = rows_by_doc(table)
            for item in batch:
                item.sentences = sentence_keys(rows.get(item.doc_id, []))
                alive.append(item)

    if "attributions" in compute:
        parts, alive = run("attributions", alive), []
        for batch, table in parts:
            out.attributions.append(table)
            rows = rows_by_doc(table)
            for item in batch:
                item.attributions = rows.get(item.doc_id, [])
                alive.append(item)

    if "claims" in compute:
        for _, (claims, scores) in run("claims", alive):
            out.claims.append(claims)
            out.scores.update(scores)
    out.problems += validate(out, {i.doc_id: i.text for i in items})
    for item in items:
        item.doc = None  # free the parse as soon as the batch is done
    return out


def sentence_keys(rows: Iterable[dict]) -> list[tuple]:
    """What later stages need of a document's sentence rows, in order."""
    return [
        (r["sentence_id"], r["start"], r["end"], r["kind"], r["paragraph_id"])
        for r in sorted(rows, key=lambda r: r["sentence_id"])
    ]


# ---------------------------------------------------------------- isolation


class StageTimeout(TimeoutError):
    """A stage ran past its time limit on a batch or an article."""


#: Characters per time unit of ``--stage-timeout``: a stage may spend the
#: limit's seconds per 100,000 characters of its batch, and never less.
TIMEOUT_CHARS = 100_000


def time_limit(items: Sequence[Item], stage_timeout: float | None) -> float | None:
    """The seconds a stage may take on ``items``: ``stage_timeout`` per
    100,000 characters, at least ``stage_timeout`` (None or 0: no limit).

    The limit scales with the text because the parse does: a 5 MB article
    takes minutes where a batch of short ones takes seconds.  The default
    (120 s, see ``claimflow run --stage-timeout``) is 15-25 times what the
    parse, the slowest stage, needs on this machine.
    """
    if not stage_timeout:
        return None
    chars = sum(len(i.text) for i in items)
    return stage_timeout * max(1.0, chars / TIMEOUT_CHARS)


def _within(run: Callable[[list[Item]], T], items: list[Item], seconds: float | None) -> T:
    """``run(items)``, stopped with :class:`StageTimeout` after ``seconds``.

    Prefect's timeout scope interrupts running Python code: by ``SIGALRM``
    in the main thread, by an exception sent to the thread anywhere else (a
    Dask worker's thread).  Neither cuts a single C call short, and on
    Windows there is no limit.
    """
    if seconds is None:
        return run(items)
    from prefect.utilities.timeout import timeout

    try:
        with timeout(seconds=seconds, timeout_exc_type=StageTimeout):
            return run(items)
    except StageTimeout:
        raise StageTimeout(f"took longer than {seconds:.0f} s (--stage-timeout)") from None


def isolating(
    stage: str,
    run: Callable[[list[Item]], T],
    items: list[Item],
    problems: list,
    stage_timeout: float | None = None,
) -> list[tuple[list[Item], T]]:
    """Run a stage on the batch; if it fails, article by article.

    Returns ``(items, result)`` pairs: one for the whole batch, or one per
    surviving article.  Each failing article becomes a ``stage_failure``
    problem, and the others go on.  With a ``stage_timeout`` a stage that
    hangs counts as failing: on the batch after the batch's time limit,
    on an article after the article's (:func:`time_limit`).
    """
    if not items:
        return []
    try:
        return [(items, _within(run, items, time_limit(items, stage_timeout)))]
    except Exception as exc:
        if len(items) == 1:
            problems.append(stage_failure(stage, items[0], exc))
            return []
        log.warning(
            "%s failed on a batch of %d (%s: %s); retrying article by article",
            stage,
            len(items),
            type(exc).__name__,
            exc,
        )
    out = []
    for item in items:
        try:
            out.append(([item], _within(run, [item], time_limit([item], stage_timeout))))
        except Exception as exc:
            problems.append(stage_failure(stage, item, exc))
    return out


def stage_failure(stage: str, item: Item, exc: Exception) -> InputProblem:
    return InputProblem(
        "stage_failure",
        f"{stage} failed: {type(exc).__name__}: {exc}",
        source_path="",
        doc_id=item.doc_id,
        stage=stage,
    )


# ---------------------------------------------------------------- tables


def validate(out: BatchOutput, texts: dict[str, str]) -> list[InputProblem]:
    """Check the batch's tables against the offset and id invariants.

    A violation keeps the offending article out of this run (it is recorded
    as a ``stage_failure`` of stage ``validate``); the rest of the batch
    commits.
    """
    problems = []
    tables = {
        "sentences": _concat(out.sentences, SENTENCES),
        "attributions": _concat(out.attributions, ATTRIBUTIONS),
        "claims": _concat(out.claims, CLAIMS),
    }
    for name, table in tables.items():
        for doc_id, message in violations(name, table, texts):
            # A violation no article can be blamed for fails the whole batch.
            for blamed in [doc_id] if doc_id is not None else list(texts):
                problems.append(
                    InputProblem(
                        "stage_failure",
                        f"invariant broken: {message}",
                        "",
                        doc_id=blamed,
                        stage="validate",
                    )
                )
    return problems


def rows_by_doc(table: pa.Table) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for row in table.to_pylist():
        out[row["doc_id"]].append(row)
    return out


def _concat(parts: list[pa.Table], schema: pa.Schema) -> pa.Table:
    return pa.concat_tables(parts) if parts else schema.empty_table()
