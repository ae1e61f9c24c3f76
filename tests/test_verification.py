"""Confirming an email address (COMMENTS_WIDGET_EMAIL_VERIFICATION), with mail delivered to a
real SMTP server process: held comments wait for the link, registration tells a stranger
nothing, and accounts never confirmed are purged."""

from __future__ import annotations

import email.policy
import re
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_widget.config import ConfigError
from comments_widget.models import Comment, Reader, Status, utcnow
from comments_widget.services import hold_reasons
from comments_widget.services.hold_reasons import HoldReason
from tests.conftest import ARTICLE, PASSWORD, create_reader, csrf_token, post, stored
from tests.smtp import delivered, mail_app

API = "/comments/api/v1"


def verifying_app(make_app: Any, port: int, mode: str = "before_posting", **extra: Any) -> Flask:
    return mail_app(make_app, port, COMMENTS_WIDGET_EMAIL_VERIFICATION=mode,
                    COMMENTS_WIDGET_PUBLIC_URL="https://talk.example", **extra)


def register(client: FlaskClient, email: str = "new@example.org", name: str = "Newcomer",
             query: str = "") -> Any:
    return client.post("/comments/register" + query, data={
        "email": email, "display_name": name, "password": PASSWORD,
        "csrf_token": csrf_token(client, "/comments/register")})


def messages(maildir: Path, count: int) -> list[Message]:
    return [message_from_bytes(bytes(m), policy=email.policy.default)
            for m in delivered(maildir, count)]


