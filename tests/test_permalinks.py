"""Links to one comment (issue #9, item 3): the API finds the page a comment is on, in every
order, so `article#comment-123` can open it even far down a long thread."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Status, Thread
from comments_widget.services import threads
from comments_widget.services.votes import wilson_lower_bound
from tests.conftest import ARTICLE, SITE, make_staff, post, set_status

THREADS = "/comments/api/v1/threads"
PAGE_OF = "/comments/api/v1/threads/page-of"


def page_ids(client: FlaskClient, **query: object) -> list[int]:
    page = client.get(THREADS, query_string={"url": ARTICLE, **query}).get_json()
    found: list[int] = []

    def walk(comments: list[dict]) -> None:
        for comment in comments:
            found.append(comment["id"])
            walk(comment["replies"])
    walk(page["comments"])
    return found


@pytest.fixture
def thread_of_seven(client: FlaskClient, auth: dict, session: Session) -> list[int]:
    """Seven top-level comments with different votes, each with one reply."""
    tops = []
    for index, (up, down) in enumerate([(0, 0), (9, 0), (1, 0), (4, 4), (0, 0), (20, 1),
                                        (2, 0)]):
        top = post(client, auth, body=f"top {index}").get_json()["id"]
        post(client, auth, body=f"reply {index}", parent_id=top)
        session.execute(sa.update(Comment).where(Comment.id == top).values(
            upvotes=up, downvotes=down, rank=wilson_lower_bound(up, down)))
        session.commit()
        tops.append(top)
    session.execute(sa.update(Thread).values(version=Thread.version + 1))
    session.commit()
    return tops


@pytest.mark.parametrize("sort", ["oldest", "newest", "best"])
def test_every_comment_is_found_on_the_page_the_api_names(
        client: FlaskClient, thread_of_seven: list[int], session: Session, sort: str) -> None:
    every = [c.id for c in session.scalars(sa.select(Comment))]
    for comment_id in every:
        answer = client.get(PAGE_OF, query_string={"url": ARTICLE, "comment": comment_id,
                                                   "sort": sort, "limit": 2}).get_json()
        cursor = {"after": answer["after"]} if answer["after"] else {}
        shown = page_ids(client, sort=sort, limit=2, **cursor)
        assert comment_id in shown, (sort, comment_id, answer)
        assert answer["root_id"] in shown
    first = client.get(PAGE_OF, query_string={"url": ARTICLE, "comment": page_ids(
        client, sort=sort, limit=2)[0], "sort": sort, "limit": 2}).get_json()
    assert first["after"] is None  # on the first page: no cursor


def test_the_pinned_comment_is_always_on_the_first_page(
        client: FlaskClient, thread_of_seven: list[int], session: Session) -> None:
    admin = make_staff(session, "Boss", "admin")
    threads.pin(session, admin, session.scalar(sa.select(Thread)), thread_of_seven[6])
    session.commit()
    answer = client.get(PAGE_OF, query_string={"url": ARTICLE, "comment": thread_of_seven[6],
                                               "limit": 2}).get_json()
    assert answer == {"after": None, "root_id": thread_of_seven[6]}
    # And the pinned comment does not push the others: the last one is found where listed.
    last = client.get(PAGE_OF, query_string={"url": ARTICLE, "comment": thread_of_seven[5],
                                             "limit": 2}).get_json()
    assert thread_of_seven[5] in page_ids(client, limit=2, after=last["after"])


def test_hidden_and_foreign_comments_are_not_found(
        client: FlaskClient, auth: dict, thread_of_seven: list[int], session: Session) -> None:
    held = thread_of_seven[2]
    set_status(session, held, Status.PENDING)
    elsewhere = post(client, auth, body="other article", url=f"{SITE}/other").get_json()["id"]
    for comment_id in (held, elsewhere, 999_999):
        answer = client.get(PAGE_OF, query_string={"url": ARTICLE, "comment": comment_id})
        assert answer.status_code == 404 and answer.get_json()["error"] == "unknown_comment"
    for bad in ("", "abc", "0", "-3", "99999999999"):
        answer = client.get(PAGE_OF, query_string={"url": ARTICLE, "comment": bad})
        assert answer.status_code == 400
        assert answer.get_json()["error"] == "invalid_comment_id"
    unknown = client.get(PAGE_OF, query_string={"url": f"{SITE}/never", "comment": held})
    assert unknown.status_code == 404
