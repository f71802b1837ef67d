"""Code version and config fingerprints recorded with every table version."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import transforms
from flows import PROJECT_DIR
from flows.nlp import DEFAULT_MODEL, model_version

#: The ``transforms`` files each table's rows depend on (relative to the
#: package): the modules whose rules make them, the trained models those
#: rules load, and the same for the tables upstream.  Their hash is part of
#: the table's code version, so a changed rule or a retrained model shows in
#: the lineage and makes the next run recompute the table.  ``sentences``
#: lists the claims model: its ``check_worthiness`` column is that model's
#: score, written by the claims stage.
_COMMON = ("schemas.py", "documents.py")
_ATTRIBUTOR = ("lexicon.py", "attributions.py", "models/attributions.json.gz")
_SCORER = ("checkworthiness.py", "models/claims.joblib")
STAGE_FILES = {
    "documents": _COMMON,
    "sentences": (*_COMMON, "sentences.py", *_SCORER),
    "attributions": (*_COMMON, "sentences.py", *_ATTRIBUTOR),
    "claims": (*_COMMON, "sentences.py", *_ATTRIBUTOR, "claims.py", *_SCORER),
    "errors": _COMMON,
    "runs": ("schemas.py",),
}
#: The ``flows`` files (relative to that package) that shape every parsed
#: table too: the parse itself (layout marks, minibatches) and the code that
#: hands each stage its inputs.  Editing them recomputes the parsed tables,
#: as a changed rule does.
PARSE_FILES = ("nlp.py", "stages.py")
PARSED_TABLES = frozenset({"sentences", "attributions", "claims"})
#: The libraries that load and apply the claims model (fitted scikit-learn
#: vectorisers pickled with joblib, scored with numpy and scipy): another
#: release may unpickle or count differently, so their versions are part of
#: the code version of the tables that model scores.  Any release counts,
#: a patch release too: a needless recompute costs minutes, stale scores
#: would go unnoticed.
SCORER_LIBRARIES = ("scikit-learn", "joblib", "numpy", "scipy")
SCORED_TABLES = frozenset({"sentences", "claims"})


@dataclass(frozen=True)
class RunConfig:
    """A run's settings, recorded with it; :meth:`hash` covers those that
    change what it produces."""

    model: str = DEFAULT_MODEL
    max_bytes: int = 5_000_000

    def as_dict(self) -> dict:
        return asdict(self)

    def hash(self) -> str:
        """Hash of the settings that change rows.  ``max_bytes`` only decides
        which files are read, and the inputs hash already sees that."""
        blob = json.dumps({"model": self.model}, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def git_sha() -> str | None:
    """The project's commit, with ``-dirty`` when the work tree has changes."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return sha + ("-dirty" if dirty else "")


def package_version() -> str:
    try:
        return importlib.metadata.version("claimflow")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


@functools.cache
def stage_hash(table: str, root: Path | None = None, flows_root: Path | None = None) -> str:
    """Hash of the ``transforms`` files (under ``root``, default the installed
    package) that a table's rows depend on, see :data:`STAGE_FILES`, and for
    a parsed table of the ``flows`` files that parse and feed it (under
    ``flows_root``), see :data:`PARSE_FILES`.  A model file that is absent
    (not trained yet) hashes as absent."""
    root = root or Path(transforms.__file__).parent
    flows_root = flows_root or Path(__file__).parent
    # ``transforms`` files keep their bare names as labels (the hashes of
    # tables that do not depend on the parse stay what they were).
    files = [(name, root / name) for name in STAGE_FILES[table]]
    if table in PARSED_TABLES:
        files += [(f"flows/{name}", flows_root / name) for name in PARSE_FILES]
    digest = hashlib.sha256()
    for label, path in files:
        digest.update(label.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
    return digest.hexdigest()[:16]


@functools.cache
def trained_models(table: str, root: Path | None = None) -> dict[str, str]:
    """The trained model files a table's rows depend on, each with the first
    12 hex digits of its SHA-256 (None: not trained yet).

    ``stage_hash`` moves alike for an edited rule and a retrained model; the
    model's own digest answers "which model made these rows" and matches
    ``sha256sum transforms/models/claims.joblib``."""
    root = root or Path(transforms.__file__).parent
    models = [name for name in STAGE_FILES[table] if name.startswith("models/")]
    return {name: file_digest(root / name) for name in models}


def file_digest(path: Path) -> str | None:
    """The first 12 hex digits of a file's SHA-256, as ``sha256sum`` prints
    them (None for a file that is not there)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else None


def library_versions(table: str) -> dict[str, str]:
    """Installed versions of the libraries, beyond spaCy (see
    :func:`flows.nlp.model_version`), whose release can change a table's
    rows: :data:`SCORER_LIBRARIES` for the tables the claims model scores,
    none for the others."""
    return dict(_installed(SCORER_LIBRARIES)) if table in SCORED_TABLES else {}


@functools.cache
def _installed(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, importlib.metadata.version(name)) for name in names)


def code_version(table: str, config: RunConfig) -> dict:
    return {
        "git_sha": git_sha(),
        "package_version": package_version(),
        "stage_hash": stage_hash(table),
        "model": model_version(config.model),
        "libraries": library_versions(table),
        "trained_models": trained_models(table),
    }


def code_fingerprint(config: RunConfig) -> str:
    """One hash over every stage's code version: equal means same outputs."""
    parts: dict = {t: stage_hash(t) for t in STAGE_FILES}
    parts["libraries"] = library_versions("claims")
    parts["model"] = model_version(config.model)
    parts["package"] = package_version()
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
