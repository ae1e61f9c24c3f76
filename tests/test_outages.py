"""Faults that are not the caller's: the database down, silent, slow or read-only, Redis down.
Each answers 503 with Retry-After (CORS intact), reads keep working from what is cached, and
nothing is lost once the fault is mended."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from comments_widget.errors import RateLimited
from comments_widget.models import Comment
from comments_widget.ratelimit import RateLimiter
from tests.conftest import (
    ARTICLE,
    PASSWORD,
    POSTGRES_URL,
    SITE,
    bearer,
    create_reader,
    csrf_token,
    post,
)
from tests.faults import FaultyProxy, Mode

API = "/comments/api/v1"
needs_postgres = pytest.mark.skipif(not POSTGRES_URL,
                                    reason="a PostgreSQL fault: runs in make test-postgres")


class Outage:
    """An app whose database can be taken away and given back."""

    def __init__(self, app: Flask, down: Callable[[], None], up: Callable[[], None]) -> None:
        self.app, self.down, self.up = app, down, up


@pytest.fixture
def outage(make_app: Any, database_url: str) -> Iterator[Outage]:
    settings = {"COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS": 0,
                "COMMENTS_WIDGET_DB_CONNECT_TIMEOUT_SECONDS": 2}
    if POSTGRES_URL:
        proxy = FaultyProxy("127.0.0.1", 5432)
        url = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        app = make_app(COMMENTS_WIDGET_DATABASE_URL=url, **settings)
        yield Outage(app, lambda: proxy.set_mode(Mode.REFUSE),
                     lambda: proxy.set_mode(Mode.FORWARD))
        proxy.stop()
        return
    app = make_app(**settings)
    path = Path(database_url.removeprefix("sqlite:///"))

    def down() -> None:  # The file is gone and a directory stands in its place.
        app.extensions["comments_widget"].engine.dispose()
        path.rename(path.with_suffix(".away"))
        path.mkdir()

    def up() -> None:
        path.rmdir()
        path.with_suffix(".away").rename(path)

    yield Outage(app, down, up)


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response.get_json()["error"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == SITE


def test_writes_and_logins_answer_503_with_cors_while_the_database_is_down(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    app = outage.app
    with app.extensions["comments_widget"].session_factory() as session:
        reader = create_reader(session)
        auth = bearer(session, reader)
    client = app.test_client()
    outage.down()
    origin = {"Origin": SITE}
    assert_unavailable(post(client, {**auth, **origin}, body="during the outage"))
    assert_unavailable(client.post(f"{API}/tokens", headers=origin,
                                   json={"email": "ada@example.org", "password": PASSWORD}))
    assert_unavailable(client.get(f"{API}/me", headers={**auth, **origin}))
    form = client.get("/comments/login")  # Drawing the form needs no database.
    assert form.status_code == 200
    page = client.post("/comments/login", data={
        "email": "ada@example.org", "password": PASSWORD,
        "csrf_token": csrf_token(client, "/comments/login")})
    assert page.status_code == 503 and "temporarily unavailable" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "5"
    assert "The comment database is unavailable" in caplog.text
    outage.up()
    assert post(client, auth, body="after the outage").status_code == 201


def test_thread_pages_already_served_are_answered_from_memory(outage: Outage) -> None:
    app = outage.app
    with app.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    client = app.test_client()
    post(client, auth, body="worth reading")
    before = client.get(f"{API}/threads", query_string={"url": ARTICLE})
    outage.down()
    during = client.get(f"{API}/threads", query_string={"url": ARTICLE})
    assert during.status_code == 200 and during.get_json() == before.get_json()
    assert during.headers["ETag"] == before.headers["ETag"]
    revalidated = client.get(f"{API}/threads", query_string={"url": ARTICLE},
                             headers={"If-None-Match": before.headers["ETag"]})
    assert revalidated.status_code == 304
    never_read = client.get(f"{API}/threads", query_string={"url": f"{SITE}/other"},
                            headers={"Origin": SITE})
    assert_unavailable(never_read)
    outage.up()
    with app.extensions["comments_widget"].session_factory() as session:
        assert [c.body_source for c in session.scalars(sa.select(Comment))] == ["worth reading"]


@needs_postgres
def test_a_silent_database_fails_in_seconds_instead_of_hanging(make_app: Any,
                                                               database_url: str) -> None:
    proxy = FaultyProxy("127.0.0.1", 5432)
    try:
        app = make_app(COMMENTS_WIDGET_DATABASE_URL=database_url.replace(
            "127.0.0.1:5432", f"127.0.0.1:{proxy.port}"),
            COMMENTS_WIDGET_DB_CONNECT_TIMEOUT_SECONDS=1)
        client = app.test_client()
        with app.extensions["comments_widget"].session_factory() as session:
            auth = bearer(session, create_reader(session))
        proxy.set_mode(Mode.BLACKHOLE)  # Packets vanish: no refusal, no answer.
        assert_unavailable(post(client, {**auth, "Origin": SITE}, body="into the void"))
    finally:
        proxy.stop()


@needs_postgres
def test_a_connection_the_server_ended_while_it_sat_idle_in_the_pool_costs_no_error(
        make_app: Any) -> None:
    """A pooled connection idle for PING_AFTER_IDLE_SECONDS is pinged before use (db.py), so a
    backend ended meanwhile (a server restart, a proxy's idle timeout) is replaced unseen."""
    from comments_widget.db import PING_AFTER_IDLE_SECONDS

    app = make_app(COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS=0)
    engine = app.extensions["comments_widget"].engine
    with app.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    engine.dispose()
    backends: list[int] = []
    sa.event.listen(engine, "connect",
                    lambda dbapi_connection, _record: backends.append(
                        dbapi_connection.info.backend_pid))
    client = app.test_client()
    assert post(client, {**auth, "Origin": SITE}, body="before").status_code == 201
    assert backends, "the request opened its connections afresh"
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.2)
    ended = sa.create_engine(POSTGRES_URL or "")
    with ended.connect() as admin:
        assert all(admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                   .scalar() for pid in backends)
    ended.dispose()
    answer = post(client, {**auth, "Origin": SITE}, body="after")
    assert answer.status_code == 201, answer.get_json()
    thread = client.get(f"{API}/threads", query_string={"url": ARTICLE}).get_json()
    assert [c["html"] for c in thread["comments"]] == ["<p>before</p>", "<p>after</p>"]


