"""The moderation queues: what each shows, and every action with its audit entry."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Flag, Reader, Status
from comments_widget.services.policy import Policy
from comments_widget.state import WidgetState
from tests.conftest import (
    ARTICLE,
    SITE,
    bearer,
    create_reader,
    csrf_token,
    name_thread,
    post,
    set_policy,
    set_status,
    stored,
)

QUEUE = "/comments/admin/queue/"
ACT = "/comments/admin/comments/action"


@pytest.fixture
def author(session: Session) -> dict[str, str]:
    return bearer(session, create_reader(session, "Writer"))


def write(app_client: FlaskClient, headers: dict, body: str, **extra: object) -> int:
    response = post(app_client, headers, body=body, **extra)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def act(client: FlaskClient, action: str, ids: list[int], single: bool = False):
    data = {"csrf_token": csrf_token(client, QUEUE + "pending"),
            "next": "/comments/admin/queue/pending"}
    if single:
        data["single"] = f"{action}:{ids[0]}"
    else:
        data.update(action=action, ids=[str(i) for i in ids])
    return client.post(ACT, data=data, follow_redirects=True)


def ids_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-id="(\d+)"', html)]


def test_pending_queue_lists_held_comments_newest_first_with_counts(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session,
    state: WidgetState
) -> None:
    set_policy(session, state, Policy(premoderation="all"))
    first, second = write(client, author, "first"), write(client, author, "second")
    name_thread(session, "The Putin and Kim Delegation")
    html = admin_client.get(QUEUE + "pending").get_data(as_text=True)
    assert ids_in(html) == [second, first]
    assert re.search(r'Pending <span class="count">2</span>', html)
    assert "pre-moderation: all comments" in html
    assert "The Putin and Kim Delegation" in html
    assert f'href="{ARTICLE}#comment-{second}"' in html


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [("approve", Status.PENDING, Status.APPROVED), ("reject", Status.PENDING, Status.REJECTED),
     ("spam", Status.APPROVED, Status.SPAM), ("delete", Status.APPROVED, Status.DELETED)],
)
def test_each_action_changes_status_and_is_audited(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session,
    admin_user: Reader, action: str, start: Status, end: Status
) -> None:
    comment_id = write(client, author, "judge me")
    set_status(session, comment_id, start)
    page = act(admin_client, action, [comment_id], single=True).get_data(as_text=True)
    assert "1 comment." in page
    assert stored(session, Comment)[0].status == end
    [entry] = stored(session, AuditEntry)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id,
            entry.before, entry.after) == (admin_user.id, action, "comment", comment_id,
                                           start.value, end.value)


def test_restore_undoes_the_last_decision(client: FlaskClient, admin_client: FlaskClient,
                                          author: dict, session: Session) -> None:
    comment_id = write(client, author, "restore me")
    set_status(session, comment_id, Status.PENDING)
    act(admin_client, "spam", [comment_id])
    act(admin_client, "restore", [comment_id])
    assert stored(session, Comment)[0].status == Status.PENDING
    assert [(e.action, e.before, e.after) for e in stored(session, AuditEntry)] == [
        ("spam", "pending", "spam"), ("restore", "spam", "pending")]


def test_bulk_action_applies_to_every_selected_comment(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session
) -> None:
    ids = [write(client, author, f"c{i}") for i in range(3)]
    for comment_id in ids:
        set_status(session, comment_id, Status.PENDING)
    page = act(admin_client, "approve", ids[:2]).get_data(as_text=True)
    assert "Approved 2 comments." in page
    assert [c.status for c in stored(session, Comment)] == [Status.APPROVED, Status.APPROVED,
                                                            Status.PENDING]
    assert len(stored(session, AuditEntry)) == 2


def test_approved_comment_appears_for_readers(client: FlaskClient, admin_client: FlaskClient,
                                              author: dict, session: Session) -> None:
    comment_id = write(client, author, "held then approved")
    set_status(session, comment_id, Status.PENDING)
    thread = client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()
    assert thread["comments"] == []
    act(admin_client, "approve", [comment_id])
    thread = client.get("/comments/api/v1/threads", query_string={"url": ARTICLE}).get_json()
    assert [c["id"] for c in thread["comments"]] == [comment_id]


def test_bad_action_input_changes_nothing(client: FlaskClient, admin_client: FlaskClient,
                                          author: dict, session: Session) -> None:
    comment_id = write(client, author, "keep me")
    assert "Select at least one comment." in act(admin_client, "approve", []).get_data(
        as_text=True)
    assert "Unknown action" in act(admin_client, "explode", [comment_id]).get_data(as_text=True)
    assert "no longer exist" in act(admin_client, "reject", [comment_id, 9999]).get_data(
        as_text=True)
    assert stored(session, Comment)[0].status == Status.APPROVED
    assert stored(session, AuditEntry) == []


def test_item_explains_why_it_is_held(client: FlaskClient, admin_client: FlaskClient,
                                      author: dict, session: Session, state: WidgetState) -> None:
    set_policy(session, state, Policy(banned_words=("scam",), max_links=1,
                                      premoderation="first_time"))
    write(client, author, "A SCAM: [a](https://a.example) [b](https://b.example)")
    html = admin_client.get(QUEUE + "pending").get_data(as_text=True)
    assert "<mark>SCAM</mark>" in html
    assert "banned word: scam" in html and "2 links" in html and "first-time commenter" in html


def test_reported_queue_shows_reports_with_reasons(
    client: FlaskClient, admin_client: FlaskClient, author: dict, session: Session, auth: dict
) -> None:
    comment_id = write(client, author, "provocative")
    client.post(f"/comments/api/v1/comments/{comment_id}/flag", headers=auth,
                json={"reason": "other", "text": "personal attack"})
    html = admin_client.get(QUEUE + "reported").get_data(as_text=True)
    assert ids_in(html) == [comment_id]
    assert "1 report: other: personal attack" in html
    act(admin_client, "approve", [comment_id])
    assert ids_in(admin_client.get(QUEUE + "reported").get_data(as_text=True)) == []
    assert all(flag.resolved_at is not None for flag in stored(session, Flag))


def test_filters_by_thread_site_and_search(client: FlaskClient, admin_client: FlaskClient,
                                           author: dict, auth: dict, session: Session) -> None:
    here = write(client, author, "about the summit")
    elsewhere = write(client, author, "about the bridge", url=f"{SITE}/bridge")
    by_ada = write(client, auth, "ada writes here too")
    html = admin_client.get(QUEUE + "approved", query_string={"q": "bridge"}).get_data(
        as_text=True)
    assert ids_in(html) == [elsewhere]
    html = admin_client.get(QUEUE + "approved", query_string={"q": "ada@example"}).get_data(
        as_text=True)
    assert ids_in(html) == [by_ada]
    html = admin_client.get(QUEUE + "approved", query_string={"site": "https://other.example"}
                            ).get_data(as_text=True)
    assert ids_in(html) == []
    html = admin_client.get(QUEUE + "approved", query_string={"site": SITE}).get_data(
        as_text=True)
    assert ids_in(html) == [by_ada, elsewhere, here]
    thread_id = stored(session, Comment)[0].thread_id
    html = admin_client.get(QUEUE + "approved", query_string={"thread": thread_id}).get_data(
        as_text=True)
    assert ids_in(html) == [by_ada, here]


def test_keyset_pagination_walks_the_whole_queue(admin_client: FlaskClient, session: Session,
                                                 reader: Reader) -> None:
    from comments_widget.services.comments import PostingRules, ThreadRef, post_comment
    from comments_widget.services.moderation import PAGE_SIZE

    ref, rules = ThreadRef(ARTICLE, ARTICLE), PostingRules(1000, 3)
    ids = [post_comment(session, author=reader, ref=ref, body=f"n{i}", parent_id=None,
                        rules=rules, policy=Policy()).id for i in range(PAGE_SIZE + 3)]
    session.commit()
    first = admin_client.get(QUEUE + "approved").get_data(as_text=True)
    assert ids_in(first) == ids[::-1][:PAGE_SIZE]
    older = re.search(r'href="([^"]*before=\d+[^"]*)">Older comments', first).group(1)
    second = admin_client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert ids_in(second) == ids[::-1][PAGE_SIZE:]
    assert "Older comments" not in second


def test_unknown_queue_is_404(admin_client: FlaskClient) -> None:
    assert admin_client.get(QUEUE + "everything").status_code == 404


def test_audit_log_is_viewable_and_filterable(client: FlaskClient, admin_client: FlaskClient,
                                              author: dict) -> None:
    a, b = write(client, author, "one"), write(client, author, "two")
    act(admin_client, "reject", [a])
    act(admin_client, "spam", [b])
    page = admin_client.get("/comments/admin/audit").get_data(as_text=True)
    assert page.count("<td>Boss</td>") == 2
    only_spam = admin_client.get("/comments/admin/audit", query_string={"action": "spam"})
    text = only_spam.get_data(as_text=True)
    assert f"comment #{b}" in text and f"comment #{a}" not in text
