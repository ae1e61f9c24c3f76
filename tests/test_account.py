"""The reader's account page: name, email, password, and logging out everywhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Reader
from tests.conftest import ARTICLE, PASSWORD, bearer, create_reader, csrf_token, login, post, stored
from tests.smtp import delivered, mail_app

ACCOUNT = "/comments/account"


@pytest.fixture
def browser(app: Flask, reader: Reader) -> FlaskClient:
    client = app.test_client()
    login(client, reader.email)
    return client


def submit(client: FlaskClient, action: str, prefix: str, **fields: str) -> Any:
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    page = client.get(ACCOUNT).get_data(as_text=True)
    data[f"{prefix}-csrf_token"] = re.search(
        rf'id="{prefix}-csrf_token" name="{prefix}-csrf_token" type="hidden" value="([^"]+)"',
        page).group(1)
    return client.post(f"{ACCOUNT}/{action}", data=data, follow_redirects=True)


def test_anonymous_visitors_log_in_first_and_come_back(client: FlaskClient,
                                                       reader: Reader) -> None:
    answer = client.get(ACCOUNT)
    assert answer.status_code == 302 and "next=/comments/account" in answer.location
    done = client.post(answer.location, data={
        "email": reader.email, "password": PASSWORD,
        "csrf_token": csrf_token(client, answer.location)})
    assert done.location == ACCOUNT


def test_a_new_display_name_shows_on_every_comment(browser: FlaskClient, auth: dict,
                                                   client: FlaskClient) -> None:
    post(client, auth, body="hello")
    before = client.get("/comments/api/v1/threads", query_string={"url": ARTICLE})
    page = submit(browser, "name", "name", display_name="Ada Lovelace").get_data(as_text=True)
    assert "Your comments now show Ada Lovelace." in page
    after = client.get("/comments/api/v1/threads", query_string={"url": ARTICLE},
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.get_json()["comments"][0]["author"]["name"] == "Ada Lovelace"


def test_a_name_that_looks_like_staff_is_refused(browser: FlaskClient, session: Session,
                                                 moderator: Reader) -> None:
    answer = submit(browser, "name", "name", display_name="M0rgan")
    assert answer.status_code == 400 and "too close to a moderator" in answer.get_data(
        as_text=True)
    assert {r.display_name for r in stored(session, Reader)} == {"Ada", "Morgan"}


def test_changing_the_email_needs_the_password_and_a_free_address(
    browser: FlaskClient, session: Session
) -> None:
    create_reader(session, "Grace")
    wrong = submit(browser, "email", "email", email="ada2@example.org", password="not mine!")
    assert wrong.status_code == 400 and "That password is not right." in wrong.get_data(
        as_text=True)
    taken = submit(browser, "email", "email", email="grace@example.org", password=PASSWORD)
    assert taken.status_code == 400 and "cannot be used" in taken.get_data(as_text=True)
    done = submit(browser, "email", "email", email="Ada2@example.org", password=PASSWORD)
    assert "Your email address is now ada2@example.org." in done.get_data(as_text=True)
    assert sorted(r.email for r in stored(session, Reader)) == ["ada2@example.org",
                                                                "grace@example.org"]


def test_a_new_address_is_confirmed_again_when_verification_is_on(
    make_app: Any, smtp_server: tuple[int, Path]
) -> None:
    from comments_widget.models import utcnow

    app = mail_app(make_app, smtp_server[0], COMMENTS_WIDGET_EMAIL_VERIFICATION="before_posting")
    factory = app.extensions["comments_widget"].session_factory
    with factory() as session:
        reader = create_reader(session)
        reader.email_verified_at = utcnow()
        session.commit()
    client = app.test_client()
    login(client, "ada@example.org")
    page = submit(client, "email", "email", email="new-ada@example.org", password=PASSWORD)
    assert "follow the link we sent there" in page.get_data(as_text=True)
    [message] = delivered(smtp_server[1], 1)
    assert message["To"] == "new-ada@example.org"
    with factory() as session:
        [stored_reader] = stored(session, Reader)
        assert stored_reader.email_verified_at is None


def test_a_new_password_ends_every_other_session(app: Flask, browser: FlaskClient,
                                                 session: Session, reader: Reader) -> None:
    other = app.test_client()
    login(other, reader.email)
    token = bearer(session, reader)
    weak = submit(browser, "password", "password", current=PASSWORD, password="password1",
                  confirm="password1")
    assert weak.status_code == 400 and "most common" in weak.get_data(as_text=True)
    wrong = submit(browser, "password", "password", current="nope nope", password="x" * 12,
                   confirm="x" * 12)
    assert "Your current password is not right." in wrong.get_data(as_text=True)
    done = submit(browser, "password", "password", current=PASSWORD,
                  password="a different passphrase", confirm="a different passphrase")
    assert "logged out everywhere else" in done.get_data(as_text=True)
    assert browser.get(ACCOUNT).status_code == 200  # This browser stays in.
    assert other.get(ACCOUNT).status_code == 302
    assert app.test_client().get("/comments/api/v1/me", headers=token).status_code == 401


def test_log_out_everywhere_ends_this_session_too(app: Flask, browser: FlaskClient,
                                                  session: Session, reader: Reader) -> None:
    token = bearer(session, reader)
    page = browser.get(ACCOUNT).get_data(as_text=True)
    csrf = re.search(r'id="everywhere-csrf_token" name="everywhere-csrf_token" type="hidden" '
                     r'value="([^"]+)"', page).group(1)
    browser.post(f"{ACCOUNT}/everywhere", data={"everywhere-csrf_token": csrf})
    assert browser.get(ACCOUNT).status_code == 302
    assert app.test_client().get("/comments/api/v1/me", headers=token).status_code == 401


def test_account_forms_need_their_csrf_token(browser: FlaskClient, session: Session) -> None:
    answer = browser.post(f"{ACCOUNT}/name", data={"name-display_name": "Mallory"})
    assert answer.status_code == 400
    assert [r.display_name for r in stored(session, Reader)] == ["Ada"]


def test_readers_are_told_which_emails_they_get(browser: FlaskClient) -> None:
    page = browser.get(ACCOUNT).get_data(as_text=True)
    assert "we email you only about your account" in page
    assert "Email me when a moderator publishes or turns down a comment" in page
    assert '<input id="emails-decisions" name="emails-decisions" type="checkbox"' in page  # opt-in
    assert "Email me when comments wait for review" not in page  # Staff only.


def test_a_moderator_turns_the_review_digest_off_and_gets_none(
        make_app: Any, smtp_server: tuple[int, Path]) -> None:
    port, maildir = smtp_server
    app = mail_app(make_app, port)
    with app.extensions["comments_widget"].session_factory() as session:
        from comments_widget.services.policy import Policy, save_policy
        from tests.conftest import make_staff

        quiet = make_staff(session, "Morgan", "moderator")
        keen = make_staff(session, "Kim", "admin")
        save_policy(session, Policy(premoderation="all"))
        session.commit()
        author = bearer(session, create_reader(session, "Writer"))
        quiet_email, keen_email = quiet.email, keen.email
    client = app.test_client()
    login(client, quiet_email)
    assert '<input checked id="emails-digest" name="emails-digest" type="checkbox"' in \
        client.get(ACCOUNT).get_data(as_text=True)
    answer = submit(client, "emails", "emails")  # The box left unticked.
    assert "Your email preferences are saved." in answer.get_data(as_text=True)
    post(app.test_client(), author, body="held for review")
    [message] = delivered(maildir, 1)
    recipients = [address.strip() for address in message["X-RcptTo"].split(",")]
    assert keen_email in recipients and quiet_email not in recipients
    with app.extensions["comments_widget"].session_factory() as session:
        assert [r.digest_emails for r in stored(session, Reader)
                if r.email in (quiet_email, keen_email)] == [False, True]