@needs_postgres
def test_a_statement_past_the_timeout_is_cancelled(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_DB_STATEMENT_TIMEOUT_SECONDS=1)
    engine = app.extensions["comments_widget"].engine
    with engine.connect() as connection, pytest.raises(sa.exc.OperationalError,
                                                       match="statement timeout"):
        connection.execute(sa.text("SELECT pg_sleep(5)"))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_rate_limits_fall_back_to_this_process_when_redis_is_down(
    caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter(f"redis://127.0.0.1:{closed_port()}", "test-outage")
    limiter.hit("2/day", "login", "192.0.2.1")
    limiter.hit("2/day", "login", "192.0.2.1")
    with pytest.raises(RateLimited):
        limiter.hit("2/day", "login", "192.0.2.1")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "counted per process" in warnings[0].getMessage()


def test_logins_work_with_redis_down(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_REDIS_URL=f"redis://127.0.0.1:{closed_port()}")
    with app.extensions["comments_widget"].session_factory() as session:
        create_reader(session)
    answer = app.test_client().post(f"{API}/tokens", json={"email": "ada@example.org",
                                                           "password": PASSWORD})
    assert answer.status_code == 201


def test_the_sqlite_database_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    from comments_widget import CommentsWidget

    app = Flask("host", instance_path=str(tmp_path / "instance"))
    app.config.update(SECRET_KEY="s", COMMENTS_WIDGET_ALLOWED_ORIGINS=[SITE],
                      COMMENTS_WIDGET_EMAIL_VERIFICATION="off")
    CommentsWidget(app)
    database = tmp_path / "instance" / "comments_widget.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "instance").stat().st_mode) & 0o077 == 0
    app.extensions["comments_widget"].engine.dispose()


def test_a_read_only_database_answers_503_and_the_log_names_the_file(
    tmp_path: Path, make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ro.sqlite3"
    writable = make_app(COMMENTS_WIDGET_DATABASE_URL=f"sqlite:///{path}")
    with writable.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    writable.extensions["comments_widget"].engine.dispose()
    read_only = make_app(COMMENTS_WIDGET_DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true",
                         COMMENTS_WIDGET_AUTO_MIGRATE=False)
    answer = post(read_only.test_client(), {**auth, "Origin": SITE}, body="cannot be stored")
    assert_unavailable(answer)
    assert f"The comment database {path}" in caplog.text and "read-only" in caplog.text


READ_ONLY_START = """
import sys
from flask import Flask
from comments_widget import CommentsWidget
from comments_widget.config import ConfigError
app = Flask("host", instance_path=sys.argv[1])
app.config.update(SECRET_KEY="s", COMMENTS_WIDGET_ALLOWED_ORIGINS=["https://news.example"],
                  COMMENTS_WIDGET_EMAIL_VERIFICATION="off",
                  COMMENTS_WIDGET_DATABASE_URL="sqlite:///" + sys.argv[2])
try:
    CommentsWidget(app)
except ConfigError as error:
    print(error)
    sys.exit(3)
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to run the server as another user")
def test_a_database_the_server_cannot_write_stops_it_at_start_naming_the_file() -> None:
    # Root may write any file, so the server runs as `nobody`, as a real deployment would.
    folder = Path(tempfile.mkdtemp(prefix="cw-readonly-"))
    try:
        folder.chmod(0o777)
        database = folder / "comments.sqlite3"
        database.touch(mode=0o644)  # Owned by root: readable, not writable, by nobody.
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             sys.executable, "-c", READ_ONLY_START, str(folder / "instance"), str(database)],
            capture_output=True, text=True, timeout=60, cwd=folder)
        assert result.returncode == 3, result.stderr
        assert f"{database} is read-only for this process" in result.stdout
        assert not (folder / "comments.sqlite3-shm").exists()  # Nothing left to mend later.
    finally:
        shutil.rmtree(folder)


def test_an_unexpected_error_still_answers_json_with_cors(make_app: Any,
                                                          caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    app = make_app(COMMENTS_WIDGET_AUTO_MIGRATE=False)  # No tables: every query fails.
    with app.extensions["comments_widget"].session_factory() as session:
        session.execute(sa.text("SELECT 1"))  # The database itself answers.
    answer = app.test_client().get(f"{API}/me", headers={"Origin": SITE,
                                                         "Authorization": "Bearer x"})
    # SQLite calls a missing table an OperationalError (503), PostgreSQL a ProgrammingError
    # (500): either way the embed can read the answer.
    assert (answer.status_code, answer.get_json()["error"]) in (
        (500, "internal_error"), (503, "service_unavailable"))
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert "comments_widget_settings" in caplog.text
