"""Kick off the moderators' digest email after a comment is held, without delaying the reader."""

from __future__ import annotations

import threading
from dataclasses import replace

from flask import current_app, url_for

from comments_widget.errors import RateLimited
from comments_widget.services.notify import send_digest
from comments_widget.state import current_state


def notify_moderators_soon() -> None:
    """Send the digest in the background, at most once per COMMENTS_WIDGET_NOTIFY_INTERVAL_MINUTES.

    Comments held in between are not lost: they go out with the next digest, sent by the next
    held comment after the interval or by `flask comments-widget notify-moderators` from cron.
    """
    state = current_state()
    if state.mail is None:
        return
    try:
        # The shared rate limiter doubles as a cross-process "sent recently" marker.
        state.limiter.hit(f"1 per {state.notify_interval_minutes} minutes", "digest")
    except RateLimited:
        return
    settings = state.mail
    if not settings.queue_url:
        settings = replace(settings, queue_url=url_for("comments_widget.admin.queue",
                                                       name="pending", _external=True))
    logger = current_app.logger

    def send() -> None:
        try:
            sent = send_digest(state.session_factory, settings)
            logger.info("comments_widget: emailed moderators about %d held comments", sent)
        except Exception:  # Logged, and the comments stay un-notified for the next digest.
            logger.exception("comments_widget: could not email moderators")

    threading.Thread(target=send, name="comments-widget-digest", daemon=True).start()
