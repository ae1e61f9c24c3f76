"""Engines and sessions: SQLite tuned for a web server, PostgreSQL as given."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from comments_widget.config import ConfigError
from comments_widget.sqlite_writers import WriterQueueConnection, connection_factory

# What a database that is down, silent, overloaded or read-only raises: the caller's fault
# never, so it is answered with 503 rather than 500 (views/outages.py).
UNAVAILABLE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
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


def _postgresql_args(url: sa.URL, connect_timeout: int, statement_timeout: int
                     ) -> tuple[sa.URL, dict[str, Any]]:
    # A server that is down must fail in seconds, and so must one that silently stopped
    # answering mid-query (keepalives and tcp_user_timeout notice a dead peer; statement_timeout
    # only ends queries the server is still running), before gunicorn kills the worker.
    options = url.query.get("options", "")
    options = " ".join(options) if isinstance(options, tuple) else options
    if statement_timeout:
        options = f"{options} -c statement_timeout={statement_timeout * 1000}".strip()
    args: dict[str, Any] = {
        "connect_timeout": connect_timeout, "keepalives": 1, "keepalives_idle": 10,
        "keepalives_interval": 5, "keepalives_count": 3,
        "tcp_user_timeout": (connect_timeout + max(statement_timeout, 5)) * 1000,
    }
    if options:
        args["options"] = options
    return url.difference_update_query(["options"]), args


def _create_private_file(path: str) -> None:
    # The database holds emails and password hashes: readable by the server's user only.
    if path and path != ":memory:" and not os.path.exists(path):
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def create_engine(url: str, connect_timeout: int = 5, statement_timeout: int = 10) -> sa.Engine:
    """Create an engine for a database URL, with SQLite set up for concurrent web use.

    SQL parameters are never logged or put in error messages: they include password hashes.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = "" if parsed.query.get("uri") else parsed.database or ""
        _create_private_file(path)
        # Writers queue on a lock file beside the database (sqlite_writers.py).
        queue = ({"factory": connection_factory(path, SQLITE_BUSY_TIMEOUT_MS / 1000)}
                 if path and path != ":memory:" else {})
        engine = sa.create_engine(parsed, hide_parameters=True, connect_args=queue)
        sa.event.listen(engine, "connect", _tune_sqlite)
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        parsed, connect_args = _postgresql_args(parsed, connect_timeout, statement_timeout)
    engine = sa.create_engine(parsed, hide_parameters=True, connect_args=connect_args,
                              pool_timeout=connect_timeout * 2)
    sa.event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
    sa.event.listen(engine, "checkin", _note_last_use)
    return engine


# A pooled connection unused for this long is checked before use (the server may have
# restarted, or a proxy dropped it); one used more recently is not, which spares a busy server
# a round trip on every request (SQLAlchemy's pool_pre_ping pings every checkout).
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_if_idle(dialect: sa.Dialect) -> Any:
    def ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last_use = record.info.get("last_use")
        if last_use is not None and time.monotonic() - last_use < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another.
            raise sa.exc.DisconnectionError(str(error)) from error
    return ping


def _note_last_use(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["last_use"] = time.monotonic()


@contextmanager
def quick_writes(connection: sa.Connection) -> Iterator[None]:
    """Writes on this connection give up at once instead of waiting for a lock, and on
    PostgreSQL do not wait for the disk: for filling a cache, which a crash may lose."""
    if connection.dialect.name == "sqlite":
        dbapi_connection = connection.connection.dbapi_connection
        queued = isinstance(dbapi_connection, WriterQueueConnection)
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        if queued:
            dbapi_connection.writer_wait_s = 0  # this connection only; the class keeps its wait
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if queued:
                del dbapi_connection.writer_wait_s
        return
    connection.exec_driver_sql("SET lock_timeout = 50; SET synchronous_commit = off")
    try:
        yield
    finally:
        connection.exec_driver_sql("RESET lock_timeout; RESET synchronous_commit")


def check_writable(engine: sa.Engine) -> None:
    """Fail at start-up, naming the file, when a SQLite database cannot be written.

    A read-only file would otherwise fail on the first comment, and SQLite would leave a
    read-only -shm file behind that keeps failing after the mode is mended.
    """
    if engine.dialect.name != "sqlite" or engine.url.query.get("uri"):
        return
    path = engine.url.database or ""
    if not path or path == ":memory:":
        return
    for candidate in (path, f"{path}-wal", f"{path}-shm", f"{path}-writers.lock"):
        if os.path.exists(candidate) and not os.access(candidate, os.W_OK):
            raise ConfigError(f"COMMENTS_WIDGET_DATABASE_URL: {candidate} is read-only for this "
                              "process; make it (and the -wal/-shm files beside it) writable.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"COMMENTS_WIDGET_DATABASE_URL: the folder {folder} is read-only for "
                          "this process; SQLite needs to create its -wal and -shm files there.")


def create_session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit, for rendering responses."""
    return sessionmaker(bind=engine, expire_on_commit=False)
