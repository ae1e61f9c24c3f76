"""Moderating threads: listing them, closing and reopening, pinning a comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import InvalidInput, NotFound
from comments_widget.models import Comment, Reader, Status, Thread, utcnow
from comments_widget.page_meta import clean_title
from comments_widget.services import audit, versions, webhooks
from comments_widget.services.pages import has_next_page
from comments_widget.urls import InvalidUrl, normalize_url, origin_of

PAGE_SIZE = 50


@dataclass(frozen=True)
class ThreadRow:
    thread: Thread
    comment_count: int
    last_activity: datetime | None


def thread_page(session: Session, search: str = "", page: int = 1,
                limit: int = PAGE_SIZE) -> tuple[list[ThreadRow], bool]:
    """Threads with the most recent activity first, with approved-comment counts, and
    whether another page follows."""
    stats = (sa.select(Comment.thread_id,
                       sa.func.count(Comment.id).filter(Comment.status == Status.APPROVED)
                       .label("n"),
                       sa.func.max(Comment.created_at).label("last"))
             .group_by(Comment.thread_id).subquery())
    query = (sa.select(Thread, sa.func.coalesce(stats.c.n, 0), stats.c.last)
             .outerjoin(stats, stats.c.thread_id == Thread.id)
             .order_by(sa.desc(sa.func.coalesce(stats.c.last, Thread.created_at)), Thread.id.desc())
             .limit(limit + 1).offset((max(page, 1) - 1) * limit))
    if search.strip():
        pattern = f"%{search.strip()}%"
        query = query.where(sa.or_(Thread.title.ilike(pattern), Thread.url.ilike(pattern)))
    rows = [ThreadRow(thread, count, last) for thread, count, last in session.execute(query)]
    return has_next_page(rows, limit)


def pinnable(session: Session, thread_id: int, limit: int = 100) -> list[Comment]:
    """The thread's visible top-level comments, newest first: the ones a moderator may pin."""
    return list(session.scalars(
        sa.select(Comment).where(Comment.thread_id == thread_id, Comment.parent_id.is_(None),
                                 Comment.status == Status.APPROVED)
        .order_by(Comment.created_at.desc()).limit(limit)))


def get_thread(session: Session, thread_id: int) -> Thread:
    """The thread with this id, or NotFound."""
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise NotFound("That thread does not exist.", code="unknown_thread")
    return thread


def close(session: Session, actor: Reader, thread: Thread) -> None:
    """Stop new comments on a thread; existing ones stay visible."""
    if thread.closed_at is None:
        thread.closed_at = utcnow()
        versions.bump(session, [thread.id])
        audit.record(session, actor, "close", "thread", thread.id, "open", "closed")
        webhooks.emit(session, "thread.closed", {"thread": {
            "id": thread.id, "url": thread.url, "title": thread.title}})


def reopen(session: Session, actor: Reader, thread: Thread) -> None:
    """Accept comments again."""
    if thread.closed_at is not None:
        thread.closed_at = None
        versions.bump(session, [thread.id])
        audit.record(session, actor, "reopen", "thread", thread.id, "closed", "open")


def pin(session: Session, actor: Reader, thread: Thread, comment_id: int | None) -> None:
    """Pin one approved top-level comment to the top of its thread (None unpins)."""
    if comment_id is not None:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.thread_id != thread.id or comment.parent_id is not None:
            raise InvalidInput("Only a top-level comment of this thread can be pinned.",
                               code="cannot_pin")
        if comment.status != Status.APPROVED:
            raise InvalidInput("Only an approved comment can be pinned.", code="cannot_pin")
    before = thread.pinned_comment_id
    thread.pinned_comment_id = comment_id
    versions.bump(session, [thread.id])
    audit.record(session, actor, "pin" if comment_id else "unpin", "thread", thread.id,
                 str(before or ""), str(comment_id or ""))


def rename(session: Session, actor: Reader, thread: Thread, title: str, url: str) -> None:
    """Correct a thread's title and article URL; the URL must stay on the thread's site."""
    try:
        new_url = normalize_url(url)
    except InvalidUrl as error:
        raise InvalidInput(f"Bad article URL: {error}.", code="invalid_url") from error
    if origin_of(new_url) != origin_of(thread.url):
        raise InvalidInput(f"The article URL must stay on {origin_of(thread.url)}.",
                           code="url_other_site")
    before = f"{thread.title} <{thread.url}>"
    thread.title, thread.url = clean_title(title), new_url
    versions.bump(session, [thread.id])
    audit.record(session, actor, "rename", "thread", thread.id, before,
                 f"{thread.title} <{thread.url}>")
