"""Fixtures: a fresh app per test on a real SQLite file, or a real PostgreSQL schema.

Set COMMENTS_WIDGET_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
to run every test against PostgreSQL; each test then gets a schema of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from comments_widget import CommentsWidget
from comments_widget.models import Reader
from comments_widget.services import readers
from comments_widget.state import WidgetState
from tests.deployment import deployment, mail_deployment, verifying_deployment  # noqa: F401  (the browser tests' live servers)
from tests.smtp import mail_server_down, smtp_server  # noqa: F401  (a real SMTP server process, or one that is down)

SITE = "https://news.example"
ARTICLE = f"{SITE}/2023/09/putin-kim"
PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("COMMENTS_WIDGET_TEST_DATABASE_URL")


@contextmanager
def fresh_database(folder: Any) -> Iterator[str]:
    """A database nobody has used yet: a new SQLite file in `folder`, or a new PostgreSQL
    schema (dropped afterwards)."""
    if not POSTGRES_URL:
        yield f"sqlite:///{folder / 'comments.sqlite3'}"
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path: Any) -> Iterator[str]:
    """A database no other test touches: a SQLite file, or a fresh PostgreSQL schema."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def make_app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    """Build apps with comments_widget mounted; every one is disposed of after the test."""
    apps: list[Flask] = []

    def build(bridge: dict[str, Any] | None = None, **config: Any) -> Flask:
        """An app with `config`; `bridge` holds CommentsWidget's keyword arguments for a host
        with its own users (current_author, login_url, logout_url)."""
        app = Flask("host_app", instance_path=str(tmp_path / "instance"))
        app.config.update(
            TESTING=True, SECRET_KEY="test-secret",
            COMMENTS_WIDGET_DATABASE_URL=database_url,
            COMMENTS_WIDGET_ALLOWED_ORIGINS=[SITE],
            COMMENTS_WIDGET_AUTO_MIGRATE=True,
            # Verification has its own tests (test_verification.py); elsewhere readers post
            # at once, as with verification off.
            COMMENTS_WIDGET_EMAIL_VERIFICATION="off",
        )
        app.config.update(config)
        CommentsWidget(app, **(bridge or {}))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["comments_widget"].engine.dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def state(app: Flask) -> WidgetState:
    return app.extensions["comments_widget"]


@pytest.fixture
def session(state: WidgetState) -> Iterator[Session]:
    """A session straight on the test database, to set things up and to check what is stored."""
    with state.session_factory() as db:
        yield db


def create_reader(session: Session, name: str = "Ada", email: str | None = None) -> Reader:
    """A registered reader, committed."""
    reader = readers.register_reader(
        session, email=email or f"{name.lower()}@example.org", display_name=name,
        password=PASSWORD, min_password_length=8,
    )
    session.commit()
    return reader


def bearer(session: Session, reader: Reader) -> dict[str, str]:
    """Authorization headers for a fresh token of this reader."""
    from datetime import timedelta

    token = readers.issue_token(session, reader, timedelta(days=1))
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def reader(session: Session) -> Reader:
    return create_reader(session)


@pytest.fixture
def auth(session: Session, reader: Reader) -> dict[str, str]:
    return bearer(session, reader)


def post(client: FlaskClient, headers: dict[str, str], **body: Any) -> Any:
    """POST a comment as JSON on ARTICLE unless the body says otherwise."""
    payload = {"url": ARTICLE, "title": "The Putin and Kim Delegation", **body}
    return client.post("/comments/api/v1/comments", json=payload, headers=headers)


@contextmanager
def count_queries(engine: sa.Engine) -> Iterator[list[str]]:
    """Every SQL statement sent through `engine` inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def set_policy(session: Session, state: WidgetState, policy: Any) -> None:
    """Store a policy as the dashboard would, so the next request applies it."""
    from comments_widget.services.policy import save_policy

    save_policy(session, policy)
    session.commit()
    state.settings.invalidate()


def set_status(session: Session, comment_id: int, status: Any) -> None:
    """Change a comment's status directly, keeping its thread's version and count in step
    as every service does."""
    from comments_widget.models import Comment
    from comments_widget.services import versions

    comment = session.get(Comment, comment_id)
    comment.status = status
    versions.bump(session, [comment.thread_id])
    session.commit()


def stored(session: Session, model: type) -> list[Any]:
    """Every row of a table, fresh from the database."""
    session.commit()  # End the test's own transaction so the newest writes are visible.
    session.expire_all()
    return list(session.scalars(sa.select(model).order_by(model.id)))


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Log in through the real login page (with its CSRF token), as a moderator would."""
    import re

    page = client.get("/comments/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/comments/login", data={"email": email, "password": password,
                                                    "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the first form on a page."""
    import re

    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def make_staff(session: Session, name: str, role: str) -> Reader:
    """A moderator or admin account, committed."""
    from comments_widget.models import Role

    staff = create_reader(session, name)
    staff.role = Role(role)
    session.commit()
    return staff


@pytest.fixture
def admin_user(session: Session) -> Reader:
    return make_staff(session, "Boss", "admin")


@pytest.fixture
def moderator(session: Session) -> Reader:
    return make_staff(session, "Morgan", "moderator")


@pytest.fixture
def admin_client(app: Flask, admin_user: Reader) -> FlaskClient:
    client = app.test_client()
    login(client, admin_user.email)
    return client


@pytest.fixture
def mod_client(app: Flask, moderator: Reader) -> FlaskClient:
    client = app.test_client()
    login(client, moderator.email)
    return client


def name_thread(session: Session, title: str, key: str = ARTICLE) -> None:
    """Give a thread its title, as the page fetch (page_meta.py) or a moderator would."""
    from comments_widget.models import Thread

    session.execute(sa.update(Thread).where(Thread.key == key).values(title=title))
    session.commit()


def verify(session: Session, *readers_to_verify: Reader) -> None:
    """Mark readers' email addresses verified: their reports then count toward hiding."""
    from comments_widget.models import utcnow

    for one in readers_to_verify:
        session.merge(one).email_verified_at = utcnow()
    session.commit()
