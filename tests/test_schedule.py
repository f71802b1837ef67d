"""Scheduled runs on a real Prefect server, started as a user would.

Starts ``prefect server start`` on a free loopback port with its own
PREFECT_HOME, serves the flow with a cron schedule (``claimflow serve``),
checks the schedule is registered, triggers a run with ``prefect deployment
run``, waits for it to complete and for the tables to get their version,
then stops everything it started."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flows.storage import Catalog
from tests.conftest import PROJECT, SEEDS

BIN = Path(sys.executable).parent
DEPLOYMENT = "claimflow/claimflow-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args,
        cwd=PROJECT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    """SIGINT first (what a user's Ctrl-C sends; serve pauses its schedule),
    then SIGKILL the whole process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _wait(what: str, check, timeout: float, logs: list[Path]) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            result = check()
            if result:
                return result
        time.sleep(1)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    pytest.fail(f"timed out waiting for {what}\n{tails}")


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(root / "home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    log = root / "server.log"
    server = _start(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env,
        log,
    )
    try:
        _wait(
            "the Prefect server to be healthy",
            lambda: urllib.request.urlopen(f"{url}/health", timeout=2).status == 200,
            120,
            [log],
        )
        yield url, {**env, "PREFECT_API_URL": url}, root
    finally:
        _stop(server)


def test_served_deployment_runs_on_demand_and_keeps_its_schedule(prefect_server, tmp_path):
    _, env, root = prefect_server
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    data = tmp_path / "data"
    serve_log = tmp_path / "serve.log"
    logs = [serve_log, root / "server.log"]
    serve = _start(
        [
            str(BIN / "claimflow"),
            "serve",
            "--cron",
            "0 6 * * *",
            "--name",
            "claimflow-test",
            "--seeds",
            str(seeds),
            "--data",
            str(data),
            "--workers",
            "1",
        ],
        env,
        serve_log,
    )
    try:

        def inspect() -> dict | None:
            out = subprocess.run(
                [
                    str(BIN / "prefect"),
                    "--no-prompt",
                    "deployment",
                    "inspect",
                    DEPLOYMENT,
                    "--output",
                    "json",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            return json.loads(out.stdout) if out.returncode == 0 else None

        deployment = _wait("the served deployment", inspect, 120, logs)
        crons = [s["schedule"].get("cron") for s in deployment.get("schedules", [])]
        assert "0 6 * * *" in crons

        triggered = subprocess.run(
            [str(BIN / "prefect"), "--no-prompt", "deployment", "run", DEPLOYMENT],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert triggered.returncode == 0, triggered.stdout + triggered.stderr

        def complete_run() -> dict | None:
            return Catalog(data).latest_complete_run()

        run = _wait("the triggered run to complete", complete_run, 240, logs)
        assert run["status"] == "complete"
        assert run["flow_run_id"]
        assert Catalog(data).version("claims") == 0
        assert Catalog(data).read("attributions").num_rows > 0
    finally:
        _stop(serve)


@pytest.mark.parametrize(
    ("argv", "url", "reason"),
    [
        (["--cron", "not a cron"], "http://127.0.0.1:9/api", "is no cron schedule"),
        (["--seeds", "no-such-folder"], "http://127.0.0.1:9/api", "seeds folder no-such-folder"),
        ([], "http://127.0.0.1:9/api", "no Prefect server answers at PREFECT_API_URL"),
        ([], None, "serve needs a running Prefect server"),
    ],
)
def test_serve_refuses_what_it_cannot_serve_in_one_line(monkeypatch, capsys, argv, url, reason):
    """A bad schedule, a missing folder or no server is said in one line
    (exit 2) before Prefect is asked, not in a traceback."""
    from flows.cli import main

    monkeypatch.chdir(PROJECT)
    if url is None:
        monkeypatch.delenv("PREFECT_API_URL", raising=False)
    else:
        monkeypatch.setenv("PREFECT_API_URL", url)
    assert main(["serve", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert reason in err and len(err.splitlines()) == 1
