"""Engines and sessions: SQLite tuned for a web server, PostgreSQL as given."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 32 * 1024


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while one writer commits; busy_timeout makes a second writer wait
    # instead of failing with "database is locked"; SQLite leaves foreign keys off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads dominate and hit random threads: map the file into memory and keep a larger page
    # cache, so a cold thread costs page faults at worst instead of a read() per page.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def create_engine(url: str) -> sa.Engine:
    """Create an engine for a database URL, with SQLite set up for concurrent web use."""
    engine = sa.create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _tune_sqlite)
    return engine


def create_session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit, for rendering responses."""
    return sessionmaker(bind=engine, expire_on_commit=False)
