"""The moderators' digest, delivered to a real SMTP server process (aiosmtpd)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from comments_widget.mail import MailFailed
from comments_widget.models import Comment, Reader
from comments_widget.services.comments import PostingRules, ThreadRef, post_comment
from comments_widget.services.policy import Policy, save_policy
from tests.conftest import ARTICLE, bearer, create_reader, make_staff, post, stored
from tests.smtp import delivered, mail_app


def test_held_comment_emails_moderators_with_a_link_to_the_queue(
    make_app: Any, smtp_server: tuple[int, Path]
) -> None:
    port, maildir = smtp_server
    app = mail_app(make_app, port)
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as session:
        make_staff(session, "Morgan", "moderator")
        make_staff(session, "Boss", "admin")
        save_policy(session, Policy(banned_words=("casino",)))
        session.commit()
        author = bearer(session, create_reader(session, "Spammer"))
    assert post(client, author, body="best casino in town").get_json()["status"] == "pending"
    [message] = delivered(maildir, 1)
    assert message["Subject"] == "1 comment waiting for review"
    assert message["From"] == "comments@news.example"
    body = message.get_payload()
    assert "Spammer: best casino in town" in body
    assert "http://localhost/comments/admin/queue/pending" in body
    with app.extensions["comments_widget"].session_factory() as session:
        assert all(c.notified_at is not None for c in stored(session, Comment))


def test_digests_are_batched(make_app: Any, smtp_server: tuple[int, Path]) -> None:
    port, maildir = smtp_server
    app = mail_app(make_app, port, COMMENTS_WIDGET_PUBLIC_URL="https://comments.news.example")
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as session:
        make_staff(session, "Morgan", "moderator")
        save_policy(session, Policy(premoderation="all"))
        session.commit()
        author = bearer(session, create_reader(session, "Writer"))
    post(client, author, body="first")
    assert len(delivered(maildir, 1)) == 1
    post(client, author, body="second")
    post(client, author, body="third")
    time.sleep(0.5)
    assert len(delivered(maildir, 1)) == 1  # Inside the interval: no second email yet.
    result = app.test_cli_runner().invoke(args=["comments-widget", "notify-moderators"])
    assert ("Emailed moderators about 2 held comments and 0 alerts; lifted 0 quiet surge "
            "shields.") in result.output
    messages = delivered(maildir, 2)
    second = [m for m in messages if m["Subject"] == "2 comments waiting for review"]
    assert len(second) == 1
    assert "https://comments.news.example/comments/admin/queue/pending" in second[0].get_payload()


def test_failed_delivery_keeps_comments_for_the_next_digest(
        make_app: Any, mail_server_down: int) -> None:
    from comments_widget.services.notify import send_digest

    app = mail_app(make_app, mail_server_down, COMMENTS_WIDGET_PUBLIC_URL="https://c.example")
    state = app.extensions["comments_widget"]
    with state.session_factory() as db:
        make_staff(db, "Morgan", "moderator")
        writer = create_reader(db, "Writer")
        # Through the service, so that no background digest races this one.
        post_comment(db, author=writer, ref=ThreadRef(ARTICLE, ARTICLE), body="held",
                     parent_id=None, rules=PostingRules(100, 3),
                     policy=Policy(premoderation="all"))
        db.commit()
    with pytest.raises(MailFailed):
        send_digest(state.session_factory, state.mail)
    with state.session_factory() as db:
        assert [c.notified_at for c in stored(db, Comment)] == [None]
        assert [r.display_name for r in stored(db, Reader)] == ["Morgan", "Writer"]
