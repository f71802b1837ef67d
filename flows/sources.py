"""Reading the seeds folder: the only place that opens input files.

Files are read as bytes and handed to the pure readers in
``transforms.documents``; every problem comes back as an ``InputProblem``
naming the file (and line), never as an exception that would stop the
other articles.  Memory stays bounded by the size limit: a ``.txt`` file
above it is never read, and a ``.jsonl`` file is streamed line by line,
each line read up to the limit only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from transforms.documents import (
    BOMS,
    DEFAULT_MAX_BYTES,
    Article,
    InputError,
    InputProblem,
    article_from_txt,
    articles_from_jsonl,
    drop_duplicate_ids,
    with_warnings_as_problems,
)

INPUT_SUFFIXES = (".txt", ".jsonl")
#: Chunk size for skipping the rest of an over-long JSONL line.
_SKIP_CHUNK = 1 << 20


@dataclass
class Ingested:
    """What the seeds folder holds: articles that land, and every problem.

    ``problems`` has the errors (inputs that did not become articles) and
    the warnings of the articles that did (severity ``warning``).
    """

    articles: list[Article]
    problems: list[InputProblem]
    n_files: int


def discover(seeds_dir: Path) -> list[Path]:
    """Input files under ``seeds_dir`` (recursively), in a stable order."""
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    return sorted(
        p for p in seeds_dir.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
    )


def read_seeds(seeds_dir: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Ingested:
    """Read every article under ``seeds_dir``; bad inputs become problems."""
    seeds_dir = Path(seeds_dir)
    files = discover(seeds_dir)
    # Articles and problems in file order: a file that could not be read
    # still holds its id against a later copy (see ``drop_duplicate_ids``).
    read: list[Article | InputProblem] = []
    for path in files:
        shown = _display(path, seeds_dir)
        if shown != str(path):
            read.append(_name_warning(path, shown))
        try:
            if path.suffix.lower() == ".jsonl":
                read += _read_jsonl(path, shown, max_bytes)
            else:
                read.append(_read_txt(path, shown, max_bytes))
        except OSError as exc:
            read.append(InputProblem("decode", f"cannot read file: {exc.strerror or exc}", shown))
    problems = [i for i in read if isinstance(i, InputProblem)]
    unique, duplicates = drop_duplicate_ids(read)
    return Ingested(unique, problems + duplicates + with_warnings_as_problems(unique), len(files))


def _read_txt(path: Path, shown: str, max_bytes: int) -> Article | InputProblem:
    size = path.stat().st_size
    if size > max_bytes:
        return InputProblem(
            "too_large",
            f"{size:,} bytes is above the {max_bytes:,}-byte limit (raise it with --max-bytes)",
            shown,
            doc_id=_storable(path.stem),
        )
    try:
        sidecar = _read_sidecar(path)
        return article_from_txt(_storable(path.stem), path.read_bytes(), shown, sidecar)
    except InputError as exc:
        return InputProblem(exc.kind, str(exc), shown, doc_id=_storable(path.stem))


def _read_jsonl(path: Path, shown: str, max_bytes: int) -> Iterator[Article | InputProblem]:
    """Stream a JSONL file's records; UTF-16/32 files (rare) are read whole."""
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        if any(head.startswith(bom) for bom, enc in BOMS if enc != "utf-8"):
            size = path.stat().st_size
            if size > max_bytes:
                yield InputProblem(
                    "too_large",
                    f"UTF-16/32 JSONL file of {size:,} bytes is above the {max_bytes:,}-byte "
                    "limit (raise it with --max-bytes)",
                    shown,
                )
                return
            yield from articles_from_jsonl(handle.read(), shown, max_bytes)
            return
        yield from articles_from_jsonl(_bounded_lines(handle, max_bytes), shown, max_bytes)


def _bounded_lines(handle: BinaryIO, max_bytes: int) -> Iterator[bytes]:
    """Lines of a binary file, none held in memory beyond ``max_bytes + 1`` bytes.

    An over-long line is yielded truncated to ``max_bytes + 1`` bytes (so
    the reader reports it as ``too_large``) and the rest of it is skipped.
    """
    while True:
        line = handle.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:
                rest = handle.readline(_SKIP_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def _read_sidecar(path: Path) -> dict | None:
    sidecar = path.with_suffix(".json")
    if not sidecar.exists():
        return None
    try:
        # "utf-8-sig": Windows editors start a UTF-8 file with a byte-order mark.
        text = sidecar.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "decode",
            f"sidecar {sidecar.name} is not UTF-8 text (byte {exc.start}: {exc.reason}); "
            "save it as UTF-8",
        ) from exc
    except OSError as exc:
        raise InputError("decode", f"cannot read sidecar {sidecar.name}: {exc}") from exc
    try:
        meta = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(
            "malformed_record", f"sidecar {sidecar.name} is not valid JSON: {exc}"
        ) from exc
    if not isinstance(meta, dict):
        raise InputError("malformed_record", f"sidecar {sidecar.name} is not a JSON object")
    return meta


def _display(path: Path, root: Path) -> str:
    """The path as the user gave it: relative when the seeds folder was."""
    del root
    return _storable(str(path))


def _storable(name: str) -> str:
    """A file name as storable text: bytes that are not UTF-8 (which Python
    keeps as lone surrogates, and Arrow refuses) become ``\\xNN`` escapes, so
    the id stays unique and the same on every run."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _name_warning(path: Path, shown: str) -> InputProblem:
    return InputProblem(
        "encoding_fallback",
        "file name is not valid UTF-8: its doc_id and source_path use \\xNN escapes",
        shown,
        doc_id=_storable(path.stem) if path.suffix.lower() == ".txt" else None,
        severity="warning",
    )
