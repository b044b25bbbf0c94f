"""A throwaway PostgreSQL server for tests that stop and start it (fault injection).

It lives in a temporary directory (data, unix socket, log), listens on a free
port of 127.0.0.1 with trust authentication, and is removed afterwards; the
shared server of the machine is never touched. PostgreSQL refuses to run as
root, so as root the server runs as the ``postgres`` user (``runuser``).

    with throwaway_postgres() as server:
        url = server.url          # postgresql://postgres@127.0.0.1:<port>/postgres
        server.stop()             # pg_ctl stop -m immediate: a crash, as far as clients see
        server.start()
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("PARENTAPP_PG_BIN", "/usr/lib/postgresql/15/bin"))
RUN_AS = "postgres"


def missing() -> str | None:
    """Why no throwaway server can be started here, or None when one can."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).is_file():
            return f"PostgreSQL binaries not found: {PG_BIN / tool} (set PARENTAPP_PG_BIN)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as another user"
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            return f"running as root and there is no {RUN_AS!r} user to run PostgreSQL"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self, root: Path):
        self.root, self.data, self.sockets = root, root / "data", root / "sockets"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [str(PG_BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", RUN_AS, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}"
                               f"\n{self.log_tail()}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off "
                   "-c max_connections=50")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", options, "-w", "-t", "30", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def log_tail(self, lines: int = 20) -> str:
        log = self.root / "server.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def throwaway_postgres():
    """A started server in a new temporary directory; stopped and removed afterwards."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    root = Path(tempfile.mkdtemp(prefix="parentapp-pg-"))
    try:
        (root / "sockets").mkdir()
        if os.geteuid() == 0:
            account = pwd.getpwnam(RUN_AS)
            for path in (root, root / "sockets"):
                os.chown(path, account.pw_uid, account.pw_gid)
        server = ThrowawayPostgres(root)
        server.init()
        server.start()
        try:
            yield server
        finally:
            if server.running():
                server.stop("fast")
    finally:
        shutil.rmtree(root, ignore_errors=True)
