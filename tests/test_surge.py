"""The surge shield: a flooded thread holds new comments by itself, tells moderators once,
and lifts itself after a quiet period; a thread at a normal pace is never touched."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from comments_widget.models import Alert, AuditEntry, Comment, Reader, Status, Thread, utcnow
from comments_widget.services import hold_reasons
from comments_widget.services.policy import Policy, save_policy
from tests.conftest import SITE, bearer, create_reader, csrf_token, login, make_staff, post
from tests.smtp import delivered, mail_app

BRIGADED = f"{SITE}/2023/09/brigaded"
CALM = f"{SITE}/2023/09/calm"


def session_of(app: Flask) -> Any:
    return app.extensions["comments_widget"].session_factory()


def readers(app: Flask, count: int, prefix: str, age: timedelta = timedelta(0)) -> list[dict]:
    """`count` readers created `age` ago, as bearer headers."""
    with session_of(app) as session:
        made = [create_reader(session, f"{prefix} {i}", f"{prefix.lower()}{i}@example.org")
                for i in range(count)]
        for reader in made:
            reader.created_at = utcnow() - age
        session.commit()
        return [bearer(session, reader) for reader in made]


def statuses(app: Flask, url: str) -> list[str]:
    with session_of(app) as session:
        return list(session.scalars(sa.select(Comment.status).join(Thread)
                                    .where(Thread.url == url).order_by(Comment.id)))


def pass_time(app: Flask, minutes: int) -> None:
    """Move every stored moment back, as if `minutes` had passed."""
    with session_of(app) as session:
        shift = timedelta(minutes=minutes)
        for comment in session.scalars(sa.select(Comment)):
            comment.created_at -= shift
        for thread in session.scalars(sa.select(Thread)):
            thread.surge_since = thread.surge_since and thread.surge_since - shift
            thread.surge_busy_at = thread.surge_busy_at and thread.surge_busy_at - shift
        session.commit()


def test_a_brigade_of_new_accounts_is_held_and_a_calm_thread_is_not(
    make_app: Any, smtp_server: tuple[int, Path]
) -> None:
    port, maildir = smtp_server
    app = mail_app(make_app, port)
    with session_of(app) as session:
        make_staff(session, "Morgan", "moderator")
    client = app.test_client()
    brigade = readers(app, 10, "Fresh")
    regulars = readers(app, 4, "Regular", age=timedelta(days=400))

    # The calm thread: a comment every six minutes from long-standing readers.
    for i in range(8):
        answer = post(client, regulars[i % 4], body=f"calm {i}", url=CALM)
        assert answer.get_json()["status"] == "approved"
        pass_time(app, 6)
    # The brigade: 30 comments from 10 accounts made today, within a minute.
    answers = [post(client, brigade[i % 10], body=f"brigade {i}", url=BRIGADED).get_json()
               for i in range(30)]
    assert [a["status"] for a in answers] == ["approved"] * 4 + ["pending"] * 26
    # A regular on the calm thread at the same moment is not affected.
    assert post(client, regulars[0], body="still calm", url=CALM).get_json()[
        "status"] == "approved"
    assert statuses(app, CALM) == [Status.APPROVED] * 9

    with session_of(app) as session:
        thread = session.scalars(sa.select(Thread).where(Thread.url == BRIGADED)).one()
        assert thread.surge_reason == "5 of 5 comments in 5 minutes from 5 accounts under " \
                                      "24 hours old"
        held = session.get(Comment, answers[-1]["id"])
        assert hold_reasons.loads(held.hold_reasons) == [
            hold_reasons.HoldReason(hold_reasons.SURGE, thread.surge_reason)]
        switches = session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action.in_(["surge_on", "surge_off"]))).all()
        assert [(e.action, e.target_id, e.detail) for e in switches] == [
            ("surge_on", thread.id, thread.surge_reason)]
    # Moderators hear about it once, beside the digest of held comments.
    time.sleep(1)
    messages = delivered(maildir, 2)
    surges = [m for m in messages if m["Subject"].startswith("Surge shield on")]
    assert len(surges) == 1 and "from 5 accounts under 24 hours old" in surges[0].get_payload()


def test_the_overview_and_the_thread_say_why_and_the_shield_lifts_after_quiet(
    make_app: Any,
) -> None:
    app = make_app()
    with session_of(app) as session:
        make_staff(session, "Morgan", "moderator")
    client = app.test_client()
    brigade = readers(app, 6, "Fresh")
    for i in range(8):
        post(client, brigade[i % 6], body=f"brigade {i}", url=BRIGADED)
    staff = app.test_client()
    login(staff, "morgan@example.org")
    overview = staff.get("/comments/admin/").get_data(as_text=True)
    assert "Surge shield on" in overview and "from 5 accounts under 24 hours old" in overview
    queue = staff.get("/comments/admin/queue/pending").get_data(as_text=True)
    assert "surge on this thread: 5 of 5 comments" in queue

    pass_time(app, 29)
    assert "Surge shield on" in staff.get("/comments/admin/").get_data(as_text=True)
    pass_time(app, 2)
    overview = staff.get("/comments/admin/").get_data(as_text=True)
    assert "Surge shield on" not in overview
    with session_of(app) as session:
        thread = session.scalars(sa.select(Thread).where(Thread.url == BRIGADED)).one()
        assert (thread.surge_since, thread.surge_reason) == (None, "")
        assert [e.action for e in session.scalars(sa.select(AuditEntry).where(
            AuditEntry.target_type == "thread").order_by(AuditEntry.id))] == [
            "surge_on", "surge_off"]
        assert session.scalars(sa.select(Alert)).one().cleared_at is not None
    # Back to normal: a new comment there goes live.
    assert post(client, brigade[0], body="after the storm", url=BRIGADED).get_json()[
        "status"] == "approved"


def test_a_site_can_turn_the_shield_off(make_app: Any) -> None:
    app = make_app()
    with session_of(app) as session:
        save_policy(session, Policy(surge_shield=False))
        session.commit()
    client = app.test_client()
    brigade = readers(app, 10, "Fresh")
    answers = [post(client, brigade[i % 10], body=f"b {i}", url=BRIGADED).get_json()
               for i in range(15)]
    assert {a["status"] for a in answers} == {"approved"}


def test_one_fast_reader_is_not_a_surge(make_app: Any) -> None:
    app = make_app()
    client = app.test_client()
    [alone] = readers(app, 1, "Fresh")
    answers = [post(client, alone, body=f"b {i}", url=BRIGADED).get_json() for i in range(12)]
    assert {a["status"] for a in answers} == {"approved"}
    with session_of(app) as session:
        assert session.scalar(sa.select(sa.func.count(Reader.id))) == 1


def test_a_moderator_sees_it_on_the_thread_lifts_it_and_the_timeline_tells_the_story(
    make_app: Any,
) -> None:
    app = make_app()
    with session_of(app) as session:
        make_staff(session, "Morgan", "moderator")
    client = app.test_client()
    brigade = readers(app, 6, "Fresh")
    for i in range(6):
        post(client, brigade[i], body=f"brigade {i}", url=BRIGADED)
    with session_of(app) as session:
        thread = session.scalars(sa.select(Thread).where(Thread.url == BRIGADED)).one()
        thread_id = thread.id
    staff = app.test_client()
    login(staff, "morgan@example.org")
    page = staff.get(f"/comments/admin/threads/{thread_id}").get_data(as_text=True)
    assert "Surge shield on" in page and "from 5 accounts under 24 hours old" in page
    assert "automatic</strong> surge on" in page
    lifted = staff.post(f"/comments/admin/threads/{thread_id}/lift", data={
        "csrf_token": csrf_token(staff, f"/comments/admin/threads/{thread_id}")},
        follow_redirects=True).get_data(as_text=True)
    assert "follow the policy again" in lifted and "Lift the shield now" not in lifted
    assert "Morgan</strong> surge off" in lifted
    assert post(client, brigade[0], body="now calm?", url=BRIGADED).get_json()[
        "status"] == "pending"  # still 7 comments from new accounts in the window: on again
    refused = staff.post(f"/comments/admin/threads/{thread_id}/lift", data={})
    assert refused.status_code == 400
