"""Emails sent after a request, in the background, without delaying it: the moderators' digest
after a comment is held, and the authors' news after moderators decide on held comments."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from flask import current_app, url_for

from comments_widget.errors import RateLimited
from comments_widget.services.alerts import send_alerts
from comments_widget.services.announce import Links as AnnounceLinks
from comments_widget.services.announce import Rules, announce
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


def alert_moderators_soon() -> None:
    """Mail raised alerts (a surge, a queue past its target) in the background, each once."""
    state = current_state()
    if state.mail is None:
        return
    settings = state.mail
    if not settings.queue_url:
        settings = replace(settings, queue_url=url_for("comments_widget.admin.overview",
                                                       _external=True))

    def send() -> str:
        return f"sent {send_alerts(state.session_factory, settings)} alerts to moderators"

    _in_background("alerts", send, "could not email moderators an alert")


def reader_links() -> AnnounceLinks:
    """Where reply and follow emails link to, worked out while a request is at hand."""
    template = public_url("comments_widget.pages.unsubscribe", token="TOKEN")
    return AnnounceLinks(unsubscribe_url=lambda token: template.replace("TOKEN", token),
                         secret=current_app.secret_key, site_name=site_name())


def announce_rules() -> Rules:
    """Who may get reply and follow emails on this server."""
    state = current_state()
    return Rules(replies_default=state.reply_emails_default,
                 confirmed_only=state.email_verification != "off")


def notify_readers_soon() -> None:
    """Send reply and follow emails in the background: at once for the first news, then at most
    one round per COMMENTS_WIDGET_NOTIFY_INTERVAL_MINUTES. Comments in between go out together
    in the next round (a busy thread makes one email, not twenty), sent by the next new comment
    after the interval or by `flask comments-widget notify-readers` from cron."""
    state = current_state()
    if state.mail is None:
        return
    rule = f"1 per {state.notify_interval_minutes} minutes"
    try:
        state.limiter.check(rule, "announce")
    except RateLimited:
        return
    settings, links, rules = state.mail, reader_links(), announce_rules()

    def send() -> str:
        sent = announce(state.session_factory, settings, links, rules)
        if sent:  # Only a round that told somebody starts the quiet interval.
            state.limiter.count(rule, "announce")
        return f"emailed {sent} readers about new comments"

    _in_background("announce", send, "could not email readers about new comments")


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
