"""Policy and sites: stored in the database, effective on the very next request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Reader, Site, Status, Thread, utcnow
from tests.conftest import (
    ARTICLE,
    bearer,
    create_reader,
    csrf_token,
    post,
    set_status,
    stored,
    verify,
)

POLICY = "/comments/admin/policy"
SITES = "/comments/admin/sites"
DEFAULT_FORM = {"premoderation": "off", "first_time_threshold": "1", "banned_words": "",
                "max_links": "3", "auto_close_days": "", "edit_window_minutes": "15",
                "flag_threshold": "3", "surge_shield": "y", "surge_comments": "30",
                "surge_window_minutes": "5", "surge_new_share": "50", "surge_new_min": "5",
                "new_account_hours": "24", "surge_quiet_minutes": "30",
                "min_seconds_to_post": "3", "duplicate_threads": "1", "duplicate_days": "7",
                "link_domain_threshold": "3", "sla_minutes": ""}


def save(client: FlaskClient, **changes: str) -> Any:
    data = {**DEFAULT_FORM, **changes, "csrf_token": csrf_token(client, POLICY)}
    return client.post(POLICY, data=data, follow_redirects=True)


def status_of_next_post(client: FlaskClient, headers: dict, body: str = "hello") -> str:
    response = post(client, headers, body=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["status"]


def test_premoderation_of_all_comments_applies_to_the_next_post(
    client: FlaskClient, admin_client: FlaskClient, auth: dict, session: Session
) -> None:
    assert status_of_next_post(client, auth) == "approved"
    assert "Policy saved (1 change)." in save(admin_client, premoderation="all").get_data(
        as_text=True)
    assert status_of_next_post(client, auth) == "pending"
    [entry] = stored(session, AuditEntry)
    assert (entry.action, entry.detail, entry.before, entry.after) == (
        "policy", "premoderation", "off", "all")


def test_first_time_commenters_wait_until_approved(client: FlaskClient,
                                                   admin_client: FlaskClient, auth: dict,
                                                   session: Session) -> None:
    save(admin_client, premoderation="first_time")
    first = post(client, auth, body="my first")
    assert first.get_json()["status"] == "pending"
    set_status(session, first.get_json()["id"], Status.APPROVED)
    assert status_of_next_post(client, auth) == "approved"


def test_banned_words_and_link_limits_hold_comments(client: FlaskClient,
                                                    admin_client: FlaskClient,
                                                    auth: dict) -> None:
    save(admin_client, banned_words="casino\nfree money", max_links="1")
    assert status_of_next_post(client, auth, "Visit the CASINO today") == "pending"
    assert status_of_next_post(client, auth, "get FREE MONEY now") == "pending"
    assert status_of_next_post(client, auth, "casinos are not the word") == "approved"
    two_links = "[a](https://a.example) and [b](https://b.example)"
    assert status_of_next_post(client, auth, two_links) == "pending"
    assert status_of_next_post(client, auth, "[a](https://a.example)") == "approved"


def test_threads_close_automatically_after_n_days(client: FlaskClient, admin_client: FlaskClient,
                                                  auth: dict, session: Session) -> None:
    post(client, auth, body="old news")
    thread = stored(session, Thread)[0]
    thread.created_at = utcnow() - timedelta(days=8)
    session.commit()
    assert post(client, auth, body="still open").status_code == 201
    save(admin_client, auto_close_days="7")
    refused = post(client, auth, body="too late")
    assert (refused.status_code, refused.get_json()["error"]) == (403, "thread_closed")
    payload = client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()
    assert payload["thread"]["closed"] is True


def test_edit_window_comes_from_the_policy(client: FlaskClient, admin_client: FlaskClient,
                                           auth: dict, session: Session) -> None:
    comment_id = post(client, auth, body="typo").get_json()["id"]
    stored(session, Comment)[0].created_at = utcnow() - timedelta(minutes=20)
    session.commit()
    url = f"/comments/api/v1/comments/{comment_id}"
    assert client.patch(url, json={"body": "fixed"}, headers=auth).get_json()["error"] == (
        "edit_window_closed")
    save(admin_client, edit_window_minutes="30")
    edited = client.patch(url, json={"body": "fixed"}, headers=auth)
    assert edited.status_code == 200 and edited.get_json()["html"] == "<p>fixed</p>"


def test_flag_threshold_comes_from_the_policy(client: FlaskClient, admin_client: FlaskClient,
                                              auth: dict, session: Session,
                                              reader: Reader) -> None:
    save(admin_client, flag_threshold="1")
    verify(session, reader)
    victim = bearer(session, create_reader(session, "Victim"))
    comment_id = post(client, victim, body="contested").get_json()["id"]
    client.post(f"/comments/api/v1/comments/{comment_id}/flag", json={"reason": "abuse"},
                headers=auth)
    payload = client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()
    assert payload["comments"] == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("premoderation", "sometimes", "Not a valid choice"),
     ("flag_threshold", "0", "Number must be between 1 and 1000."),
     ("max_links", "-1", "Number must be between 0 and 1000."),
     ("edit_window_minutes", "soon", "Not a valid integer value")],
)
def test_bad_policy_values_are_form_errors_and_change_nothing(
    admin_client: FlaskClient, session: Session, field: str, value: str, message: str
) -> None:
    response = save(admin_client, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(session, AuditEntry) == []


def test_sites_added_in_the_dashboard_are_allowed_at_once(client: FlaskClient,
                                                          admin_client: FlaskClient, auth: dict,
                                                          session: Session) -> None:
    other = "https://other.example"
    refused = post(client, auth, body="hi", url=f"{other}/story")
    assert refused.get_json()["error"] == "origin_not_allowed"
    page = admin_client.post(SITES, data={"origin": other, "name": "Other Paper",
                                          "csrf_token": csrf_token(admin_client, SITES)},
                             follow_redirects=True).get_data(as_text=True)
    assert "https://other.example may now embed the comments." in page
    assert "http://localhost/comments/embed.js" in page and "Copy snippet" in page
    ok = post(client, {**auth, "Origin": other}, body="hi", url=f"{other}/story")
    assert ok.status_code == 201
    assert ok.headers["Access-Control-Allow-Origin"] == other
    [site] = stored(session, Site)
    admin_client.post(f"{SITES}/{site.id}/remove",
                      data={"csrf_token": csrf_token(admin_client, SITES)})
    assert post(client, auth, body="again", url=f"{other}/story").status_code == 403


@pytest.mark.parametrize("origin", ["not a url", "https://other.example/path",
                                    "https://news.example"])
def test_bad_or_duplicate_sites_are_refused(admin_client: FlaskClient, session: Session,
                                            origin: str) -> None:
    before = [s.origin for s in stored(session, Site)]
    response = admin_client.post(SITES, data={"origin": origin,
                                              "csrf_token": csrf_token(admin_client, SITES)},
                                 follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "is not an origin" in text or "Invalid URL" in text or "already allowed" in text
    assert [s.origin for s in stored(session, Site)] == before
