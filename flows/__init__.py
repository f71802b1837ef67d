"""claimflow orchestration: Prefect flows and tasks, storage and the CLI.

Prefect reads its settings when it is first imported, so the quiet, offline,
project-local defaults are set here, before any module of this package
imports it.  Anything already set in the environment wins.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

_PREFECT_DEFAULTS = {
    # Keep Prefect's state (the temporary server's SQLite, results) in the
    # project, not in ~/.prefect.
    "PREFECT_HOME": str(PROJECT_DIR / ".prefect"),
    # No telemetry: the machine is offline and would log errors otherwise.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # claimflow prints its own progress; Prefect's INFO lines are noise
    # unless asked for (claimflow -v).
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # The temporary server can take longer than Prefect's 20 s default to
    # come up on a loaded 2-core machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}
for _key, _value in _PREFECT_DEFAULTS.items():
    os.environ.setdefault(_key, _value)
