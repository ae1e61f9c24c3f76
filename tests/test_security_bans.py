"""A ban stops everything a reader does; an edit runs the whole policy; only admins act on
moderators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden
from comments_widget.models import Comment, Flag, Reader, Status, utcnow
from comments_widget.services import community, hold_reasons
from comments_widget.services.hold_reasons import HoldReason
from comments_widget.services.policy import Policy
from tests.conftest import (
    ARTICLE,
    PASSWORD,
    bearer,
    create_reader,
    csrf_token,
    post,
    set_policy,
    stored,
)

API = "/comments/api/v1"


def ban(session: Session, admin: Reader, reader: Reader, until: timedelta | None = None) -> None:
    community.ban(session, session.merge(admin), session.merge(reader), "spamming",
                  utcnow() + until if until else None, False)
    session.commit()


def test_a_banned_reader_gets_no_new_token_and_is_told_why(
    client: FlaskClient, session: Session, reader: Reader, admin_user: Reader
) -> None:
    ban(session, admin_user, reader)
    right = client.post(f"{API}/tokens", json={"email": reader.email, "password": PASSWORD})
    assert (right.status_code, right.get_json()["error"]) == (403, "banned")
    assert "Reason: spamming" in right.get_json()["message"]
    wrong = client.post(f"{API}/tokens", json={"email": reader.email, "password": "not it!!"})
    assert wrong.get_json()["error"] == "invalid_credentials"  # No hint for a wrong password.


def test_a_banned_reader_cannot_log_in_through_the_popup(
    app: Flask, session: Session, reader: Reader, admin_user: Reader
) -> None:
    ban(session, admin_user, reader)
    client = app.test_client()
    page = client.post("/comments/login?origin=https%3A%2F%2Fnews.example", data={
        "email": reader.email, "password": PASSWORD,
        "csrf_token": csrf_token(client, "/comments/login")})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "You have been banned from commenting. Reason: spamming" in text
    assert "data-token" not in text


def test_a_banned_reader_cannot_post_edit_delete_or_report(
    client: FlaskClient, session: Session, reader: Reader, auth: dict, admin_user: Reader
) -> None:
    other = bearer(session, create_reader(session, "Grace"))
    mine = post(client, auth, body="approved before the ban").get_json()["id"]
    theirs = post(client, other, body="someone else's").get_json()["id"]
    ban(session, admin_user, reader)
    attempts = [
        post(client, auth, body="after the ban"),
        client.patch(f"{API}/comments/{mine}",
                     json={"body": "EDITED AFTER BAN: visit spam.example"}, headers=auth),
        client.delete(f"{API}/comments/{mine}", headers=auth),
        client.post(f"{API}/comments/{theirs}/flag", json={"reason": "spam"}, headers=auth),
        client.get(f"{API}/me", headers=auth),
    ]
    for response in attempts:
        assert (response.status_code, response.get_json()["error"]) == (403, "banned")
        assert "Reason: spamming" in response.get_json()["message"]
    comments = {c.id: (c.body_source, c.status) for c in stored(session, Comment)}
    assert comments == {mine: ("approved before the ban", Status.APPROVED),
                        theirs: ("someone else's", Status.APPROVED)}
    assert stored(session, Flag) == []


def test_a_temporary_ban_ends_by_itself(client: FlaskClient, session: Session, reader: Reader,
                                        admin_user: Reader) -> None:
    ban(session, admin_user, reader, until=timedelta(days=1))
    session.merge(reader).banned_until = utcnow() - timedelta(seconds=1)
    session.commit()
    answer = client.post(f"{API}/tokens", json={"email": reader.email, "password": PASSWORD})
    assert answer.status_code == 201


def test_a_moderator_cannot_ban_or_unban_another_moderator(
    app: Flask, session: Session, moderator: Reader, admin_user: Reader, mod_client: FlaskClient
) -> None:
    from tests.conftest import make_staff

    colleague = make_staff(session, "Casey", "moderator")
    with pytest.raises(Forbidden) as refused:
        community.ban(session, session.merge(moderator), colleague, "coup", None, False)
    assert refused.value.code == "admin_only"
    session.rollback()
    page = mod_client.post(f"/comments/admin/readers/{colleague.id}/ban", data={
        "reason": "coup",
        "csrf_token": csrf_token(mod_client, "/comments/admin/queue/pending")},
        follow_redirects=True).get_data(as_text=True)
    assert "Only admins can ban or unban a moderator." in page
    assert session.get(Reader, colleague.id).banned_at is None
    ban(session, admin_user, colleague)
    with pytest.raises(Forbidden):
        community.unban(session, session.merge(moderator), session.merge(colleague))


@pytest.mark.parametrize(
    ("policy", "edited", "reason"),
    [(Policy(premoderation="all"), "now with a link", HoldReason(hold_reasons.PREMODERATION)),
     (Policy(max_links=3), " ".join(f"[{i}](https://spam.example/{i})" for i in range(4)),
      HoldReason(hold_reasons.LINKS, "4")),
     (Policy(banned_words=("casino",)), "visit my casino",
      HoldReason(hold_reasons.BANNED_WORD, "casino"))],
)
def test_an_edit_runs_the_whole_policy_and_goes_back_to_the_queue(
    client: FlaskClient, auth: dict, session: Session, state, policy: Policy, edited: str,
    reason: HoldReason
) -> None:
    comment_id = post(client, auth, body="an innocent comment").get_json()["id"]
    set_policy(session, state, policy)
    answer = client.patch(f"{API}/comments/{comment_id}", json={"body": edited}, headers=auth)
    assert answer.get_json()["status"] == "pending"
    [comment] = stored(session, Comment)
    assert comment.status == Status.PENDING
    assert reason in hold_reasons.loads(comment.hold_reasons)
    public = client.get(f"{API}/threads", query_string={"url": ARTICLE}).get_json()
    assert public["comments"] == [] and public["thread"]["comment_count"] == 0
    mine = client.get(f"{API}/threads/mine", query_string={"url": ARTICLE}, headers=auth)
    assert [c["id"] for c in mine.get_json()["pending"]] == [comment_id]


def test_an_edit_the_policy_allows_stays_live(client: FlaskClient, auth: dict,
                                              session: Session, state) -> None:
    comment_id = post(client, auth, body="typo").get_json()["id"]
    set_policy(session, state, Policy(premoderation="first_time", max_links=3))
    answer = client.patch(f"{API}/comments/{comment_id}", json={"body": "fixed"}, headers=auth)
    assert answer.get_json()["status"] == "pending"  # Its own approval is no track record.
    set_policy(session, state, Policy(max_links=3))
    second = post(client, auth, body="second").get_json()["id"]
    answer = client.patch(f"{API}/comments/{second}", json={"body": "still fine"}, headers=auth)
    assert answer.get_json()["status"] == "approved"


def test_an_edit_on_a_closed_thread_is_refused(client: FlaskClient, auth: dict,
                                               session: Session, admin_user: Reader) -> None:
    from comments_widget.models import Thread
    from comments_widget.services import threads

    comment_id = post(client, auth, body="before closing").get_json()["id"]
    [thread] = stored(session, Thread)
    threads.close(session, session.merge(admin_user), thread)
    session.commit()
    answer = client.patch(f"{API}/comments/{comment_id}", json={"body": "after"}, headers=auth)
    assert (answer.status_code, answer.get_json()["error"]) == (403, "thread_closed")
    assert stored(session, Comment)[0].body_source == "before closing"
