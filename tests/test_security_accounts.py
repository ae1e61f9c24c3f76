"""Fake accounts, brute force, weak passwords and look-alike names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Reader, utcnow
from comments_widget.services.identity import clean_display_name
from comments_widget.services.policy import Policy
from tests.conftest import (
    PASSWORD,
    bearer,
    create_reader,
    csrf_token,
    post,
    set_policy,
    stored,
    verify,
)

TOKENS = "/comments/api/v1/tokens"


def register(client: FlaskClient, email: str, name: str = "Newcomer",
             password: str = PASSWORD, address: str = "198.51.100.7") -> Any:
    return client.post("/comments/register", data={
        "email": email, "display_name": name, "password": password,
        "csrf_token": csrf_token(client, "/comments/register")},
        environ_base={"REMOTE_ADDR": address})


def test_sign_ups_are_limited_per_client_address(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_REGISTER_RATE_LIMIT="3/day")
    answers = [register(app.test_client(), f"fake{i}@example.org") for i in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert "Too many attempts" in answers[3].get_data(as_text=True)
    assert answers[3].headers["Retry-After"].isdigit()
    other_address = register(app.test_client(), "real@example.org", address="203.0.113.9")
    assert other_address.status_code == 302
    with app.extensions["comments_widget"].session_factory() as session:
        emails = sorted(r.email for r in stored(session, Reader))
    assert emails == ["fake0@example.org", "fake1@example.org", "fake2@example.org",
                      "real@example.org"]


def test_refused_sign_up_forms_do_not_use_up_the_limit(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_REGISTER_RATE_LIMIT="2/day")
    for password in ("password", "qwerty123", "letmein1"):
        assert register(app.test_client(), "new@example.org", password=password).status_code \
            == 400
    assert register(app.test_client(), "new@example.org").status_code == 302


def flag_from(client: FlaskClient, session: Session, reader: Reader, comment_id: int) -> Any:
    return client.post(f"/comments/api/v1/comments/{comment_id}/flag",
                       json={"reason": "abuse"}, headers=bearer(session, reader))


def test_fresh_accounts_cannot_hide_a_comment_by_reporting_it(
    client: FlaskClient, auth: dict, session: Session, state
) -> None:
    set_policy(session, state, Policy(flag_threshold=3))
    target = post(client, auth, body="an unpopular opinion").get_json()["id"]
    for i in range(5):
        assert flag_from(client, session, create_reader(session, f"Sock{i}"), target) \
            .status_code == 201
    [comment] = stored(session, Comment)
    assert comment.needs_review and not comment.hidden_by_flags  # Reported, still visible.


def test_reports_of_verified_or_established_readers_hide_it(
    client: FlaskClient, auth: dict, session: Session, state
) -> None:
    set_policy(session, state, Policy(flag_threshold=2))
    target = post(client, auth, body="an unpopular opinion").get_json()["id"]
    verified = create_reader(session, "Verified")
    verify(session, verified)
    established = create_reader(session, "Regular")
    post(client, bearer(session, established), body="my first approved comment")
    session.merge(established).created_at = utcnow() - timedelta(days=3)
    session.commit()
    flag_from(client, session, verified, target)
    assert not stored(session, Comment)[0].hidden_by_flags
    flag_from(client, session, established, target)
    assert session.get(Comment, target).hidden_by_flags


def test_reports_per_reader_are_rate_limited(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_FLAG_RATE_LIMIT="2/day")
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as session:
        author = bearer(session, create_reader(session, "Author"))
        ids = [post(client, author, body=f"comment {i}").get_json()["id"] for i in range(3)]
        reporter = create_reader(session, "Reporter")
        answers = [flag_from(client, session, reporter, i) for i in ids]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].get_json()["error"] == "rate_limited"


def test_wrong_passwords_lock_the_account_from_every_address(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_ACCOUNT_LOGIN_RATE_LIMIT="3/day")
    with app.extensions["comments_widget"].session_factory() as session:
        create_reader(session)
        create_reader(session, "Grace")
    client = app.test_client()
    for i in range(3):  # A botnet: every guess from another address.
        wrong = client.post(TOKENS, json={"email": "ada@example.org", "password": f"guess {i}"},
                            environ_base={"REMOTE_ADDR": f"192.0.2.{i}"})
        assert wrong.get_json()["error"] == "invalid_credentials"
    locked = client.post(TOKENS, json={"email": "ADA@example.org", "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "192.0.2.99"})
    assert (locked.status_code, locked.get_json()["error"]) == (429, "rate_limited")
    assert int(locked.headers["Retry-After"]) > 0
    page = client.post("/comments/login", data={
        "email": "ada@example.org", "password": PASSWORD,
        "csrf_token": csrf_token(client, "/comments/login")})
    assert page.status_code == 429 and "Too many attempts" in page.get_data(as_text=True)
    other = client.post(TOKENS, json={"email": "grace@example.org", "password": PASSWORD})
    assert other.status_code == 201


def test_successful_logins_do_not_count_toward_the_account_lock(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_ACCOUNT_LOGIN_RATE_LIMIT="2/day",
                   COMMENTS_WIDGET_LOGIN_RATE_LIMIT="100/minute")
    with app.extensions["comments_widget"].session_factory() as session:
        create_reader(session)
    client = app.test_client()
    answers = [client.post(TOKENS, json={"email": "ada@example.org", "password": PASSWORD})
               for _ in range(5)]
    assert {a.status_code for a in answers} == {201}


@pytest.mark.parametrize(("hops", "separate"), [(0, False), (1, True)])
def test_behind_a_proxy_the_forwarded_address_is_the_client(make_app: Any, hops: int,
                                                             separate: bool) -> None:
    app = make_app(COMMENTS_WIDGET_TRUSTED_PROXY_HOPS=hops,
                   COMMENTS_WIDGET_LOGIN_RATE_LIMIT="2/day")
    client = app.test_client()
    answers = [client.post(TOKENS, json={"email": "x@example.org", "password": "guess guess"},
                           headers={"X-Forwarded-For": f"203.0.113.{i}"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"}) for i in range(3)]
    codes = [a.status_code for a in answers]
    # Each client has its own limit behind a trusted proxy; without one, the header is ignored
    # (anyone could send it) and all three share the proxy's address.
    assert codes == ([401, 401, 401] if separate else [401, 401, 429])


@pytest.mark.parametrize(
    ("password", "message"),
    [("password", "one of the most common"), ("qwertyuiop", "one of the most common"),
     ("Password1", "one of the most common"), ("newcomer@example.org", "cannot be your email"),
     ("newcomer", "cannot be your email"), ("short", "at least 8 characters")],
)
def test_weak_passwords_are_refused(client: FlaskClient, session: Session, password: str,
                                    message: str) -> None:
    response = register(client, "newcomer@example.org", password=password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(session, Reader) == []


@pytest.mark.parametrize(
    "name",
    ["Editor", "EDITOR", "Ｅｄｉｔｏｒ", "Ed\u200bitor", "Еditor",  # Cyrillic Е
     "Admin", "Moderator", "M0rgan", "Мorgan", "morgan", "Mor\u202egan", "Éditor",
     "E\u0301ditor", "Mörgan", "E d i t o r", "ЕDITOR"],
)
def test_names_that_look_like_staff_are_refused(client: FlaskClient, session: Session,
                                                moderator: Reader, name: str) -> None:
    response = register(client, "newcomer@example.org", name=name)
    assert response.status_code == 400
    assert "too close to a moderator" in response.get_data(as_text=True)
    assert [r.email for r in stored(session, Reader)] == [moderator.email]


def test_names_are_normalised_and_stripped_of_invisible_characters(
    client: FlaskClient, session: Session
) -> None:
    register(client, "newcomer@example.org", name="  Ｊｏ\u202e\u200d  Ｂｌｏｇｇｓ\u2060 ")
    [reader] = stored(session, Reader)
    assert reader.display_name == "Jo Bloggs"
    assert clean_display_name("\u2066Ada\u2069\ufeff") == "Ada"


def test_registration_does_not_confirm_that_an_address_has_an_account(
    client: FlaskClient, reader: Reader
) -> None:
    page = register(client, reader.email).get_data(as_text=True)
    assert "already exists" not in page
    assert "This email cannot be used for a new account. If it is yours, log in instead." in page
    login = client.post(TOKENS, json={"email": "who@example.org", "password": "x" * 9})
    wrong = client.post(TOKENS, json={"email": reader.email, "password": "x" * 9})
    assert login.get_json() == wrong.get_json()


def test_app_without_staff_names_still_refuses_reserved_ones(client: FlaskClient) -> None:
    assert register(client, "a@example.org", name="Staff").status_code == 400
    assert register(client, "b@example.org", name="Stafford").status_code == 302
