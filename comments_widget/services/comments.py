"""Threads and their comments: posting, reading, counting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden, InvalidInput, NotFound
from comments_widget.models import Comment, Reader, Status, Thread, utcnow
from comments_widget.sanitize import render_comment
from comments_widget.services import audit, versions
from comments_widget.services.policy import Policy, banned_words_in, hold_reasons, thread_is_closed

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


_THREAD_BY_KEY = sa.select(Thread).where(Thread.key == sa.bindparam("key"))


def find_thread(session: Session, key: str) -> Thread | None:
    """The thread with this key, if anyone has commented on it yet."""
    return session.scalar(_THREAD_BY_KEY, {"key": key})


def _get_or_create_thread(session: Session, ref: ThreadRef, thread: Thread | None) -> Thread:
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


def ban_message(reader: Reader) -> str:
    """What a banned reader is told when they try to post."""
    until = f" until {reader.banned_until:%d %B %Y}" if reader.banned_until else ""
    reason = f" Reason: {reader.ban_reason}" if reader.ban_reason else ""
    return f"You have been banned from commenting{until}.{reason}"


def post_comment(
    session: Session, *, author: Reader, ref: ThreadRef, body: object, parent_id: object,
    rules: PostingRules, policy: Policy,
) -> Comment:
    """Validate and store a comment or reply, creating the thread on its first comment.

    The policy decides whether it goes live at once or waits, pending, for a moderator.
    """
    now = utcnow()
    if author.is_banned(now):
        raise Forbidden(ban_message(author), code="banned")
    source = _clean_body(body, rules)
    existing = find_thread(session, ref.key)
    if existing is not None and thread_is_closed(existing, policy, now):
        raise Forbidden("Comments are closed on this article.", code="thread_closed")
    parent = _check_parent(session, parent_id, existing, rules)
    html = render_comment(source)
    reasons = hold_reasons(session, policy, author, source, html)
    thread = _get_or_create_thread(session, ref, existing)
    comment = Comment(
        thread_id=thread.id, parent_id=parent.id if parent else None, author_id=author.id,
        author=author, depth=parent.depth + 1 if parent else 0, body_source=source,
        body_html=html, status=Status.PENDING if reasons else Status.APPROVED,
        hold_reasons=json.dumps(reasons), created_at=now, updated_at=now,
        root_id=(parent.root_id or parent.id) if parent else None,
    )
    session.add(comment)
    session.flush()
    if parent is None:
        comment.root_id = comment.id
    if comment.status == Status.APPROVED:
        versions.bump(session, [thread.id], added=1)
    session.flush()
    return comment


def _own_comment(session: Session, reader: Reader, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status in (Status.DELETED, Status.REJECTED, Status.SPAM):
        raise NotFound("That comment no longer exists.", code="unknown_comment")
    if comment.author_id != reader.id:
        raise Forbidden("You can only change your own comments.", code="not_your_comment")
    return comment


def edit_comment(session: Session, *, reader: Reader, comment_id: int, body: object,
                 rules: PostingRules, policy: Policy) -> Comment:
    """Replace the text of one's own comment within the edit window; re-render and re-check."""
    comment = _own_comment(session, reader, comment_id)
    now = utcnow()
    if comment.created_at + timedelta(minutes=policy.edit_window_minutes) < now:
        raise Forbidden(f"Comments can only be edited for {policy.edit_window_minutes} minutes "
                        "after posting.", code="edit_window_closed")
    source = _clean_body(body, rules)
    comment.body_source, comment.body_html, comment.updated_at = source, render_comment(source), now
    words = banned_words_in(policy, source)
    if words and comment.status == Status.APPROVED:
        comment.status = Status.PENDING
        comment.hold_reasons = json.dumps([f"banned word: {word}" for word in words])
    versions.bump(session, [comment.thread_id])
    session.flush()
    return comment


def delete_own_comment(session: Session, *, reader: Reader, comment_id: int) -> Comment:
    """An author takes back a comment; replies stay, under a placeholder."""
    comment = _own_comment(session, reader, comment_id)
    audit.record(session, reader, "author_delete", "comment", comment.id,
                 comment.status.value, Status.DELETED.value)
    comment.status, comment.updated_at = Status.DELETED, utcnow()
    versions.bump(session, [comment.thread_id])
    session.flush()
    return comment
