"""Hearing back (issue #9, item 6): reply emails for readers who want them, following an
article, batching, and one-click unsubscribe; delivered to a real SMTP server process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from comments_widget.models import Follow, Reader
from comments_widget.services.community import ban
from comments_widget.services.policy import Policy, save_policy
from tests.conftest import (
    ARTICLE,
    bearer,
    create_reader,
    login,
    make_staff,
    name_thread,
    post,
    stored,
)
from tests.smtp import delivered, mail_app
from tests.test_admin_queues import act

API = "/comments/api/v1"
PUBLIC = "https://comments.news.example"


def text_of(message: Any) -> str:
    part = message.get_payload()[0] if message.is_multipart() else message
    return part.get_payload(decode=True).decode()


def to(message: Any) -> list[str]:
    return [address.strip() for address in message["X-RcptTo"].split(",")]


@pytest.fixture
def site(make_app: Any, smtp_server: tuple[int, Path]) -> Any:
    """A site with mail; Ada wants reply emails, Grace and Ben do not (the default)."""
    port, maildir = smtp_server
    app = mail_app(make_app, port, COMMENTS_WIDGET_PUBLIC_URL=PUBLIC,
                   COMMENTS_WIDGET_EMAIL_VERIFICATION="off")
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as session:
        people = {name: create_reader(session, name) for name in ("Ada", "Grace", "Ben")}
        headers = {name: bearer(session, reader) for name, reader in people.items()}
        emails = {name: reader.email for name, reader in people.items()}
    answer = client.put(f"{API}/me/notifications", json={"replies": True}, headers=headers["Ada"])
    assert answer.get_json() == {"replies": True}

    class Site:
        pass
    s = Site()
    s.app, s.client, s.headers, s.emails, s.maildir = app, client, headers, emails, maildir
    return s


def test_a_reply_emails_the_author_who_asked_with_one_click_unsubscribe(site: Any) -> None:
    first = post(site.client, site.headers["Ada"], body="What about the railway deal?")
    first = first.get_json()["id"]
    with site.app.extensions["comments_widget"].session_factory() as session:
        name_thread(session, "The Putin and Kim Delegation")
    reply = post(site.client, site.headers["Grace"], body="It was signed in May.",
                 parent_id=first).get_json()["id"]
    [message] = delivered(site.maildir, 1)
    assert to(message) == [site.emails["Ada"]]
    assert message["Subject"] == "Grace replied to your comment"
    body = text_of(message)
    assert "It was signed in May." in body and "The Putin and Kim Delegation" in body
    assert f"{ARTICLE}#comment-{reply}" in body
    assert message["List-Unsubscribe"].startswith(f"<{PUBLIC}/comments/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The mail client's one-click unsubscribe: a POST to that address, no login.
    one_click = message["List-Unsubscribe"][1:-1].removeprefix(PUBLIC)
    answer = site.app.test_client().post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert "no more emails about replies or followed articles" in answer.get_data(as_text=True)
    with site.app.extensions["comments_widget"].session_factory() as session:
        ada = session.scalar(sa.select(Reader).where(Reader.display_name == "Ada"))
        assert ada.reply_emails is False


def test_nobody_is_told_about_their_own_reply_or_without_asking(site: Any) -> None:
    ada_first = post(site.client, site.headers["Ada"], body="Mine.").get_json()["id"]
    grace_first = post(site.client, site.headers["Grace"], body="Grace's.").get_json()["id"]
    post(site.client, site.headers["Ada"], body="Answering myself.", parent_id=ada_first)
    post(site.client, site.headers["Ada"], body="Answering Grace.", parent_id=grace_first)
    result = site.app.test_cli_runner().invoke(args=["comments-widget", "notify-readers"])
    assert "Emailed 0 readers" in result.output or result.exit_code == 0
    assert delivered(site.maildir, 1, timeout=2) == []  # Grace did not ask; Ada wrote both


def test_a_busy_thread_makes_one_email_not_twenty(site: Any) -> None:
    first = post(site.client, site.headers["Ada"], body="Start.").get_json()["id"]
    post(site.client, site.headers["Grace"], body="Reply one.", parent_id=first)
    assert len(delivered(site.maildir, 1)) == 1  # the first goes out at once
    for i in range(2, 6):
        post(site.client, site.headers["Grace"], body=f"Reply {i}.", parent_id=first)
    assert len(delivered(site.maildir, 2, timeout=1.5)) == 1  # inside the interval: waiting
    result = site.app.test_cli_runner().invoke(args=["comments-widget", "notify-readers"])
    assert "Emailed 1 reader about new comments." in result.output
    messages = delivered(site.maildir, 2)
    assert len(messages) == 2
    batch = [m for m in messages if m["Subject"] == "4 new replies to your comments"]
    assert len(batch) == 1 and all(f"Reply {i}." in text_of(batch[0]) for i in range(2, 6))
    again = site.app.test_cli_runner().invoke(args=["comments-widget", "notify-readers"])
    assert "Emailed 0 readers" in again.output  # each comment is announced once


def test_followers_hear_of_new_top_level_comments_only(site: Any) -> None:
    first = post(site.client, site.headers["Grace"], body="Opening.").get_json()["id"]
    answer = site.client.put(f"{API}/threads/follow", json={"url": ARTICLE},
                             headers=site.headers["Ben"])
    assert answer.get_json() == {"following": True}
    mine = site.client.get(f"{API}/threads/mine", query_string={"url": ARTICLE},
                           headers=site.headers["Ben"]).get_json()
    assert mine["following"] is True
    site.app.test_cli_runner().invoke(args=["comments-widget", "notify-readers"])
    post(site.client, site.headers["Grace"], body="A reply is not news for Ben.",
         parent_id=first)
    post(site.client, site.headers["Grace"], body="A new point.")
    site.app.test_cli_runner().invoke(args=["comments-widget", "notify-readers"])
    messages = [m for m in delivered(site.maildir, 1) if site.emails["Ben"] in to(m)]
    # "Opening." may reach Ben too: its background announcement can run after he followed
    # (how many emails that makes depends on the machine's timing, not on the rule tested).
    body = "\n".join(text_of(m) for m in messages)
    assert "A new point." in body and "A reply is not news" not in body
    assert "Stop following" in body
    site.client.delete(f"{API}/threads/follow", query_string={"url": ARTICLE},
                       headers=site.headers["Ben"])
    with site.app.extensions["comments_widget"].session_factory() as session:
        assert stored_follows(session) == []


def stored_follows(session: Any) -> list[tuple[int, int]]:
    session.commit()
    return [tuple(row) for row in session.execute(sa.select(Follow.thread_id, Follow.reader_id))]


def test_a_held_reply_is_announced_once_a_moderator_approves_it(site: Any) -> None:
    first = post(site.client, site.headers["Ada"], body="Question.").get_json()["id"]
    with site.app.extensions["comments_widget"].session_factory() as session:
        save_policy(session, Policy(premoderation="all"))
        session.commit()
        boss = make_staff(session, "Boss", "admin")
        boss.digest_emails = False
        session.commit()
        boss_email = boss.email
    site.app.extensions["comments_widget"].settings.invalidate()
    held = post(site.client, site.headers["Grace"], body="Held answer.", parent_id=first)
    assert held.get_json()["status"] == "pending"
    site.app.test_cli_runner().invoke(args=["comments-widget", "notify-readers"])
    assert [m for m in delivered(site.maildir, 1, timeout=1.5) if "Held answer." in text_of(m)] \
        == []
    admin = site.app.test_client()
    login(admin, boss_email)
    act(admin, "approve", [held.get_json()["id"]])
    site.app.test_cli_runner().invoke(args=["comments-widget", "notify-readers"])
    told = [m for m in delivered(site.maildir, 1) if "Held answer." in text_of(m)]
    assert len(told) == 1 and to(told[0]) == [site.emails["Ada"]]


def test_a_banned_reader_gets_no_reply_emails(site: Any) -> None:
    first = post(site.client, site.headers["Ada"], body="Before the ban.").get_json()["id"]
    with site.app.extensions["comments_widget"].session_factory() as session:
        boss = make_staff(session, "Boss", "admin")
        ada = session.scalar(sa.select(Reader).where(Reader.display_name == "Ada"))
        ban(session, boss, ada, "spam", None, False)
        session.commit()
    post(site.client, site.headers["Grace"], body="After the ban.", parent_id=first)
    site.app.test_cli_runner().invoke(args=["comments-widget", "notify-readers"])
    assert delivered(site.maildir, 1, timeout=1.5) == []


def test_the_unsubscribe_link_asks_first_and_a_forged_one_does_nothing(site: Any) -> None:
    first = post(site.client, site.headers["Ada"], body="Hello.").get_json()["id"]
    post(site.client, site.headers["Grace"], body="Hi Ada.", parent_id=first)
    [message] = delivered(site.maildir, 1)
    link = next(word for word in text_of(message).split()
                if "/unsubscribe/" in word).removeprefix(PUBLIC)
    page = site.app.test_client().get(link)
    assert page.status_code == 200 and "Stop emails about replies" in page.get_data(as_text=True)
    with site.app.extensions["comments_widget"].session_factory() as session:
        ada = session.scalar(sa.select(Reader).where(Reader.display_name == "Ada"))
        assert ada.reply_emails is True  # a mail scanner's GET changes nothing
    forged = site.app.test_client().post(link[:-3] + "abc")
    assert forged.status_code == 404 and "not complete" in forged.get_data(as_text=True)
    done = site.app.test_client().post(link)
    assert "no more emails about replies to your comments" in done.get_data(as_text=True)


def test_unconfirmed_addresses_get_nothing_where_the_site_verifies_them(
        make_app: Any, smtp_server: tuple[int, Path]) -> None:
    app = mail_app(make_app, smtp_server[0], COMMENTS_WIDGET_PUBLIC_URL=PUBLIC,
                   COMMENTS_WIDGET_EMAIL_VERIFICATION="before_posting")
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as session:
        stranger = bearer(session, create_reader(session, "Typed Someone Else's Address"))
    for method, path, body in (("put", "/me/notifications", {"replies": True}),):
        answer = getattr(client, method)(f"{API}{path}", json=body, headers=stranger)
        assert answer.status_code == 403 and answer.get_json()["error"] == "email_unconfirmed"
    with app.extensions["comments_widget"].session_factory() as session:
        assert [r.reply_emails for r in stored(session, Reader)] == [None]


def test_preference_and_follow_refuse_bad_input(site: Any) -> None:
    for body in ({}, {"replies": "yes"}, {"replies": 1}):
        answer = site.client.put(f"{API}/me/notifications", json=body,
                                 headers=site.headers["Grace"])
        assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_preference"
    nothing = site.client.put(f"{API}/threads/follow", json={"url": ARTICLE + "/none"},
                              headers=site.headers["Grace"])
    assert nothing.status_code == 404 and nothing.get_json()["error"] == "unknown_thread"
    anonymous = site.client.put(f"{API}/threads/follow", json={"url": ARTICLE})
    assert anonymous.status_code == 401
    with site.app.extensions["comments_widget"].session_factory() as session:
        assert stored_follows(session) == []


def test_the_account_page_shows_and_changes_the_reply_preference(site: Any) -> None:
    browser = site.app.test_client()
    login(browser, site.emails["Ada"])
    page = browser.get("/comments/account").get_data(as_text=True)
    assert '<input checked id="emails-replies" name="emails-replies" type="checkbox"' in page
