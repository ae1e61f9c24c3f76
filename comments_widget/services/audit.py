"""The audit log: every moderation action, who took it and what it changed."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Reader, Role
from comments_widget.services import audit_chain
from comments_widget.services.pages import Page, keyset_page

PAGE_SIZE = 50


def record(session: Session, actor: Reader | None, action: str, target_type: str,
           target_id: int | None, before: str = "", after: str = "",
           detail: str = "") -> AuditEntry:
    """Add one entry; it is committed with the change it describes."""
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action,
                       target_type=target_type, target_id=target_id, before=before[:200],
                       after=after[:200], detail=detail)
    audit_chain.seal(session, entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    target_type: str = ""
    target_id: int | None = None


def entries(session: Session, filters: AuditFilter, before_id: int | None = None,
            limit: int = PAGE_SIZE) -> Page[AuditEntry]:
    """Newest first, one page after `before_id` (keyset pagination)."""
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    return keyset_page(session, query, AuditEntry.id, before_id, limit, lambda entry: entry,
                       scalars=True)


def staff(session: Session) -> list[Reader]:
    """Moderators and admins, by name, for the "who" filter."""
    return list(session.scalars(sa.select(Reader).where(
        Reader.role.in_([Role.MODERATOR, Role.ADMIN])).order_by(Reader.display_name)))


def known_actions(session: Session) -> list[str]:
    """Every action name in the log, for the filter menu."""
    return list(session.scalars(sa.select(AuditEntry.action).distinct().order_by(
        AuditEntry.action)))


TIMELINE_LENGTH = 100


def thread_timeline(session: Session, thread_id: int,
                    limit: int = TIMELINE_LENGTH) -> list[AuditEntry]:
    """What happened on one thread, newest first: to the thread and to its comments."""
    comments = sa.select(Comment.id).where(Comment.thread_id == thread_id)
    return list(session.scalars(sa.select(AuditEntry).where(sa.or_(
        (AuditEntry.target_type == "thread") & (AuditEntry.target_id == thread_id),
        (AuditEntry.target_type == "comment") & AuditEntry.target_id.in_(comments)))
        .order_by(AuditEntry.id.desc()).limit(limit)))


def reader_timeline(session: Session, reader_id: int,
                    limit: int = TIMELINE_LENGTH) -> list[AuditEntry]:
    """What happened to one reader, newest first: bans, roles, erasure, and every decision
    on their comments."""
    comments = sa.select(Comment.id).where(Comment.author_id == reader_id)
    return list(session.scalars(sa.select(AuditEntry).where(sa.or_(
        (AuditEntry.target_type == "reader") & (AuditEntry.target_id == reader_id),
        (AuditEntry.target_type == "comment") & AuditEntry.target_id.in_(comments)))
        .order_by(AuditEntry.id.desc()).limit(limit)))
