"""Featured comments: the editors' picks, several per thread, which readers can view on their
own ("Featured" in the embed's order menu). Only visible top-level comments are featured;
one that is later hidden leaves the picks until it is visible again."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import InvalidInput, NotFound
from comments_widget.models import Comment, Reader, Status, Thread, utcnow
from comments_widget.services import audit, versions


def feature(session: Session, actor: Reader, comment_id: int, featured: bool) -> Comment:
    """Make a comment an editor's pick, or take it back; audited, readers see it at once."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("That comment does not exist.", code="unknown_comment")
    if featured and (comment.status != Status.APPROVED or comment.parent_id is not None):
        raise InvalidInput("Only visible top-level comments can be featured.",
                           code="cannot_feature")
    if (comment.featured_at is not None) == featured:
        return comment
    comment.featured_at = utcnow() if featured else None
    audit.record(session, actor, "feature" if featured else "unfeature", "comment", comment.id,
                 "featured" if not featured else "", "featured" if featured else "")
    recount(session, [comment.thread_id])
    versions.bump(session, [comment.thread_id])
    session.flush()
    return comment


def recount(session: Session, thread_ids: Iterable[int]) -> None:
    """Each thread's number of featured comments readers can see."""
    ids = sorted(set(thread_ids))
    if not ids:
        return
    session.flush()
    visible = (sa.select(sa.func.count(Comment.id))
               .where(Comment.thread_id == Thread.id, Comment.featured_at.is_not(None),
                      Comment.status == Status.APPROVED, Comment.parent_id.is_(None),
                      Comment.hidden_by_flags.is_(False))
               .scalar_subquery())
    session.execute(sa.update(Thread).where(Thread.id.in_(ids))
                    .values(featured_count=visible).execution_options(synchronize_session=False))
