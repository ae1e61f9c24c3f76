"""Readers report comments: one report each, enough of them hide a comment until reviewed."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Flag
from tests.conftest import ARTICLE, bearer, create_reader, post, stored, verify


@pytest.fixture
def target(client: FlaskClient, session: Session) -> int:
    author = bearer(session, create_reader(session, "Author"))
    return post(client, author, body="a hot take").get_json()["id"]


def flag(client: FlaskClient, headers: dict, comment_id: int, **body: object):
    return client.post(f"/comments/api/v1/comments/{comment_id}/flag", json=body,
                       headers=headers)


def visible_ids(client: FlaskClient) -> list[int]:
    payload = client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()
    return [c["id"] for c in payload["comments"]]


def test_a_report_is_recorded_and_the_comment_stays_visible(client: FlaskClient, auth: dict,
                                                            target: int,
                                                            session: Session) -> None:
    response = flag(client, auth, target, reason="spam")
    assert (response.status_code, response.get_json()) == (201, {"reported": True})
    [stored_flag] = stored(session, Flag)
    assert (stored_flag.comment_id, stored_flag.reason.value) == (target, "spam")
    assert stored(session, Comment)[0].needs_review is True
    assert visible_ids(client) == [target]


def test_one_report_per_reader_per_comment(client: FlaskClient, auth: dict, target: int,
                                           session: Session) -> None:
    flag(client, auth, target, reason="spam")
    again = flag(client, auth, target, reason="abuse")
    assert (again.status_code, again.get_json()["error"]) == (409, "already_reported")
    assert len(stored(session, Flag)) == 1


def test_threshold_of_reports_hides_the_comment(client: FlaskClient, target: int,
                                                session: Session) -> None:
    people = [create_reader(session, f"R{i}") for i in range(3)]
    verify(session, *people)
    reporters = [bearer(session, person) for person in people]
    flag(client, reporters[0], target, reason="abuse")
    flag(client, reporters[1], target, reason="off_topic")
    assert visible_ids(client) == [target]
    flag(client, reporters[2], target, reason="other", text="doxxing")
    assert visible_ids(client) == []
    counts = client.get("/comments/api/v1/counts", query_string={"url": ARTICLE}).get_json()
    assert counts["counts"][ARTICLE] == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "invalid_reason"), ({"reason": "boring"}, "invalid_reason"),
     ({"reason": "other"}, "reason_text_required"),
     ({"reason": "other", "text": "x" * 501}, "reason_text_too_long")],
)
def test_bad_reports_are_refused(client: FlaskClient, auth: dict, target: int,
                                 session: Session, body: dict, code: str) -> None:
    response = flag(client, auth, target, **body)
    assert (response.status_code, response.get_json()["error"]) == (400, code)
    assert stored(session, Flag) == []


def test_reports_need_a_login_and_a_visible_comment_not_ones_own(client: FlaskClient,
                                                                 auth: dict, target: int,
                                                                 session: Session) -> None:
    assert flag(client, {}, target, reason="spam").get_json()["error"] == "not_logged_in"
    assert flag(client, auth, 9999, reason="spam").get_json()["error"] == "unknown_comment"
    mine = post(client, auth, body="mine").get_json()["id"]
    assert flag(client, auth, mine, reason="spam").get_json()["error"] == "own_comment"
    assert stored(session, Flag) == []
