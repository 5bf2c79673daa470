"""A throwaway PostgreSQL cluster for the sql source tests: initdb + pg_ctl on a free port
under a temporary directory, trust auth for user ``okr`` on 127.0.0.1 only.

Used by the ``pg_url`` fixture and by ``.ci/run``:
``python tests/sources/pg_server.py start DIR`` prints the URL, ``… stop DIR`` ends it.
As root the cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

USER = "okr"


class CannotStart(RuntimeError):
    """PostgreSQL is missing or would not start; the message says why."""


def binaries() -> Path | None:
    """The newest Debian PostgreSQL ``bin`` directory, else the one ``initdb`` is on."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


Runner = tuple[int, int] | None  # (uid, gid) to run the server as; None: as we are


def _runner() -> Runner:
    """Who runs the server: a non-root user when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise CannotStart("running as root and there is no 'postgres' user to run the server as")


def _run(argv: list[str], runner: Runner, what: str) -> None:
    user, group = runner if runner else (None, None)
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=120, cwd="/", user=user, group=group
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CannotStart(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise CannotStart(f"{what} failed: {said[-1] if said else done.returncode}")


def start(root: Path) -> str:
    """Create and start a cluster under ``root`` (created if missing); its URL."""
    bin_dir = binaries()
    if bin_dir is None:
        raise CannotStart("PostgreSQL is not installed (apt-get install -y postgresql)")
    runner = _runner()
    root.mkdir(parents=True, exist_ok=True)
    if runner:
        os.chown(root, *runner)
    data = root / "data"
    _run(
        [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8",
         "--no-sync"],
        runner,
        "initdb",
    )  # fmt: skip
    port = _free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run(
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
         "-w", "-t", "60", "start"],
        runner,
        "pg_ctl start",
    )  # fmt: skip
    return f"postgresql://{USER}@127.0.0.1:{port}/postgres"


def stop(root: Path) -> None:
    """Stop the cluster under ``root`` (if it runs) and remove the directory."""
    bin_dir = binaries()
    if bin_dir is not None and (root / "data" / "postmaster.pid").exists():
        with contextlib.suppress(CannotStart):
            _run(
                [str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w",
                 "stop"],
                _runner(),
                "pg_ctl stop",
            )  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: pg_server.py start|stop DIR")
    try:
        if sys.argv[1] == "start":
            print(start(Path(sys.argv[2])))
        else:
            stop(Path(sys.argv[2]))
    except CannotStart as exc:
        sys.exit(f"PostgreSQL: {exc}")
