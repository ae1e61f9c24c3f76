"""How fast moderators decide, on the overview, and one email when the queue is past its
target (not one per comment)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import Alert, AuditEntry, Comment, Reader, Status, utcnow
from comments_widget.services import moderation, moderation_sla
from comments_widget.services.policy import Policy, save_policy
from tests.conftest import bearer, create_reader, login, make_staff, post
from tests.smtp import delivered, mail_app


def held(app: Any, body: str, minutes_ago: int) -> int:
    """A pending comment posted `minutes_ago`."""
    with app.extensions["comments_widget"].session_factory() as session:
        author = bearer(session, create_reader(session, f"A{body}", f"a{body}@example.org"))
    comment_id = post(app.test_client(), author, body=body).get_json()["id"]
    with app.extensions["comments_widget"].session_factory() as session:
        comment = session.get(Comment, comment_id)
        comment.status = Status.PENDING
        comment.created_at = utcnow() - timedelta(minutes=minutes_ago)
        session.commit()
    return comment_id


def test_pace_reports_the_oldest_wait_and_median_times_to_a_decision(
    session: Session, admin_user: Reader
) -> None:
    now = utcnow()
    author = create_reader(session, "Writer")
    from comments_widget.models import Thread
    thread = Thread(key="https://news.example/a", url="https://news.example/a")
    session.add(thread)
    session.flush()
    waits = {10: "day", 30: "day", 50: "day", 60 * 30: "week", 60 * 40: "week"}
    for minutes in waits:
        comment = Comment(thread_id=thread.id, author_id=author.id, body_source="x",
                          body_html="<p>x</p>", status=Status.PENDING,
                          created_at=now - timedelta(minutes=minutes))
        session.add(comment)
        session.flush()
        moderation.apply_action(session, admin_user, "approve", [comment.id])
    # Decisions happened now; back-date the two "week" ones by two days.
    session.commit()
    for entry in session.scalars(sa.select(AuditEntry)):
        comment = session.get(Comment, entry.target_id)
        if now - comment.created_at > timedelta(hours=20):
            entry.created_at = comment.created_at + timedelta(minutes=90)
    oldest = Comment(thread_id=thread.id, author_id=author.id, body_source="y",
                     body_html="<p>y</p>", status=Status.PENDING,
                     created_at=now - timedelta(minutes=75))
    session.add(oldest)
    session.commit()
    pace = moderation_sla.pace(session, now)
    assert pace.decided_day == 3 and pace.decided_week == 5
    assert abs(pace.median_day - timedelta(minutes=30)) < timedelta(seconds=5)
    assert abs(pace.median_week - timedelta(minutes=50)) < timedelta(seconds=5)
    assert abs(pace.oldest_pending - timedelta(minutes=75)) < timedelta(seconds=5)


def test_a_queue_past_its_target_emails_moderators_once(
    make_app: Any, smtp_server: tuple[int, Path]
) -> None:
    port, maildir = smtp_server
    app = mail_app(make_app, port)
    with app.extensions["comments_widget"].session_factory() as session:
        make_staff(session, "Morgan", "moderator")
        save_policy(session, Policy(sla_minutes=30))
        session.commit()
    staff = app.test_client()
    login(staff, "morgan@example.org")
    held(app, "early", minutes_ago=10)
    page = staff.get("/comments/admin/").get_data(as_text=True)
    assert "(target 30 min)" in page and "Comments have waited" not in page
    late = held(app, "late", minutes_ago=45)
    for _ in range(3):  # every look at the overview checks; one email in all
        page = staff.get("/comments/admin/").get_data(as_text=True)
    assert "Comments have waited 45 minutes for a moderator" in page
    time.sleep(1)
    alerts = [m for m in delivered(maildir, 1) if "waited" in m["Subject"]]
    assert len(alerts) == 1 and "The target is 30 minutes" in alerts[0].get_payload()

    with app.extensions["comments_widget"].session_factory() as session:
        moderation.apply_action(session, session.scalars(sa.select(Reader)).first(),
                                "approve", [late])
        session.commit()
    assert "Comments have waited" not in staff.get("/comments/admin/").get_data(as_text=True)
    with app.extensions["comments_widget"].session_factory() as session:
        assert session.get(Alert, "sla").cleared_at is not None
    held(app, "later", minutes_ago=40)  # a new breach is a new alert
    staff.get("/comments/admin/")
    time.sleep(1)
    assert len([m for m in delivered(maildir, 2) if "waited" in m["Subject"]]) == 2


def test_without_a_target_nothing_is_sent(make_app: Any, smtp_server: tuple[int, Path]) -> None:
    port, maildir = smtp_server
    app = mail_app(make_app, port)
    with app.extensions["comments_widget"].session_factory() as session:
        make_staff(session, "Morgan", "moderator")
    staff = app.test_client()
    login(staff, "morgan@example.org")
    held(app, "old", minutes_ago=600)
    page = staff.get("/comments/admin/").get_data(as_text=True)
    assert "10 hours" in page and "target" not in page
    time.sleep(1)
    assert [m for m in delivered(maildir, 1, timeout=1) if "waited" in m["Subject"]] == []
