"""Reader pages: register, log in (with the popup handoff), log out; CSRF and redirects."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuthToken, Reader
from tests.conftest import PASSWORD, SITE, stored

LOGIN = "/comments/login"
REGISTER = "/comments/register"


def csrf_of(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def register(client: FlaskClient, path: str = REGISTER, **fields: str):
    data = {"display_name": "Ada", "email": "ada@example.org", "password": PASSWORD,
            "csrf_token": csrf_of(client, path), **fields}
    return client.post(path, data=data)


def login(client: FlaskClient, path: str = LOGIN, **fields: str):
    data = {"email": "ada@example.org", "password": PASSWORD, "csrf_token": csrf_of(client, path),
            **fields}
    return client.post(path, data=data)


def test_login_page_is_a_form_with_csrf_and_strict_headers(client: FlaskClient) -> None:
    response = client.get(LOGIN)
    html = response.get_data(as_text=True)
    assert "<h1>Log in to comment</h1>" in html
    assert 'name="csrf_token"' in html and 'type="password"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script" not in html
    assert not re.search(r"<[^>]+\son\w+=", html)


def test_registering_creates_a_reader_with_a_slow_password_hash(client: FlaskClient,
                                                                session: Session) -> None:
    response = register(client, email="Ada@Example.org")
    assert response.status_code == 302
    [reader] = stored(session, Reader)
    assert (reader.email, reader.display_name) == ("ada@example.org", "Ada")
    assert reader.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert PASSWORD not in reader.password_hash
    assert client.get("/comments/api/v1/me").get_json()["reader"]["name"] == "Ada"


def test_a_taken_email_is_a_form_error(client: FlaskClient, reader: Reader,
                                       session: Session) -> None:
    response = register(client, email="ADA@example.org", display_name="Impostor")
    assert response.status_code == 400
    assert "This email cannot be used for a new account. If it is yours, log in instead." \
        in response.get_data(as_text=True)
    assert [r.display_name for r in stored(session, Reader)] == ["Ada"]


def test_short_password_and_bad_email_are_form_errors(client: FlaskClient,
                                                      session: Session) -> None:
    short = register(client, password="short")
    assert "Passwords need at least 8 characters." in short.get_data(as_text=True)
    bad_email = register(client, email="not-an-email")
    assert "Invalid email address." in bad_email.get_data(as_text=True)
    assert stored(session, Reader) == []


def test_register_without_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    response = client.post(REGISTER, data={"display_name": "Ada", "email": "ada@example.org",
                                           "password": PASSWORD})
    assert response.status_code == 400
    assert "This form expired" in response.get_data(as_text=True)
    assert stored(session, Reader) == []


def test_login_with_wrong_password_says_so(client: FlaskClient, reader: Reader) -> None:
    response = login(client, password="wrong password")
    assert response.status_code == 400
    assert "That email and password do not match an account." in response.get_data(as_text=True)
    assert client.get("/comments/api/v1/me").get_json()["reader"] is None


def test_login_without_csrf_token_is_refused(client: FlaskClient, reader: Reader) -> None:
    response = client.post(LOGIN, data={"email": reader.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/comments/api/v1/me").get_json()["reader"] is None


def test_login_in_the_popup_hands_a_token_to_the_article_origin(client: FlaskClient,
                                                                reader: Reader,
                                                                session: Session) -> None:
    path = f"{LOGIN}?origin={SITE}"
    response = login(client, path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-origin="{SITE}"' in html
    token = re.search(r'data-token="([^"]+)"', html).group(1)
    assert 'src="/comments/static/handoff.js"' in html
    me = client.get("/comments/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["reader"]["name"] == "Ada"
    assert len(stored(session, AuthToken)) == 1


def test_popup_for_a_disallowed_origin_is_refused_before_any_token(client: FlaskClient,
                                                                   reader: Reader,
                                                                   session: Session) -> None:
    assert client.get(f"{LOGIN}?origin=https://evil.example").status_code == 400
    response = client.post(f"{LOGIN}?origin=https://evil.example",
                           data={"email": reader.email, "password": PASSWORD})
    assert response.status_code == 400
    assert stored(session, AuthToken) == []


def test_logged_in_reader_is_asked_before_a_new_token_is_issued(client: FlaskClient,
                                                                reader: Reader,
                                                                session: Session) -> None:
    login(client)
    page = client.get(f"{LOGIN}?origin={SITE}").get_data(as_text=True)
    assert "Continue as Ada" in page and "Use another account" in page
    assert stored(session, AuthToken) == []
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    handoff = client.post(f"/comments/login/continue?origin={SITE}", data={"csrf_token": csrf})
    assert "data-token=" in handoff.get_data(as_text=True)
    assert len(stored(session, AuthToken)) == 1


def test_next_is_followed_only_to_safe_places(client: FlaskClient, reader: Reader) -> None:
    ok = login(client, f"{LOGIN}?next={SITE}/2023/09/putin-kim")
    assert ok.headers["Location"] == f"{SITE}/2023/09/putin-kim"
    client.post("/comments/logout", data={"csrf_token": csrf_of(client, "/comments/logout")})
    evil = login(client, f"{LOGIN}?next=https://evil.example/phish")
    assert evil.headers["Location"] == "/comments/account"
    client.post("/comments/logout", data={"csrf_token": csrf_of(client, "/comments/logout")})
    sneaky = login(client, f"{LOGIN}?next=//evil.example")
    assert sneaky.headers["Location"] == "/comments/account"


def test_logout_needs_a_post_with_csrf(client: FlaskClient, reader: Reader) -> None:
    login(client)
    client.get("/comments/logout")
    client.post("/comments/logout", data={})
    assert client.get("/comments/api/v1/me").get_json()["reader"]["name"] == "Ada"
    client.post("/comments/logout", data={"csrf_token": csrf_of(client, "/comments/logout")})
    assert client.get("/comments/api/v1/me").get_json()["reader"] is None


def test_login_form_is_rate_limited(make_app) -> None:
    client = make_app(COMMENTS_WIDGET_LOGIN_RATE_LIMIT="2/day").test_client()
    answers = [login(client, password="guess guess").get_data(as_text=True) for _ in range(3)]
    assert "Too many attempts" not in answers[1]
    assert "Too many attempts. Try again in" in answers[2]


def test_register_and_login_link_to_each_other_keeping_the_popup_origin(
    client: FlaskClient,
) -> None:
    html = client.get(f"{LOGIN}?origin={SITE}").get_data(as_text=True)
    assert 'href="/comments/register?origin=https://news.example"' in html
