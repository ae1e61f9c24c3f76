"""Email moderators about comments held for review, batched into one digest."""

from __future__ import annotations

from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from comments_widget.mail import MailFailed, MailSettings, deliver
from comments_widget.models import Comment, Reader, Role, Status, utcnow

MAX_LISTED = 20


__all__ = ["MailSettings", "send_digest"]


def moderator_addresses(session: Session) -> list[str]:
    """Where moderators' emails go: staff with an address who did not opt out."""
    return list(session.scalars(sa.select(Reader.email).where(
        Reader.role.in_([Role.MODERATOR, Role.ADMIN]), Reader.email.is_not(None),
        Reader.digest_emails.is_(True))))


def _claim_unnotified(session: Session) -> list[Comment]:
    # Marking before sending means two processes never mail the same comment twice; a failed
    # send puts the marks back so the comments go out with the next digest instead.
    now = utcnow()
    ids = list(session.scalars(sa.select(Comment.id).where(
        Comment.status == Status.PENDING, Comment.notified_at.is_(None)).order_by(Comment.id)))
    if not ids:
        return []
    session.execute(sa.update(Comment).where(Comment.id.in_(ids), Comment.notified_at.is_(None))
                    .values(notified_at=now))
    session.commit()
    return list(session.scalars(sa.select(Comment).where(Comment.id.in_(ids),
                                                         Comment.notified_at == now)))


def _digest(comments: list[Comment], recipients: list[str], settings: MailSettings
            ) -> EmailMessage:
    message = EmailMessage()
    count = len(comments)
    message["Subject"] = f"{count} comment{'s' if count != 1 else ''} waiting for review"
    message["From"] = settings.sender
    message["To"] = settings.sender
    message["Bcc"] = ", ".join(recipients)
    lines = [f"{count} new comment{'s are' if count != 1 else ' is'} held for review:", ""]
    for comment in comments[:MAX_LISTED]:
        excerpt = " ".join(comment.body_source.split())[:120]
        lines.append(f"- {comment.author.display_name}: {excerpt}")
    if count > MAX_LISTED:
        lines.append(f"… and {count - MAX_LISTED} more.")
    lines += ["", f"Review them: {settings.queue_url}"]
    message.set_content("\n".join(lines))
    return message


def send_digest(session_factory: sessionmaker[Session], settings: MailSettings) -> int:
    """Send one email about every held comment not mailed yet; returns how many it covered."""
    with session_factory() as session:
        recipients = moderator_addresses(session)
        if not recipients:
            return 0
        comments = _claim_unnotified(session)
        if not comments:
            return 0
        try:
            deliver(settings, _digest(comments, recipients, settings))
        except MailFailed:
            session.execute(sa.update(Comment)
                            .where(Comment.id.in_([c.id for c in comments]))
                            .values(notified_at=None))
            session.commit()
            raise
        return len(comments)
