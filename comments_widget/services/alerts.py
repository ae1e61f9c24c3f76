"""Alerts: what moderators must hear about once, not once per comment — a thread's surge, a
queue past its target. Raised and cleared by whoever notices; mailed once by whoever sends."""

from __future__ import annotations

from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from comments_widget.mail import MailFailed, MailSettings, deliver
from comments_widget.models import Alert, utcnow
from comments_widget.services.notify import moderator_addresses


def raise_alert(session: Session, key: str, message: str) -> bool:
    """Raise `key` unless it is already up; True when this call raised it."""
    alert = session.get(Alert, key)
    if alert is not None and alert.cleared_at is None:
        return False
    if alert is None:
        session.add(Alert(key=key, message=message, raised_at=utcnow()))
    else:
        alert.message, alert.raised_at = message, utcnow()
        alert.mailed_at = alert.cleared_at = None
    session.flush()
    return True


def clear_alert(session: Session, key: str) -> None:
    """The condition is over; the next time it happens is a new alert."""
    session.execute(sa.update(Alert).where(Alert.key == key, Alert.cleared_at.is_(None))
                    .values(cleared_at=utcnow()))


def active(session: Session) -> list[Alert]:
    """Alerts that are up, oldest first (the overview shows them)."""
    return list(session.scalars(sa.select(Alert).where(Alert.cleared_at.is_(None))
                                .order_by(Alert.raised_at)))


def send_alerts(session_factory: sessionmaker[Session], settings: MailSettings) -> int:
    """Mail every alert raised and not mailed yet, each once; returns how many were sent."""
    with session_factory() as session:
        recipients = moderator_addresses(session)
        if not recipients:
            return 0
        now = utcnow()
        # Claimed before sending, so two processes never mail the same alert twice.
        claimed = session.execute(sa.update(Alert).where(
            Alert.mailed_at.is_(None), Alert.cleared_at.is_(None)).values(mailed_at=now)
            .returning(Alert.key, Alert.message)).all()
        session.commit()
        sent = 0
        for key, text in claimed:
            message = EmailMessage()
            message["Subject"] = text.splitlines()[0][:150]
            message["From"] = message["To"] = settings.sender
            message["Bcc"] = ", ".join(recipients)
            message.set_content(f"{text}\n\nThe dashboard: {settings.queue_url}")
            try:
                deliver(settings, message)
            except MailFailed:
                session.execute(sa.update(Alert).where(Alert.key == key)
                                .values(mailed_at=None))
                session.commit()
                raise
            sent += 1
        return sent
