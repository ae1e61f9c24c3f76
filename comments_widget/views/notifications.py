"""Emails sent after a request, in the background, without delaying it: the moderators' digest
after a comment is held, and the authors' news after moderators decide on held comments."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from flask import current_app, url_for

from comments_widget.errors import RateLimited
from comments_widget.services.decisions import Links, send_decisions
from comments_widget.services.notify import send_digest
from comments_widget.state import current_state
from comments_widget.views.emails import public_url, site_name


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
    def send() -> str:
        sent = send_digest(state.session_factory, settings)
        return f"emailed moderators about {sent} held comments"

    # If it fails, the comments stay un-notified for the next digest.
    _in_background("digest", send, "could not email moderators")


def notify_authors_soon(decided_ids: list[int]) -> None:
    """Tell the authors of these just-decided held comments, those who asked (account page)."""
    state = current_state()
    if state.mail is None or not decided_ids:
        return
    settings = state.mail
    links = Links(account_url=public_url("comments_widget.pages.account"),
                  site_name=site_name())

    def send() -> str:
        sent = send_decisions(state.session_factory, settings, decided_ids, links)
        return f"told {sent} authors what moderators decided"

    _in_background("decisions", send, "could not email authors about moderation decisions")


def _in_background(name: str, send: Callable[[], str], failure: str) -> None:
    logger = current_app.logger

    def run() -> None:
        try:
            logger.info("comments_widget: %s", send())
        except Exception:
            logger.exception("comments_widget: %s", failure)

    threading.Thread(target=run, name=f"comments-widget-{name}", daemon=True).start()
