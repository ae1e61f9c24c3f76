"""The embedded SQLite default is tuned for a web server."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from comments_widget.db import SQLITE_BUSY_TIMEOUT_MS, create_engine


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_timestamps_come_back_timezone_aware_in_utc(session: Any, reader: Any) -> None:
    session.expire_all()
    loaded = session.scalar(sa.text("SELECT 1"))
    assert loaded == 1
    assert reader.created_at.utcoffset().total_seconds() == 0
