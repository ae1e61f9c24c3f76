"""The moderators' digest, delivered to a real SMTP server process (aiosmtpd)."""

from __future__ import annotations

import mailbox
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from comments_widget.models import Comment, Reader
from comments_widget.services.comments import PostingRules, ThreadRef, post_comment
from comments_widget.services.policy import Policy, save_policy
from tests.conftest import ARTICLE, bearer, create_reader, make_staff, post, stored
from tests.live import free_port


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """aiosmtpd on 127.0.0.1, delivering into a Maildir; stopped after the test."""
    port, maildir = free_port(), tmp_path / "maildir"
    log = (tmp_path / "aiosmtpd.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    import socket

    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait(timeout=10)
        log.close()
        pytest.fail(f"aiosmtpd did not start: {(tmp_path / 'aiosmtpd.log').read_text()}")
    try:
        yield port, maildir
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def delivered(maildir: Path, count: int, timeout: float = 10) -> list[Any]:
    """Messages in the Maildir once `count` have arrived (bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if maildir.exists():
            messages = list(mailbox.Maildir(str(maildir)))
            if len(messages) >= count:
                return messages
        time.sleep(0.1)
    return list(mailbox.Maildir(str(maildir))) if maildir.exists() else []


def mail_app(make_app: Any, port: int, **extra: Any) -> Any:
    return make_app(COMMENTS_WIDGET_SMTP_HOST="127.0.0.1", COMMENTS_WIDGET_SMTP_PORT=port,
                    COMMENTS_WIDGET_MAIL_SENDER="comments@news.example", **extra)


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
    assert "Emailed moderators about 2 held comments." in result.output
    messages = delivered(maildir, 2)
    second = [m for m in messages if m["Subject"] == "2 comments waiting for review"]
    assert len(second) == 1
    assert "https://comments.news.example/comments/admin/queue/pending" in second[0].get_payload()


def test_failed_delivery_keeps_comments_for_the_next_digest(make_app: Any) -> None:
    from comments_widget.services.notify import send_digest

    app = mail_app(make_app, free_port(), COMMENTS_WIDGET_PUBLIC_URL="https://c.example")
    state = app.extensions["comments_widget"]
    with state.session_factory() as db:
        make_staff(db, "Morgan", "moderator")
        writer = create_reader(db, "Writer")
        # Through the service, so that no background digest races this one.
        post_comment(db, author=writer, ref=ThreadRef(ARTICLE, ARTICLE), body="held",
                     parent_id=None, rules=PostingRules(100, 3),
                     policy=Policy(premoderation="all"))
        db.commit()
    with pytest.raises(OSError):
        send_digest(state.session_factory, state.mail)
    with state.session_factory() as db:
        assert [c.notified_at for c in stored(db, Comment)] == [None]
        assert [r.display_name for r in stored(db, Reader)] == ["Morgan", "Writer"]
