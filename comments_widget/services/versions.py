"""Thread versions: every change a reader could see moves its thread's version on.

The public thread payload's ETag is built from the version, so a cached copy is reused until
something changes and never after. The increment happens in SQL, so two writers at once can
never both produce the same new version.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Status, Thread


def _changes(added: int | None = None) -> dict:
    # The count is recomputed in the same statement, so it can never drift from the rows; a
    # new visible comment, the commonest change by far, just adds one, also atomically.
    if added is not None:
        return {"version": Thread.version + 1, "comment_count": Thread.comment_count + added}
    return {"version": Thread.version + 1, "comment_count": visible_count()}


def visible_count() -> sa.ScalarSelect[int]:
    """Each thread's visible comments, counted in SQL (what `comment_count` holds)."""
    return (sa.select(sa.func.count(Comment.id))
            .where(Comment.thread_id == Thread.id, Comment.status == Status.APPROVED,
                   Comment.hidden_by_flags.is_(False))
            .scalar_subquery())


# The commonest write of all (a new visible comment), built once.
_ADD_ONE = (sa.update(Thread).where(Thread.id == sa.bindparam("thread_id"))
            .values(version=Thread.version + 1, comment_count=Thread.comment_count + 1)
            .execution_options(synchronize_session=False))


def bump(session: Session, thread_ids: Iterable[int], added: int | None = None) -> None:
    """Move each thread's version on by one and bring its visible-comment count up to date:
    `added` new visible comments, or a recount when that is not known."""
    ids = sorted(set(thread_ids))
    if added == 1 and len(ids) == 1:
        session.execute(_ADD_ONE, {"thread_id": ids[0]})
        return
    if ids:
        session.execute(sa.update(Thread).where(Thread.id.in_(ids)).values(**_changes(added))
                        .execution_options(synchronize_session=False))


def bump_for_author(session: Session, author_id: int) -> None:
    """Move on every thread a reader has commented in (after their comments were hidden)."""
    session.execute(sa.update(Thread)
                    .where(Thread.id.in_(sa.select(Comment.thread_id)
                                         .where(Comment.author_id == author_id)))
                    .values(**_changes())
                    .execution_options(synchronize_session=False))
