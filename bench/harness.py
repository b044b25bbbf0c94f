"""Shared pieces of the benches: throwaway databases, gunicorn servers that always stop,
a bare Flask app, and ``wrk`` runs parsed into numbers.

Every gunicorn is started in its own process group (``start_new_session``); ``stop``
sends SIGTERM to the group, waits a bounded time and then SIGKILLs the group, so no
worker outlives the bench even when the arbiter hangs in a graceful shutdown.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from flask import Flask, jsonify, request

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
DEFAULT_PG = os.environ.get("PARENTAPP_TEST_DATABASE_URL",
                            "postgresql://postgres@127.0.0.1:5432/postgres")


def bare_app() -> Flask:
    """The baseline: Flask and JSON, no database, no auth."""
    app = Flask("bare")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def anything(path):
        if request.method == "POST":
            request.get_json(silent=True)
            return jsonify({}), 201
        return jsonify({})

    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Servers:
    """gunicorn processes started by this bench; ``stop_all`` ends every one."""

    def __init__(self, workers: int, threads: int):
        self.workers, self.threads = workers, threads
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()

    def serve(self, target: str, env: dict, probe_path: str = "/healthz",
              log: Path | None = None) -> str:
        """Start ``target`` (a gunicorn app spec) and return its base URL once it answers;
        its output goes to ``log`` when given."""
        port = free_port()
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", str(self.workers), "-k", "gthread",
             "--threads", str(self.threads), "-b", f"127.0.0.1:{port}",
             "--graceful-timeout", "3", "--timeout", "60", "--keep-alive", "5",
             "--log-level", "warning", "-c", str(ROOT / "gunicorn.conf.py"), target],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=log.open("ab") if log else None, stderr=subprocess.STDOUT if log else None)
        self.processes.append(process)
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"{target} exited with {process.returncode}")
            try:
                if requests.get(base + probe_path, timeout=5).status_code == 200:
                    return base
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{target} did not start")

    def spawn(self, command: list[str], env: dict, log: Path | None = None) -> subprocess.Popen:
        """Start any other process the same way (its own process group, stopped by
        ``stop_all``); its output goes to ``log`` when given."""
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True,
            stdout=log.open("ab") if log else None, stderr=subprocess.STDOUT if log else None)
        self.processes.append(process)
        return process

    def stop_all(self, wait: float = 8.0) -> None:
        for process in self.processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + wait
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
            _signal_group(process, signal.SIGKILL)  # workers left behind, if any
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                print(f"warning: gunicorn {process.pid} did not end", file=sys.stderr)
        self.processes = []


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)  # the group id is the arbiter's pid (new session)


# -- wrk -----------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, *, duration: int, threads: int, connections: int,
        script: Path | None = None, env: dict | None = None) -> dict:
    """One wrk run: {"rps", "requests", "p50", "p99" (ms), "errors" (non-2xx/3xx and
    socket errors), "statuses" (code -> count, from a script's "status CODE N" lines)}."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "30s"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=duration + 60,
                         env={**os.environ, **(env or {})}).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if rps is None or len(latency) != 2:
        raise RuntimeError(f"wrk gave no figures for {url}:\n{out}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    broken = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    errors += broken
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": float(rps.group(1)), "requests": total, "p50": _ms(latency["50"]),
            "p99": _ms(latency["99"]), "errors": errors, "socket_errors": broken,
            "notes": [line for line in out.splitlines() if line.startswith("refused: ")],
            "statuses": {int(code): int(count) for code, count in
                         re.findall(r"^status (\d+): (\d+)$", out, re.M)},
            "next": int(found.group(1)) if (found := re.search(r"^next: (\d+)", out, re.M))
            else None}
