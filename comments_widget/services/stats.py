"""Numbers for the dashboard's overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Status


@dataclass(frozen=True)
class Overview:
    today: int
    last_7_days: int
    last_30_days: int
    pending: int
    reported: int
    per_day: list[tuple[date, int]]  # the last 30 days, oldest first, days without comments too


def overview(session: Session, now: datetime) -> Overview:
    """Comment volumes and the review backlog, from one pass over the last 30 days."""
    start_of_today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = (start_of_today - timedelta(days=29)).date()
    day = sa.func.date(Comment.created_at)
    rows = session.execute(
        sa.select(day, sa.func.count(Comment.id))
        .where(Comment.created_at >= start_of_today - timedelta(days=29))
        .group_by(day)
    )
    by_day = {date.fromisoformat(str(d)): n for d, n in rows}
    per_day = [(first_day + timedelta(days=i), by_day.get(first_day + timedelta(days=i), 0))
               for i in range(30)]
    backlog = session.execute(sa.select(
        sa.func.count(Comment.id).filter(Comment.status == Status.PENDING),
        sa.func.count(Comment.id).filter(Comment.needs_review.is_(True),
                                         Comment.status == Status.APPROVED),
    )).one()
    return Overview(today=per_day[-1][1], last_7_days=sum(n for _, n in per_day[-7:]),
                    last_30_days=sum(n for _, n in per_day), pending=backlog[0],
                    reported=backlog[1], per_day=per_day)
