"""Logging in by an emailed link instead of a password (COMMENTS_WIDGET_LOGIN_LINKS), with the
mail delivered to a real SMTP server process."""

from __future__ import annotations

import email.policy
import re
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_widget.config import ConfigError
from comments_widget.models import Reader
from comments_widget.services import community
from tests.conftest import SITE, create_reader, csrf_token, stored
from tests.smtp import delivered, mail_app

REQUEST = "/comments/login/link"


@pytest.fixture
def link_app(make_app: Any, smtp_server: tuple[int, Path]) -> Flask:
    return mail_app(make_app, smtp_server[0], COMMENTS_WIDGET_LOGIN_LINKS=True,
                    COMMENTS_WIDGET_PUBLIC_URL="https://talk.example")


def ask(client: FlaskClient, address: str, query: str = "") -> Any:
    return client.post(REQUEST + query, data={
        "email": address, "csrf_token": csrf_token(client, REQUEST + query)})


def emailed_link(maildir: Path, count: int = 1) -> str:
    raw = delivered(maildir, count)[-1]
    text = message_from_bytes(bytes(raw), policy=email.policy.default).get_body(
        ("plain",)).get_content()
    return re.search(r"https://talk\.example(/comments/login/link/\S+)", text).group(1)


def test_a_login_link_logs_the_reader_in_once(link_app: Flask,
                                              smtp_server: tuple[int, Path]) -> None:
    with link_app.extensions["comments_widget"].session_factory() as session:
        create_reader(session)
    client = link_app.test_client()
    assert "Email me a login link instead" in client.get("/comments/login").get_data(
        as_text=True)
    sent = ask(client, "Ada@example.org", f"?origin={SITE}")
    assert sent.status_code == 200 and 'data-origin="https://news.example"' in sent.get_data(
        as_text=True)
    link = emailed_link(smtp_server[1])
    browser = link_app.test_client()
    page = browser.get(link).get_data(as_text=True)
    assert 'data-token="' in page  # Logged in, token ready for the article.
    assert browser.get("/comments/account").status_code == 200
    again = link_app.test_client().get(link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_every_address_gets_the_same_answer_and_banned_readers_no_link(
    link_app: Flask, smtp_server: tuple[int, Path]
) -> None:
    with link_app.extensions["comments_widget"].session_factory() as session:
        admin = create_reader(session, "Boss", "boss@example.org")
        banned = create_reader(session, "Troll", "troll@example.org")
        community.ban(session, admin, banned, "spam", None, False)
        session.commit()
    answers = [ask(link_app.test_client(), address) for address in
               ("boss@example.org", "troll@example.org", "nobody@example.org")]
    same = lambda r: re.sub(r"<strong>[^<]*</strong>", "", r.get_data(as_text=True))  # noqa: E731
    assert len({same(a) for a in answers}) == 1
    assert [m["To"] for m in delivered(smtp_server[1], 1)] == ["boss@example.org"]


def test_following_a_login_link_confirms_the_address(make_app: Any,
                                                     smtp_server: tuple[int, Path]) -> None:
    app = mail_app(make_app, smtp_server[0], COMMENTS_WIDGET_LOGIN_LINKS=True,
                   COMMENTS_WIDGET_EMAIL_VERIFICATION="before_login",
                   COMMENTS_WIDGET_PUBLIC_URL="https://talk.example")
    factory = app.extensions["comments_widget"].session_factory
    with factory() as session:
        create_reader(session)
    ask(app.test_client(), "ada@example.org")
    app.test_client().get(emailed_link(smtp_server[1]))
    with factory() as session:
        [reader] = stored(session, Reader)
        assert reader.email_verified_at is not None


def test_a_tampered_link_and_a_link_after_logout_do_not_work(
    link_app: Flask, smtp_server: tuple[int, Path]
) -> None:
    from comments_widget.services import readers

    factory = link_app.extensions["comments_widget"].session_factory
    with factory() as session:
        create_reader(session)
    ask(link_app.test_client(), "ada@example.org")
    link = emailed_link(smtp_server[1])
    assert link_app.test_client().get(link[:-4] + "abcd").status_code == 400
    with factory() as session:
        readers.end_all_sessions(session, stored(session, Reader)[0])
        session.commit()
    assert link_app.test_client().get(link).status_code == 400


def test_login_links_are_off_by_default_and_need_email(client: FlaskClient,
                                                        make_app: Any) -> None:
    assert client.get(REQUEST).status_code == 404
    assert "login link" not in client.get("/comments/login").get_data(as_text=True)
    with pytest.raises(ConfigError, match="COMMENTS_WIDGET_LOGIN_LINKS"):
        make_app(COMMENTS_WIDGET_LOGIN_LINKS=True)
