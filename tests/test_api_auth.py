"""Who am I, tokens, CORS and the origin allow-list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuthToken, Comment, Reader
from comments_widget.services import readers
from tests.conftest import ARTICLE, PASSWORD, SITE, post, stored

ME = "/comments/api/v1/me"
TOKENS = "/comments/api/v1/tokens"


def test_anonymous_caller_is_nobody(client: FlaskClient) -> None:
    assert client.get(ME).get_json()["reader"] is None


def test_token_identifies_the_reader(client: FlaskClient, auth: dict, reader: Reader) -> None:
    body = client.get(ME, headers=auth).get_json()
    assert body == {"reader": {"id": reader.id, "name": "Ada", "role": "reader", "banned": None,
                               "external": False, "must_confirm_email": False,
                               "reply_emails": False, "claimable": False},
                    "login_url": None, "logout_url": None}


def test_email_and_password_buy_a_working_token(client: FlaskClient, reader: Reader) -> None:
    response = client.post(TOKENS, json={"email": "ADA@example.org ", "password": PASSWORD})
    assert response.status_code == 201
    token = response.get_json()["token"]
    me = client.get(ME, headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["reader"]["name"] == "Ada"


def test_tokens_are_stored_only_as_hashes(client: FlaskClient, reader: Reader,
                                          session: Session) -> None:
    token = client.post(TOKENS, json={"email": reader.email, "password": PASSWORD}).get_json()
    [row] = stored(session, AuthToken)
    assert token["token"] not in row.token_hash and len(row.token_hash) == 64


def test_wrong_password_and_unknown_email_get_the_same_answer(client: FlaskClient,
                                                              reader: Reader) -> None:
    wrong = client.post(TOKENS, json={"email": reader.email, "password": "nope nope"})
    unknown = client.post(TOKENS, json={"email": "who@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"] == "invalid_credentials"


def test_token_requests_need_both_fields(client: FlaskClient) -> None:
    response = client.post(TOKENS, json={"email": "a@b.example"})
    assert (response.status_code, response.get_json()["error"]) == (400, "credentials_required")


def test_token_endpoint_is_rate_limited(make_app: Any) -> None:
    client = make_app(COMMENTS_WIDGET_LOGIN_RATE_LIMIT="3/day").test_client()
    answers = [client.post(TOKENS, json={"email": "x@example.org", "password": "guess"})
               for _ in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[-1].get_json()["error"] == "rate_limited"


def test_logout_revokes_the_token(client: FlaskClient, auth: dict, session: Session) -> None:
    assert client.delete(f"{TOKENS}/current", headers=auth).status_code == 204
    assert client.get(ME, headers=auth).get_json()["error"] == "bad_token"
    assert post(client, auth, body="after logout").get_json()["error"] == "bad_token"
    assert stored(session, Comment) == []


def test_revoking_without_a_token_is_refused(client: FlaskClient) -> None:
    response = client.delete(f"{TOKENS}/current")
    assert (response.status_code, response.get_json()["error"]) == (401, "not_logged_in")


def test_expired_tokens_stop_working(client: FlaskClient, reader: Reader,
                                     session: Session) -> None:
    token = readers.issue_token(session, reader, timedelta(seconds=-1))
    session.commit()
    response = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.get_json()["error"]) == (401, "bad_token")


def test_revoke_all_tokens_ends_every_login(client: FlaskClient, auth: dict, reader: Reader,
                                            session: Session) -> None:
    assert readers.revoke_all_tokens(session, session.merge(reader)) == 1
    session.commit()
    assert client.get(ME, headers=auth).status_code == 401


def test_allowed_origin_gets_cors_headers_without_credentials(client: FlaskClient) -> None:
    response = client.get(ME, headers={"Origin": SITE})
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_preflight_from_allowed_origin_is_answered(client: FlaskClient) -> None:
    response = client.options("/comments/api/v1/comments", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_disallowed_origin_is_refused_without_cors_headers(client: FlaskClient, auth: dict,
                                                           session: Session) -> None:
    evil = {"Origin": "https://evil.example", **auth}
    for response in (client.get(ME, headers=evil),
                     client.options("/comments/api/v1/comments", headers=evil),
                     post(client, evil, body="from a foreign page")):
        assert response.status_code == 403
        assert response.get_json()["error"] == "origin_not_allowed"
        assert "Access-Control-Allow-Origin" not in response.headers
    assert stored(session, Comment) == []


def test_same_origin_session_writes_need_the_csrf_header(client: FlaskClient,
                                                         reader: Reader,
                                                         session: Session) -> None:
    login = client.get("/comments/login")
    csrf = login.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    csrf = csrf.split('"')[0]
    client.post("/comments/login", data={"email": reader.email, "password": PASSWORD,
                                         "csrf_token": csrf})
    me = client.get(ME).get_json()
    assert me["reader"]["name"] == "Ada" and me["csrf_token"]
    refused = post(client, {}, body="no csrf")
    assert (refused.status_code, refused.get_json()["error"]) == (403, "csrf_failed")
    assert stored(session, Comment) == []
    accepted = post(client, {"X-CSRFToken": me["csrf_token"]}, body="with csrf")
    assert accepted.status_code == 201
    assert [c.body_source for c in stored(session, Comment)] == ["with csrf"]


def test_token_callers_get_no_csrf_token(client: FlaskClient, auth: dict) -> None:
    assert "csrf_token" not in client.get(ME, headers=auth).get_json()


def test_comment_from_allowed_origin_page_succeeds(client: FlaskClient, auth: dict) -> None:
    response = post(client, {"Origin": SITE, **auth}, body="from the article page")
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()[
        "thread"]["comment_count"] == 1
