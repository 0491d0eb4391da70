"""A database of its own for a benchmark: a temporary SQLite file, or a fresh PostgreSQL
database beside DATABASE_URL's when that is PostgreSQL (dropped afterwards)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def setup_database(tmp: Path, prefix: str) -> tuple[str, str | None]:
    """(DATABASE_URL for the benchmark, PostgreSQL database to drop afterwards or None)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'bench.sqlite3'}", None
    import psycopg  # only when PostgreSQL is asked for

    name = f"{prefix}_{os.getpid()}"
    parts = urlsplit(given)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_database(name: str, given: str) -> None:
    import psycopg  # only when PostgreSQL was asked for

    parts = urlsplit(given)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
