"""Readers reporting comments."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Conflict, InvalidInput, NotFound
from comments_widget.i18n import gettext as _
from comments_widget.models import Comment, Flag, FlagReason, Reader, Role, Status, utcnow
from comments_widget.services import versions
from comments_widget.services.readers import ensure_may_act

MAX_FLAG_TEXT = 500


def _trusted_reporters(trusted_age: timedelta) -> sa.ColumnElement[bool]:
    # A brigade of fresh accounts must not be able to hide a comment: only reports from
    # verified accounts, staff, or accounts old enough to have had a comment approved count.
    has_approved = (sa.select(Comment.id).where(Comment.author_id == Reader.id,
                                                Comment.status == Status.APPROVED).exists())
    return sa.or_(Reader.email_verified_at.is_not(None),
                  Reader.role.in_([Role.MODERATOR, Role.ADMIN]),
                  sa.and_(Reader.created_at <= utcnow() - trusted_age, has_approved))


def flag_comment(session: Session, reader: Reader, comment_id: int, reason: object,
                 text: object, threshold: int, trusted_age: timedelta) -> Comment:
    """Record one report; at `threshold` open reports from trusted readers the comment is
    hidden until reviewed (every report still puts it in the Reported queue)."""
    ensure_may_act(reader)
    try:
        flag_reason = FlagReason(reason)
    except ValueError as error:
        raise InvalidInput("Choose why you are reporting this comment: spam, abuse, off_topic "
                           "or other.", code="invalid_reason") from error
    text = text.strip() if isinstance(text, str) else ""
    if flag_reason is FlagReason.OTHER and not text:
        raise InvalidInput(_("Say what is wrong with this comment."),
                           code="reason_text_required")
    if len(text) > MAX_FLAG_TEXT:
        raise InvalidInput(_("Keep the explanation under {n} characters.", n=MAX_FLAG_TEXT),
                           code="reason_text_too_long")
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != Status.APPROVED:
        raise NotFound(_("That comment no longer exists."), code="unknown_comment")
    if comment.author_id == reader.id:
        raise InvalidInput(_("You cannot report your own comment."), code="own_comment")
    exists = session.scalar(sa.select(Flag.id).where(Flag.comment_id == comment.id,
                                                     Flag.reader_id == reader.id))
    if exists is not None:
        raise Conflict(_("You have already reported this comment."), code="already_reported")
    session.add(Flag(comment_id=comment.id, reader_id=reader.id, reason=flag_reason, text=text))
    session.flush()
    open_flags = session.scalar(
        sa.select(sa.func.count(Flag.id)).join(Reader, Reader.id == Flag.reader_id)
        .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None),
               _trusted_reporters(trusted_age)))
    comment.needs_review = True
    if open_flags >= threshold and not comment.hidden_by_flags:
        comment.hidden_by_flags = True
        versions.bump(session, [comment.thread_id])
    return comment
