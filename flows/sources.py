"""Reading the seeds folder: the only place that opens input files.

Files are read as bytes and handed to the pure readers in
``transforms.documents``; every problem comes back as an ``InputProblem``
naming the file (and line), never as an exception that would stop the
other articles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from transforms.documents import (
    Article,
    InputError,
    InputProblem,
    article_from_txt,
    articles_from_jsonl,
    drop_duplicate_ids,
)

INPUT_SUFFIXES = (".txt", ".jsonl")


@dataclass
class Ingested:
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


def read_seeds(seeds_dir: str | Path, max_bytes: int) -> Ingested:
    """Read every article under ``seeds_dir``; bad inputs become problems."""
    seeds_dir = Path(seeds_dir)
    files = discover(seeds_dir)
    articles: list[Article] = []
    problems: list[InputProblem] = []
    for path in files:
        shown = _display(path, seeds_dir)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                problems.append(
                    InputProblem(
                        "too_large",
                        f"{size:,} bytes is above the {max_bytes:,}-byte limit "
                        "(raise it with --max-bytes)",
                        shown,
                    )
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            problems.append(InputProblem("decode", f"cannot read file: {exc.strerror}", shown))
            continue
        if path.suffix.lower() == ".jsonl":
            for item in articles_from_jsonl(data, shown):
                (articles if isinstance(item, Article) else problems).append(item)
            continue
        try:
            sidecar = _read_sidecar(path)
            articles.append(article_from_txt(path.stem, data, shown, sidecar))
        except InputError as exc:
            problems.append(InputProblem(exc.kind, str(exc), shown, doc_id=path.stem))
    unique, duplicates = drop_duplicate_ids(articles)
    return Ingested(unique, problems + duplicates, len(files))


def _read_sidecar(path: Path) -> dict | None:
    sidecar = path.with_suffix(".json")
    if not sidecar.exists():
        return None
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            "malformed_record", f"sidecar {sidecar.name} is not valid JSON: {exc}"
        ) from exc
    if not isinstance(meta, dict):
        raise InputError("malformed_record", f"sidecar {sidecar.name} is not a JSON object")
    return meta


def _display(path: Path, root: Path) -> str:
    """The path as the user gave it: relative when the seeds folder was."""
    del root
    return str(path)
