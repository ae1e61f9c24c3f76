"""A Flask host with its own users: `CommentsWidget(app, current_author=…)` makes them readers.

The host here is a real Flask-Login app; its user is found by the host's id, never by email,
and acts through the same policy as every reader (CSRF, bans, the dashboard's own login).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy.orm import Session

from comments_widget import Author
from comments_widget.models import Comment, ExternalIdentity, Reader
from tests.conftest import ARTICLE, SITE, bearer, create_reader, stored

ME = "/comments/api/v1/me"
COMMENTS = "/comments/api/v1/comments"


class HostUser(UserMixin):
    names = {"7": "Ada Subscriber", "8": "Grace H."}

    def __init__(self, user_id: str) -> None:
        self.id = user_id

    @property
    def name(self) -> str:
        return self.names[self.id]


def host_author() -> Author | None:
    if not current_user.is_authenticated:
        return None
    return Author(id=current_user.id, name=current_user.name,
                  email=f"user{current_user.id}@news.example")


@pytest.fixture
def host(make_app: Callable[..., Flask]) -> Flask:
    """A host app with its own Flask-Login users and the bridge."""
    app = make_app(bridge={"current_author": host_author, "login_url": "/login?next={next}",
                           "logout_url": "/logout"})
    manager = LoginManager(app)
    manager.user_loader(lambda user_id: HostUser(user_id) if user_id in HostUser.names else None)

    @app.route("/login/<user_id>")
    def host_login(user_id: str) -> str:
        login_user(HostUser(user_id))
        return "ok"

    @app.route("/logout")
    def host_logout() -> str:
        logout_user()
        return "bye"

    return app


def logged_in(host: Flask, user_id: str = "7") -> FlaskClient:
    client = host.test_client()
    client.get(f"/login/{user_id}")
    return client


def test_the_hosts_logged_in_user_is_the_reader_with_the_hosts_pages(host: Flask) -> None:
    me = logged_in(host).get(ME).get_json()
    assert me["reader"]["name"] == "Ada Subscriber" and me["reader"]["external"] is True
    assert (me["login_url"], me["logout_url"]) == ("/login?next={next}", "/logout")
    assert me["csrf_token"]
    anonymous = host.test_client().get(ME).get_json()
    assert anonymous["reader"] is None and anonymous["login_url"] == "/login?next={next}"


def test_the_hosts_user_comments_with_the_pages_csrf_token(host: Flask, session: Session
                                                           ) -> None:
    client = logged_in(host)
    csrf = client.get(ME).get_json()["csrf_token"]
    response = client.post(COMMENTS, json={"url": ARTICLE, "body": "From the host."},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 201
    assert response.get_json()["author"]["name"] == "Ada Subscriber"
    [identity] = stored(session, ExternalIdentity)
    assert (identity.provider, identity.subject) == ("host", "7")


def test_a_write_without_the_csrf_token_is_refused_and_stores_nothing(
        host: Flask, session: Session) -> None:
    client = logged_in(host)
    for headers in ({}, {"Origin": SITE}, {"X-CSRFToken": "forged"}):
        response = client.post(COMMENTS, json={"url": ARTICLE, "body": "Forged."},
                               headers=headers)
        assert response.status_code == 403 and response.get_json()["error"] == "csrf_failed"
    assert stored(session, Comment) == []


def test_the_hosts_user_is_found_by_id_not_by_email(host: Flask, session: Session) -> None:
    own = create_reader(session, "Ada", "user7@news.example")
    me = logged_in(host).get(ME).get_json()["reader"]
    assert me["id"] != own.id and me["name"] == "Ada Subscriber"
    assert logged_in(host, "8").get(ME).get_json()["reader"]["id"] not in (me["id"], own.id)


def test_a_new_name_on_the_host_renames_the_reader(host: Flask, monkeypatch: Any) -> None:
    client = logged_in(host)
    reader_id = client.get(ME).get_json()["reader"]["id"]
    monkeypatch.setitem(HostUser.names, "7", "Ada Lovelace")
    me = client.get(ME).get_json()["reader"]
    assert (me["id"], me["name"]) == (reader_id, "Ada Lovelace")


def test_logging_out_on_the_host_logs_out_of_the_comments(host: Flask) -> None:
    client = logged_in(host)
    assert client.get(ME).get_json()["reader"]["name"] == "Ada Subscriber"
    client.get("/logout")
    assert client.get(ME).get_json()["reader"] is None


def test_a_banned_host_user_is_told_so_and_cannot_post(host: Flask, session: Session) -> None:
    client = logged_in(host)
    csrf = client.get(ME).get_json()["csrf_token"]
    reader = session.get(Reader, client.get(ME).get_json()["reader"]["id"])
    reader.banned_at, reader.ban_reason = reader.created_at, "trolling"
    session.commit()
    me = client.get(ME)
    assert me.status_code == 403 and "trolling" in me.get_json()["message"]
    response = client.post(COMMENTS, json={"url": ARTICLE, "body": "Still here."},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 403 and response.get_json()["error"] == "banned"
    assert stored(session, Comment) == []


def test_the_hosts_user_never_opens_the_dashboard_even_as_an_admin(
        host: Flask, session: Session) -> None:
    client = logged_in(host)
    reader = session.get(Reader, client.get(ME).get_json()["reader"]["id"])
    reader.role = "admin"
    session.commit()
    for page in ("/comments/admin/", "/comments/account"):
        response = client.get(page)
        assert response.status_code == 302 and "/comments/login" in response.location


def test_a_bearer_token_wins_over_the_hosts_user(host: Flask, session: Session) -> None:
    other = create_reader(session, "Token Holder", "holder@news.example")
    me = logged_in(host).get(ME, headers=bearer(session, other)).get_json()
    assert me["reader"]["name"] == "Token Holder"


def test_a_host_name_that_imitates_staff_is_refused_clearly(
        host: Flask, monkeypatch: Any, session: Session) -> None:
    monkeypatch.setitem(HostUser.names, "7", "Administrator")
    response = logged_in(host).get(ME)
    assert response.status_code == 400
    assert response.get_json()["error"] == "display_name_reserved"
    assert stored(session, Reader) == []


def test_a_host_without_the_bridge_keeps_readers_to_our_accounts(app: Flask) -> None:
    assert app.extensions["comments_widget"].host is None
    assert app.test_client().get(ME).get_json() == {
        "reader": None, "login_url": None, "logout_url": None}
