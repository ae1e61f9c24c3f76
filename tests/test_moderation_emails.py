"""Authors who asked hear what moderators decided on their held comments (issue #9, item 4):
one email per author and decision, delivered to a real SMTP server process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from comments_widget.models import Reader
from comments_widget.services.policy import Policy, save_policy
from tests.conftest import ARTICLE, bearer, create_reader, login, make_staff, post, stored
from tests.smtp import delivered, mail_app
from tests.test_account import ACCOUNT, submit
from tests.test_admin_queues import act

PUBLIC = "https://comments.news.example"


def recipients(message: Any) -> list[str]:
    return [address.strip() for address in message["X-RcptTo"].split(",")]


def mails_to(maildir: Path, address: str, count: int) -> list[Any]:
    """The messages to `address` once `count` of them arrived (bounded wait)."""
    found: list[Any] = []
    for total in range(count, count + 3):
        found = [m for m in delivered(maildir, total, timeout=2) if address in recipients(m)]
        if len(found) >= count:
            break
    return found


def setup(make_app: Any, smtp_server: tuple[int, Path]) -> tuple[Any, FlaskClient, dict, dict]:
    """A pre-moderated site with mail; an admin logged in (no digest) and two authors:
    Keen asked for these emails on their account page, Quiet did not."""
    port, _ = smtp_server
    app = mail_app(make_app, port, COMMENTS_WIDGET_PUBLIC_URL=PUBLIC)
    with app.extensions["comments_widget"].session_factory() as session:
        boss = make_staff(session, "Boss", "admin")
        boss.digest_emails = False
        save_policy(session, Policy(premoderation="all"))
        session.commit()
        keen, quiet = create_reader(session, "Keen"), create_reader(session, "Quiet")
        keen_email, boss_email = keen.email, boss.email
        authors = {"keen": bearer(session, keen), "quiet": bearer(session, quiet)}
    keen_browser = app.test_client()
    login(keen_browser, keen_email)
    page = keen_browser.get(ACCOUNT).get_data(as_text=True)
    assert "Email me when a moderator publishes or turns down a comment" in page
    answer = submit(keen_browser, "emails", "emails", decisions="y")
    assert "Your email preferences are saved." in answer.get_data(as_text=True)
    admin = app.test_client()
    login(admin, boss_email)
    return app, admin, authors, {"keen": keen_email}


def test_an_author_who_asked_hears_that_their_comment_is_published(
        make_app: Any, smtp_server: tuple[int, Path]) -> None:
    app, admin, authors, emails = setup(make_app, smtp_server)
    client = app.test_client()
    mine = post(client, authors["keen"], body="Waiting for a moderator's yes.").get_json()
    theirs = post(client, authors["quiet"], body="Quiet waits too.").get_json()
    assert mine["status"] == theirs["status"] == "pending"
    act(admin, "approve", [mine["id"], theirs["id"]])
    [message] = mails_to(smtp_server[1], emails["keen"], 1)
    assert message["Subject"] == "Your comment is published"
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert "Waiting for a moderator's yes." in text
    assert f"{ARTICLE}#comment-{mine['id']}" in text
    assert f"{PUBLIC}/comments/account" in text  # where to turn it off
    everyone = [r for m in delivered(smtp_server[1], 1) for r in recipients(m)]
    assert everyone == [emails["keen"]]  # Quiet did not ask; nobody else was written to


def test_many_decisions_at_once_make_one_email_and_spam_tells_nothing(
        make_app: Any, smtp_server: tuple[int, Path]) -> None:
    app, admin, authors, emails = setup(make_app, smtp_server)
    client = app.test_client()
    ids = [post(client, authors["keen"], body=f"Held number {i}.").get_json()["id"]
           for i in range(3)]
    act(admin, "spam", [ids[2]])
    act(admin, "approve", [ids[0]])
    [published] = mails_to(smtp_server[1], emails["keen"], 1)
    assert "Held number 2" not in published.get_payload()[0].get_payload(decode=True).decode()
    act(admin, "reject", [ids[1]])
    messages = mails_to(smtp_server[1], emails["keen"], 2)
    assert sorted(m["Subject"] for m in messages) == ["Your comment is published",
                                                      "Your comment was not published"]
    more = [post(client, authors["keen"], body=f"Batch {i}.").get_json()["id"] for i in range(2)]
    act(admin, "approve", more)
    batch = [m for m in mails_to(smtp_server[1], emails["keen"], 3)
             if m["Subject"] == "Moderators reviewed 2 of your comments"]
    assert len(batch) == 1
    body = batch[0].get_payload()[0].get_payload(decode=True).decode()
    assert "Batch 0." in body and "Batch 1." in body


def test_approving_an_already_published_comment_sends_nothing_new(
        make_app: Any, smtp_server: tuple[int, Path]) -> None:
    app, admin, authors, emails = setup(make_app, smtp_server)
    client = app.test_client()
    held = post(client, authors["keen"], body="Once.").get_json()["id"]
    act(admin, "approve", [held])
    assert len(mails_to(smtp_server[1], emails["keen"], 1)) == 1
    act(admin, "approve", [held])  # already approved: not a decision on a held comment
    act(admin, "reject", [held])  # rejecting a published comment is not about a held one
    assert len(mails_to(smtp_server[1], emails["keen"], 2)) == 1
    with app.extensions["comments_widget"].session_factory() as session:
        assert [r.moderation_emails for r in stored(session, Reader)] == [False, True, False]
