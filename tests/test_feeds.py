"""Atom feeds of approved comments (issue #9, item 6): per thread and per site, valid Atom
(parsed by feedparser and checked for RFC 4287's required elements), cacheable."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Status
from tests.conftest import ARTICLE, SITE, bearer, create_reader, name_thread, post, set_status

FEED = "/comments/feed.atom"
ATOM = "{http://www.w3.org/2005/Atom}"


def check_rfc4287(xml: bytes) -> ET.Element:
    """The elements RFC 4287 requires of a feed and of each entry."""
    feed = ET.fromstring(xml)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "author"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
    return feed


def test_a_threads_feed_lists_its_approved_comments_newest_first(
        client: FlaskClient, auth: dict, session: Session) -> None:
    grace = bearer(session, create_reader(session, "Grace"))
    first = post(client, auth, body="A *first* look.").get_json()["id"]
    post(client, grace, body="A reply.", parent_id=first)
    held = post(client, grace, body="Waiting for review.").get_json()["id"]
    set_status(session, held, Status.PENDING)
    name_thread(session, "The Putin and Kim Delegation")
    answer = client.get(FEED, query_string={"url": ARTICLE})
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    check_rfc4287(answer.data)
    parsed = feedparser.parse(answer.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Comments on “The Putin and Kim Delegation”"
    assert [e.title for e in parsed.entries] == [
        "Grace on “The Putin and Kim Delegation”", "Ada on “The Putin and Kim Delegation”"]
    assert parsed.entries[1].link == f"{ARTICLE}#comment-{first}"
    assert parsed.entries[1].content[0].value == "<p>A <em>first</em> look.</p>"
    assert "Waiting for review." not in answer.get_data(as_text=True)


def test_a_sites_feed_covers_every_article_of_that_site(client: FlaskClient, auth: dict) -> None:
    post(client, auth, body="On the first article.")
    post(client, auth, body="On another article.", url=f"{SITE}/2023/10/other")
    parsed = feedparser.parse(client.get(FEED, query_string={"site": SITE}).data)
    assert parsed.bozo == 0 and len(parsed.entries) == 2
    assert {e.link.split("#")[0] for e in parsed.entries} == {ARTICLE, f"{SITE}/2023/10/other"}


def test_hostile_comments_stay_escaped_in_the_feed(client: FlaskClient, session: Session) -> None:
    mallory = bearer(session, create_reader(session, "Mal & <b>co</b>"))
    post(client, mallory, body="<script>alert(1)</script> ]]> &amp; <img src=x onerror=y>")
    answer = client.get(FEED, query_string={"url": ARTICLE})
    check_rfc4287(answer.data)
    parsed = feedparser.parse(answer.data)
    assert parsed.bozo == 0
    assert parsed.entries[0].author == "Mal & <b>co</b>"
    assert "<script>" not in parsed.entries[0].content[0].value
    assert "<img" not in parsed.entries[0].content[0].value  # shown as text, not a tag


def test_feeds_are_cacheable(client: FlaskClient, auth: dict) -> None:
    post(client, auth, body="Cache me.")
    first = client.get(FEED, query_string={"url": ARTICLE})
    assert "public" in first.headers["Cache-Control"]
    again = client.get(FEED, query_string={"url": ARTICLE},
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_an_article_without_comments_has_an_empty_valid_feed(client: FlaskClient) -> None:
    answer = client.get(FEED, query_string={"url": f"{SITE}/quiet"})
    check_rfc4287(answer.data)
    assert feedparser.parse(answer.data).bozo == 0


@pytest.mark.parametrize(("query", "status"), [
    ({}, 400), ({"site": "https://evil.example"}, 403), ({"url": "https://evil.example/a"}, 403),
    ({"site": "not a url"}, 403),
])
def test_feeds_of_unknown_sites_are_refused(client: FlaskClient, query: dict,
                                            status: int) -> None:
    answer = client.get(FEED, query_string=query)
    assert answer.status_code == status and answer.mimetype == "text/plain"
