"""The comment service on its own: no HTTP, an explicit session."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from comments_widget.errors import InvalidInput
from comments_widget.models import Comment, Reader, Thread
from comments_widget.services.comments import (
    PostingRules,
    ThreadRef,
    post_comment,
)
from comments_widget.services.policy import Policy
from comments_widget.services.reading import comment_counts, thread_page, thread_summary
from comments_widget.state import WidgetState
from tests.conftest import ARTICLE, count_queries, create_reader, stored

RULES = PostingRules(max_body_length=100, max_depth=2)
POLICY = Policy(surge_shield=False)  # seeding threads in a burst is not a brigade
REF = ThreadRef(key=ARTICLE, url=ARTICLE)


def add(session: Session, author: Reader, body: str, parent_id: int | None = None) -> Comment:
    """Post through the service with the default policy."""
    return post_comment(session, author=author, ref=REF, body=body, parent_id=parent_id,
                        rules=RULES, policy=POLICY)


def test_depth_is_recorded_down_the_reply_chain(session: Session, reader: Reader) -> None:
    top = add(session, reader, "a", None)
    reply = add(session, reader, "b", top.id)
    deeper = add(session, reader, "c", reply.id)
    assert (top.depth, reply.depth, deeper.depth) == (0, 1, 2)
    with pytest.raises(InvalidInput, match="nested as deep"):
        add(session, reader, "d", deeper.id)


def test_refused_first_comment_leaves_no_empty_thread(session: Session, reader: Reader) -> None:
    with pytest.raises(InvalidInput):
        add(session, reader, "", None)
    session.commit()
    assert stored(session, Thread) == []


def test_an_existing_thread_is_reused_not_duplicated(session: Session, reader: Reader) -> None:
    for body in ("one", "two"):
        add(session, reader, body, None)
    session.commit()
    assert len(stored(session, Thread)) == 1


def test_a_page_holds_top_level_comments_with_all_their_replies(session: Session,
                                                                reader: Reader) -> None:
    tops = [add(session, reader, f"top {i}") for i in range(5)]
    replies = [add(session, reader, f"reply {i}", tops[i].id) for i in range(5)]
    deeper = add(session, reader, "deeper", replies[3].id)
    session.commit()
    thread = thread_summary(session, ARTICLE)
    assert thread.comment_count == 11
    first = thread_page(session, thread, after=None, limit=2)
    # Each top-level comment is followed by its replies.
    assert [c.id for c in first.comments] == [tops[0].id, replies[0].id, tops[1].id,
                                              replies[1].id]
    assert first.next_after == tops[1].id
    second = thread_page(session, thread, after=first.next_after, limit=2)
    assert {c.id for c in second.comments} == {tops[2].id, tops[3].id, replies[2].id,
                                               replies[3].id, deeper.id}
    last = thread_page(session, thread, after=second.next_after, limit=2)
    assert [c.id for c in last.comments] == [tops[4].id, replies[4].id]
    assert last.next_after is None


def test_the_pinned_comment_leads_the_first_page_only(session: Session, reader: Reader) -> None:
    tops = [add(session, reader, f"top {i}") for i in range(4)]
    session.commit()
    session.get(Thread, thread_summary(session, ARTICLE).id).pinned_comment_id = tops[3].id
    session.commit()
    thread = thread_summary(session, ARTICLE)
    first = thread_page(session, thread, after=None, limit=2)
    assert [c.id for c in first.comments] == [tops[0].id, tops[1].id, tops[3].id]
    rest = thread_page(session, thread, after=first.next_after, limit=2)
    assert [c.id for c in rest.comments] == [tops[2].id]


def test_a_thread_read_costs_two_queries_however_long_it_is(state: WidgetState,
                                                            session: Session) -> None:
    readers = [create_reader(session, f"R{i}") for i in range(3)]
    for i in range(30):
        add(session, readers[i % 3], f"c{i}", None)
    session.commit()
    with state.session_factory() as fresh, count_queries(state.engine) as statements:
        thread = thread_summary(fresh, ARTICLE)
        page = thread_page(fresh, thread, None, 50)
        names = {c.author_name for c in page.comments}
    assert len(page.comments) == 30 and names == {"R0", "R1", "R2"}
    assert len(statements) == 2


def test_counts_for_many_urls_cost_one_query(state: WidgetState, session: Session,
                                             reader: Reader) -> None:
    add(session, reader, "x", None)
    session.commit()
    keys = [ARTICLE] + [f"https://news.example/{i}" for i in range(99)]
    with state.session_factory() as fresh, count_queries(state.engine) as statements:
        counts = comment_counts(fresh, keys)
    assert counts[ARTICLE] == 1 and sum(counts.values()) == 1 and len(counts) == 100
    assert len(statements) == 1
