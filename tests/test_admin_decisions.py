"""Decisions as the queue's script makes them (JSON), undo, scoped actions, and the shapes
under them: hold reasons as records, keyset pages, the actions each status allows."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Flag, FlagReason, Reader, Status
from comments_widget.services import audit, community, hold_reasons, moderation
from comments_widget.services.hold_reasons import HoldReason
from comments_widget.services.queue_context import author_histories
from tests.conftest import bearer, create_reader, csrf_token, post, set_status, stored
from tests.test_admin_queues import ACT, QUEUE, ids_in, write

UNDO = "/comments/admin/comments/undo"
JSON = {"Accept": "application/json"}


@pytest.fixture
def author(session: Session) -> dict[str, str]:
    return bearer(session, create_reader(session, "Writer"))


def decide(client: FlaskClient, **fields: object):
    data = {"csrf_token": csrf_token(client, QUEUE + "pending"), **fields}
    return client.post(ACT, data=data, headers=JSON)


def undo(client: FlaskClient, entries: list[int]):
    data = {"csrf_token": csrf_token(client, QUEUE + "pending"), "entries": entries}
    return client.post(UNDO, data=data, headers=JSON)


def pending(client: FlaskClient, author: dict, session: Session, body: str) -> int:
    comment_id = write(client, author, body)
    set_status(session, comment_id, Status.PENDING)
    return comment_id


def test_a_decision_by_script_answers_json_with_what_undoes_it(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session
) -> None:
    comment_id = pending(client, author, session, "decide me")
    response = decide(admin_client, single=f"reject:{comment_id}")
    assert response.status_code == 200
    answer = response.get_json()
    [entry] = stored(session, AuditEntry)
    assert answer == {"message": "Rejected 1 comment.", "ids": [comment_id], "undo": [entry.id]}
    assert response.headers["Server-Timing"].startswith("app;dur=")
    assert stored(session, Comment)[0].status == Status.REJECTED


def test_a_refused_decision_by_script_says_why_in_json_and_changes_nothing(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session
) -> None:
    comment_id = pending(client, author, session, "keep me")
    gone = decide(admin_client, action="reject", ids=[str(comment_id), "99999"])
    assert gone.status_code == 400
    assert gone.get_json()["message"] == "Some of the selected comments no longer exist."
    expired = admin_client.post(ACT, data={"single": f"reject:{comment_id}"}, headers=JSON)
    assert expired.status_code == 400 and expired.get_json()["error"] == "form_expired"
    assert stored(session, Comment)[0].status == Status.PENDING
    assert stored(session, AuditEntry) == []


def test_undo_puts_a_reported_comment_back_exactly_as_it_was(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session,
    reader: Reader
) -> None:
    comment_id = write(client, author, "reported")
    session.add(Flag(comment_id=comment_id, reader_id=reader.id, reason=FlagReason.ABUSE,
                     text="rude"))
    session.execute(sa.update(Comment).values(needs_review=True, hidden_by_flags=True))
    session.commit()
    answer = decide(admin_client, single=f"approve:{comment_id}").get_json()
    session.expire_all()
    [comment] = stored(session, Comment)
    assert (comment.status, comment.needs_review, comment.hidden_by_flags) == (
        Status.APPROVED, False, False)
    assert stored(session, Flag)[0].resolved_at is not None

    back = undo(admin_client, answer["undo"])
    assert back.get_json()["message"] == "Undone: 1 comment put back."
    session.expire_all()
    [comment] = stored(session, Comment)
    assert (comment.status, comment.needs_review, comment.hidden_by_flags) == (
        Status.APPROVED, True, True)
    assert stored(session, Flag)[0].resolved_at is None
    html = admin_client.get(QUEUE + "reported").get_data(as_text=True)
    assert ids_in(html) == [comment_id]
    entries = stored(session, AuditEntry)
    assert [(e.action, e.before, e.after) for e in entries] == [
        ("approve", "approved", "approved"), ("undo", "approved", "approved")]
    assert json.loads(entries[1].detail) == {"undid": entries[0].id}


def test_undo_is_refused_once_someone_decided_again(
    client: FlaskClient, admin_client: FlaskClient, mod_client: FlaskClient, author: dict,
    session: Session
) -> None:
    comment_id = pending(client, author, session, "twice decided")
    first = decide(admin_client, single=f"reject:{comment_id}").get_json()
    decide(mod_client, single=f"approve:{comment_id}")
    refused = undo(admin_client, first["undo"])
    assert refused.status_code == 409
    assert refused.get_json()["message"] == (
        f"Comment {comment_id} was changed after that decision; nothing was undone.")
    assert stored(session, Comment)[0].status == Status.APPROVED
    assert undo(admin_client, first["undo"] + [999999]).status_code == 400
    assert [e.action for e in stored(session, AuditEntry)] == ["reject", "approve"]


def test_without_javascript_the_page_after_a_decision_offers_undo(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session
) -> None:
    comment_id = pending(client, author, session, "no script")
    page = admin_client.post(ACT, data={
        "csrf_token": csrf_token(admin_client, QUEUE + "pending"),
        "single": f"spam:{comment_id}", "next": "/comments/admin/queue/pending"},
        follow_redirects=True).get_data(as_text=True)
    [entry] = stored(session, AuditEntry)
    assert "Marked as spam 1 comment." in page
    assert f'name="entries" value="{entry.id}"' in page
    page = admin_client.post(UNDO, data={
        "csrf_token": csrf_token(admin_client, QUEUE + "pending"), "entries": [entry.id],
        "next": "/comments/admin/queue/pending"}, follow_redirects=True).get_data(as_text=True)
    assert "Undone: 1 comment put back." in page and ids_in(page) == [comment_id]
    assert stored(session, Comment)[0].status == Status.PENDING


def test_approve_all_from_a_reader_and_reject_all_in_a_thread_since(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session
) -> None:
    other = bearer(session, create_reader(session, "Other", "other@example.org"))
    mine = [pending(client, author, session, f"mine {i}") for i in range(3)]
    theirs = [pending(client, other, session, f"theirs {i}") for i in range(2)]
    answer = decide(admin_client, scoped=f"approve:author:{mine[0]}").get_json()
    assert sorted(answer["ids"]) == mine
    statuses = {c.id: c.status for c in stored(session, Comment)}
    assert [statuses[i] for i in mine + theirs] == [Status.APPROVED] * 3 + [Status.PENDING] * 2

    answer = decide(admin_client, scoped=f"reject:thread_since:{mine[2]}").get_json()
    assert sorted(answer["ids"]) == [mine[2], *theirs]  # posted at or after it
    session.expire_all()
    statuses = {c.id: c.status for c in stored(session, Comment)}
    assert [statuses[i] for i in mine + theirs] == [Status.APPROVED] * 2 + [Status.REJECTED] * 3
    nothing = decide(admin_client, scoped="reject:everything:1")
    assert nothing.status_code == 400 and nothing.get_json()["message"] == (
        "Select at least one comment.")


@pytest.mark.parametrize(("status", "needs_review", "actions"), [
    (Status.PENDING, False, ("approve", "reject", "spam", "delete")),
    (Status.APPROVED, False, ("reject", "spam", "delete")),
    (Status.APPROVED, True, ("approve", "reject", "spam", "delete")),
    (Status.REJECTED, False, ("approve", "spam", "delete", "restore")),
    (Status.SPAM, False, ("approve", "reject", "delete", "restore")),
    (Status.DELETED, False, ("approve", "reject", "spam", "restore")),
])
def test_each_status_allows_every_action_but_the_one_it_is(
    status: Status, needs_review: bool, actions: tuple[str, ...]
) -> None:
    comment = Comment(status=status, needs_review=needs_review)
    assert moderation.allowed_actions(comment) == actions


def test_hold_reasons_are_records_and_old_english_rows_read_back_the_same() -> None:
    reasons = [HoldReason(hold_reasons.BANNED_WORD, "casino"), HoldReason(hold_reasons.LINKS, "4"),
               HoldReason(hold_reasons.PREMODERATION), HoldReason(hold_reasons.FIRST_TIME),
               HoldReason(hold_reasons.EMAIL_NOT_VERIFIED)]
    assert hold_reasons.loads(hold_reasons.dumps(reasons)) == reasons
    legacy = json.dumps(["banned word: casino", "4 links", "pre-moderation: all comments",
                         "first-time commenter", "email not verified"])
    assert hold_reasons.loads(legacy) == reasons
    assert hold_reasons.loads("not json") == [] and hold_reasons.loads(None) == []
    assert hold_reasons.loads('["something else"]') == [HoldReason("other", "something else")]


def test_a_full_last_page_offers_no_empty_next_page(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session
) -> None:
    first_id = pending(client, author, session, "c0")
    thread_id = session.get(Comment, first_id).thread_id
    rest = [Comment(thread_id=thread_id, author_id=session.get(Comment, first_id).author_id,
                    body_source=f"c{i}", body_html=f"<p>c{i}</p>", status=Status.PENDING)
            for i in range(1, moderation.PAGE_SIZE + 1)]
    session.add_all(rest)
    session.commit()
    ids = [first_id, *(c.id for c in rest)]
    first = admin_client.get(QUEUE + "pending").get_data(as_text=True)
    assert ids_in(first) == ids[::-1][: moderation.PAGE_SIZE]
    assert f"before={ids[1]}" in first
    last = admin_client.get(QUEUE + f"pending?before={ids[1]}").get_data(as_text=True)
    assert ids_in(last) == [ids[0]] and "Older comments" not in last
    set_status(session, ids[0], Status.APPROVED)  # now exactly one full page is pending
    exact = admin_client.get(QUEUE + "pending").get_data(as_text=True)
    assert len(ids_in(exact)) == moderation.PAGE_SIZE and "Older comments" not in exact


def test_keyset_pages_of_readers_and_of_the_audit_log_end_exactly(session: Session,
                                                                  admin_user: Reader) -> None:
    for i in range(3):
        create_reader(session, f"Person {i}", f"person{i}@example.org")
    everyone = session.scalar(sa.select(sa.func.count(Reader.id)))
    page = community.reader_page(session, limit=everyone)
    assert len(page) == everyone and page.next_before is None
    page = community.reader_page(session, limit=everyone - 1)
    assert page.next_before == page.rows[-1].reader.id
    for i in range(2):
        audit.record(session, admin_user, "test", "thing", i)
    session.commit()
    assert audit.entries(session, audit.AuditFilter(), limit=2).next_before is None
    assert audit.entries(session, audit.AuditFilter(), limit=1).next_before is not None


def test_authors_record_counts_their_comments_reports_and_bans(
    client: FlaskClient, author: dict, session: Session, admin_user: Reader, reader: Reader
) -> None:
    approved = write(client, author, "ok")
    rejected = write(client, author, "no")
    set_status(session, rejected, Status.REJECTED)
    writer = session.scalars(sa.select(Reader).where(Reader.display_name == "Writer")).one()
    session.add(Flag(comment_id=approved, reader_id=reader.id, reason=FlagReason.SPAM))
    session.commit()
    community.ban(session, admin_user, writer, "shouting", None, False)
    community.unban(session, admin_user, writer)
    session.commit()
    history = author_histories(session, {writer.id}, writer.created_at)[writer.id]
    assert history.counts == {"approved": 1, "rejected": 1}
    assert (history.reports_against, history.bans, history.banned_now) == (1, 1, False)
    assert history.signed_up_with == "own account" and not history.first_timer
    assert [r.id for r in history.recent] == [rejected, approved]


def test_a_hostile_comment_is_escaped_in_its_replys_context(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session
) -> None:
    parent = write(client, author, "<script>alert(1)</script> **bold** &lt;b&gt;")
    reply = post(client, author, body="a reply", parent_id=parent).get_json()["id"]
    set_status(session, reply, Status.PENDING)
    html = admin_client.get(QUEUE + "pending").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "In reply to Writer:" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; bold &lt;b&gt;</blockquote>" in html


def test_tabs_count_exactly_up_to_a_thousand_and_then_say_so(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session
) -> None:
    first_id = pending(client, author, session, "c0")
    first = session.get(Comment, first_id)
    session.execute(sa.insert(Comment), [
        {"thread_id": first.thread_id, "author_id": first.author_id, "body_source": f"c{i}",
         "body_html": f"<p>c{i}</p>", "status": Status.PENDING if i < 999 else Status.SPAM}
        for i in range(1, 1001)])
    session.commit()
    page = admin_client.get(QUEUE + "pending").get_data(as_text=True)
    assert 'Pending <span class="count">1,000+</span>' not in page
    assert 'Pending <span class="count">999</span>' in page
    assert 'Spam <span class="count">2</span>' in page
    session.execute(sa.insert(Comment), [
        {"thread_id": first.thread_id, "author_id": first.author_id, "body_source": "more",
         "body_html": "<p>more</p>", "status": Status.PENDING} for _ in range(2)])
    session.commit()
    page = admin_client.get(QUEUE + "pending").get_data(as_text=True)
    assert 'Pending <span class="count">1,000+</span>' in page
