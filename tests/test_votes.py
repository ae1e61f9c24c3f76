"""Votes and sorting: one vote per reader per comment, the tally in the shared payload, the
reader's own vote in the private one, and "best" that few votes cannot win."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Reader, Status, Thread, Vote
from comments_widget.services import threads
from comments_widget.services.community import ban
from comments_widget.services.policy import Policy
from comments_widget.services.votes import wilson_lower_bound
from comments_widget.state import WidgetState
from tests.conftest import (
    ARTICLE,
    bearer,
    count_queries,
    create_reader,
    make_staff,
    post,
    set_policy,
    set_status,
)
from tests.smtp import mail_app

THREADS = "/comments/api/v1/threads"
MINE = "/comments/api/v1/threads/mine"


def vote_url(comment_id: int) -> str:
    return f"/comments/api/v1/comments/{comment_id}/vote"


def read(client: FlaskClient, **extra: object) -> dict:
    return client.get(THREADS, query_string={"url": ARTICLE, **extra}).get_json()


def stored_votes(session: Session) -> list[tuple[int, int, int]]:
    session.commit()
    return [tuple(row) for row in session.execute(
        sa.select(Vote.comment_id, Vote.reader_id, Vote.value).order_by(Vote.comment_id,
                                                                        Vote.reader_id))]


def tally(client: FlaskClient, comment_id: int) -> tuple[int, int]:
    found = [c for c in read(client)["comments"] if c["id"] == comment_id][0]
    return found["up"], found["down"]


def test_few_votes_cannot_beat_many_good_ones() -> None:
    assert wilson_lower_bound(0, 0) == 0
    assert wilson_lower_bound(1, 0) < wilson_lower_bound(95, 5)
    assert round(wilson_lower_bound(1, 0), 2) == 0.21
    assert round(wilson_lower_bound(95, 5), 2) == 0.89
    assert wilson_lower_bound(10, 0) > wilson_lower_bound(10, 1) > wilson_lower_bound(10, 5)


def test_a_reader_votes_up_changes_nothing_by_voting_twice_and_takes_it_back(
        client: FlaskClient, auth: dict, session: Session) -> None:
    comment = post(client, auth, body="Worth reading").get_json()
    grace_reader = create_reader(session, "Grace")
    grace = bearer(session, grace_reader)
    answer = client.put(vote_url(comment["id"]), json={"value": 1}, headers=grace)
    assert answer.status_code == 200
    assert answer.get_json() == {"up": 1, "down": 0, "mine": 1}
    assert client.put(vote_url(comment["id"]), json={"value": 1},
                      headers=grace).get_json() == {"up": 1, "down": 0, "mine": 1}
    assert tally(client, comment["id"]) == (1, 0)
    mine = client.get(MINE, query_string={"url": ARTICLE}, headers=grace).get_json()
    assert mine["votes"] == {str(comment["id"]): 1}
    # The author's own private payload does not carry Grace's vote.
    assert client.get(MINE, query_string={"url": ARTICLE}, headers=auth).get_json()["votes"] == {}
    removed = client.delete(vote_url(comment["id"]), headers=grace)
    assert removed.get_json() == {"up": 0, "down": 0, "mine": 0}
    assert stored_votes(session) == []
    assert tally(client, comment["id"]) == (0, 0)


def test_down_votes_only_where_the_site_allows_them(client: FlaskClient, auth: dict,
                                                    session: Session,
                                                    state: WidgetState) -> None:
    comment = post(client, auth, body="Contested").get_json()
    grace = bearer(session, create_reader(session, "Grace"))
    client.put(vote_url(comment["id"]), json={"value": 1}, headers=grace)
    refused = client.put(vote_url(comment["id"]), json={"value": -1}, headers=grace)
    assert refused.status_code == 400 and refused.get_json()["error"] == "downvotes_off"
    assert tally(client, comment["id"]) == (1, 0)
    assert read(client)["thread"]["downvotes"] is False
    set_policy(session, state, Policy(downvotes=True))
    assert read(client)["thread"]["downvotes"] is True
    changed = client.put(vote_url(comment["id"]), json={"value": -1}, headers=grace)
    assert changed.get_json() == {"up": 0, "down": 1, "mine": -1}
    assert tally(client, comment["id"]) == (0, 1)


def test_the_rank_follows_the_votes(client: FlaskClient, auth: dict, session: Session,
                                    state: WidgetState) -> None:
    set_policy(session, state, Policy(downvotes=True))
    comment = post(client, auth, body="Ranked").get_json()
    for index, value in enumerate([1, 1, -1]):
        voter = bearer(session, create_reader(session, f"Voter{index}"))
        client.put(vote_url(comment["id"]), json={"value": value}, headers=voter)
    session.expire_all()
    stored = session.get(Comment, comment["id"])
    assert (stored.upvotes, stored.downvotes) == (2, 1)
    assert stored.rank == wilson_lower_bound(2, 1)


def test_votes_that_are_not_allowed_change_nothing(client: FlaskClient, auth: dict,
                                                   session: Session, reader: Reader) -> None:
    comment = post(client, auth, body="Mine").get_json()
    grace = bearer(session, create_reader(session, "Grace"))
    cases = [
        (auth, {"value": 1}, 400, "own_comment"),
        (grace, {"value": 2}, 400, "invalid_vote"),
        (grace, {"value": "1"}, 400, "invalid_vote"),
        (grace, {"value": True}, 400, "invalid_vote"),
        (grace, {}, 400, "invalid_vote"),
        ({}, {"value": 1}, 401, "not_logged_in"),
    ]
    for headers, body, status, code in cases:
        answer = client.put(vote_url(comment["id"]), json=body, headers=headers)
        assert (answer.status_code, answer.get_json()["error"]) == (status, code), body
    missing = client.put(vote_url(comment["id"] + 1000), json={"value": 1}, headers=grace)
    assert missing.status_code == 404 and missing.get_json()["error"] == "unknown_comment"
    assert stored_votes(session) == []
    assert tally(client, comment["id"]) == (0, 0)


def test_held_and_deleted_comments_take_no_votes(client: FlaskClient, auth: dict,
                                                 session: Session) -> None:
    comment = post(client, auth, body="Held").get_json()
    grace = bearer(session, create_reader(session, "Grace"))
    set_status(session, comment["id"], Status.PENDING)
    answer = client.put(vote_url(comment["id"]), json={"value": 1}, headers=grace)
    assert answer.status_code == 404
    set_status(session, comment["id"], Status.DELETED)
    assert client.put(vote_url(comment["id"]), json={"value": 1},
                      headers=grace).status_code == 404
    assert stored_votes(session) == []


def test_a_banned_reader_cannot_vote_or_take_a_vote_back(client: FlaskClient, auth: dict,
                                                         session: Session) -> None:
    comment = post(client, auth, body="Good").get_json()
    grace_reader = create_reader(session, "Grace")
    grace = bearer(session, grace_reader)
    client.put(vote_url(comment["id"]), json={"value": 1}, headers=grace)
    admin = make_staff(session, "Boss", "admin")
    ban(session, admin, session.get(Reader, grace_reader.id), "vote ring", None, False)
    session.commit()
    again = bearer(session, session.get(Reader, grace_reader.id))
    for answer in (client.delete(vote_url(comment["id"]), headers=again),
                   client.put(vote_url(comment["id"]), json={"value": 1}, headers=again)):
        assert answer.status_code == 403 and answer.get_json()["error"] == "banned"
    assert stored_votes(session) == [(comment["id"], grace_reader.id, 1)]


def test_an_unconfirmed_reader_cannot_vote(make_app, mail_server_down) -> None:  # noqa: ANN001
    app = mail_app(make_app, mail_server_down, COMMENTS_WIDGET_EMAIL_VERIFICATION="before_posting")
    client = app.test_client()
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        author = create_reader(session, "Ada")
        author.email_verified_at = author.created_at
        session.commit()
        comment = post(client, bearer(session, author), body="Checked").get_json()
        fresh = bearer(session, create_reader(session, "Fresh"))
        answer = client.put(vote_url(comment["id"]), json={"value": 1}, headers=fresh)
        assert answer.status_code == 403 and answer.get_json()["error"] == "email_unconfirmed"
        assert stored_votes(session) == []


def test_a_vote_is_a_new_version_of_the_shared_payload(client: FlaskClient, auth: dict,
                                                       session: Session) -> None:
    comment = post(client, auth, body="Cached").get_json()
    first = client.get(THREADS, query_string={"url": ARTICLE})
    etag = first.headers["ETag"]
    grace = bearer(session, create_reader(session, "Grace"))
    client.put(vote_url(comment["id"]), json={"value": 1}, headers=grace)
    again = client.get(THREADS, query_string={"url": ARTICLE}, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.get_json()["comments"][0]["up"] == 1


def seed_ranked_thread(client: FlaskClient, auth: dict, session: Session,
                       ups: list[tuple[int, int]]) -> list[int]:
    """Top-level comments with the given (up, down) tallies, set as the vote path sets them."""
    ids = [post(client, auth, body=f"comment {i}").get_json()["id"] for i in range(len(ups))]
    for comment_id, (up, down) in zip(ids, ups, strict=True):
        session.execute(sa.update(Comment).where(Comment.id == comment_id).values(
            upvotes=up, downvotes=down, rank=wilson_lower_bound(up, down)))
    session.execute(sa.update(Thread).values(version=Thread.version + 1))
    session.commit()
    return ids


def walk(client: FlaskClient, sort: str, limit: int) -> list[list[int]]:
    pages, after = [], None
    while True:
        extra = {"sort": sort, "limit": limit, **({"after": after} if after else {})}
        page = read(client, **extra)
        pages.append([c["id"] for c in page["comments"]])
        after = page["next"]
        if after is None:
            return pages


def test_best_puts_ninety_five_of_a_hundred_above_one_of_one(client: FlaskClient, auth: dict,
                                                             session: Session) -> None:
    ids = seed_ranked_thread(client, auth, session, [(1, 0), (95, 5), (0, 0), (10, 10)])
    assert walk(client, "best", 10) == [[ids[1], ids[3], ids[0], ids[2]]]


def test_every_order_pages_through_each_comment_once_with_the_pinned_one_first(
        client: FlaskClient, auth: dict, session: Session, state: WidgetState) -> None:
    tallies = [(3, 0), (0, 0), (50, 1), (3, 0), (1, 0), (7, 2), (0, 0)]
    ids = seed_ranked_thread(client, auth, session, tallies)
    admin = make_staff(session, "Boss", "admin")
    thread = session.scalar(sa.select(Thread))
    threads.pin(session, admin, thread, ids[4])
    session.commit()
    expected_best = sorted((i for i in ids if i != ids[4]),
                           key=lambda i: (-wilson_lower_bound(*tallies[ids.index(i)]), -i))
    expected = {"oldest": [i for i in ids if i != ids[4]],
                "newest": [i for i in reversed(ids) if i != ids[4]],
                "best": expected_best}
    for sort, order in expected.items():
        pages = walk(client, sort, 2)
        assert pages[0][0] == ids[4], sort  # pinned first whatever the order
        assert [i for page in pages for i in page if i != ids[4]] == order, sort
        assert sum(page.count(ids[4]) for page in pages) == 1, sort
        with count_queries(state.engine) as statements:
            page = read(client, sort=sort, limit=3, after=pages[0][-1])  # not cached yet
        assert len(page["comments"]) == 3, sort
        page_queries = [s for s in statements if "comments_widget_comments" in s]
        assert len(page_queries) == 1, (sort, statements)  # keyset: one query a page


def test_an_unknown_sort_is_refused(client: FlaskClient) -> None:
    answer = client.get(THREADS, query_string={"url": ARTICLE, "sort": "random"})
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_sort"


def test_a_closed_thread_takes_no_more_votes(client: FlaskClient, auth: dict, session: Session,
                                             state: WidgetState) -> None:
    comment = post(client, auth, body="Before closing").get_json()
    grace = bearer(session, create_reader(session, "Grace"))
    client.put(vote_url(comment["id"]), json={"value": 1}, headers=grace)
    admin = make_staff(session, "Boss", "admin")
    threads.close(session, admin, session.scalar(sa.select(Thread)))
    session.commit()
    for answer in (client.delete(vote_url(comment["id"]), headers=grace),
                   client.put(vote_url(comment["id"]), json={"value": 1}, headers=grace)):
        assert answer.status_code == 403 and answer.get_json()["error"] == "thread_closed"
    assert tally(client, comment["id"]) == (1, 0)
