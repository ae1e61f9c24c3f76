"""Spam checks on every new and edited comment, each verdict a reason in the queue.

Akismet itself is unreachable here: its client is tested against a local HTTP server that
speaks Akismet's documented `comment-check` protocol (form post in, `true`/`false` out, the
`X-akismet-pro-tip: discard` header, `invalid` with `X-akismet-debug-help`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, Response, request
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.config import ConfigError
from comments_widget.models import Comment, LinkDomain, Reader, Status
from comments_widget.services import hold_reasons, moderation, spam
from comments_widget.services.hold_reasons import HoldReason
from comments_widget.services.policy import Policy
from comments_widget.services.spam import CheckContext, Submission, Verdict
from comments_widget.state import WidgetState
from tests.conftest import SITE, bearer, create_reader, post, set_policy, stored
from tests.live import refused_port, serve

OTHER_ARTICLE = f"{SITE}/2023/10/another-story"
LONG = "Check out my amazing offer for cheap flights to anywhere in the world"


def reasons_of(session: Session, comment_id: int) -> list[HoldReason]:
    session.expire_all()
    return hold_reasons.loads(session.get(Comment, comment_id).hold_reasons)


def stored_status(session: Session, comment_id: int) -> Status:
    session.expire_all()
    return session.get(Comment, comment_id).status


@pytest.fixture
def other_auth(session: Session) -> dict[str, str]:
    return bearer(session, create_reader(session, "Other", "other@example.org"))


def test_a_filled_honeypot_goes_to_the_spam_queue_and_its_author_sees_it_pending(
    client: FlaskClient, auth: dict, session: Session, admin_client: FlaskClient
) -> None:
    answer = post(client, auth, body="hello there", website="http://buy.example").get_json()
    assert answer["status"] == "pending"
    assert stored_status(session, answer["id"]) == Status.SPAM
    assert reasons_of(session, answer["id"]) == [
        HoldReason(spam.HONEYPOT, "the hidden field was filled in")]
    page = admin_client.get("/comments/admin/queue/spam").get_data(as_text=True)
    assert "spam trap: the hidden field was filled in" in page
    empty = post(client, auth, body="an honest one", website="").get_json()
    assert empty["status"] == "approved"


@pytest.mark.parametrize(("typing_ms", "status"), [
    (400, "pending"), (2999, "pending"), (3000, "approved"), (45_000, "approved"),
    (None, "approved"), ("fast", "approved"), (-5, "approved"), (True, "approved")])
def test_a_comment_written_faster_than_a_person_types_waits(
    client: FlaskClient, auth: dict, session: Session, typing_ms: Any, status: str
) -> None:
    extra = {} if typing_ms is None else {"typing_ms": typing_ms}
    answer = post(client, auth, body="a considered opinion", **extra).get_json()
    assert answer["status"] == status
    if status == "pending":
        assert reasons_of(session, answer["id"]) == [
            HoldReason(spam.TOO_FAST, f"written in {typing_ms / 1000:.1f} s")]


def test_the_same_text_on_another_article_waits_but_short_common_phrases_do_not(
    client: FlaskClient, auth: dict, other_auth: dict, session: Session
) -> None:
    first = post(client, auth, body=LONG).get_json()
    again_here = post(client, other_auth, body=LONG).get_json()  # same article: a quote
    elsewhere = post(client, other_auth, body=f"  {LONG.upper()}!!! ", url=OTHER_ARTICLE
                     ).get_json()
    assert [first["status"], again_here["status"], elsewhere["status"]] == [
        "approved", "approved", "pending"]
    assert reasons_of(session, elsewhere["id"]) == [
        HoldReason(spam.DUPLICATE, "the same text is on 1 other article")]
    post(client, auth, body="Great article!")
    assert post(client, other_auth, body="Great article!", url=OTHER_ARTICLE).get_json()[
        "status"] == "approved"


def test_links_to_a_domain_moderators_keep_rejecting_wait_and_undo_uncounts(
    client: FlaskClient, auth: dict, session: Session, admin_user: Reader, state: WidgetState
) -> None:
    set_policy(session, state, Policy(link_domain_threshold=3, duplicate_threads=100))
    ids = [post(client, auth, body=f"deal {i}: [here](https://www.spam.example/{i})").get_json()[
        "id"] for i in range(3)]
    for action, comment_id in zip(("reject", "spam", "reject"), ids, strict=True):
        last = moderation.apply_action(session, admin_user, action, [comment_id])
        session.commit()
    assert session.get(LinkDomain, "spam.example").flagged == 3
    held = post(client, auth, body="[x](https://spam.example/new) and "
                                   "[y](https://fine.example)").get_json()
    assert held["status"] == "pending"
    assert reasons_of(session, held["id"]) == [HoldReason(spam.LINK_DOMAIN, "spam.example")]
    moderation.undo(session, admin_user, [e.id for e in last.entries])
    session.commit()
    session.expire_all()
    assert session.get(LinkDomain, "spam.example").flagged == 2
    assert post(client, auth, body="[z](https://spam.example/z)").get_json()[
        "status"] == "approved"


def test_an_edit_runs_the_spam_checks_too(
    client: FlaskClient, auth: dict, other_auth: dict, session: Session
) -> None:
    post(client, auth, body=LONG, url=OTHER_ARTICLE)
    mine = post(client, other_auth, body="an innocent first draft").get_json()
    edited = client.patch(f"/comments/api/v1/comments/{mine['id']}", json={"body": LONG},
                          headers=other_auth).get_json()
    assert edited["status"] == "pending"
    assert HoldReason(spam.DUPLICATE, "the same text is on 1 other article") in reasons_of(
        session, mine["id"])


# -- Akismet, against a local server speaking its protocol --------------------------------


class FakeAkismet:
    """comment-check as Akismet documents it; remembers every form it was sent."""

    KEY = "test-key-123"

    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []
        self.app = Flask("fake_akismet")
        self.app.add_url_rule("/1.1/comment-check", "check", self.check, methods=["POST"])

    def check(self) -> Response:
        form = request.form.to_dict()
        self.forms.append(form)
        if form.get("api_key") != self.KEY:
            return Response("invalid", headers={"X-akismet-debug-help": "Invalid API key."})
        content = form.get("comment_content", "")
        if "viagra" in content:
            headers = {"X-akismet-pro-tip": "discard"} if "VIAGRA" in content else {}
            return Response("true", headers=headers)
        return Response("false")


@pytest.fixture
def akismet() -> Iterator[tuple[FakeAkismet, str]]:
    fake = FakeAkismet()
    with serve(fake.app) as server:
        yield fake, f"http://127.0.0.1:{server.port}/1.1/"


def akismet_app(make_app: Any, url: str, key: str = FakeAkismet.KEY) -> Flask:
    return make_app(COMMENTS_WIDGET_AKISMET_KEY=key, COMMENTS_WIDGET_AKISMET_URL=url,
                    COMMENTS_WIDGET_AKISMET_BLOG="https://news.example/")


def author_of(app: Flask, name: str = "Poster") -> dict[str, str]:
    with app.extensions["comments_widget"].session_factory() as session:
        return bearer(session, create_reader(session, name, f"{name.lower()}@example.org"))


def status_and_reasons(app: Flask, comment_id: int) -> tuple[Status, list[HoldReason]]:
    with app.extensions["comments_widget"].session_factory() as session:
        comment = session.get(Comment, comment_id)
        return comment.status, hold_reasons.loads(comment.hold_reasons)


def test_akismet_says_spam_and_is_sent_what_its_protocol_asks_for(
    make_app: Any, akismet: tuple[FakeAkismet, str]
) -> None:
    fake, url = akismet
    app = akismet_app(make_app, url)
    client, auth = app.test_client(), author_of(app)
    spammy = client.post(
        "/comments/api/v1/comments", json={"url": f"{SITE}/2023/09/putin-kim",
                                           "body": "cheap viagra here"},
        headers={**auth, "User-Agent": "SpamBot/1.0", "Referer": f"{SITE}/2023/09/putin-kim"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"}).get_json()
    assert spammy["status"] == "pending"
    assert status_and_reasons(app, spammy["id"]) == (
        Status.SPAM, [HoldReason(spam.CHECKER, "Akismet: spam")])
    form = fake.forms[-1]
    assert {key: form[key] for key in ("api_key", "blog", "user_ip", "user_agent", "referrer",
                                       "permalink", "comment_type", "comment_author",
                                       "comment_author_email", "comment_content")} == {
        "api_key": FakeAkismet.KEY, "blog": "https://news.example/", "user_ip": "203.0.113.9",
        "user_agent": "SpamBot/1.0", "referrer": f"{SITE}/2023/09/putin-kim",
        "permalink": f"{SITE}/2023/09/putin-kim", "comment_type": "comment",
        "comment_author": "Poster", "comment_author_email": "poster@example.org",
        "comment_content": "cheap viagra here"}
    blatant = post(client, auth, body="VIAGRA viagra").get_json()
    assert status_and_reasons(app, blatant["id"])[1] == [
        HoldReason(spam.CHECKER, "Akismet: blatant spam")]
    ham = post(client, auth, body="a thoughtful comment").get_json()
    assert status_and_reasons(app, ham["id"]) == (Status.APPROVED, [])


def test_akismet_down_or_refusing_the_key_lets_comments_through_and_says_so(
    make_app: Any, akismet: tuple[FakeAkismet, str], caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = akismet
    wrong_key = akismet_app(make_app, url, key="wrong")
    with caplog.at_level(logging.WARNING):
        answer = post(wrong_key.test_client(), author_of(wrong_key), body="viagra").get_json()
    assert answer["status"] == "approved"
    assert "Akismet answered 200 'invalid' (Invalid API key.)" in caplog.text
    with refused_port() as port:
        down = akismet_app(make_app, f"http://127.0.0.1:{port}/1.1/")
        with caplog.at_level(logging.WARNING):
            answer = post(down.test_client(), author_of(down, "Second"),
                          body="viagra").get_json()
    assert answer["status"] == "approved"
    assert "Akismet unreachable" in caplog.text


# -- a site's own checker -----------------------------------------------------------------


class HoldsMentionsOfCasinos:
    name = "casinos"

    def check(self, comment: Submission, context: CheckContext) -> Verdict | None:
        if "casino" in comment.body_source.lower():
            return Verdict(HoldReason(spam.CHECKER, "casinos: mentions a casino"))
        return None


def casino_checker(config: Any) -> HoldsMentionsOfCasinos:
    return HoldsMentionsOfCasinos()


def test_a_site_plugs_in_its_own_checker_and_its_verdict_shows_in_the_queue(
    make_app: Any
) -> None:
    app = make_app(COMMENTS_WIDGET_SPAM_CHECKERS="heuristics tests.test_spam:casino_checker")
    client, auth = app.test_client(), author_of(app)
    answer = post(client, auth, body="best casino in town").get_json()
    assert status_and_reasons(app, answer["id"]) == (
        Status.PENDING, [HoldReason(spam.CHECKER, "casinos: mentions a casino")])
    assert post(client, auth, body="about the summit").get_json()["status"] == "approved"


@pytest.mark.parametrize(("value", "message"), [
    ("nonsense", "'nonsense' is neither a built-in checker"),
    ("tests.test_spam:missing", "missing"),
    ("akismet", "needs COMMENTS_WIDGET_AKISMET_KEY"),
])
def test_a_checker_that_cannot_load_stops_the_start_naming_the_setting(
    make_app: Any, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match="COMMENTS_WIDGET_SPAM_CHECKERS") as raised:
        make_app(COMMENTS_WIDGET_SPAM_CHECKERS=value)
    assert message in str(raised.value)


def test_nothing_is_stored_when_a_post_is_refused_after_the_checks(
    client: FlaskClient, auth: dict, session: Session
) -> None:
    refused = post(client, auth, body="", website="x")
    assert refused.status_code == 400
    assert stored(session, Comment) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(LinkDomain)) == 0


def test_the_duplicate_check_reads_the_fingerprint_index_when_most_comments_have_none(
        client: FlaskClient, session: Session, state: WidgetState) -> None:
    # Most comments are too short to be fingerprinted. Their NULLs in the index made the
    # statistics say "every fingerprint matches every row", and SQLite scanned the table on
    # every post (330 ms at a million comments).
    auth = bearer(session, create_reader(session))
    post(client, auth, body="short")
    thread_id, author_id = session.execute(sa.select(Comment.thread_id, Comment.author_id)).one()
    session.execute(sa.insert(Comment), [
        {"thread_id": thread_id, "author_id": author_id, "depth": 0, "body_source": "ok",
         "body_html": "<p>ok</p>", "status": Status.APPROVED} for _ in range(3000)])
    session.commit()
    with state.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if "count(DISTINCT" in statement and "fingerprint" in statement:
            seen.append((statement, parameters))

    sa.event.listen(state.engine, "before_cursor_execute", record)
    try:
        post(client, auth, url=f"{SITE}/elsewhere",
             body="A comment long enough to be fingerprinted by the duplicate check.")
    finally:
        sa.event.remove(state.engine, "before_cursor_execute", record)
    (statement, parameters), = seen
    explain = "EXPLAIN QUERY PLAN " if state.engine.dialect.name == "sqlite" else "EXPLAIN "
    with state.engine.connect() as connection:
        plan = " ".join(str(row) for row in connection.exec_driver_sql(explain + statement,
                                                                        parameters))
    assert "ix_comments_widget_comments_fingerprint" in plan, plan
