"""Moderation queues and the actions moderators take on comments, each one audited."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from comments_widget.errors import Conflict, InvalidInput
from comments_widget.models import AuditEntry, Comment, Flag, Reader, Status, Thread, utcnow
from comments_widget.services import audit, featured, search, spam, versions, webhooks
from comments_widget.services.pages import Page, keyset_page

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


@dataclass(frozen=True)
class _Search:
    """A search resolved before the queue query: the database's dialect (for its full-text
    index) and the readers whose name or address matches (a short list of ids, so the
    planner can combine the text index and the author index instead of scanning)."""

    dialect: str
    author_ids: tuple[int, ...] = ()


MAX_MATCHING_AUTHORS = 500


def _resolve(session: Session, filters: QueueFilter) -> _Search:
    dialect = session.get_bind().dialect.name
    if not filters.search:
        return _Search(dialect)
    pattern = f"%{filters.search.strip()}%"
    ids = session.scalars(sa.select(Reader.id).where(sa.or_(
        Reader.display_name.ilike(pattern), Reader.email.ilike(pattern)))
        .limit(MAX_MATCHING_AUTHORS))
    return _Search(dialect, tuple(ids))


def _filtered(query: sa.Select, filters: QueueFilter, resolved: _Search) -> sa.Select:
    if filters.thread_id is not None:
        query = query.where(Comment.thread_id == filters.thread_id)
    if filters.site:
        query = query.join(Thread, Thread.id == Comment.thread_id)
    if filters.site:
        query = query.where(Thread.url.startswith(filters.site.rstrip("/") + "/",
                                                  autoescape=True))
    if filters.search:
        # The text through the full-text index; the author by name or address.
        text = search.matching(resolved.dialect, search.terms(filters.search))
        query = query.where(sa.or_(text, Comment.author_id.in_(resolved.author_ids))
                            if resolved.author_ids else text)
    return query


def queue_page(session: Session, queue: str, filters: QueueFilter, before_id: int | None = None,
               limit: int = PAGE_SIZE) -> Page[Comment]:
    """One page of a queue, newest first, continuing below `before_id` (keyset pagination)."""
    # A search orders by `id + 0`: the same order, but the planner can no longer walk the
    # primary key backwards hoping to meet 26 matches soon, which for a rare word means
    # reading every row (9 s at 1M comments); it reads the full-text index instead (6 ms;
    # a word in most comments: 250 ms). bench/explain.py shows both plans.
    newest_first = (Comment.id + 0 if filters.search else Comment.id).desc()
    query = (sa.select(Comment).where(_queue_condition(queue))
             .options(joinedload(Comment.thread), joinedload(Comment.author))
             .order_by(newest_first))
    return keyset_page(session, _filtered(query, filters, _resolve(session, filters)), Comment.id,
                       before_id, limit,
                       lambda comment: comment, scalars=True)


def allowed_actions(comment: Comment) -> tuple[str, ...]:
    """What a moderator may do to this comment now: never the status it already has, and
    "approve" on an approved comment only while readers' reports wait for a decision."""
    if comment.status == Status.PENDING:
        return ("approve", "reject", "spam", "delete")
    if comment.status == Status.APPROVED:
        return ("approve", "reject", "spam", "delete") if comment.needs_review else (
            "reject", "spam", "delete")
    return tuple(action for action in ("approve", "reject", "spam", "delete", "restore")
                 if ACTIONS.get(action) != comment.status)


COUNT_CAP = 1000  # tabs count up to here and then say "1,000+"


def queue_counts(session: Session, filters: QueueFilter) -> dict[str, int]:
    """How many comments each tab holds, under the same filter, counted up to COUNT_CAP.

    Each count reads at most COUNT_CAP + 1 index entries: the Approved tab of a million
    comments no longer costs a scan of the table on every page (154 ms at 1M), and the
    queues a moderator works through are counted exactly."""
    resolved = _resolve(session, filters)
    counts = {}
    for queue in QUEUES:
        capped = _filtered(sa.select(Comment.id).where(_queue_condition(queue)), filters,
                           resolved).limit(COUNT_CAP + 1).subquery()
        counts[queue] = session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0
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


def _previous_status(session: Session, comment: Comment) -> Status:
    last = session.scalar(
        sa.select(AuditEntry.before)
        .where(AuditEntry.target_type == "comment", AuditEntry.target_id == comment.id,
               AuditEntry.after == comment.status.value, AuditEntry.before != "")
        .order_by(AuditEntry.id.desc()).limit(1)
    )
    return Status(last) if last else Status.APPROVED


@dataclass(frozen=True)
class Decision:
    """What one moderator action changed: the comments, and the audit entries that undo it."""

    comments: list[Comment]
    entries: list[AuditEntry]


