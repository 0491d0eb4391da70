"""Helpers for tests that run the portal as production runs it: the README's commands in a
fresh copy of the repository, separate processes, a database and Redis of their own."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.conftest import ROOT

MARKER = re.compile(r"<!-- production:([a-z-]+) -->\s*```[a-z]*\n(.*?)```", re.S)


def readme_blocks() -> dict[str, list[str]]:
    """The README's marked production blocks: name -> commands (comments and blanks dropped,
    backslash-continued lines joined)."""
    text = (ROOT / "README.md").read_text()
    blocks = {}
    for name, body in MARKER.findall(text):
        joined = re.sub(r"\\\n\s*", " ", body)
        blocks[name] = [
            line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")
        ]
    return blocks


def fresh_copy(target: Path) -> Path:
    """The repository's files as a clone has them (tracked, plus new files not ignored), with
    the installed .venv and node_modules linked in: `make install` is what `make test` runs."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():
            continue  # deleted in the working tree
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(source.read_bytes())
        dest.chmod(source.stat().st_mode)
    for installed in (".venv", "node_modules"):
        (target / installed).symlink_to(ROOT / installed)
    return target


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchDatabase:
    """A PostgreSQL database of the test's own on the server DATABASE_URL names."""

    def __init__(self, server_url: str, prefix: str):
        self.name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
        parts = urlsplit(server_url)
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> ScratchDatabase:
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Processes:
    """Long-running commands started with bash, each in its own process group, logged to files."""

    def __init__(self, cwd: Path, env: dict, logs: Path):
        self.cwd, self.env, self.logs = cwd, env, logs
        self.running: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, command: str, label: str) -> None:
        log_path = self.logs / f"{label}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append((label, proc, log_path))

    def check_alive(self) -> None:
        for label, proc, log_path in self.running:
            if proc.poll() is not None:
                tail = log_path.read_text()[-4000:]
                raise AssertionError(f"{label} exited with {proc.returncode}:\n{tail}")

    def log(self, label: str) -> str:
        return next(path for name, _, path in self.running if name == label).read_text()

    def stop(self) -> None:
        for _, proc, _ in self.running:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, proc, _ in self.running:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


def run(command: str, *, cwd: Path, env: dict, timeout: int = 300) -> str:
    """Run one command line with bash as an operator would; fail with its output."""
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise AssertionError(f"`{command}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr
