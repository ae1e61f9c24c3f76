"""POST /comments/api/v1/comments: posting comments and replies, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Status, Thread
from tests.conftest import ARTICLE, SITE, bearer, create_reader, post, set_status, stored

URL = "/comments/api/v1/comments"


def snapshot(session: Session) -> tuple[list[tuple], list[tuple]]:
    """Everything stored about threads and comments, to show a refusal changed nothing."""
    threads = [(t.id, t.key, t.title) for t in stored(session, Thread)]
    comments = [(c.id, c.thread_id, c.parent_id, c.body_source, c.status)
                for c in stored(session, Comment)]
    return threads, comments


def test_first_comment_creates_the_thread_never_titled_by_the_commenter(
    client: FlaskClient, auth: dict, session: Session
) -> None:
    response = post(client, auth, body="First *thoughts*", url=ARTICLE + "?utm_source=x",
                    title="Official: site hacked, log in at evil.example")
    assert response.status_code == 201
    body = response.get_json()
    assert body["html"] == "<p>First <em>thoughts</em></p>"
    assert body["author"]["name"] == "Ada" and isinstance(body["author"]["id"], int)
    assert body["parent_id"] is None and body["status"] == "approved"
    [thread] = stored(session, Thread)
    # news.example cannot be fetched here, so the thread has no title until a moderator (or a
    # reachable page, tests/test_page_meta.py) gives it one; it never takes the client's.
    assert (thread.key, thread.url, thread.title) == (ARTICLE, ARTICLE, "")
    [comment] = stored(session, Comment)
    assert comment.body_source == "First *thoughts*"
    assert comment.body_html == "<p>First <em>thoughts</em></p>"
    assert comment.created_at.tzinfo is not None


def test_reply_nests_under_its_parent(client: FlaskClient, auth: dict) -> None:
    parent = post(client, auth, body="Top").get_json()
    reply = post(client, auth, body="Reply", parent_id=parent["id"])
    assert reply.status_code == 201
    assert reply.get_json()["parent_id"] == parent["id"]
    thread = client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()
    assert [c["html"] for c in thread["comments"]] == ["<p>Top</p>"]
    assert [c["html"] for c in thread["comments"][0]["replies"]] == ["<p>Reply</p>"]


def test_hostile_markdown_is_stored_sanitised(client: FlaskClient, auth: dict) -> None:
    body = post(client, auth, body='[x](javascript:alert(1)) <img src=x onerror=alert(1)>')
    html = body.get_json()["html"]
    assert "<img" not in html and "href=\"javascript" not in html


def error_of(response: Any) -> str:
    return response.get_json()["error"]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"url": ARTICLE}, 400, "body_required"),
        ({"url": ARTICLE, "body": "   \n "}, 400, "body_required"),
        ({"url": ARTICLE, "body": 42}, 400, "body_required"),
        ({"url": ARTICLE, "body": "x" * 10_001}, 400, "body_too_long"),
        ({"body": "hi"}, 400, "url_required"),
        ({"url": "not a url", "body": "hi"}, 400, "invalid_url"),
        ({"url": "https://evil.example/story", "body": "hi"}, 403, "origin_not_allowed"),
        ({"url": ARTICLE, "body": "hi", "parent_id": 999_999}, 404, "unknown_parent"),
        ({"url": ARTICLE, "body": "hi", "parent_id": "1"}, 400, "invalid_parent_id"),
        ({"url": ARTICLE, "body": "hi", "thread_id": "x" * 201}, 400, "invalid_thread_id"),
    ],
)
def test_bad_posts_are_refused_and_change_nothing(
    client: FlaskClient, auth: dict, session: Session, payload: dict, status: int, code: str
) -> None:
    post(client, auth, body="Existing comment")
    before = snapshot(session)
    response = client.post(URL, json=payload, headers=auth)
    assert (response.status_code, error_of(response)) == (status, code)
    assert response.get_json()["message"]
    assert snapshot(session) == before


def test_body_at_the_limit_is_accepted(client: FlaskClient, auth: dict) -> None:
    assert post(client, auth, body="x" * 10_000).status_code == 201


def test_body_limit_is_configurable(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_MAX_BODY_LENGTH=20)
    with app.extensions["comments_widget"].session_factory() as session:
        headers = bearer(session, create_reader(session))
    response = post(app.test_client(), headers, body="x" * 21)
    assert error_of(response) == "body_too_long"
    assert "20" in response.get_json()["message"]


def test_malformed_json_is_refused(client: FlaskClient, auth: dict, session: Session) -> None:
    response = client.post(URL, data="{not json", headers=auth, content_type="application/json")
    assert (response.status_code, error_of(response)) == (400, "invalid_json")
    assert stored(session, Comment) == []


def test_json_that_is_not_an_object_is_refused(client: FlaskClient, auth: dict) -> None:
    response = client.post(URL, json=["body"], headers=auth)
    assert error_of(response) == "invalid_json"


def test_form_encoded_bodies_are_refused(client: FlaskClient, auth: dict,
                                         session: Session) -> None:
    response = client.post(URL, data={"url": ARTICLE, "body": "hi"}, headers=auth)
    assert (response.status_code, error_of(response)) == (415, "unsupported_media_type")
    assert stored(session, Comment) == []


def test_oversized_request_is_refused(client: FlaskClient, auth: dict, session: Session) -> None:
    response = post(client, auth, body="x" * 300_000)
    assert (response.status_code, error_of(response)) == (413, "payload_too_large")
    assert stored(session, Comment) == []


def test_anonymous_posts_are_refused(client: FlaskClient, session: Session) -> None:
    response = post(client, {}, body="hello")
    assert (response.status_code, error_of(response)) == (401, "not_logged_in")
    assert stored(session, Thread) == [] and stored(session, Comment) == []


def test_bad_token_is_refused_not_treated_as_anonymous(client: FlaskClient,
                                                       session: Session) -> None:
    response = post(client, {"Authorization": "Bearer made-up"}, body="hello")
    assert (response.status_code, error_of(response)) == (401, "bad_token")
    assert stored(session, Comment) == []


def test_reply_to_a_comment_on_another_article_is_refused(client: FlaskClient, auth: dict,
                                                          session: Session) -> None:
    other = post(client, auth, body="elsewhere", url=f"{SITE}/other").get_json()
    before = snapshot(session)
    response = post(client, auth, body="hi", parent_id=other["id"])
    assert (response.status_code, error_of(response)) == (400, "parent_in_other_thread")
    assert snapshot(session) == before  # In particular, no thread was made for ARTICLE.


def test_reply_to_a_hidden_comment_is_refused(client: FlaskClient, auth: dict,
                                              session: Session) -> None:
    parent = post(client, auth, body="soon rejected").get_json()
    set_status(session, parent["id"], Status.REJECTED)
    response = post(client, auth, body="hi", parent_id=parent["id"])
    assert error_of(response) == "unknown_parent"


def test_replies_deeper_than_the_limit_are_refused(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_MAX_DEPTH=1)
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as session:
        headers = bearer(session, create_reader(session))
        top = post(client, headers, body="depth 0").get_json()
        reply = post(client, headers, body="depth 1", parent_id=top["id"]).get_json()
        before = snapshot(session)
        response = post(client, headers, body="depth 2", parent_id=reply["id"])
        assert (response.status_code, error_of(response)) == (400, "too_deep")
        assert snapshot(session) == before


def test_posting_is_rate_limited_per_reader(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_POST_RATE_LIMIT="2/day")
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as session:
        headers = bearer(session, create_reader(session))
        other = bearer(session, create_reader(session, "Grace"))
    assert [post(client, headers, body=str(i)).status_code for i in range(2)] == [201, 201]
    refused = post(client, headers, body="third")
    assert (refused.status_code, error_of(refused)) == (429, "rate_limited")
    assert int(refused.headers["Retry-After"]) >= 1
    assert post(client, other, body="another reader").status_code == 201
