"""Moderating people: finding readers, banning and unbanning, changing roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden, InvalidInput
from comments_widget.models import Comment, Reader, Role, Status, utcnow
from comments_widget.services import audit, versions, webhooks
from comments_widget.services.pages import Page, keyset_page
from comments_widget.services.readers import end_all_sessions

PAGE_SIZE = 50


@dataclass(frozen=True)
class ReaderRow:
    reader: Reader
    comment_count: int


def reader_page(session: Session, search: str = "", before_id: int | None = None,
                limit: int = PAGE_SIZE) -> Page[ReaderRow]:
    """Readers, newest first, with how many comments each has written."""
    counts = (sa.select(Comment.author_id, sa.func.count(Comment.id).label("n"))
              .group_by(Comment.author_id).subquery())
    query = (sa.select(Reader, sa.func.coalesce(counts.c.n, 0))
             .outerjoin(counts, counts.c.author_id == Reader.id)
             .order_by(Reader.id.desc()))
    if search.strip():
        pattern = f"%{search.strip()}%"
        query = query.where(sa.or_(Reader.display_name.ilike(pattern),
                                   Reader.email.ilike(pattern)))
    return keyset_page(session, query, Reader.id, before_id, limit,
                       lambda row: ReaderRow(row[0], row[1]))


def _only_admins_act_on_staff(actor: Reader, reader: Reader) -> None:
    # Banning a moderator takes their dashboard away: a demotion, which only admins may make.
    if reader.is_moderator and actor.role != Role.ADMIN:
        raise Forbidden("Only admins can ban or unban a moderator.", code="admin_only")


def ban(session: Session, actor: Reader, reader: Reader, reason: str,
        until: datetime | None, hide_comments: bool) -> int:
    """Ban a reader: their logins end now, posting is refused; returns comments hidden."""
    if reader.id == actor.id:
        raise InvalidInput("You cannot ban yourself.", code="ban_self")
    if reader.role == Role.ADMIN:
        raise Forbidden("Admins cannot be banned; demote them first.", code="ban_admin")
    _only_admins_act_on_staff(actor, reader)
    if until is not None and until <= utcnow():
        raise InvalidInput("The ban's end date must be in the future.", code="ban_in_past")
    reader.banned_at, reader.banned_until, reader.ban_reason = utcnow(), until, reason.strip()
    end_all_sessions(session, reader)
    hidden = 0
    if hide_comments:
        hidden = session.execute(
            sa.update(Comment)
            .where(Comment.author_id == reader.id,
                   Comment.status.in_([Status.APPROVED, Status.PENDING]))
            .values(status=Status.REJECTED, updated_at=utcnow())
        ).rowcount
        versions.bump_for_author(session, reader.id)
    until_text = until.date().isoformat() if until else "no end date"
    audit.record(session, actor, "ban", "reader", reader.id, "active", f"banned ({until_text})",
                 f"{reason.strip()}; {hidden} comments hidden" if hide_comments else reason)
    webhooks.emit(session, "reader.banned", {
        "reader": {"id": reader.id, "name": reader.display_name},
        "until": until.isoformat() if until else None})
    session.flush()
    return hidden


def unban(session: Session, actor: Reader, reader: Reader) -> None:
    """Lift a ban; hidden comments stay hidden (restore them from the Rejected queue)."""
    _only_admins_act_on_staff(actor, reader)
    reader.banned_at = reader.banned_until = None
    reader.ban_reason = ""
    audit.record(session, actor, "unban", "reader", reader.id, "banned", "active")
    session.flush()


def set_role(session: Session, actor: Reader, reader: Reader, role: Role) -> None:
    """Promote or demote; only admins may, and the last admin cannot step down."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins can change roles.", code="admin_only")
    if reader.role == Role.ADMIN and role != Role.ADMIN:
        admins = session.scalar(sa.select(sa.func.count(Reader.id))
                                .where(Reader.role == Role.ADMIN))
        if admins <= 1:
            raise InvalidInput("This is the last admin; promote another admin first.",
                               code="last_admin")
    before = reader.role
    reader.role = role
    # A demoted moderator's open dashboard tab must not keep its powers.
    end_all_sessions(session, reader)
    audit.record(session, actor, "set_role", "reader", reader.id, before.value, role.value)
    session.flush()


def ensure_admin(session: Session, email: str, display_name: str | None = None,
                 password: str | None = None, min_password_length: int = 8) -> tuple[Reader, bool]:
    """Make the reader with this email an admin, creating the account if a password is given
    (or giving one to an account that has none: restored from an export, see docs/moving.md).

    Returns the reader and whether the account was created.
    """
    from comments_widget.services.readers import (
        change_password,
        find_reader_by_email,
        register_reader,
    )

    reader = find_reader_by_email(session, email)
    created = False
    if reader is None:
        if not password:
            raise InvalidInput(f"No account for {email}; give a password to create one.",
                               code="password_required")
        reader = register_reader(session, email=email, display_name=display_name or "Admin",
                                 password=password, min_password_length=min_password_length,
                                 staff=True)
        created = True
    elif password and not reader.password_hash:
        change_password(session, reader, password, min_password_length)
    if reader.role != Role.ADMIN:
        audit.record(session, None, "set_role", "reader", reader.id, reader.role.value,
                     Role.ADMIN.value, "command line")
        reader.role = Role.ADMIN
    session.flush()
    return reader, created
