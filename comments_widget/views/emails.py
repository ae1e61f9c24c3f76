"""Emails to readers, as the reader pages send them: absolute links, the service's name, and
sending to an address without revealing whether it has an account."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

from flask import current_app, request, url_for

from comments_widget import mail
from comments_widget.i18n import N_
from comments_widget.models import Reader
from comments_widget.services import readers as reader_service
from comments_widget.state import current_state, db_session
from comments_widget.views.limits import check_client, count_client

COULD_NOT_SEND = N_("We could not send the email. Please try again in a few minutes.")


def public_url(endpoint: str, **values: str) -> str:
    """An absolute link for an email: COMMENTS_WIDGET_PUBLIC_URL, else this request's host."""
    base = current_app.config["COMMENTS_WIDGET_PUBLIC_URL"] or request.host_url
    return base.rstrip("/") + url_for(endpoint, **values)


def site_name() -> str:
    """What emails and pages call this comment service."""
    return current_app.config["COMMENTS_WIDGET_SITE_NAME"] or request.host


def mail_to_address(email: str, message_for: Callable[[Reader], EmailMessage | None]) -> None:
    """Send `message_for(reader)` to the account at `email`, if there is one and it gets a
    message; otherwise only touch the mail server, so that every address sees the same outcome.

    Rate-limited per client address and per email address (COMMENTS_WIDGET_MAIL_RATE_LIMIT);
    raises RateLimited, or MailFailed when the mail server cannot be reached.
    """
    state = current_state()
    settings = state.mail
    if settings is None:
        raise mail.MailFailed("email is off (COMMENTS_WIDGET_SMTP_HOST)")
    check_client(state.mail_rate_limit, "mail")
    state.limiter.check(state.mail_rate_limit, "mail-to", email)
    reader = reader_service.find_reader_by_email(db_session(), email)
    message = message_for(reader) if reader is not None else None
    if message is not None:
        mail.deliver(settings, message)
    else:
        mail.check_reachable(settings)
    count_client(state.mail_rate_limit, "mail")
    state.limiter.count(state.mail_rate_limit, "mail-to", email)
