"""The public thread payload is shared and cacheable; per-reader state comes separately."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Status
from comments_widget.services.policy import Policy, save_policy
from comments_widget.state import WidgetState
from tests.conftest import (
    ARTICLE,
    SITE,
    bearer,
    count_queries,
    create_reader,
    post,
    set_policy,
    stored,
    verify,
)

THREADS = "/comments/api/v1/threads"


def read(client: FlaskClient, **headers: str) -> Any:
    return client.get(THREADS, query_string={"url": ARTICLE}, headers=headers)


def test_payload_is_public_with_a_strong_etag(client: FlaskClient, auth: dict) -> None:
    post(client, auth, body="hello")
    response = read(client)
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith(
        "W/")
    assert response.cache_control.public and response.cache_control.max_age == 10
    assert response.cache_control.stale_while_revalidate == 60


def test_unchanged_thread_answers_304_without_a_body(client: FlaskClient, auth: dict) -> None:
    post(client, auth, body="hello")
    etag = read(client).headers["ETag"]
    again = read(client, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert read(client, **{"If-None-Match": '"something-else"'}).status_code == 200


def test_empty_thread_is_cacheable_too(client: FlaskClient) -> None:
    etag = read(client).headers["ETag"]
    assert read(client, **{"If-None-Match": etag}).status_code == 304


def test_every_visible_change_gives_a_new_etag(client: FlaskClient, auth: dict,
                                               session: Session, admin_client: FlaskClient,
                                               state: WidgetState) -> None:
    from tests.test_admin_queues import act
    from tests.test_admin_threads import change

    seen: list[str] = []

    def etag_changed() -> bool:
        etag = read(client).headers["ETag"]
        changed = etag not in seen
        seen.append(etag)
        return changed

    comment_id = post(client, auth, body="first").get_json()["id"]
    assert etag_changed()
    assert post(client, auth, body="reply", parent_id=comment_id).status_code == 201
    assert etag_changed()
    client.patch(f"/comments/api/v1/comments/{comment_id}", json={"body": "edited"},
                 headers=auth)
    assert etag_changed()
    act(admin_client, "reject", [comment_id])
    assert etag_changed()
    act(admin_client, "restore", [comment_id])
    assert etag_changed()
    thread_id = stored(session, Comment)[0].thread_id
    change(admin_client, thread_id, "pin", comment_id=str(comment_id))
    assert etag_changed()
    change(admin_client, thread_id, "close")
    assert etag_changed()
    change(admin_client, thread_id, "reopen")
    assert etag_changed()
    client.delete(f"/comments/api/v1/comments/{comment_id}", headers=auth)
    assert etag_changed()
    assert not etag_changed()  # Nothing happened: the same ETag again.


def test_a_held_comment_does_not_change_the_public_payload(client: FlaskClient, auth: dict,
                                                           session: Session,
                                                           state: WidgetState) -> None:
    post(client, auth, body="visible")
    before = read(client).headers["ETag"]
    set_policy(session, state, Policy(premoderation="all"))
    assert post(client, auth, body="held").get_json()["status"] == "pending"
    assert read(client).headers["ETag"] == before


def test_enough_reports_to_hide_a_comment_change_the_etag(client: FlaskClient, auth: dict,
                                                          session: Session,
                                                          state: WidgetState) -> None:
    set_policy(session, state, Policy(flag_threshold=1))
    comment_id = post(client, auth, body="contested").get_json()["id"]
    before = read(client).headers["ETag"]
    grace = create_reader(session, "Grace")
    verify(session, grace)
    other = bearer(session, grace)
    client.post(f"/comments/api/v1/comments/{comment_id}/flag", json={"reason": "spam"},
                headers=other)
    assert read(client).headers["ETag"] != before


def test_my_pending_comments_come_from_the_private_endpoint(client: FlaskClient, auth: dict,
                                                            session: Session,
                                                            state: WidgetState) -> None:
    set_policy(session, state, Policy(premoderation="all"))
    mine = post(client, auth, body="mine, held").get_json()["id"]
    other = bearer(session, create_reader(session, "Grace"))
    post(client, other, body="someone else's, held")
    response = client.get(f"{THREADS}/mine", query_string={"url": ARTICLE}, headers=auth)
    body = response.get_json()
    assert [c["id"] for c in body["pending"]] == [mine]
    assert body["pending"][0]["status"] == "pending"
    assert body["editable"] == [mine]
    assert body["sources"] == {str(mine): "mine, held"}  # For the author's editor only.
    assert response.cache_control.private and response.cache_control.no_store
    assert read(client).get_json()["comments"] == []
    anonymous = client.get(f"{THREADS}/mine", query_string={"url": ARTICLE}).get_json()
    assert anonymous == {"pending": [], "editable": [], "sources": {}, "votes": {},
                         "following": False}


def test_pages_of_a_big_thread(client: FlaskClient, session: Session, reader: Any) -> None:
    from comments_widget.services.comments import PostingRules, ThreadRef, post_comment

    ref = ThreadRef(ARTICLE, ARTICLE)
    ids = [post_comment(session, author=reader, ref=ref, body=f"c{i}", parent_id=None,
                        rules=PostingRules(100, 3), policy=Policy()).id for i in range(120)]
    session.commit()
    first = read(client).get_json()
    assert [c["id"] for c in first["comments"]] == ids[:50]
    assert first["thread"]["comment_count"] == 120 and first["next"] == ids[49]
    seen = [c["id"] for c in first["comments"]]
    cursor = first["next"]
    while cursor:
        page = client.get(THREADS, query_string={"url": ARTICLE, "after": cursor}).get_json()
        seen += [c["id"] for c in page["comments"]]
        cursor = page["next"]
    assert seen == ids


@pytest.mark.parametrize(("args", "code"), [({"after": "x"}, "invalid_cursor"),
                                            ({"limit": "0"}, "invalid_limit"),
                                            ({"limit": "51"}, "invalid_limit")])
def test_bad_page_arguments_are_refused(client: FlaskClient, args: dict, code: str) -> None:
    response = client.get(THREADS, query_string={"url": ARTICLE, **args})
    assert (response.status_code, response.get_json()["error"]) == (400, code)


def test_query_counts_of_the_hot_paths(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS=0)  # Count every database visit.
    client, state = app.test_client(), app.extensions["comments_widget"]
    with state.session_factory() as session:
        auth = bearer(session, create_reader(session))
    for i in range(10):
        post(client, auth, body=f"c{i}")
    read(client)  # Warms the settings cache.
    assert post(client, auth, body="a new version of the thread").status_code == 201
    with count_queries(state.engine) as statements:
        etag = read(client).headers["ETag"]
    # The thread with its stored first page (now stale), the page, then the new page stored.
    assert [s.split()[0] for s in statements if not s.startswith(("PRAGMA", "SET", "RESET"))
            ] == ["SELECT", "SELECT", "INSERT"]
    with count_queries(state.engine) as statements:
        assert len(read(client).get_json()["comments"]) == 11
    assert len(statements) == 1  # The page itself comes from the payload cache.
    with count_queries(state.engine) as statements:
        assert read(client, **{"If-None-Match": etag}).status_code == 304
    assert len(statements) == 1
    urls = [("url", f"{SITE}/{i}") for i in range(100)]
    with count_queries(state.engine) as statements:
        assert client.get("/comments/api/v1/counts", query_string=urls).status_code == 200
    assert len(statements) == 1


def test_a_hot_thread_is_answered_from_memory_until_this_process_commits(
    client: FlaskClient, auth: dict, state: WidgetState
) -> None:
    post(client, auth, body="first")
    read(client)
    with count_queries(state.engine) as statements:
        assert len(read(client).get_json()["comments"]) == 1
    assert statements == []
    post(client, auth, body="second")
    assert len(read(client).get_json()["comments"]) == 2


def test_settings_changed_by_another_process_apply_within_the_ttl(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_SETTINGS_TTL_SECONDS=0.3)
    state = app.extensions["comments_widget"]
    client = app.test_client()
    with state.session_factory() as session:
        headers = bearer(session, create_reader(session))
        assert post(client, headers, body="one").get_json()["status"] == "approved"
        save_policy(session, Policy(premoderation="all"))  # As another process would.
        session.commit()
    time.sleep(0.4)
    assert post(client, headers, body="two").get_json()["status"] == "pending"
    with state.session_factory() as session:
        assert [c.status for c in stored(session, Comment)] == [Status.APPROVED, Status.PENDING]


def test_a_change_from_another_process_shows_within_the_summary_ttl(make_app: Any,
                                                                    database_url: str) -> None:
    from comments_widget.db import create_engine, create_session_factory
    from comments_widget.services.comments import PostingRules, ThreadRef, post_comment

    app = make_app(COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS=0.3)
    client = app.test_client()
    other_engine = create_engine(database_url)  # Another process's connection.
    with create_session_factory(other_engine)() as other:
        writer = create_reader(other)
        ref = ThreadRef(ARTICLE, ARTICLE)
        post_comment(other, author=writer, ref=ref, body="one", parent_id=None,
                     rules=PostingRules(100, 3), policy=Policy())
        other.commit()
        assert len(read(client).get_json()["comments"]) == 1
        post_comment(other, author=writer, ref=ref, body="two", parent_id=None,
                     rules=PostingRules(100, 3), policy=Policy())
        other.commit()
    assert len(read(client).get_json()["comments"]) == 1  # Still inside the TTL.
    time.sleep(0.4)
    assert len(read(client).get_json()["comments"]) == 2
    other_engine.dispose()


def test_counts_are_public_and_answered_from_memory_until_a_commit(
    client: FlaskClient, auth: dict, state: WidgetState
) -> None:
    post(client, auth, body="one")
    first = client.get("/comments/api/v1/counts", query_string={"url": ARTICLE})
    assert first.get_json() == {"counts": {ARTICLE: 1}}
    assert first.headers["Cache-Control"] == "public, max-age=10"
    with count_queries(state.engine) as statements:
        client.get("/comments/api/v1/counts", query_string={"url": ARTICLE})
    assert statements == []
    post(client, auth, body="two")
    again = client.get("/comments/api/v1/counts", query_string={"url": ARTICLE})
    assert again.get_json() == {"counts": {ARTICLE: 2}}
