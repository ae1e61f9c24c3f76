"""Threads in the dashboard: listing, closing, reopening, pinning."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Thread
from tests.conftest import ARTICLE, SITE, csrf_token, name_thread, post, stored

THREADS = "/comments/admin/threads"


def change(client: FlaskClient, thread_id: int, what: str, **data: str) -> str:
    page = f"{THREADS}/{thread_id}"
    return client.post(f"{page}/{what}", data={"csrf_token": csrf_token(client, page), **data},
                       follow_redirects=True).get_data(as_text=True)


def read(client: FlaskClient) -> dict:
    return client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()


def test_threads_list_by_activity_with_counts_and_search(client: FlaskClient,
                                                         mod_client: FlaskClient,
                                                         auth: dict, session: Session) -> None:
    post(client, auth, body="a")
    post(client, auth, body="b")
    post(client, auth, body="c", url=f"{SITE}/bridge")
    name_thread(session, "The Putin and Kim Delegation")
    name_thread(session, "Bridge repairs", key=f"{SITE}/bridge")
    html = mod_client.get(THREADS).get_data(as_text=True)
    assert html.index("Bridge repairs") < html.index("The Putin and Kim Delegation")
    assert "<td>2</td>" in html and "<td>1</td>" in html
    found = mod_client.get(THREADS, query_string={"q": "bridge"}).get_data(as_text=True)
    assert "Bridge repairs" in found and "Putin" not in found


def test_closed_thread_refuses_posts_and_says_so(client: FlaskClient, mod_client: FlaskClient,
                                                 auth: dict, session: Session) -> None:
    post(client, auth, body="before closing")
    [thread] = stored(session, Thread)
    assert "Comments are closed on" in change(mod_client, thread.id, "close")
    assert read(client)["thread"]["closed"] is True
    refused = post(client, auth, body="after closing")
    assert (refused.status_code, refused.get_json()["error"]) == (403, "thread_closed")
    assert refused.get_json()["message"] == "Comments are closed on this article."
    assert len(stored(session, Comment)) == 1
    change(mod_client, thread.id, "reopen")
    assert read(client)["thread"]["closed"] is False
    assert post(client, auth, body="reopened").status_code == 201
    assert [e.action for e in stored(session, AuditEntry)] == ["close", "reopen"]


def test_pinned_comment_comes_first(client: FlaskClient, mod_client: FlaskClient, auth: dict,
                                    session: Session) -> None:
    first = post(client, auth, body="first").get_json()["id"]
    second = post(client, auth, body="second").get_json()["id"]
    reply = post(client, auth, body="reply", parent_id=first).get_json()["id"]
    [thread] = stored(session, Thread)
    assert [c["id"] for c in read(client)["comments"]] == [first, second]
    change(mod_client, thread.id, "pin", comment_id=str(second))
    payload = read(client)
    assert payload["thread"]["pinned_comment_id"] == second
    assert [c["id"] for c in payload["comments"]] == [second, first]
    assert "Only a top-level comment" in change(mod_client, thread.id, "pin",
                                                comment_id=str(reply))
    change(mod_client, thread.id, "unpin")
    assert read(client)["thread"]["pinned_comment_id"] is None


def test_unknown_thread_is_404(mod_client: FlaskClient) -> None:
    assert mod_client.get(f"{THREADS}/999").status_code == 404
