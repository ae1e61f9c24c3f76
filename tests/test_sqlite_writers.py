"""SQLite writers queue on a lock file beside the database (comments_widget/sqlite_writers.py):
a write waits while another process or connection is writing and goes ahead when it is done,
reads never wait, a cache fill never waits, the lock is let go however a transaction ends, and
a writer kept waiting too long is answered 503 with nothing stored."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from comments_widget.db import create_engine, quick_writes
from comments_widget.models import Comment
from tests.conftest import SITE, bearer, create_reader, post
from tests.test_outages import assert_unavailable

HOLD_THE_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


@contextmanager
def another_process_writing(database: Path) -> Iterator[None]:
    """Another process holds the writer lock of `database` until the block ends."""
    with subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, f"{database}-writers.lock"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            yield
        finally:
            holder.kill()
            holder.wait(timeout=10)


def lock_is_free(database: Path) -> bool:
    fd = os.open(f"{database}-writers.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # Closing lets go of the lock if it was taken.
    return True


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Path, sa.Engine]]:
    path = tmp_path / "queue.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    yield path, engine
    engine.dispose()


def texts(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.exec_driver_sql("SELECT text FROM notes ORDER BY id").scalars())


def test_the_lock_file_sits_beside_the_database_readable_by_its_owner_only(
        database: tuple[Path, sa.Engine]) -> None:
    path, engine = database
    lock = Path(f"{path}-writers.lock")
    assert lock.exists()
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_a_write_holds_the_lock_until_its_transaction_commits(
        database: tuple[Path, sa.Engine]) -> None:
    path, engine = database
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM notes").scalar()
        assert lock_is_free(path), "a read takes no lock"
        connection.exec_driver_sql("INSERT INTO notes (text) VALUES ('first')")
        assert not lock_is_free(path)
        connection.exec_driver_sql("SELECT count(*) FROM notes").scalar()
        assert not lock_is_free(path), "held to the end of the transaction"
        connection.commit()
        assert lock_is_free(path)
    assert texts(engine) == ["first"]


@pytest.mark.parametrize("ending", ["rollback", "failed statement", "autocommit", "close"])
def test_the_lock_is_let_go_however_the_write_ends(database: tuple[Path, sa.Engine],
                                                   ending: str) -> None:
    path, engine = database
    connection = engine.connect()
    if ending == "autocommit":
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("INSERT INTO notes (text) VALUES ('kept')")
    elif ending == "failed statement":
        connection.exec_driver_sql("INSERT INTO notes (id, text) VALUES (1, 'kept')")
        connection.commit()
        with pytest.raises(sa.exc.IntegrityError):
            connection.exec_driver_sql("INSERT INTO notes (id, text) VALUES (1, 'twice')")
        connection.rollback()
    else:
        connection.exec_driver_sql("INSERT INTO notes (text) VALUES ('dropped')")
        assert not lock_is_free(path)
        if ending == "rollback":
            connection.rollback()
    connection.close()
    assert lock_is_free(path)
    assert texts(engine) == ([] if ending in ("rollback", "close") else ["kept"])


def test_a_writer_waits_for_another_process_and_then_writes(
        database: tuple[Path, sa.Engine]) -> None:
    path, engine = database
    written = threading.Event()

    def write() -> None:
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO notes (text) VALUES ('after')")
        written.set()

    with another_process_writing(path):
        writer = threading.Thread(target=write)
        writer.start()
        assert not written.wait(0.5), "wrote while another process held the lock"
        assert texts(engine) == [], "reads go on meanwhile"
    writer.join(timeout=10)
    assert written.is_set()
    assert texts(engine) == ["after"]


def test_a_cache_fill_does_not_wait_for_a_writer(database: tuple[Path, sa.Engine]) -> None:
    path, engine = database
    with another_process_writing(path), engine.connect() as connection:
        with quick_writes(connection), pytest.raises(sa.exc.OperationalError,
                                                     match="database is locked"):
            connection.exec_driver_sql("INSERT INTO notes (text) VALUES ('fill')")
        connection.rollback()
        dbapi_connection: Any = connection.connection.dbapi_connection
        assert dbapi_connection.writer_wait_s == 5.0, "an ordinary write waits again"
    assert texts(engine) == []


def test_a_post_kept_waiting_past_the_busy_timeout_answers_503_and_stores_nothing(
        tmp_path: Path, make_app: Any) -> None:
    path = tmp_path / "stuck.sqlite3"
    app = make_app(COMMENTS_WIDGET_DATABASE_URL=f"sqlite:///{path}")
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        auth = bearer(session, create_reader(session))
    with another_process_writing(path):
        answer = post(app.test_client(), {**auth, "Origin": SITE}, body="waits in vain")
        assert_unavailable(answer)
    with state.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0
    answer = post(app.test_client(), {**auth, "Origin": SITE}, body="now it goes in")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["html"] == "<p>now it goes in</p>"

