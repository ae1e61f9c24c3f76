"""Webhooks: site owners' servers told when comments and readers change, reliably.

An event is written to a delivery table in the same transaction as the change it reports
(an outbox): if the change commits, the delivery exists, and an app restart loses nothing.
Deliveries are POSTed as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>" with the
webhook's secret (header `X-Comments-Widget-Signature: t=<unix time>,v1=<hex>`), and retried
with exponential backoff until the receiver answers 2xx or the attempts run out. They are
sent in the background after each change and by `comments-widget deliver-webhooks` (cron),
which also picks up retries that fell due while the app was down.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from comments_widget.errors import InvalidInput, NotFound
from comments_widget.models import Comment, Reader, Thread, Webhook, WebhookDelivery, utcnow
from comments_widget.services import audit
from comments_widget.urls import origin_of

logger = logging.getLogger(__name__)
_QUEUED = "comments_widget.webhooks_queued"
EVENTS = ("comment.created", "comment.approved", "comment.rejected", "comment.spam",
          "comment.deleted", "thread.closed", "reader.banned")
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
TIMEOUT_SECONDS = 5
SIGNATURE_HEADER = "X-Comments-Widget-Signature"
BATCH = 50


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for this body at this time."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, tolerance: int = 300,
                     now: float | None = None) -> bool:
    """What a receiver does (docs/webhooks.md): recompute, compare in constant time, and
    refuse old timestamps so a captured request cannot be replayed later."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


# -- managing webhooks (admins, on the Sites page) ------------------------------------------


def add(session: Session, actor: Reader, url: str, events: Iterable[str]) -> Webhook:
    """A new webhook with a fresh secret."""
    url = url.strip()
    if origin_of(url) is None:
        raise InvalidInput("A webhook needs an http:// or https:// URL.", code="invalid_url")
    chosen = [event for event in EVENTS if event in set(events)]
    if not chosen:
        raise InvalidInput("Choose at least one event.", code="no_events")
    webhook = Webhook(url=url[:2000], secret=secrets.token_hex(32), events=" ".join(chosen),
                      created_at=utcnow())
    session.add(webhook)
    session.flush()
    audit.record(session, actor, "add_webhook", "webhook", webhook.id, "", webhook.url,
                 webhook.events)
    return webhook


def remove(session: Session, actor: Reader, webhook_id: int) -> None:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound("That webhook does not exist.", code="unknown_webhook")
    audit.record(session, actor, "remove_webhook", "webhook", webhook.id, webhook.url, "")
    session.delete(webhook)
    session.flush()


def listed(session: Session) -> list[Webhook]:
    return list(session.scalars(sa.select(Webhook).order_by(Webhook.id)))


def recent_deliveries(session: Session, limit: int = 30) -> list[WebhookDelivery]:
    """The delivery log the Sites page shows, newest first."""
    return list(session.scalars(sa.select(WebhookDelivery)
                                .order_by(WebhookDelivery.id.desc()).limit(limit)))


# -- events ---------------------------------------------------------------------------------


def comment_data(comment: Comment, thread: Thread) -> dict[str, object]:
    """What an event says about a comment: no email address, nothing private."""
    return {"comment": {
        "id": comment.id, "parent_id": comment.parent_id, "status": comment.status.value,
        "html": comment.body_html, "created_at": comment.created_at.isoformat(),
        "author": {"id": comment.author_id, "name": comment.author.display_name},
        "thread": {"id": thread.id, "url": thread.url, "title": thread.title}}}


_HOOKS = sa.select(Webhook.id, Webhook.events)  # built once: every post asks


def emit(session: Session, event: str, data: dict[str, object]) -> int:
    """Queue `event` for every webhook that asked for it, in the caller's transaction;
    returns how many deliveries were queued."""
    hooks = session.execute(_HOOKS).all()
    wanted = [hook_id for hook_id, events in hooks if event in events.split()]
    if not wanted:
        return 0
    now = utcnow()
    body = json.dumps({"event": event, "created_at": now.isoformat(), "data": data},
                      ensure_ascii=False, separators=(",", ":"))
    session.execute(sa.insert(WebhookDelivery), [
        {"hook_id": hook_id, "event": event, "payload": body, "status": "pending",
         "attempts": 0, "next_attempt_at": now, "created_at": now} for hook_id in wanted])
    session.info[_QUEUED] = True
    return len(wanted)


