"""Moderation queues and the actions moderators take on comments, each one audited."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from comments_widget.errors import InvalidInput
from comments_widget.models import AuditEntry, Comment, Flag, Reader, Status, Thread, utcnow
from comments_widget.services import audit, versions

PAGE_SIZE = 25
QUEUES = ("pending", "reported", "approved", "rejected", "spam", "deleted")
ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM,
           "delete": Status.DELETED, "restore": None}


@dataclass(frozen=True)
class QueueFilter:
    """Narrow a queue: one thread, one site (origin), and/or text in the body or author."""

    thread_id: int | None = None
    site: str = ""
    search: str = ""


@dataclass(frozen=True)
class FlagSummary:
    count: int
    reasons: list[str]


def _queue_condition(queue: str) -> sa.ColumnElement[bool]:
    if queue == "reported":
        return sa.and_(Comment.needs_review.is_(True), Comment.status == Status.APPROVED)
    if queue not in QUEUES:
        raise InvalidInput(f"There is no {queue!r} queue.", code="unknown_queue")
    return Comment.status == Status(queue)


def _filtered(query: sa.Select, filters: QueueFilter) -> sa.Select:
    if filters.thread_id is not None:
        query = query.where(Comment.thread_id == filters.thread_id)
    if filters.site or filters.search:
        query = query.join(Thread, Thread.id == Comment.thread_id)
    if filters.site:
        query = query.where(Thread.url.startswith(filters.site.rstrip("/") + "/",
                                                  autoescape=True))
    if filters.search:
        pattern = f"%{filters.search.strip()}%"
        query = query.join(Reader, Reader.id == Comment.author_id).where(sa.or_(
            Comment.body_source.ilike(pattern), Reader.display_name.ilike(pattern),
            Reader.email.ilike(pattern)))
    return query


def queue_page(session: Session, queue: str, filters: QueueFilter, before_id: int | None = None,
               limit: int = PAGE_SIZE) -> list[Comment]:
    """One page of a queue, newest first, continuing below `before_id` (keyset pagination)."""
    query = (sa.select(Comment).where(_queue_condition(queue))
             .options(joinedload(Comment.thread)).order_by(Comment.id.desc()).limit(limit))
    if before_id is not None:
        query = query.where(Comment.id < before_id)
    return list(session.scalars(_filtered(query, filters)).unique())


def queue_counts(session: Session, filters: QueueFilter) -> dict[str, int]:
    """How many comments each tab holds, under the same filter."""
    counts = dict.fromkeys(QUEUES, 0)
    by_status = _filtered(sa.select(Comment.status, sa.func.count(Comment.id))
                          .group_by(Comment.status), filters)
    for status, count in session.execute(by_status):
        counts[status.value] = count
    reported = _filtered(sa.select(sa.func.count(Comment.id))
                         .where(_queue_condition("reported")), filters)
    counts["reported"] = session.scalar(reported) or 0
    return counts


def flag_summaries(session: Session, comment_ids: Sequence[int]) -> dict[int, FlagSummary]:
    """Open reports per comment, with their reasons, for one page in one query."""
    summaries: dict[int, FlagSummary] = {}
    rows = session.execute(sa.select(Flag.comment_id, Flag.reason, Flag.text)
                           .where(Flag.comment_id.in_(comment_ids), Flag.resolved_at.is_(None))
                           .order_by(Flag.id))
    for comment_id, reason, text in rows:
        summary = summaries.get(comment_id, FlagSummary(0, []))
        label = f"{reason.value}: {text}" if text else reason.value
        summaries[comment_id] = FlagSummary(summary.count + 1, [*summary.reasons, label])
    return summaries


def hold_reasons_of(comment: Comment) -> list[str]:
    """The reasons the policy gave when it held this comment."""
    return json.loads(comment.hold_reasons or "[]")


def _previous_status(session: Session, comment: Comment) -> Status:
    last = session.scalar(
        sa.select(AuditEntry.before)
        .where(AuditEntry.target_type == "comment", AuditEntry.target_id == comment.id,
               AuditEntry.after == comment.status.value, AuditEntry.before != "")
        .order_by(AuditEntry.id.desc()).limit(1)
    )
    return Status(last) if last else Status.APPROVED


def apply_action(session: Session, actor: Reader, action: str,
                 comment_ids: Sequence[int]) -> list[Comment]:
    """Approve, reject, mark as spam, delete or restore comments; one audit entry each.

    Any decision closes the comment's open reports, so it leaves the Reported queue.
    """
    if action not in ACTIONS:
        raise InvalidInput(f"Unknown action {action!r}.", code="unknown_action")
    if not comment_ids:
        raise InvalidInput("Select at least one comment.", code="nothing_selected")
    comments = list(session.scalars(sa.select(Comment).where(Comment.id.in_(comment_ids))))
    if len(comments) != len(set(comment_ids)):
        raise InvalidInput("Some of the selected comments no longer exist.",
                           code="unknown_comment")
    now = utcnow()
    for comment in comments:
        before = comment.status
        after = ACTIONS[action] or _previous_status(session, comment)
        comment.status = after
        comment.needs_review = comment.hidden_by_flags = False
        comment.updated_at = now
        audit.record(session, actor, action, "comment", comment.id, before.value, after.value)
    session.execute(sa.update(Flag).where(Flag.comment_id.in_(comment_ids),
                                          Flag.resolved_at.is_(None)).values(resolved_at=now))
    versions.bump(session, [comment.thread_id for comment in comments])
    session.flush()
    return comments
