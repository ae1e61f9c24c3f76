"""Tokens open the API only; every cookie and token of a reader dies on logout, password
change, ban and role change; logging out of the embed ends the comment server's session too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from comments_widget.auth import REMEMBER_COOKIE
from comments_widget.models import Reader, Role, Site
from comments_widget.services import community, readers
from tests.conftest import PASSWORD, bearer, csrf_token, login, stored

ADMIN = "/comments/admin/"


def dashboard_rules(app: Flask) -> list[tuple[str, str]]:
    """Every dashboard route and method, with sample ids filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("comments_widget.admin."):
            continue
        path = re.sub(r"<cw_id:\w+>", "1", rule.rule)
        path = re.sub(r"<any\(([a-z]+),[^>]*>", r"\1", path)
        path = re.sub(r"<(?:\w+:)?\w+>", "pending", path)
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_an_admins_bearer_token_opens_no_dashboard_route(app: Flask, session: Session,
                                                         admin_user: Reader) -> None:
    headers = bearer(session, admin_user)
    client = app.test_client()
    rules = dashboard_rules(app)
    assert len(rules) > 15
    for method, path in rules:
        response = client.open(path, method=method, headers=headers,
                               data={"origin": "https://evil.example", "name": "Evil",
                                     "role": "admin"})
        assert response.status_code in (302, 400), (method, path, response.status_code)
        if response.status_code == 302:
            assert "/comments/login" in response.location, (method, path)
    assert stored(session, Site) == []


def test_a_bearer_token_cannot_continue_as_its_reader_in_the_popup(
    app: Flask, auth: dict, reader: Reader
) -> None:
    client = app.test_client()
    page = client.get("/comments/login", headers=auth).get_data(as_text=True)
    assert "Continue as" not in page
    response = client.post("/comments/login/continue", headers=auth)
    assert response.status_code == 302 and "/comments/login" in response.location


def test_logging_out_ends_the_old_session_and_remember_cookies(app: Flask,
                                                               admin_user: Reader) -> None:
    client = app.test_client()
    login(client, admin_user.email)
    session_cookie = client.get_cookie("session").value
    remember = client.get_cookie(REMEMBER_COOKIE, path="/comments").value
    assert client.get(ADMIN).status_code == 200
    client.post("/comments/logout", data={"csrf_token": csrf_token(client, "/comments/logout")})
    for cookies in ({"session": session_cookie}, {REMEMBER_COOKIE: remember}):
        replay = app.test_client()
        for name, value in cookies.items():
            replay.set_cookie(name, value, path="/comments" if name == REMEMBER_COOKIE else "/")
        response = replay.get(ADMIN)
        assert response.status_code == 302 and "/comments/login" in response.location


def test_the_remember_cookie_alone_logs_a_reader_back_in_and_is_scoped(
    app: Flask, admin_user: Reader
) -> None:
    client = app.test_client()
    response = client.post("/comments/login", data={
        "email": admin_user.email, "password": PASSWORD,
        "csrf_token": csrf_token(client, "/comments/login")})
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith(REMEMBER_COOKIE))
    assert "Path=/comments" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=1209600" in cookie  # COMMENTS_WIDGET_REMEMBER_DAYS, 14 by default
    fresh = app.test_client()
    fresh.set_cookie(REMEMBER_COOKIE, client.get_cookie(REMEMBER_COOKIE, path="/comments").value,
                     path="/comments")
    assert fresh.get(ADMIN).status_code == 200


def test_the_remember_period_is_a_setting(make_app: Any, session: Session) -> None:
    app = make_app(COMMENTS_WIDGET_REMEMBER_DAYS=2)
    from tests.conftest import make_staff

    staff = make_staff(app.extensions["comments_widget"].session_factory(), "Boss", "admin")
    client = app.test_client()
    response = client.post("/comments/login", data={
        "email": staff.email, "password": PASSWORD,
        "csrf_token": csrf_token(client, "/comments/login")})
    assert any("Max-Age=172800" in c for c in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("change", ["password", "ban", "role"])
def test_password_change_ban_and_role_change_end_every_cookie_and_token(
    app: Flask, session: Session, moderator: Reader, admin_user: Reader, change: str
) -> None:
    client = app.test_client()
    login(client, moderator.email)
    token = bearer(session, moderator)
    assert client.get(ADMIN).status_code == 200
    target, admin = session.merge(moderator), session.merge(admin_user)
    if change == "password":
        readers.change_password(session, target, "a brand new passphrase", 8)
    elif change == "ban":
        community.ban(session, admin, target, "rogue", None, False)
    else:
        community.set_role(session, admin, target, Role.READER)
        community.set_role(session, admin, target, Role.MODERATOR)
    session.commit()
    assert client.get(ADMIN).status_code == 302
    me = client.get("/comments/api/v1/me", headers=token)
    assert me.status_code in (401, 403)


def test_logging_out_of_the_embed_ends_the_popups_session(app: Flask, session: Session,
                                                           reader: Reader) -> None:
    browser = app.test_client()  # One browser: the popup's cookies and the embed's token.
    page = browser.post("/comments/login?origin=https%3A%2F%2Fnews.example", data={
        "email": reader.email, "password": PASSWORD,
        "csrf_token": csrf_token(browser, "/comments/login")}).get_data(as_text=True)
    token = re.search(r'data-token="([^"]+)"', page).group(1)
    assert "Continue as Ada" in browser.get("/comments/login").get_data(as_text=True)
    out = browser.delete("/comments/api/v1/tokens/current",
                         headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204
    page = browser.get("/comments/login?origin=https%3A%2F%2Fnews.example")
    assert "Continue as" not in page.get_data(as_text=True)
    assert "Log in" in page.get_data(as_text=True)
    assert browser.get("/comments/api/v1/me").get_json()["reader"] is None


def test_a_host_with_its_own_flask_login_keeps_its_current_user(tmp_path: Any,
                                                                database_url: str) -> None:
    from flask_login import LoginManager, UserMixin

    from comments_widget import CommentsWidget

    class HostUser(UserMixin):
        def __init__(self, user_id: str) -> None:
            self.id = user_id

    app = Flask("host_with_accounts", instance_path=str(tmp_path / "instance"))
    app.config.update(SECRET_KEY="s", COMMENTS_WIDGET_DATABASE_URL=database_url,
                      COMMENTS_WIDGET_AUTO_MIGRATE=True, COMMENTS_WIDGET_EMAIL_VERIFICATION="off",
                      COMMENTS_WIDGET_ALLOWED_ORIGINS=["https://news.example"])
    manager = LoginManager(app)
    manager.user_loader(HostUser)
    CommentsWidget(app)
    try:
        assert app.login_manager is manager
        check_host_keeps_its_user(app, HostUser)
    finally:
        app.extensions["comments_widget"].engine.dispose()


def check_host_keeps_its_user(app: Flask, host_user: type) -> None:
    from flask_login import current_user, login_user

    @app.route("/host-login")
    def host_login() -> str:
        login_user(host_user("editor-7"))
        return "ok"

    @app.route("/whoami")
    def whoami() -> str:
        return current_user.get_id() or "nobody"

    client = app.test_client()
    client.get("/host-login")
    assert client.get("/whoami").get_data(as_text=True) == "editor-7"
    assert client.get("/comments/api/v1/me").get_json()["reader"] is None
    assert client.get("/comments/login").status_code == 200
