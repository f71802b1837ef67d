"""What a run must compute: which articles, which stages.

A run compares what it is given with what the latest complete run left:

* an article is *changed* when it is new or its text or metadata differ
  (text hash, title, date, url, source): every stage is
  recomputed for it and its rows are replaced;
* a stage is *dirty* when its code (the hash of its ``transforms`` modules
  and model files), the spaCy model or the config differ from what its
  stored version was computed with: that stage and every later one are
  recomputed for every article, reading the stored rows of the stages
  before it;
* with ``prune``, articles whose files are gone are *removed* from every
  table (not those whose file is there but could not be read this run).

Nothing changed, nothing dirty, nothing removed: the run has nothing to do.
A rerun of chosen stages is a plan with those stages dirty and no article
changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from flows.storage import TextStore
from transforms.documents import InputProblem

STAGES = ("sentences", "attributions", "claims")

#: Columns of ``documents`` whose change means the article changed.  Where
#: the file lives (``source_path``, ``line``) is not among them: moving or
#: renaming the seeds folder must not recompute the corpus.
IDENTITY_COLUMNS = ("content_sha256", "title", "published", "url", "source", "headline_end")


@dataclass
class Plan:
    """The work of one run."""

    #: Table versions the run reads stored rows from.
    base: dict[str, int]
    #: Every article the tables will hold after the run (doc_id -> its
    #: ``documents`` row without the text).
    documents: dict[str, dict]
    #: The texts of those articles, on disk until a batch needs them.
    texts: TextStore
    changed: set[str] = field(default_factory=set)
    #: Unchanged articles that moved within the seeds (another file or
    #: line): only their ``documents`` rows are written again.
    relocated: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    dirty: tuple[str, ...] = ()
    #: Write ``documents`` rows of changed articles (not in a rerun).
    write_documents: bool = True

    @property
    def nothing_to_do(self) -> bool:
        return not self.changed and not self.relocated and not self.removed and not self.dirty

    def groups(self) -> list[tuple[tuple[str, ...], list[str]]]:
        """``(stages to compute, doc_ids)``: changed articles get every stage,
        the others only the dirty ones."""
        out = []
        if self.changed:
            out.append((STAGES, sorted(self.changed)))
        rest = sorted(set(self.documents) - self.changed)
        if self.dirty and rest:
            out.append((self.dirty, rest))
        return out

    def computed(self, stage: str) -> set[str]:
        """Articles whose rows of ``stage`` the run recomputes."""
        if stage == "documents":
            return self.changed | self.relocated if self.write_documents else set()
        if stage in self.dirty:
            return set(self.documents)
        return set(self.changed)

    def rows(self, doc_ids: Iterable[str]) -> list[dict]:
        """Full ``documents`` rows (text included) of some articles."""
        ids = list(doc_ids)
        texts = self.texts.read(ids)
        return [{**self.documents[d], "text": texts[d]} for d in ids]


def dirty_from(stage_is_current: dict[str, bool]) -> tuple[str, ...]:
    """The first stage that is not current, and every stage after it."""
    for i, stage in enumerate(STAGES):
        if not stage_is_current.get(stage, False):
            return STAGES[i:]
    return ()


def unreadable_articles(stored: pa.Table, problems: Iterable[InputProblem]) -> set[str]:
    """Stored articles whose file is there but could not be read this run:
    those an error names, and those stored from a file with an error (a
    JSONL line that no longer parses names no id).  ``--prune`` keeps them:
    their file is not gone, and the error says what to fix."""
    errors = [p for p in problems if p.severity == "error"]
    named = {p.doc_id for p in errors if p.doc_id}
    paths = {p.source_path for p in errors}
    rows = stored.select(["doc_id", "source_path"]).to_pylist()
    return {r["doc_id"] for r in rows if r["doc_id"] in named or r["source_path"] in paths}


def location(source_path: str, seeds_dir: str | None) -> str:
    """Where an article's file is within its seeds folder ("sub/x.txt"), so
    that moving or renaming the whole folder moves no article."""
    if seeds_dir:
        prefix = os.path.join(str(Path(seeds_dir)), "")
        if source_path.startswith(prefix):
            return source_path[len(prefix) :]
    return source_path


def relocated_documents(
    new: pa.Table, old: pa.Table, seeds_dir: str | None, old_seeds_dir: str | None
) -> set[str]:
    """Ids of stored articles whose file moved within the seeds folder, or
    whose JSONL record moved to another line: same text and metadata, so
    nothing is recomputed, but their ``documents`` row must say where they
    are now."""

    def places(table: pa.Table, root: str | None) -> dict[str, tuple]:
        rows = table.select(["doc_id", "source_path", "line"]).to_pylist()
        return {r["doc_id"]: (location(r["source_path"], root), r["line"]) for r in rows}

    before = places(old, old_seeds_dir)
    return {
        doc_id
        for doc_id, place in places(new, seeds_dir).items()
        if doc_id in before and before[doc_id] != place
    }


def changed_documents(new: pa.Table, old: pa.Table) -> set[str]:
    """Ids of articles in ``new`` that are absent from ``old`` or differ."""
    columns = [c for c in IDENTITY_COLUMNS if c in new.column_names]

    def keyed(table: pa.Table) -> dict[str, tuple]:
        have = [c for c in columns if c in table.column_names]
        rows = table.select(["doc_id", *have]).to_pylist()
        return {r["doc_id"]: tuple(r.get(c) for c in columns) for r in rows}

    before = keyed(old)
    return {doc_id for doc_id, key in keyed(new).items() if before.get(doc_id) != key}


def with_stages_after(stages: Iterable[str], downstream: bool) -> tuple[str, ...]:
    """Validate stage names; with ``downstream`` add every later stage."""
    chosen = set(stages)
    unknown = chosen - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stage(s) {sorted(unknown)}; stages: {', '.join(STAGES)}")
    if downstream and chosen:
        first = min(STAGES.index(s) for s in chosen)
        chosen |= set(STAGES[first:])
    return tuple(s for s in STAGES if s in chosen)
