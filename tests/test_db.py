"""The embedded SQLite default is tuned for a web server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.db import SQLITE_BUSY_TIMEOUT_MS, create_engine
from comments_widget.models import Reader


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_timestamps_come_back_timezone_aware_in_utc(state: Any, reader: Any) -> None:
    with state.session_factory() as fresh:
        loaded = fresh.get(Reader, reader.id)
        assert loaded.created_at.tzinfo is not None
        assert loaded.created_at.utcoffset() == timedelta(0)
        assert abs(loaded.created_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_naive_timestamps_are_refused_rather_than_guessed(state: Any, reader: Any) -> None:
    with state.session_factory() as fresh:
        fresh.get(Reader, reader.id).created_at = datetime(2026, 1, 1)
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            fresh.commit()


def test_sql_errors_never_show_their_parameters(session: Session, reader: Reader) -> None:
    """A failed statement's message is logged; it must not carry a password hash."""
    with pytest.raises(sa.exc.IntegrityError) as failure:
        session.execute(sa.insert(Reader).values(
            email=reader.email, display_name="Copy", password_hash="scrypt:SECRET-HASH",
            session_id="x"))
    session.rollback()
    assert "SECRET-HASH" not in str(failure.value)
    assert "parameters hidden" in str(failure.value)
