"""Sending email: one SMTP path for the moderators' digest and the readers' account emails.

Every message has a plain-text part and a simple HTML part built from the same lines, so
nothing a reader typed is ever inserted into HTML unescaped.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from html import escape

SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class MailSettings:
    """SMTP settings from COMMENTS_WIDGET_SMTP_* and the link moderators follow."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    sender: str
    queue_url: str


class MailFailed(Exception):
    """The SMTP server could not be reached or refused the message."""


def _connect(settings: MailSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
    if settings.starttls:
        smtp.starttls()
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def deliver(settings: MailSettings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; MailFailed if it cannot be delivered now."""
    try:
        with _connect(settings) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(str(error)) from error


def check_reachable(settings: MailSettings) -> None:
    """MailFailed unless the SMTP server answers: so that a request whose answer must not
    reveal whether a message was sent fails the same way either way."""
    try:
        with _connect(settings) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(str(error)) from error


def compose(settings: MailSettings, to: str, subject: str, paragraphs: Sequence[str],
            link: tuple[str, str] | None = None) -> EmailMessage:
    """A message of plain paragraphs and at most one link (its text and URL), as text and HTML."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = to
    text = list(paragraphs)
    html_parts = [f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs]
    if link is not None:
        label, url = link
        text.insert(1, f"{label}: {url}")
        html_parts.insert(1, f'<p><a href="{escape(url)}">{escape(label)}</a></p>')
    message.set_content("\n\n".join(text) + "\n")
    message.add_alternative("<!doctype html><html><body>" + "".join(html_parts)
                            + "</body></html>", subtype="html")
    return message