def link_in(message: Message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https://talk\.example(/comments/\S+)", text).group(1)


def token_for(client: FlaskClient) -> dict[str, str]:
    answer = client.post(f"{API}/tokens", json={"email": "new@example.org",
                                                 "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_comments_wait_until_the_address_is_confirmed(make_app: Any,
                                                      smtp_server: tuple[int, Path]) -> None:
    app = verifying_app(make_app, smtp_server[0])
    browser = app.test_client()
    page = register(browser).get_data(as_text=True)
    assert "Check your email" in page and "new@example.org" in page
    assert browser.get("/comments/api/v1/me").get_json()["reader"] is None  # Not yet in.
    [message] = messages(smtp_server[1], 1)
    assert message["Subject"].startswith("Confirm your email address")
    auth = token_for(app.test_client())  # Logging in with the password is allowed.
    me = app.test_client().get(f"{API}/me", headers=auth).get_json()["reader"]
    assert me["must_confirm_email"] is True
    held = post(app.test_client(), auth, body="my first words")
    assert held.status_code == 201 and held.get_json()["status"] == "pending"
    public = app.test_client().get(f"{API}/threads", query_string={"url": ARTICLE}).get_json()
    assert public["thread"]["comment_count"] == 0
    confirmed = browser.get(link_in(message))
    assert confirmed.status_code == 302  # Logged in, on to the account page.
    assert browser.get(f"{API}/me").get_json()["reader"]["must_confirm_email"] is False
    public = app.test_client().get(f"{API}/threads", query_string={"url": ARTICLE}).get_json()
    assert [c["html"] for c in public["comments"]] == ["<p>my first words</p>"]
    again = app.test_client().get(link_in(message))
    assert "has been used already" in again.get_data(as_text=True)
    assert again.status_code == 200 and "Set-Cookie" not in again.headers


def test_a_comment_held_for_other_reasons_stays_held_after_confirming(
    make_app: Any, smtp_server: tuple[int, Path]
) -> None:
    from comments_widget.services.policy import Policy
    from tests.conftest import set_policy

    app = verifying_app(make_app, smtp_server[0])
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        set_policy(session, state, Policy(banned_words=("casino",)))
    register(app.test_client())
    [message] = messages(smtp_server[1], 1)
    post(app.test_client(), token_for(app.test_client()), body="visit my casino")
    app.test_client().get(link_in(message))
    with state.session_factory() as session:
        [comment] = stored(session, Comment)
        assert comment.status == Status.PENDING
        assert hold_reasons.loads(comment.hold_reasons) == [
            HoldReason(hold_reasons.BANNED_WORD, "casino")]  # "email not verified" is gone


def test_registering_a_taken_address_looks_the_same_and_tells_its_owner(
    make_app: Any, smtp_server: tuple[int, Path]
) -> None:
    app = verifying_app(make_app, smtp_server[0])
    with app.extensions["comments_widget"].session_factory() as session:
        create_reader(session, "Ada", "ada@example.org")
    fresh = register(app.test_client(), "fresh@example.org")
    taken = register(app.test_client(), "ada@example.org")
    same = lambda r: re.sub(r"<strong>[^<]*</strong>", "", r.get_data(as_text=True))  # noqa: E731
    assert fresh.status_code == taken.status_code == 200 and same(fresh) == same(taken)
    sent = {m["To"]: m for m in messages(smtp_server[1], 2)}
    assert sent["ada@example.org"]["Subject"].startswith("You already have an account")
    assert "/comments/forgot" in sent["ada@example.org"].get_body(("plain",)).get_content()
    with app.extensions["comments_widget"].session_factory() as session:
        assert sorted(r.email for r in stored(session, Reader)) == ["ada@example.org",
                                                                    "fresh@example.org"]


def test_before_login_refuses_login_until_confirmed(make_app: Any,
                                                     smtp_server: tuple[int, Path]) -> None:
    app = verifying_app(make_app, smtp_server[0], mode="before_login")
    register(app.test_client())
    [message] = messages(smtp_server[1], 1)
    refused = app.test_client().post(f"{API}/tokens", json={"email": "new@example.org",
                                                             "password": PASSWORD})
    assert (refused.status_code, refused.get_json()["error"]) == (403, "email_not_verified")
    client = app.test_client()
    page = client.post("/comments/login", data={
        "email": "new@example.org", "password": PASSWORD,
        "csrf_token": csrf_token(client, "/comments/login")}).get_data(as_text=True)
    assert "Confirm your email address first" in page
    assert "Send the confirmation link again" in page
    client.get(link_in(message))
    assert app.test_client().post(f"{API}/tokens", json={
        "email": "new@example.org", "password": PASSWORD}).status_code == 201


def test_sending_the_link_again_answers_the_same_for_every_address(
    make_app: Any, smtp_server: tuple[int, Path]
) -> None:
    app = verifying_app(make_app, smtp_server[0])
    register(app.test_client())
    messages(smtp_server[1], 1)
    answers = []
    for address in ("new@example.org", "nobody@example.org"):
        client = app.test_client()
        answers.append(client.post("/comments/verify", data={
            "email": address, "csrf_token": csrf_token(client, "/comments/verify")}))
    same = lambda r: re.sub(r"<strong>[^<]*</strong>", "", r.get_data(as_text=True))  # noqa: E731
    assert same(answers[0]) == same(answers[1])
    assert [m["To"] for m in messages(smtp_server[1], 2)] == ["new@example.org"] * 2


def test_a_link_for_an_old_address_confirms_nothing(make_app: Any,
                                                    smtp_server: tuple[int, Path]) -> None:
    app = verifying_app(make_app, smtp_server[0])
    register(app.test_client())
    [message] = messages(smtp_server[1], 1)
    with app.extensions["comments_widget"].session_factory() as session:
        [reader] = stored(session, Reader)
        reader.email = "changed@example.org"
        session.commit()
    answer = app.test_client().get(link_in(message))
    assert answer.status_code == 400 and "another email address" in answer.get_data(
        as_text=True)
    bad = app.test_client().get("/comments/verify/not-a-token")
    assert bad.status_code == 400


def test_the_account_is_kept_when_the_mail_server_is_down(
        make_app: Any, mail_server_down: int) -> None:
    app = verifying_app(make_app, mail_server_down)
    answer = register(app.test_client())
    assert answer.status_code == 503
    assert "We could not send the email" in answer.get_data(as_text=True)
    with app.extensions["comments_widget"].session_factory() as session:
        assert [r.email for r in stored(session, Reader)] == ["new@example.org"]


def test_verification_needs_email_configured(make_app: Any) -> None:
    with pytest.raises(ConfigError, match="COMMENTS_WIDGET_EMAIL_VERIFICATION"):
        make_app(COMMENTS_WIDGET_EMAIL_VERIFICATION="before_posting")
    with pytest.raises(ConfigError, match="must be one of"):
        make_app(COMMENTS_WIDGET_EMAIL_VERIFICATION="sometimes")


def test_purge_deletes_accounts_never_confirmed(make_app: Any,
                                                smtp_server: tuple[int, Path]) -> None:
    from comments_widget.services.comments import PostingRules, ThreadRef, post_comment
    from comments_widget.services.policy import Policy

    app = verifying_app(make_app, smtp_server[0])
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        stale = create_reader(session, "Stale", "stale@example.org")
        create_reader(session, "Fresh", "fresh@example.org")
        confirmed = create_reader(session, "Kept", "kept@example.org")
        confirmed.email_verified_at = utcnow()
        stale.created_at = utcnow() - timedelta(days=10)
        confirmed.created_at = utcnow() - timedelta(days=10)
        session.commit()
        ref = ThreadRef(ARTICLE, ARTICLE)
        post_comment(session, author=stale, ref=ref, body="held forever", parent_id=None,
                     rules=PostingRules(1000, 3, require_verified_email=True), policy=Policy())
        session.commit()
    result = app.test_cli_runner().invoke(args=["comments-widget", "purge-unverified"])
    assert "Deleted 1 account never confirmed within 7 days." in result.output
    with state.session_factory() as session:
        assert sorted(r.email for r in stored(session, Reader)) == [
            "fresh@example.org", "kept@example.org"]
        assert stored(session, Comment) == []
