"""Documents: raw article bytes and records in, the ``documents`` table out.

The stored ``text`` is the article exactly as decoded: nothing is stripped
or normalised, because every span offset downstream points into it.  Any
normalisation happens on copies, in the stages that need it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from transforms.schemas import DOCUMENTS, conform

METADATA_FIELDS = ("title", "published", "url", "source")


@dataclass(frozen=True)
class Article:
    """One input article before it becomes a ``documents`` row."""

    doc_id: str
    text: str
    source_path: str
    line: int | None = None
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None
    source: str | None = None
    #: .txt articles open with a headline line; JSONL records carry the
    #: title as metadata and their text is all body.
    has_headline: bool = False
    warnings: tuple[InputProblem, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class InputProblem:
    """Something wrong with one input; becomes a row of the ``errors`` table.

    ``severity`` is ``error`` when the article did not land and ``warning``
    when it landed with a caveat (an encoding fallback, say).
    """

    kind: str
    message: str
    source_path: str
    line: int | None = None
    doc_id: str | None = None
    severity: str = "error"
    stage: str = "ingest"


class InputError(ValueError):
    """Raised by the pure readers for an input that cannot become an article."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return ``(text, encoding)``.

    UTF-8 (with or without a byte-order mark) is the expected encoding.  A
    file with NUL bytes is binary, not text, and is refused rather than
    guessed at.
    """
    if not data.strip():
        raise InputError("empty", "file is empty or whitespace only")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if b"\x00" in data:
        raise InputError("binary", "file contains NUL bytes: binary, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        raise InputError("decode", f"not valid UTF-8 (byte {exc.start}: {exc.reason})") from exc


def parse_published(value: object) -> dt.date | None:
    """Read an ISO date (or the date part of an ISO timestamp); None if absent."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise InputError("malformed_record", f"'published' is not an ISO date: {text!r}") from exc


def headline_end(text: str) -> int | None:
    """End offset of the headline: the first line, when more text follows.

    A one-line article has no headline: its only line is body text.
    """
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    first, sep, rest = stripped.partition("\n")
    if not sep or not rest.strip() or not first.strip():
        return None
    return offset + len(first.rstrip())


def headline_of(text: str) -> str | None:
    """The headline's text (see ``headline_end``), or None."""
    end = headline_end(text)
    return text[:end].strip() if end is not None else None


def article_from_txt(
    doc_id: str, data: bytes, source_path: str, sidecar: dict | None = None
) -> Article:
    """Build an article from a ``.txt`` file and its optional JSON sidecar."""
    text, _encoding = decode_text(data)
    if not text.strip():
        raise InputError("empty", "file is empty or whitespace only")
    meta = sidecar or {}
    return Article(
        doc_id=doc_id,
        text=text,
        source_path=source_path,
        title=_opt_str(meta.get("title")) or headline_of(text),
        published=parse_published(meta.get("published")),
        url=_opt_str(meta.get("url")),
        source=_opt_str(meta.get("source")),
        has_headline=True,
    )


def articles_from_jsonl(data: bytes, source_path: str) -> Iterator[Article | InputProblem]:
    """Yield one article per JSONL line, or a problem for a line that is bad.

    A broken line never stops the others: it is reported with its line number.
    The ``title`` is metadata and is not prepended to ``text``.
    """
    try:
        content, _ = decode_text(data)
    except InputError as exc:
        yield InputProblem(exc.kind, str(exc), source_path)
        return
    for number, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield InputProblem("malformed_record", f"invalid JSON: {exc.msg}", source_path, number)
            continue
        if not isinstance(record, dict):
            yield InputProblem(
                "malformed_record", "record is not a JSON object", source_path, number
            )
            continue
        missing = [k for k in ("id", "text") if not record.get(k)]
        if missing:
            yield InputProblem(
                "missing_field",
                f"record lacks required field(s): {', '.join(missing)}",
                source_path,
                number,
                doc_id=_opt_str(record.get("id")),
            )
            continue
        doc_id = str(record["id"])
        text = record["text"]
        if not isinstance(text, str) or not text.strip():
            yield InputProblem(
                "empty", "'text' is empty or not a string", source_path, number, doc_id
            )
            continue
        try:
            published = parse_published(record.get("published"))
        except InputError as exc:
            yield InputProblem(exc.kind, str(exc), source_path, number, doc_id)
            continue
        yield Article(
            doc_id=doc_id,
            text=text,
            source_path=source_path,
            line=number,
            title=_opt_str(record.get("title")),
            published=published,
            url=_opt_str(record.get("url")),
            source=_opt_str(record.get("source")),
        )


def drop_duplicate_ids(
    articles: Iterable[Article],
) -> tuple[list[Article], list[InputProblem]]:
    """Keep the first article of each ``doc_id``; report the others.

    Ids must be unique across the whole corpus: two files with one id would
    otherwise overwrite each other's rows.  The report names both places.
    """
    seen: dict[str, Article] = {}
    problems = []
    for art in articles:
        first = seen.get(art.doc_id)
        if first is None:
            seen[art.doc_id] = art
            continue
        problems.append(
            InputProblem(
                "duplicate_id",
                f"doc_id {art.doc_id!r} already used by {_where(first)}; "
                f"this copy at {_where(art)} was not loaded",
                art.source_path,
                art.line,
                art.doc_id,
            )
        )
    return list(seen.values()), problems


def content_sha256(text: str) -> str:
    """Hash of the stored text: the key that tells a changed article."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def documents_table(articles: Iterable[Article]) -> pa.Table:
    """The ``documents`` table, one row per article, sorted by ``doc_id``."""
    rows = [
        {
            "doc_id": a.doc_id,
            "source_path": a.source_path,
            "line": a.line,
            "title": a.title,
            "published": a.published,
            "url": a.url,
            "source": a.source,
            "text": a.text,
            "content_sha256": content_sha256(a.text),
            "n_chars": len(a.text),
            "headline_end": headline_end(a.text) if a.has_headline else None,
        }
        for a in sorted(articles, key=lambda a: a.doc_id)
    ]
    return conform(rows, DOCUMENTS)


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _where(article: Article) -> str:
    if article.line is None:
        return article.source_path
    return f"{article.source_path}:{article.line}"
