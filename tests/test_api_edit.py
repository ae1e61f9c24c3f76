"""Authors edit and delete their own comments."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Status
from tests.conftest import ARTICLE, bearer, create_reader, post, set_policy, stored

URL = "/comments/api/v1/comments/{}"


def thread(client: FlaskClient) -> dict:
    return client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()


def test_author_edits_and_the_comment_is_re_rendered(client: FlaskClient, auth: dict,
                                                     session: Session) -> None:
    comment_id = post(client, auth, body="fisrt").get_json()["id"]
    response = client.patch(URL.format(comment_id), json={"body": "*first*"}, headers=auth)
    assert response.get_json()["html"] == "<p><em>first</em></p>"
    [comment] = stored(session, Comment)
    assert (comment.body_source, comment.body_html) == ("*first*", "<p><em>first</em></p>")


def test_others_cannot_edit_or_delete(client: FlaskClient, auth: dict, session: Session) -> None:
    comment_id = post(client, auth, body="mine").get_json()["id"]
    other = bearer(session, create_reader(session, "Eve"))
    assert client.patch(URL.format(comment_id), json={"body": "hacked"},
                        headers=other).get_json()["error"] == "not_your_comment"
    assert client.delete(URL.format(comment_id), headers=other).status_code == 403
    assert stored(session, Comment)[0].body_source == "mine"


def test_edit_with_bad_body_changes_nothing(client: FlaskClient, auth: dict,
                                            session: Session) -> None:
    comment_id = post(client, auth, body="keep").get_json()["id"]
    response = client.patch(URL.format(comment_id), json={"body": " "}, headers=auth)
    assert response.get_json()["error"] == "body_required"
    assert stored(session, Comment)[0].body_source == "keep"


def test_deleted_comment_with_replies_stays_as_a_placeholder(client: FlaskClient, auth: dict,
                                                             session: Session) -> None:
    parent = post(client, auth, body="parent").get_json()["id"]
    other = bearer(session, create_reader(session, "Grace"))
    post(client, other, body="a reply", parent_id=parent)
    lonely = post(client, auth, body="no replies").get_json()["id"]
    assert client.delete(URL.format(parent), headers=auth).status_code == 204
    assert client.delete(URL.format(lonely), headers=auth).status_code == 204
    payload = thread(client)
    [placeholder] = payload["comments"]
    assert (placeholder["status"], placeholder["html"], placeholder["author"]["name"]) == (
        "deleted", "", None)
    assert [r["html"] for r in placeholder["replies"]] == ["<p>a reply</p>"]
    assert payload["thread"]["comment_count"] == 1
    assert [e.action for e in stored(session, AuditEntry)] == ["author_delete"] * 2
    assert client.delete(URL.format(lonely), headers=auth).get_json()["error"] == (
        "unknown_comment")


def test_edit_that_adds_a_banned_word_goes_back_to_review(client: FlaskClient, auth: dict,
                                                          session: Session, state: Any) -> None:
    from comments_widget.services.policy import Policy

    set_policy(session, state, Policy(banned_words=("casino",)))
    comment_id = post(client, auth, body="innocent").get_json()["id"]
    edited = client.patch(URL.format(comment_id), json={"body": "visit my casino"},
                          headers=auth)
    assert edited.get_json()["status"] == "pending"
    assert stored(session, Comment)[0].status == Status.PENDING
    assert thread(client)["comments"] == []


def test_everyone_sees_that_a_comment_was_edited_and_when(client: FlaskClient, auth: dict,
                                                          session: Session) -> None:
    comment_id = post(client, auth, body="fisrt").get_json()["id"]
    assert thread(client)["comments"][0]["edited_at"] is None
    client.patch(URL.format(comment_id), json={"body": "first"}, headers=auth)
    [shown] = thread(client)["comments"]
    [comment] = stored(session, Comment)
    assert shown["edited_at"] == comment.edited_at.isoformat()
    assert comment.edited_at > comment.created_at


def test_moderation_and_an_unchanged_save_are_not_edits(client: FlaskClient, auth: dict,
                                                        session: Session) -> None:
    comment_id = post(client, auth, body="same").get_json()["id"]
    client.patch(URL.format(comment_id), json={"body": "same"}, headers=auth)
    from tests.conftest import set_status

    set_status(session, comment_id, Status.APPROVED)
    assert thread(client)["comments"][0]["edited_at"] is None
