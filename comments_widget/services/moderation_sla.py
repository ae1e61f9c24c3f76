"""How fast moderators decide: the oldest pending comment's age, the median time from a
comment being held to a decision, and one alert when the queue is past its target."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Status
from comments_widget.services import alerts
from comments_widget.services.policy import Policy

ALERT_KEY = "sla"
DECISIONS = ("approve", "reject", "spam", "delete")


@dataclass(frozen=True)
class Pace:
    oldest_pending: timedelta | None  # None: nothing is waiting
    median_day: timedelta | None  # None: no decision on a held comment in the period
    median_week: timedelta | None
    decided_day: int
    decided_week: int


def oldest_pending_since(session: Session) -> datetime | None:
    """When the comment that has waited longest was posted (the pending rows come from the
    (status, id) index; a queue is thousands at most, never the whole table)."""
    return session.scalar(sa.select(sa.func.min(Comment.created_at))
                          .where(Comment.status == Status.PENDING))


def pace(session: Session, now: datetime) -> Pace:
    """The overview's moderation numbers."""
    oldest = oldest_pending_since(session)
    waits = [(decided, posted) for decided, posted in session.execute(
        sa.select(AuditEntry.created_at, Comment.created_at)
        .join(Comment, Comment.id == AuditEntry.target_id)
        .where(AuditEntry.target_type == "comment", AuditEntry.action.in_(DECISIONS),
               AuditEntry.before == Status.PENDING.value,
               AuditEntry.created_at >= now - timedelta(days=7)))]
    week = [decided - posted for decided, posted in waits]
    day = [decided - posted for decided, posted in waits if decided >= now - timedelta(days=1)]
    return Pace(oldest_pending=now - oldest if oldest else None,
                median_day=statistics.median(day) if day else None,
                median_week=statistics.median(week) if week else None,
                decided_day=len(day), decided_week=len(week))


def check(session: Session, policy: Policy, now: datetime) -> bool:
    """Raise the alert when a comment has waited past the target, clear it when none has;
    True while the queue is past its target."""
    oldest = oldest_pending_since(session)
    late = (policy.sla_minutes is not None and oldest is not None
            and now - oldest > timedelta(minutes=policy.sla_minutes))
    if late:
        waited = int((now - oldest).total_seconds() // 60)
        alerts.raise_alert(session, ALERT_KEY,
                           f"Comments have waited {waited} minutes for a moderator\n\n"
                           f"The target is {policy.sla_minutes} minutes. This email is sent "
                           f"once; the next one only after the queue has caught up.")
    else:
        alerts.clear_alert(session, ALERT_KEY)
    return late
