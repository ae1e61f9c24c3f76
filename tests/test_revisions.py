"""Moderators edit a comment's text; the earlier text is kept for them, readers are told."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, CommentRevision, Status
from tests.conftest import ARTICLE, csrf_token, post, set_status, stored

QUEUE = "/comments/admin/queue/pending"
API = "/comments/api/v1"


def edit(client: FlaskClient, comment_id: int, body: str, queue: str = QUEUE):
    return client.post(f"/comments/admin/comments/{comment_id}/edit", data={
        "csrf_token": csrf_token(client, queue), "body": body, "next": queue},
        follow_redirects=True)


def public(client: FlaskClient) -> list[dict]:
    return client.get(f"{API}/threads", query_string={"url": ARTICLE}).get_json()["comments"]


def test_a_moderator_takes_a_phone_number_out_and_readers_see_it_was_a_moderator(
    client: FlaskClient, auth: dict, admin_client: FlaskClient, session: Session,
    admin_user
) -> None:
    original = "Call me on 555-0100, you **idiot**"
    comment_id = post(client, auth, body=original).get_json()["id"]
    page = edit(admin_client, comment_id, "Call me, you [removed]",
                queue="/comments/admin/queue/approved").get_data(as_text=True)
    assert f"Comment {comment_id} edited" in page
    [shown] = public(client)
    assert shown["html"] == "<p>Call me, you [removed]</p>" and shown["moderated"] is True
    assert shown["edited_at"] is None  # the author did not edit it
    [revision] = stored(session, CommentRevision)
    assert (revision.body_source, revision.kind, revision.edited_by_id) == (
        original, "moderator", admin_user.id)
    [entry] = stored(session, AuditEntry)
    assert (entry.action, entry.target_id) == ("moderator_edit", comment_id)
    assert session.get(Comment, comment_id).status == Status.APPROVED
    queue = admin_client.get("/comments/admin/queue/approved").get_data(as_text=True)
    assert "1 earlier version · edited by a moderator" in queue
    assert "Call me on 555-0100, you **idiot**</pre>" in queue


def test_an_edit_to_a_held_comment_keeps_it_held_and_is_sanitised(
    client: FlaskClient, auth: dict, admin_client: FlaskClient, session: Session
) -> None:
    comment_id = post(client, auth, body="first").get_json()["id"]
    set_status(session, comment_id, Status.PENDING)
    edit(admin_client, comment_id, "<script>alert(1)</script>[x](javascript:alert(1)) fine")
    session.expire_all()
    comment = session.get(Comment, comment_id)
    assert comment.status == Status.PENDING
    assert "<script" not in comment.body_html and "href=" not in comment.body_html
    assert comment.body_html.startswith("<p>&lt;script&gt;")
    assert public(client) == []


def test_an_empty_or_overlong_edit_is_refused_and_changes_nothing(
    client: FlaskClient, auth: dict, admin_client: FlaskClient, session: Session
) -> None:
    comment_id = post(client, auth, body="keep me").get_json()["id"]
    page = edit(admin_client, comment_id, "   ").get_data(as_text=True)
    assert "The new text is empty" in page
    page = edit(admin_client, comment_id, "x" * 20_000).get_data(as_text=True)
    assert "at most" in page
    missing = edit(admin_client, 99_999, "hello").get_data(as_text=True)
    assert "That comment does not exist." in missing
    assert session.get(Comment, comment_id).body_source == "keep me"
    assert stored(session, CommentRevision) == [] and stored(session, AuditEntry) == []
    expired = admin_client.post(f"/comments/admin/comments/{comment_id}/edit",
                                data={"body": "sneaky"})
    assert expired.status_code == 400


def test_an_authors_own_edit_keeps_the_earlier_text_for_moderators(
    client: FlaskClient, auth: dict, session: Session, reader
) -> None:
    comment_id = post(client, auth, body="I love this policy").get_json()["id"]
    client.patch(f"{API}/comments/{comment_id}", json={"body": "I hate this policy"},
                 headers=auth)
    [revision] = stored(session, CommentRevision)
    assert (revision.body_source, revision.kind, revision.edited_by_id) == (
        "I love this policy", "author", reader.id)
    assert public(client)[0]["moderated"] is False


def test_a_reader_cannot_reach_the_moderators_edit(
    client: FlaskClient, auth: dict, session: Session
) -> None:
    comment_id = post(client, auth, body="mine").get_json()["id"]
    answer = client.post(f"/comments/admin/comments/{comment_id}/edit", data={"body": "x"},
                         headers=auth)
    assert answer.status_code in (302, 403)
    assert session.scalar(sa.select(Comment.body_source)) == "mine"