def sender_after_commit(session_factory: sessionmaker[Session]) -> Callable[[Session], None]:
    """An `after_commit` listener: when a transaction queued deliveries, send them in the
    background at once (whichever code committed: no view can forget to)."""
    def after_commit(session: Session) -> None:
        if session.info.pop(_QUEUED, False):
            threading.Thread(target=_send_quietly, args=(session_factory,),
                             name="comments-widget-webhooks", daemon=True).start()

    return after_commit


def _send_quietly(session_factory: sessionmaker[Session]) -> None:
    try:
        deliver_due(session_factory)
    except Exception:
        logger.exception("comments_widget: sending webhooks failed; cron will retry")


def status_event(status_value: str) -> str | None:
    """The event a comment entering this status reports."""
    return {"approved": "comment.approved", "rejected": "comment.rejected",
            "spam": "comment.spam", "deleted": "comment.deleted"}.get(status_value)


# -- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


Poster = Callable[[str, bytes, dict[str, str]], Attempt]


def http_post(url: str, body: bytes, headers: dict[str, str]) -> Attempt:
    """POST one delivery; never raises (a failure is an attempt like any other)."""
    try:
        answer = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS,
                               allow_redirects=False)
    except requests.RequestException as error:
        return Attempt(None, str(error)[:300])
    return Attempt(answer.status_code, "" if answer.ok else answer.text[:300])


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: 30 s, 1 min, 2 min … at most 6 h."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


STUCK = timedelta(minutes=5)  # a "sending" row older than this was left by a crashed sender


def _claim(session: Session, now: datetime) -> list[int]:
    """Mark the due deliveries as being sent, in a transaction of their own, so that two
    senders (the background thread, cron, another app host) never send one twice."""
    due = (sa.select(WebhookDelivery.id).where(sa.or_(
        (WebhookDelivery.status == "pending") & (WebhookDelivery.next_attempt_at <= now),
        (WebhookDelivery.status == "sending") & (WebhookDelivery.next_attempt_at <= now - STUCK)))
        .order_by(WebhookDelivery.id).limit(BATCH))
    ids = list(session.scalars(sa.update(WebhookDelivery)
                               .where(WebhookDelivery.id.in_(due.scalar_subquery()),
                                      WebhookDelivery.status.in_(["pending", "sending"]))
                               .values(status="sending", next_attempt_at=now)
                               .returning(WebhookDelivery.id)))
    session.commit()
    return sorted(ids)


def deliver_due(session_factory: sessionmaker[Session], now: datetime | None = None,
                post: Poster = http_post) -> int:
    """Send every delivery that is due; returns how many succeeded."""
    delivered = 0
    moment = now or utcnow()
    with session_factory() as session:
        for delivery_id in _claim(session, moment):
            delivery = session.get(WebhookDelivery, delivery_id)
            hook = session.get(Webhook, delivery.hook_id) if delivery else None
            if delivery is None or hook is None:
                continue
            body = delivery.payload.encode()
            attempt = post(hook.url, body, {
                "Content-Type": "application/json", "User-Agent": "comments_widget-webhooks",
                "X-Comments-Widget-Event": delivery.event,
                "X-Comments-Widget-Delivery": str(delivery.id),
                SIGNATURE_HEADER: sign(hook.secret, int(moment.timestamp()), body)})
            delivery.attempts += 1
            delivery.last_status_code, delivery.last_error = attempt.status_code, attempt.error
            if attempt.ok:
                delivery.status, delivery.delivered_at = "delivered", moment
                delivered += 1
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
            else:
                delivery.status = "pending"
                delivery.next_attempt_at = moment + backoff(delivery.attempts)
            session.commit()  # each result at once: a crash later sends nothing twice
    return delivered
