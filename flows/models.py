"""Trained artifacts of the stages: where they live and how they are loaded.

The files sit in ``transforms/models/`` as package data; ``flows`` reads
them (disk I/O) and hands the objects to the pure functions of
``transforms``.  Loading is cached: one read per process.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import transforms

MODELS_DIR = Path(transforms.__file__).resolve().parent / "models"
ATTRIBUTION_MODEL = MODELS_DIR / "attributions.json.gz"


@functools.lru_cache(maxsize=4)
def attribution_model(path: str | Path = ATTRIBUTION_MODEL) -> dict | None:
    """The attribution cue and role models, or None when not trained yet
    (the attributions stage then falls back to its rules)."""
    path = Path(path)
    if not path.exists():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def save_model(model: dict, path: str | Path = ATTRIBUTION_MODEL) -> Path:
    """Write a model as gzipped JSON, byte-identical for identical models
    (no timestamp nor file name in the gzip header), so its lineage hash is
    stable."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = json.dumps(model, sort_keys=True).encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(blob)
    attribution_model.cache_clear()
    return path


def warm_models() -> None:
    """Load every stage's trained artifact now.

    Called at the start of a run (and of each worker process), so that the
    loading is paid once as start-up, not inside the first batch that needs
    it: an incremental run then costs only its articles.
    """
    from flows.evaluation.claims import claims_model

    attribution_model()
    claims_model()
