"""A reader who forgot their password: an email with a single-use, expiring link, delivered to
a real SMTP server process; the same answer whether or not the address has an account."""

from __future__ import annotations

import email.policy
import re
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from comments_widget.models import Reader
from tests.conftest import PASSWORD, SITE, bearer, create_reader, csrf_token, stored
from tests.smtp import delivered, mail_app

FORGOT = "/comments/forgot"
NEW_PASSWORD = "a fresh new passphrase"


@pytest.fixture
def reset_app(make_app: Any, smtp_server: tuple[int, Path]) -> Flask:
    return mail_app(make_app, smtp_server[0], COMMENTS_WIDGET_PUBLIC_URL="https://talk.example",
                    COMMENTS_WIDGET_SITE_NAME="The Daily Example")


def ask_for_link(client: FlaskClient, email: str, query: str = "") -> Any:
    return client.post(FORGOT + query, data={"email": email,
                                             "csrf_token": csrf_token(client, FORGOT + query)})


def reset_link(message: Message) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    return re.search(r"https://talk\.example(/comments/reset/\S+)", text).group(1)


def parsed(messages: list[Any]) -> list[Message]:
    return [message_from_bytes(bytes(m), policy=email.policy.default) for m in messages]


def test_a_reader_resets_their_password_from_the_emailed_link(
    reset_app: Flask, smtp_server: tuple[int, Path]
) -> None:
    factory = reset_app.extensions["comments_widget"].session_factory
    with factory() as session:
        reader = create_reader(session)
        old_token = bearer(session, reader)
    client = reset_app.test_client()
    other_browser = reset_app.test_client()
    from tests.conftest import login

    login(other_browser, reader.email)
    page = ask_for_link(client, "ADA@example.org")
    assert page.status_code == 200
    assert "If there is an account for" in page.get_data(as_text=True)
    [message] = parsed(delivered(smtp_server[1], 1))
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Reset your password for The Daily Example"
    html = message.get_body(("html",)).get_content()
    assert '<a href="https://talk.example/comments/reset/' in html and "Hello Ada," in html
    link = reset_link(message)
    form = client.get(link)
    assert "Choose a new password" in form.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      form.get_data(as_text=True)).group(1)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                   "csrf_token": token})
    assert done.status_code == 302 and done.location.endswith("/comments/account")
    assert "You are logged in as" in client.get("/comments/account").get_data(as_text=True)
    api = reset_app.test_client()
    assert api.post("/comments/api/v1/tokens", json={
        "email": reader.email, "password": PASSWORD}).status_code == 401
    assert api.post("/comments/api/v1/tokens", json={
        "email": reader.email, "password": NEW_PASSWORD}).status_code == 201
    assert api.get("/comments/api/v1/me", headers=old_token).status_code == 401  # Ended.
    assert other_browser.get("/comments/admin/").status_code == 302  # Logged out there too.
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_a_link_asked_for_in_the_popup_hands_the_login_to_the_article(
    reset_app: Flask, smtp_server: tuple[int, Path]
) -> None:
    with reset_app.extensions["comments_widget"].session_factory() as session:
        create_reader(session)
    client = reset_app.test_client()
    query = f"?origin={SITE}&next={SITE}/2023/09/putin-kim"
    sent = ask_for_link(client, "ada@example.org", query).get_data(as_text=True)
    assert f'data-origin="{SITE}"' in sent and "waiting.js" in sent
    link = reset_link(parsed(delivered(smtp_server[1], 1))[0])
    assert f"origin={SITE}" in link
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                   "csrf_token": csrf_token(client, link)})
    page = done.get_data(as_text=True)
    assert f'data-origin="{SITE}"' in page and 'data-token="' in page


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    reset_app: Flask, smtp_server: tuple[int, Path]
) -> None:
    with reset_app.extensions["comments_widget"].session_factory() as session:
        create_reader(session)
    known = ask_for_link(reset_app.test_client(), "ada@example.org")
    unknown = ask_for_link(reset_app.test_client(), "nobody@example.org")
    strip = lambda page: re.sub(r"<strong>[^<]*</strong>|value=\"[^\"]*\"", "",  # noqa: E731
                                page.get_data(as_text=True))
    assert known.status_code == unknown.status_code == 200
    assert strip(known) == strip(unknown)
    time.sleep(0.5)
    assert len(delivered(smtp_server[1], 1)) == 1  # Only the real account got a message.


