"""Thread versions: every change a reader could see moves its thread's version on.

The public thread payload's ETag is built from the version, so a cached copy is reused until
something changes and never after. The increment happens in SQL, so two writers at once can
never both produce the same new version.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Thread


def bump(session: Session, thread_ids: Iterable[int]) -> None:
    """Move each thread's version on by one."""
    ids = sorted(set(thread_ids))
    if ids:
        session.execute(sa.update(Thread).where(Thread.id.in_(ids))
                        .values(version=Thread.version + 1)
                        .execution_options(synchronize_session=False))


def bump_for_author(session: Session, author_id: int) -> None:
    """Move on every thread a reader has commented in (their comments were hidden at once)."""
    session.execute(sa.update(Thread)
                    .where(Thread.id.in_(sa.select(Comment.thread_id)
                                         .where(Comment.author_id == author_id)))
                    .values(version=Thread.version + 1)
                    .execution_options(synchronize_session=False))
