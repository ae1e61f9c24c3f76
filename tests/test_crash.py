"""Crash safety: gunicorn with two workers under concurrent writers is killed with SIGKILL
(master and workers at once) three times mid-load; after each restart every comment that was
acknowledged with a 201 is there, counts agree with the rows, and SQLite's integrity check
passes. Bounded: ROUNDS rounds of LOAD_SECONDS each. Run by `make test-crash` (and .ci/run)."""

from __future__ import annotations

import http.client
import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Status, Thread
from comments_widget.services import readers
from tests.conftest import ARTICLE, PASSWORD, fresh_database
from tests.gunicorn import Gunicorn

pytestmark = pytest.mark.crash
WORKERS = 2
WRITERS = 8
ROUNDS = 3
LOAD_SECONDS = 2.0
MAX_POSTS_PER_WRITER = 2_000


def writer(port: int, token: str, name: str, stop: threading.Event,
           acknowledged: list[tuple[int, str]]) -> None:
    """Post comments until stopped or the server dies; keep only those answered 201."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for n in range(MAX_POSTS_PER_WRITER):
        if stop.is_set():
            break
        body = f"{name}-{n}"
        try:
            connection.request("POST", "/comments/api/v1/comments", json.dumps(
                {"url": f"{ARTICLE}/{n % 5}", "body": body}),
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException):
            break  # Killed mid-request: this one was never acknowledged.
        if response.status == 201:
            acknowledged.append((json.loads(answer)["id"], body))
    connection.close()


def load_then_kill(server: Gunicorn, token: str, round_number: int) -> list[tuple[int, str]]:
    acknowledged: list[tuple[int, str]] = []
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(server.port, token, f"r{round_number}w{i}",
                                                     stop, acknowledged))
               for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS)
    server.kill_everything()  # Mid-load: requests are in flight.
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    return acknowledged


def check_database(database_url: str, acknowledged: list[tuple[int, str]]) -> None:
    engine = sa.create_engine(database_url)
    try:
        with Session(engine) as session:
            stored = dict(session.execute(sa.select(Comment.id, Comment.body_source)
                                          .where(Comment.status == Status.APPROVED)).all())
            missing = [(i, body) for i, body in acknowledged if stored.get(i) != body]
            assert missing == [], f"{len(missing)} acknowledged comments lost"
            for thread in session.scalars(sa.select(Thread)):
                actual = session.scalar(sa.select(sa.func.count(Comment.id)).where(
                    Comment.thread_id == thread.id, Comment.status == Status.APPROVED))
                assert thread.comment_count == actual, thread.key
            if engine.dialect.name == "sqlite":
                assert session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        engine.dispose()


def test_no_acknowledged_comment_is_lost_when_gunicorn_is_killed(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as database_url:
        server = Gunicorn(tmp_path, database_url, WORKERS)
        try:
            server.wait_until_ready(WORKERS)
            engine = sa.create_engine(database_url)
            with Session(engine) as session:
                reader = readers.register_reader(session, email="load@example.org",
                                                 display_name="Load", password=PASSWORD,
                                                 min_password_length=8)
                token = readers.issue_token(session, reader, timedelta(days=1))
                session.commit()
            engine.dispose()
            acknowledged: list[tuple[int, str]] = []
            for round_number in range(ROUNDS):
                acknowledged += load_then_kill(server, token, round_number)
                check_database(database_url, acknowledged)
                server = Gunicorn(tmp_path, database_url, WORKERS)
                server.wait_until_ready(WORKERS)
            assert len(acknowledged) > 50 * ROUNDS, "the load never got going"
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", f"/comments/api/v1/counts?url={ARTICLE}/0")
            counts = json.loads(connection.getresponse().read())["counts"]
            # A comment committed just before a kill, but never answered, is stored without
            # having been acknowledged: the count may exceed the acknowledged ones, never the
            # rows (check_database compared every thread's count with its rows).
            acknowledged_here = sum(1 for _, body in acknowledged
                                    if int(body.rsplit("-", 1)[1]) % 5 == 0)
            assert counts[f"{ARTICLE}/0"] >= acknowledged_here
            print(f"\n{len(acknowledged)} acknowledged comments over {ROUNDS} kills, none lost")
        finally:
            server.stop()
