"""SQLite writers wait their turn on a lock file instead of in SQLite's busy handler.

SQLite lets one writer in at a time. A second one, told "busy", sleeps by SQLite's own back-off
(1, 2, 5, 10 … 100 ms) and tries again, so with two gunicorn workers posting, a writer often slept
far longer than the first one held the lock, and the other could take it again meanwhile: the
POST p99 was over 100 ms for transactions of 3 ms. Here every connection of a file-backed
database takes an exclusive `flock` on `<database>-writers.lock` before its first write
statement and lets it go when its transaction ends, so writers from every process and thread
queue for at most a couple of milliseconds past the moment the lock is free.

Reads never take it (WAL lets them run beside a writer). A connection told not to wait (a cache
fill, `db.quick_writes`) tries once and gets SQLite's own "database is locked". A writer that
has waited as long as SQLite's busy timeout gets the same error, which the app answers with 503.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from typing import Any

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER",
               "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
# Between tries while another writer holds the lock: short, since transactions are.
FIRST_PAUSE_S, LONGEST_PAUSE_S = 0.0002, 0.002


def _writes(statement: str) -> bool:
    return statement.lstrip()[:15].upper().startswith(WRITE_VERBS)


class WriterQueueCursor(sqlite3.Cursor):
    """Takes the connection's writer lock before a write and lets it go after a statement that
    ran outside a transaction (autocommit)."""

    connection: WriterQueueConnection

    def execute(self, sql: str, parameters: Any = (), /) -> WriterQueueCursor:
        return self._run(super().execute, sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> WriterQueueCursor:
        return self._run(super().executemany, sql, seq_of_parameters)

    def _run(self, method: Any, sql: str, parameters: Any) -> WriterQueueCursor:
        connection = self.connection
        if _writes(sql):
            connection.take_writer_lock()
        try:
            method(sql, parameters)
        finally:
            if not connection.in_transaction:
                connection.release_writer_lock()
        return self


class WriterQueueConnection(sqlite3.Connection):
    """A sqlite3 connection that queues its writes on a lock file (see the module's docstring).
    Subclassed per database by `connection_factory`, which sets `lock_path` and
    `writer_wait_s` (seconds a write may wait for the lock; 0 on one connection, set by
    db.quick_writes, means try once)."""

    lock_path: str = ""
    writer_wait_s: float = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock_fd: int | None = None
        self._holding = False

    def cursor(self, factory: Any = None) -> Any:  # type: ignore[override]
        return super().cursor(factory or WriterQueueCursor)

    def take_writer_lock(self) -> None:
        if self._holding:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + self.writer_wait_s
        pause = FIRST_PAUSE_S
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() + pause > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_S)
                continue
            self._holding = True
            return

    def release_writer_lock(self) -> None:
        if self._holding and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            self._holding = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self.release_writer_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_writer_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_writer_lock()
            if self._lock_fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._lock_fd)
                self._lock_fd = None


def connection_factory(database_path: str, wait_s: float) -> type[WriterQueueConnection]:
    """The connection class for the SQLite file at `database_path`, whose writes wait up to
    `wait_s` seconds for their turn."""
    return type("WriterQueueConnection", (WriterQueueConnection,),
                {"lock_path": f"{os.path.abspath(database_path)}-writers.lock",
                 "writer_wait_s": wait_s})
