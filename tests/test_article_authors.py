"""The article's authors, named by the site in a payload signed with its single sign-on
secret: their comments carry an "Author" badge; nobody else can name them."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Thread
from comments_widget.sso import sign_payload
from tests.conftest import ARTICLE, SITE, csrf_token, post, stored
from tests.test_sso import claims, exchange, turn_on

API = "/comments/api/v1"


@pytest.fixture
def secret(admin_client: FlaskClient) -> str:
    return turn_on(admin_client)


def flip_last(payload: str) -> str:
    """The payload with its signature's last hex digit changed (never to itself)."""
    return payload[:-1] + ("1" if payload[-1] == "0" else "0")


def site_reader(client: FlaskClient, secret: str, user_id: str, name: str) -> dict[str, str]:
    answer = exchange(client, sign_payload(secret, claims(id=user_id, name=name,
                                                          email=f"{user_id}@news.example")))
    assert answer.status_code == 201, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def name(client: FlaskClient, payload: Any, url: str = ARTICLE) -> Any:
    return client.put(f"{API}/threads/authors", json={"url": url, "authors": payload},
                      headers={"Origin": SITE})


def badges(client: FlaskClient) -> list[tuple[str, bool]]:
    comments = client.get(f"{API}/threads", query_string={"url": ARTICLE}).get_json()["comments"]
    return [(c["author"]["name"], c["author"]["article_author"]) for c in comments]


def test_the_sites_journalist_gets_the_author_badge_on_their_comments(
    client: FlaskClient, secret: str, session: Session
) -> None:
    journalist = site_reader(client, secret, "j-7", "Jo Writer")
    reader = site_reader(client, secret, "u-2", "A Reader")
    post(client, journalist, body="I wrote this piece; ask me anything.")
    post(client, reader, body="Why Vladivostok?")
    assert badges(client) == [("Jo Writer", False), ("A Reader", False)]
    payload = sign_payload(secret, {"url": ARTICLE + "?utm_source=x", "authors": ["j-7"]})
    answer = name(client, payload)
    assert answer.status_code == 200 and answer.get_json() == {"authors_tag": payload[-16:]}
    assert badges(client) == [("Jo Writer", True), ("A Reader", False)]
    thread = client.get(f"{API}/threads", query_string={"url": ARTICLE}).get_json()["thread"]
    assert thread["authors_tag"] == payload[-16:]
    version = stored(session, Thread)[0].version
    assert name(client, payload).status_code == 200  # the same again changes nothing
    session.expire_all()
    assert stored(session, Thread)[0].version == version


@pytest.mark.parametrize(("make", "status", "code"), [
    (lambda s: sign_payload("not-the-secret", {"url": ARTICLE, "authors": ["u-2"]}), 400,
     "sso_invalid"),
    (lambda s: sign_payload(s, {"url": "https://news.example/other", "authors": ["u-2"]}), 400,
     "sso_invalid"),
    (lambda s: sign_payload(s, {"url": ARTICLE, "authors": "u-2"}), 400, "sso_invalid"),
    (lambda s: sign_payload(s, {"url": ARTICLE, "authors": [str(i) for i in range(21)]}), 400,
     "sso_invalid"),
    (lambda s: flip_last(sign_payload(s, {"url": ARTICLE, "authors": ["u-2"]})), 400,
     "sso_invalid"),
    (lambda s: "garbage", 400, "sso_invalid"),
    (lambda s: 42, 400, "sso_invalid"),
])
def test_a_payload_the_site_did_not_sign_for_this_article_names_nobody(
    client: FlaskClient, secret: str, session: Session, make: Any, status: int, code: str
) -> None:
    reader = site_reader(client, secret, "u-2", "A Reader")
    post(client, reader, body="I am not the author.")
    answer = name(client, make(secret))
    assert answer.status_code == status and answer.get_json()["error"] == code
    assert badges(client) == [("A Reader", False)]
    assert stored(session, Thread)[0].authors_tag == ""


def test_no_thread_yet_and_no_single_sign_on_are_refused_plainly(
    client: FlaskClient, admin_client: FlaskClient, auth: dict, secret: str
) -> None:
    payload = sign_payload(secret, {"url": ARTICLE, "authors": ["j-7"]})
    missing = name(client, payload)
    assert missing.status_code == 404 and missing.get_json()["error"] == "unknown_thread"
    admin_client.post("/comments/admin/sites/sso/off", data={
        "origin": SITE, "csrf_token": csrf_token(admin_client, "/comments/admin/sites")})
    post(client, auth, body="a comment")
    off = name(client, payload)
    assert off.status_code == 403 and off.get_json()["error"] == "sso_not_configured"
