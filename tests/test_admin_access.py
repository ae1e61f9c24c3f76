"""Every dashboard URL is for moderators: readers get 403, visitors the login page, and no
POST works without its CSRF token. Routes come from the url_map, so new ones are covered."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Reader
from tests.conftest import PASSWORD, create_reader, csrf_token, login, stored

SAMPLE_VALUES = {"name": "pending", "reader_id": "1", "thread_id": "1", "site_id": "1",
                 "change": "close", "comment_id": "1", "webhook_id": "1"}


def admin_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, concrete URL) for every dashboard route."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("comments_widget.admin."):
            continue
        url = re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: SAMPLE_VALUES[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


def test_the_dashboard_has_the_routes_we_test(app: Flask) -> None:
    routes = admin_routes(app)
    assert ("GET", "/comments/admin/") in routes
    assert len([r for r in routes if r[0] == "POST"]) >= 7


def test_anonymous_visitors_are_sent_to_login(app: Flask, client: FlaskClient) -> None:
    for method, url in admin_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/comments/login?next="), (method, url)


def test_readers_get_403(app: Flask, client: FlaskClient, reader: Reader) -> None:
    login(client, reader.email)
    for method, url in admin_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url)
        assert "for moderators and admins" in response.get_data(as_text=True)


def test_banned_moderator_is_locked_out(app: Flask, session: Session, moderator: Reader,
                                        admin_user: Reader) -> None:
    from comments_widget.services import community

    client = app.test_client()
    login(client, moderator.email)
    community.ban(session, session.merge(admin_user), session.merge(moderator), "rogue", None,
                  False)
    session.commit()
    response = client.get("/comments/admin/")
    assert response.status_code == 302 and "/comments/login" in response.location
    page = client.post("/comments/login", data={
        "email": moderator.email, "password": PASSWORD,
        "csrf_token": csrf_token(client, "/comments/login")}).get_data(as_text=True)
    assert "You have been banned from commenting. Reason: rogue" in page
    assert client.get("/comments/admin/").status_code == 302


def test_every_post_refuses_a_missing_csrf_token(app: Flask, admin_client: FlaskClient,
                                                 session: Session, admin_user: Reader) -> None:
    target = create_reader(session, "Target")
    from tests.conftest import bearer, post

    post(app.test_client(), bearer(session, target), body="something")
    before = (len(stored(session, AuditEntry)), [c.status for c in stored(session, Comment)])
    posts = [(m, u) for m, u in admin_routes(app) if m == "POST"]
    for _, url in posts:
        response = admin_client.post(url, data={"ids": "1", "action": "reject",
                                                "single": "reject:1", "reason": "x",
                                                "role": "admin", "origin": "https://x.example",
                                                "comment_id": "1"})
        assert response.status_code == 400, url
    assert (len(stored(session, AuditEntry)),
            [c.status for c in stored(session, Comment)]) == before


@pytest.mark.parametrize("path", ["/comments/admin/policy", "/comments/admin/sites"])
def test_admin_only_pages_refuse_moderators(mod_client: FlaskClient, path: str) -> None:
    response = mod_client.get(path)
    assert response.status_code == 403
    assert "Only admins can change this." in response.get_data(as_text=True)


def test_dashboard_pages_have_strict_headers_and_no_inline_script(admin_client: FlaskClient
                                                                  ) -> None:
    response = admin_client.get("/comments/admin/queue/pending")
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)
