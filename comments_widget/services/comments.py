"""Threads and their comments: posting, reading, counting."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import InvalidInput, NotFound
from comments_widget.models import Comment, Reader, Status, Thread, utcnow
from comments_widget.sanitize import render_comment

MAX_TITLE_LENGTH = 300


@dataclass(frozen=True)
class PostingRules:
    """The limits a new comment must respect, taken from configuration."""

    max_body_length: int
    max_depth: int


@dataclass(frozen=True)
class ThreadRef:
    """Which thread a request is about: its key, the article URL and the page title."""

    key: str
    url: str
    title: str = ""


def find_thread(session: Session, key: str) -> Thread | None:
    """The thread with this key, if anyone has commented on it yet."""
    return session.scalar(sa.select(Thread).where(Thread.key == key))


def _get_or_create_thread(session: Session, ref: ThreadRef) -> Thread:
    thread = find_thread(session, ref.key)
    if thread is not None:
        if not thread.title and ref.title:
            thread.title = ref.title
        return thread
    thread = Thread(key=ref.key, url=ref.url, title=ref.title)
    try:
        with session.begin_nested():
            session.add(thread)
    except sa.exc.IntegrityError:
        # Two first comments raced to create the thread; the other one won, use it.
        thread = find_thread(session, ref.key)
        assert thread is not None
    return thread


def _clean_body(body: object, rules: PostingRules) -> str:
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput("Write something before posting.", code="body_required")
    if len(body) > rules.max_body_length:
        raise InvalidInput(
            f"Comments can be at most {rules.max_body_length:,} characters; "
            f"this one has {len(body):,}.",
            code="body_too_long",
        )
    return body.strip()


def _check_parent(
    session: Session, parent_id: object, thread: Thread | None, rules: PostingRules
) -> Comment | None:
    if parent_id is None:
        return None
    if not isinstance(parent_id, int) or isinstance(parent_id, bool):
        raise InvalidInput("parent_id must be a comment id (a whole number).",
                           code="invalid_parent_id")
    parent = session.get(Comment, parent_id)
    if parent is None or parent.status != Status.APPROVED:
        raise NotFound("The comment you are replying to no longer exists.",
                       code="unknown_parent")
    if thread is None or parent.thread_id != thread.id:
        raise InvalidInput("You can only reply to a comment on the same article.",
                           code="parent_in_other_thread")
    if parent.depth + 1 > rules.max_depth:
        raise InvalidInput("This conversation is nested as deep as it can go; "
                           "reply to an earlier comment instead.", code="too_deep")
    return parent


def post_comment(
    session: Session, *, author: Reader, ref: ThreadRef, body: object, parent_id: object,
    rules: PostingRules,
) -> Comment:
    """Validate and store a comment or reply, creating the thread on its first comment."""
    source = _clean_body(body, rules)
    parent = _check_parent(session, parent_id, find_thread(session, ref.key), rules)
    thread = _get_or_create_thread(session, ref)
    now = utcnow()
    comment = Comment(
        thread_id=thread.id, parent_id=parent.id if parent else None, author_id=author.id,
        author=author, depth=parent.depth + 1 if parent else 0, body_source=source,
        body_html=render_comment(source), status=Status.APPROVED, created_at=now, updated_at=now,
    )
    session.add(comment)
    session.flush()
    return comment


def visible_comments(session: Session, thread: Thread) -> list[Comment]:
    """The approved comments of a thread, oldest first, authors loaded in the same query."""
    return list(session.scalars(
        sa.select(Comment)
        .where(Comment.thread_id == thread.id, Comment.status == Status.APPROVED)
        .order_by(Comment.created_at, Comment.id)
    ))


def comment_counts(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """Approved comments per thread key, in one query; keys without a thread count 0."""
    wanted = set(keys)
    counts = dict.fromkeys(wanted, 0)
    if not wanted:
        return counts
    rows = session.execute(
        sa.select(Thread.key, sa.func.count(Comment.id))
        .join(Comment, Comment.thread_id == Thread.id)
        .where(Thread.key.in_(wanted), Comment.status == Status.APPROVED)
        .group_by(Thread.key)
    )
    counts.update({key: count for key, count in rows})
    return counts
