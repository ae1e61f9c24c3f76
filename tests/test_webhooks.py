"""Webhooks against a real local HTTP receiver: signed, retried with backoff from the delivery
table, not lost when the app restarts, and logged on the Sites page."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, Response, request
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Reader, Thread, Webhook, WebhookDelivery, utcnow
from comments_widget.services import community, threads, webhooks
from comments_widget.state import WidgetState
from tests.conftest import ARTICLE, bearer, create_reader, csrf_token, post, stored
from tests.live import serve

SITES = "/comments/admin/sites"
ACT = "/comments/admin/comments/action"
QUEUE = "/comments/admin/queue/pending"


@dataclass
class Receiver:
    """A site owner's endpoint: records every request; fails the first `failures` of them."""

    failures: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def app(self) -> Flask:
        app = Flask("receiver")

        @app.post("/hooks")
        def hooks() -> Response:
            self.received.append({"headers": dict(request.headers),
                                  "body": request.get_data()})
            if len(self.received) <= self.failures:
                return Response("busy", status=500)
            return Response("ok")

        return app

    def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    def events(self) -> list[str]:
        return [json.loads(r["body"])["event"] for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    with serve(found.app()) as server:
        found.url = f"http://127.0.0.1:{server.port}/hooks"
        yield found


def wait_until_delivered(session: Session, count: int, timeout: float = 10) -> None:
    """The sender records a delivery just after the receiver answered: wait for the records."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session.expire_all()
        done = session.scalar(sa.select(sa.func.count(WebhookDelivery.id))
                              .where(WebhookDelivery.status == "delivered"))
        if done >= count:
            return
        time.sleep(0.05)


def add_webhook(admin_client: FlaskClient, url: str, events: list[str]) -> str:
    """Add one through the Sites page; the page it comes back to."""
    return admin_client.post(SITES + "/webhooks", data={
        "csrf_token": csrf_token(admin_client, SITES), "url": url, "events": events},
        follow_redirects=True).get_data(as_text=True)


def secret_on_page(page: str) -> str:
    match = re.search(r'<code class="secret">([0-9a-f]{64})</code>', page)
    assert match, "the Sites page shows the webhook's secret"
    return match.group(1)


def test_signatures_hold_for_the_body_and_time_they_were_made_for() -> None:
    header = webhooks.sign("s3cret", 1_795_930_800, b'{"a":1}')
    assert header.startswith("t=1795930800,v1=") and len(header.split("v1=")[1]) == 64
    assert webhooks.verify_signature("s3cret", header, b'{"a":1}', now=1_795_930_900)
    assert not webhooks.verify_signature("s3cret", header, b'{"a":2}', now=1_795_930_900)
    assert not webhooks.verify_signature("other", header, b'{"a":1}', now=1_795_930_900)
    assert not webhooks.verify_signature("s3cret", header, b'{"a":1}', now=1_795_931_200)
    assert not webhooks.verify_signature("s3cret", "garbage", b'{"a":1}')


def test_every_event_reaches_the_receiver_signed(
    client: FlaskClient, admin_client: FlaskClient, session: Session, auth: dict,
    admin_user: Reader, receiver: Receiver, state: WidgetState
) -> None:
    page = add_webhook(admin_client, receiver.url, list(webhooks.EVENTS))
    assert f"{receiver.url}" in page and "Webhook added" in page
    secret = secret_on_page(page)

    comment_id = post(client, auth, body="Hello *hooks*").get_json()["id"]
    receiver.wait_for(1)
    admin_client.post(ACT, data={"csrf_token": csrf_token(admin_client, QUEUE),
                                 "single": f"reject:{comment_id}"},
                      headers={"Accept": "application/json"})
    receiver.wait_for(2)
    thread = session.scalars(sa.select(Thread)).one()
    threads.close(session, admin_user, thread)
    troll = create_reader(session, "Troll", "troll@example.org")
    community.ban(session, admin_user, troll, "trolling", None, False)
    session.commit()
    webhooks.deliver_due(state.session_factory)
    received = receiver.wait_for(4)
    assert receiver.events() == ["comment.created", "comment.rejected", "thread.closed",
                                 "reader.banned"]
    for request_seen in received:
        headers, body = request_seen["headers"], request_seen["body"]
        assert webhooks.verify_signature(secret, headers["X-Comments-Widget-Signature"], body)
        assert headers["X-Comments-Widget-Event"] == json.loads(body)["event"]
    created = json.loads(received[0]["body"])["data"]["comment"]
    assert created["id"] == comment_id and created["html"] == "<p>Hello <em>hooks</em></p>"
    assert created["thread"]["url"] == ARTICLE and "email" not in received[0]["body"].decode()
    banned = json.loads(received[3]["body"])["data"]
    assert banned == {"reader": {"id": troll.id, "name": "Troll"}, "until": None}
    wait_until_delivered(session, 4)
    log = admin_client.get(SITES).get_data(as_text=True)
    assert log.count(">delivered<") == 4


def queue_a_ban(state: WidgetState, url: str) -> None:
    """A webhook and one reader.banned delivery, committed by a plain session: the app's
    background sender stays out of it, and the test drives the schedule."""
    with Session(state.engine) as plain:
        admin = create_reader(plain, "Chief Editor", "chief@example.org")
        webhooks.add(plain, admin, url, ["reader.banned"])
        community.ban(plain, admin, create_reader(plain, "Troll", "troll@example.org"),
                      "trolling", None, False)
        plain.commit()


def test_a_receiver_that_fails_twice_gets_it_on_the_third_try(
    session: Session, state: WidgetState, receiver: Receiver, admin_client: FlaskClient
) -> None:
    receiver.failures = 2
    queue_a_ban(state, receiver.url)
    start = utcnow()
    factory = state.session_factory

    def delivery() -> WebhookDelivery:
        session.expire_all()
        return session.scalars(sa.select(WebhookDelivery)).one()

    assert webhooks.deliver_due(factory, start) == 0
    first = delivery()
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert first.next_attempt_at == start + timedelta(seconds=30)
    assert webhooks.deliver_due(factory, start + timedelta(seconds=20)) == 0
    assert len(receiver.received) == 1  # not due yet
    assert webhooks.deliver_due(factory, start + timedelta(seconds=31)) == 0
    assert delivery().next_attempt_at == start + timedelta(seconds=31 + 60)
    assert webhooks.deliver_due(factory, start + timedelta(seconds=92)) == 1
    done = delivery()
    assert (done.status, done.attempts, done.last_status_code) == ("delivered", 3, 200)
    ids = {r["headers"]["X-Comments-Widget-Delivery"] for r in receiver.received}
    assert len(receiver.received) == 3 and ids == {str(done.id)}
    page = admin_client.get(SITES).get_data(as_text=True)
    assert ">delivered<" in page and "3 attempts" in page


def test_a_delivery_queued_before_a_restart_is_sent_after_it(
    make_app: Any, receiver: Receiver
) -> None:
    first = make_app()
    with first.extensions["comments_widget"].session_factory() as session:
        admin = create_reader(session, "Boss", "boss@example.org")
        webhooks.add(session, admin, receiver.url, ["comment.created"])
        session.commit()
        author = bearer(session, create_reader(session, "Writer", "writer@example.org"))
    # The receiver is down while the comment is posted; the app then goes away.
    receiver.failures = 1
    post(first.test_client(), author, body="before the restart")
    receiver.wait_for(1)
    with first.extensions["comments_widget"].session_factory() as session:
        deadline = time.monotonic() + 10  # the failed attempt is recorded just after it
        while time.monotonic() < deadline and session.scalar(
                sa.select(WebhookDelivery.attempts)) != 1:
            time.sleep(0.05)
            session.expire_all()
    first.extensions["comments_widget"].engine.dispose()

    second = make_app()
    result = second.test_cli_runner().invoke(args=["comments-widget", "deliver-webhooks",
                                                   "--now-plus", "60"])
    assert result.exit_code == 0, result.output
    assert "Delivered 1 webhook event" in result.output
    assert receiver.events() == ["comment.created", "comment.created"]


def test_gives_up_after_the_last_attempt_and_says_so(
    session: Session, state: WidgetState, receiver: Receiver
) -> None:
    receiver.failures = 100
    queue_a_ban(state, receiver.url)
    moment = utcnow()
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver_due(state.session_factory, moment)
        moment += webhooks.LONGEST_WAIT
    session.expire_all()
    delivery = session.scalars(sa.select(WebhookDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert webhooks.deliver_due(state.session_factory, moment) == 0


def test_only_the_chosen_events_are_sent_and_a_removed_webhook_gets_nothing(
    client: FlaskClient, session: Session, auth: dict, admin_user: Reader,
    admin_client: FlaskClient, receiver: Receiver, state: WidgetState
) -> None:
    hook = webhooks.add(session, admin_user, receiver.url, ["thread.closed"])
    session.commit()
    post(client, auth, body="nobody asked to hear about this")
    assert stored(session, WebhookDelivery) == []
    admin_client.post(f"{SITES}/webhooks/{hook.id}/remove",
                      data={"csrf_token": csrf_token(admin_client, SITES)})
    assert stored(session, Webhook) == []
    threads.close(session, admin_user, session.scalars(sa.select(Thread)).one())
    session.commit()
    assert stored(session, WebhookDelivery) == []


@pytest.mark.parametrize(("url", "events", "error"), [
    ("not a url", ["comment.created"], "A webhook needs an http:// or https:// URL."),
    ("javascript:alert(1)", ["comment.created"], "A webhook needs an http:// or https:// URL."),
    ("https://hooks.example/x", [], "Choose at least one event."),
    ("https://hooks.example/x", ["comment.exploded"], "Choose at least one event."),
])
def test_a_bad_webhook_is_refused_and_nothing_is_stored(
    admin_client: FlaskClient, session: Session, url: str, events: list[str], error: str
) -> None:
    page = add_webhook(admin_client, url, events)
    assert error in page
    assert stored(session, Webhook) == []


def test_moderators_cannot_see_or_add_webhooks(mod_client: FlaskClient, session: Session
                                               ) -> None:
    answer = mod_client.post(SITES + "/webhooks", data={
        "csrf_token": csrf_token(mod_client, QUEUE), "url": "https://hooks.example/x",
        "events": ["comment.created"]})
    assert answer.status_code == 403
    assert "Only admins can change this." in answer.get_data(as_text=True)
    assert stored(session, Webhook) == []