def test_a_mail_server_that_is_down_is_said_for_every_address(
        make_app: Any, mail_server_down: int) -> None:
    app = mail_app(make_app, mail_server_down)
    with app.extensions["comments_widget"].session_factory() as session:
        create_reader(session)
    for address in ("ada@example.org", "nobody@example.org"):
        page = ask_for_link(app.test_client(), address)
        assert page.status_code == 503
        assert "We could not send the email" in page.get_data(as_text=True)


def test_an_expired_or_tampered_link_is_refused(reset_app: Flask, session: Session) -> None:
    reader = create_reader(session)
    client = reset_app.test_client()

    class TwoHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 2 * 3600

    old = URLSafeTimedSerializer(reset_app.secret_key, salt="comments_widget.link.reset",
                                 signer=TwoHoursAgo).dumps([reader.id, "x" * 20])
    expired = client.get(f"/comments/reset/{old}")
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    for bad in ("garbage", old[:-3] + "abc", "a" * 300):
        answer = client.get(f"/comments/reset/{bad}")
        assert answer.status_code == 400 and "not complete" in answer.get_data(as_text=True)


def test_a_weak_or_mismatched_new_password_is_refused_and_nothing_changes(
    reset_app: Flask, smtp_server: tuple[int, Path]
) -> None:
    factory = reset_app.extensions["comments_widget"].session_factory
    with factory() as session:
        create_reader(session)
    client = reset_app.test_client()
    ask_for_link(client, "ada@example.org")
    link = reset_link(parsed(delivered(smtp_server[1], 1))[0])
    for password, confirm, message in [("password1", "password1", "most common"),
                                       (NEW_PASSWORD, "something else", "differ")]:
        page = client.post(link, data={"password": password, "confirm": confirm,
                                       "csrf_token": csrf_token(client, link)})
        assert page.status_code == 400 and message in page.get_data(as_text=True)
    api = reset_app.test_client()
    assert api.post("/comments/api/v1/tokens", json={
        "email": "ada@example.org", "password": PASSWORD}).status_code == 201
    assert client.get(link).status_code == 200  # Still usable: nothing was changed.


def test_reset_links_are_rate_limited(make_app: Any, smtp_server: tuple[int, Path]) -> None:
    app = mail_app(make_app, smtp_server[0], COMMENTS_WIDGET_MAIL_RATE_LIMIT="2/hour")
    with app.extensions["comments_widget"].session_factory() as session:
        create_reader(session)
    answers = [ask_for_link(app.test_client(), "ada@example.org") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert len(delivered(smtp_server[1], 2)) == 2


def test_without_email_the_login_page_offers_no_reset(client: FlaskClient,
                                                      session: Session) -> None:
    assert "Forgot password?" not in client.get("/comments/login").get_data(as_text=True)
    page = client.get(FORGOT).get_data(as_text=True)
    assert "Email is not set up on this comment server" in page
    assert stored(session, Reader) == []


def test_a_reset_confirms_an_unconfirmed_address(make_app: Any,
                                                  smtp_server: tuple[int, Path]) -> None:
    app = mail_app(make_app, smtp_server[0], COMMENTS_WIDGET_PUBLIC_URL="https://talk.example",
                   COMMENTS_WIDGET_EMAIL_VERIFICATION="before_login")
    factory = app.extensions["comments_widget"].session_factory
    with factory() as session:
        create_reader(session)  # Never confirmed.
    client = app.test_client()
    ask_for_link(client, "ada@example.org")
    link = reset_link(parsed(delivered(smtp_server[1], 1))[0])
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                            "csrf_token": csrf_token(client, link)})
    with factory() as session:
        [reader] = stored(session, Reader)
        assert reader.email_verified_at is not None
    answer = app.test_client().post("/comments/api/v1/tokens", json={
        "email": "ada@example.org", "password": NEW_PASSWORD})
    assert answer.status_code == 201