def apply_action(session: Session, actor: Reader, action: str,
                 comment_ids: Sequence[int]) -> Decision:
    """Approve, reject, mark as spam, delete or restore comments; one audit entry each.

    Any decision closes the comment's open reports, so it leaves the Reported queue; the
    entry remembers what it closed, so Undo can put everything back as it was.
    """
    if action not in ACTIONS:
        raise InvalidInput(f"Unknown action {action!r}.", code="unknown_action")
    if not comment_ids:
        raise InvalidInput("Select at least one comment.", code="nothing_selected")
    comments = list(session.scalars(sa.select(Comment).where(Comment.id.in_(comment_ids))
                                    .order_by(Comment.id.desc())))
    if len(comments) != len(set(comment_ids)):
        raise InvalidInput("Some of the selected comments no longer exist.",
                           code="unknown_comment")
    open_flags: dict[int, list[int]] = {}
    for flag_id, comment_id in session.execute(
            sa.select(Flag.id, Flag.comment_id).where(Flag.comment_id.in_(comment_ids),
                                                      Flag.resolved_at.is_(None))):
        open_flags.setdefault(comment_id, []).append(flag_id)
    now = utcnow()
    entries = []
    for comment in comments:
        before = comment.status
        after = ACTIONS[action] or _previous_status(session, comment)
        detail = json.dumps({"needs_review": comment.needs_review,
                             "hidden_by_flags": comment.hidden_by_flags,
                             "flags": open_flags.get(comment.id, [])})
        comment.status = after
        comment.needs_review = comment.hidden_by_flags = False
        comment.updated_at = now
        spam.record_decision(session, comment, before, after)
        entries.append(audit.record(session, actor, action, "comment", comment.id,
                                    before.value, after.value, detail))
    session.execute(sa.update(Flag).where(Flag.comment_id.in_(comment_ids),
                                          Flag.resolved_at.is_(None)).values(resolved_at=now))
    versions.bump(session, [comment.thread_id for comment in comments])
    featured.recount(session, [comment.thread_id for comment in comments])
    _tell_webhooks(session, comments)
    session.flush()
    return Decision(comments, entries)


def _tell_webhooks(session: Session, comments: Sequence[Comment]) -> None:
    threads = {t.id: t for t in session.scalars(sa.select(Thread).where(
        Thread.id.in_({c.thread_id for c in comments})))}
    for comment in comments:
        event = webhooks.status_event(comment.status.value)
        if event is not None:
            webhooks.emit(session, event, webhooks.comment_data(comment,
                                                                threads[comment.thread_id]))


def undo(session: Session, actor: Reader, entry_ids: Sequence[int]) -> Decision:
    """Put comments back exactly as a decision found them (status, reports, visibility).

    Refused, changing nothing, if any of them has been decided on again since: undoing would
    silently overwrite a colleague's later decision.
    """
    entries = list(session.scalars(sa.select(AuditEntry).where(
        AuditEntry.id.in_(entry_ids), AuditEntry.target_type == "comment",
        AuditEntry.action.in_(list(ACTIONS)))))
    if not entries or len(entries) != len(set(entry_ids)):
        raise InvalidInput("There is nothing to undo.", code="nothing_to_undo")
    comments = {c.id: c for c in session.scalars(sa.select(Comment).where(
        Comment.id.in_([entry.target_id for entry in entries])))}
    for entry in entries:
        comment = comments.get(entry.target_id or 0)
        if comment is None or comment.status.value != entry.after or _decided_since(
                session, entry):
            raise Conflict(f"Comment {entry.target_id} was changed after that decision; "
                           "nothing was undone.", code="changed_since")
    now = utcnow()
    undone = []
    for entry in entries:
        comment = comments[entry.target_id or 0]
        was = json.loads(entry.detail or "{}")
        spam.record_decision(session, comment, comment.status, Status(entry.before))
        comment.status = Status(entry.before)
        comment.needs_review = bool(was.get("needs_review"))
        comment.hidden_by_flags = bool(was.get("hidden_by_flags"))
        comment.updated_at = now
        if was.get("flags"):
            session.execute(sa.update(Flag).where(Flag.id.in_(was["flags"]))
                            .values(resolved_at=None))
        undone.append(audit.record(session, actor, "undo", "comment", comment.id, entry.after,
                                   entry.before, json.dumps({"undid": entry.id})))
    versions.bump(session, [comment.thread_id for comment in comments.values()])
    featured.recount(session, [comment.thread_id for comment in comments.values()])
    _tell_webhooks(session, list(comments.values()))
    session.flush()
    return Decision(list(comments.values()), undone)


def _decided_since(session: Session, entry: AuditEntry) -> bool:
    return session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.target_type == "comment", AuditEntry.target_id == entry.target_id,
        AuditEntry.id > entry.id)) > 0


def ids_from_author(session: Session, comment_id: int) -> list[int]:
    """Every pending comment by the author of this one (for "approve all from this reader")."""
    author_id = session.scalar(sa.select(Comment.author_id).where(Comment.id == comment_id))
    return list(session.scalars(sa.select(Comment.id).where(
        Comment.author_id == author_id, Comment.status == Status.PENDING)))


def ids_in_thread_since(session: Session, comment_id: int) -> list[int]:
    """Every visible or pending comment in this comment's thread posted at or after it (for
    "reject all in this thread since …", the answer to a brigade)."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        return []
    return list(session.scalars(sa.select(Comment.id).where(
        Comment.thread_id == comment.thread_id, Comment.created_at >= comment.created_at,
        Comment.status.in_([Status.PENDING, Status.APPROVED]))))
