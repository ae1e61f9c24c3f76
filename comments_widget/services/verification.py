"""Confirming a reader's email address, and what waits for it.

With COMMENTS_WIDGET_EMAIL_VERIFICATION = "before_posting", an unconfirmed reader's comments
are held with the reason EMAIL_NOT_VERIFIED; confirming releases those held for nothing else.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden
from comments_widget.i18n import gettext as _
from comments_widget.models import Comment, Flag, Reader, Role, Status, utcnow
from comments_widget.services import hold_reasons, versions
from comments_widget.services.hold_reasons import EMAIL_NOT_VERIFIED


def ensure_may_log_in(reader: Reader, mode: str) -> None:
    """Forbidden (`email_not_verified`) when `mode` is "before_login" and the reader has not
    confirmed their address yet."""
    if mode == "before_login" and reader.email_verified_at is None:
        raise Forbidden(_("Confirm your email address first: follow the link we sent you when "
                          "you registered (or ask for a new one)."), code="email_not_verified")


def must_confirm(reader: Reader, mode: str) -> bool:
    """True when this reader's comments wait for them to confirm their address."""
    return mode == "before_posting" and reader.email_verified_at is None


def confirm_email(session: Session, reader: Reader) -> int:
    """Mark the reader's address confirmed and release their comments that waited only for
    it; returns how many went live."""
    reader.email_verified_at = utcnow()
    released: set[int] = set()
    count = 0
    held = session.scalars(sa.select(Comment).where(Comment.author_id == reader.id,
                                                    Comment.status == Status.PENDING))
    for comment in held:
        reasons = hold_reasons.loads(comment.hold_reasons)
        if not hold_reasons.has(reasons, EMAIL_NOT_VERIFIED):
            continue
        reasons = [reason for reason in reasons if reason.kind != EMAIL_NOT_VERIFIED]
        comment.hold_reasons = hold_reasons.dumps(reasons)
        if not reasons:
            comment.status, comment.updated_at = Status.APPROVED, utcnow()
            released.add(comment.thread_id)
            count += 1
    session.flush()
    versions.bump(session, released)
    return count


def purge_unverified(session: Session, older_than: timedelta) -> int:
    """Delete readers (not staff) who never confirmed their address within `older_than`,
    with their comments and reports; returns how many accounts went."""
    cutoff = utcnow() - older_than
    ids = list(session.scalars(sa.select(Reader.id).where(
        Reader.email_verified_at.is_(None), Reader.created_at < cutoff,
        Reader.role == Role.READER)))
    if not ids:
        return 0
    threads = set(session.scalars(sa.select(Comment.thread_id)
                                  .where(Comment.author_id.in_(ids))))
    session.execute(sa.delete(Flag).where(Flag.reader_id.in_(ids)))
    # Replies by others to a purged comment would lose their parent: keep those comments as
    # deleted placeholders, and delete the rest outright.
    replied = sa.select(Comment.parent_id).where(Comment.parent_id.is_not(None))
    session.execute(sa.update(Comment).where(Comment.author_id.in_(ids), Comment.id.in_(replied))
                    .values(status=Status.DELETED))
    session.execute(sa.delete(Comment).where(Comment.author_id.in_(ids),
                                             Comment.id.not_in(replied)))
    deleted = session.execute(sa.delete(Reader).where(
        Reader.id.in_(ids), ~sa.exists().where(Comment.author_id == Reader.id))).rowcount
    versions.bump(session, threads)
    session.flush()
    return deleted
