"""``claimflow eval`` and ``claimflow train``: measurement on annotated corpora.

One module per stage (``sentences``, ``attributions``, ``claims``, and
``claim_types`` for the claims' types against hand labels), each with a
``register(eval_commands, train_commands)`` function that adds its
subcommands.  They run the very stage functions of ``claimflow run``
(``flows.stages``), without Prefect, so what is measured is what runs.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util

STAGE_MODULES = ("sentences", "attributions", "claims", "claim_types")


def register(
    eval_commands: argparse._SubParsersAction, train_commands: argparse._SubParsersAction
) -> None:
    for stage in STAGE_MODULES:
        name = f"{__name__}.{stage}"
        if importlib.util.find_spec(name) is None:
            continue  # stage without evaluation yet
        importlib.import_module(name).register(eval_commands, train_commands)
