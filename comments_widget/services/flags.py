"""Readers reporting comments."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Conflict, InvalidInput, NotFound
from comments_widget.models import Comment, Flag, FlagReason, Reader, Status
from comments_widget.services import versions

MAX_FLAG_TEXT = 500


def flag_comment(session: Session, reader: Reader, comment_id: int, reason: object,
                 text: object, threshold: int) -> Comment:
    """Record one report; at `threshold` open reports the comment is hidden until reviewed."""
    try:
        flag_reason = FlagReason(reason)
    except ValueError as error:
        raise InvalidInput("Choose why you are reporting this comment: spam, abuse, off_topic "
                           "or other.", code="invalid_reason") from error
    text = text.strip() if isinstance(text, str) else ""
    if flag_reason is FlagReason.OTHER and not text:
        raise InvalidInput("Say what is wrong with this comment.", code="reason_text_required")
    if len(text) > MAX_FLAG_TEXT:
        raise InvalidInput(f"Keep the explanation under {MAX_FLAG_TEXT} characters.",
                           code="reason_text_too_long")
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != Status.APPROVED:
        raise NotFound("That comment no longer exists.", code="unknown_comment")
    if comment.author_id == reader.id:
        raise InvalidInput("You cannot report your own comment.", code="own_comment")
    exists = session.scalar(sa.select(Flag.id).where(Flag.comment_id == comment.id,
                                                     Flag.reader_id == reader.id))
    if exists is not None:
        raise Conflict("You have already reported this comment.", code="already_reported")
    session.add(Flag(comment_id=comment.id, reader_id=reader.id, reason=flag_reason, text=text))
    session.flush()
    open_flags = session.scalar(sa.select(sa.func.count(Flag.id)).where(
        Flag.comment_id == comment.id, Flag.resolved_at.is_(None)))
    comment.needs_review = True
    if open_flags >= threshold and not comment.hidden_by_flags:
        comment.hidden_by_flags = True
        versions.bump(session, [comment.thread_id])
    return comment
