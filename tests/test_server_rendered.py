"""The thread as HTML (issue #9, item 12): approved comments with schema.org Comment microdata,
cacheable like the JSON payload, hostile bodies inert, and a template helper for Flask hosts."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Status
from tests.conftest import ARTICLE, SITE, bearer, create_reader, post, set_status

THREAD = "/comments/thread"


class Microdata(HTMLParser):
    """The items of a page: each with its type, its properties and the items inside it."""

    VOID = {"meta", "link", "br", "img", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.root: dict[str, Any] = {"type": None, "props": {}, "items": []}
        # Open elements: (tag, the item it starts or None, the text it collects or None).
        self.stack: list[tuple[str, dict[str, Any] | None, list[str] | None]] = []
        self.scripts = 0

    def current(self) -> dict[str, Any]:
        for _, item, _ in reversed(self.stack):
            if item is not None:
                return item
        return self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.scripts += tag == "script" or any(name.startswith("on") for name in a)
        parent, item, text = self.current(), None, None
        prop = a.get("itemprop")
        if "itemscope" in a:
            item = {"type": a.get("itemtype"), "props": {}, "items": []}
            (parent["props"].setdefault(prop, []) if prop else parent["items"]).append(item)
        elif prop:
            value = a.get("content") or a.get("href") or a.get("datetime")
            if value is not None:
                parent["props"].setdefault(prop, []).append(value)
            elif tag not in self.VOID:
                text = []
                parent["props"].setdefault(prop, []).append(text)
        if tag not in self.VOID:
            self.stack.append((tag, item, text))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and tag not in self.VOID:
            open_tag, _, text = self.stack.pop()
            if text is not None:  # the collected text becomes the property's value
                self._finish(text)
            if open_tag == tag:
                break

    def _finish(self, text: list[str]) -> None:
        joined = " ".join("".join(text).split())
        text.clear()
        text.append(joined)

    def handle_data(self, data: str) -> None:
        for _, _, text in self.stack:
            if text is not None:
                text.append(data)


def items(html: str) -> Microdata:
    parser = Microdata()
    parser.feed(html)
    parser.close()
    return parser


def comments_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    return item["props"].get("comment", [])


def prop(item: dict[str, Any], name: str) -> list[str]:
    """A property's values, text ones as their text."""
    return [value[0] if isinstance(value, list) else value for value in item["props"][name]]


def test_approved_comments_and_their_replies_are_schema_org_comments(
        client: FlaskClient, auth: dict, session: Session) -> None:
    grace = bearer(session, create_reader(session, "Grace"))
    first = post(client, auth, body="A *good* point.").get_json()["id"]
    post(client, grace, body="Agreed.", parent_id=first)
    held = post(client, grace, body="Not yet seen.").get_json()["id"]
    set_status(session, held, Status.PENDING)
    answer = client.get(THREAD, query_string={"url": ARTICLE})
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    page = items(answer.get_data(as_text=True))
    [thread] = page.root["items"]
    assert thread["type"] == "https://schema.org/WebPage"
    assert thread["props"]["commentCount"] == ["2"]
    [top] = comments_of(thread)
    assert top["type"] == "https://schema.org/Comment"
    assert prop(top, "text") == ["A good point."]
    assert prop(top["props"]["author"][0], "name") == ["Ada"]
    assert top["props"]["url"] == [f"{ARTICLE}#comment-{first}"]
    [reply] = comments_of(top)
    assert prop(reply, "text") == ["Agreed."]
    assert prop(reply["props"]["author"][0], "name") == ["Grace"]
    assert "Not yet seen." not in answer.get_data(as_text=True)


def test_hostile_names_and_bodies_stay_inert(client: FlaskClient, session: Session) -> None:
    mallory = bearer(session, create_reader(session, "Mal<script>x</script>"))
    post(client, mallory, body='<img src=x onerror=alert(1)> <script>alert(2)</script> '
                               '[click](javascript:alert(3)) <b onclick="x()">bold</b>')
    html = client.get(THREAD, query_string={"url": ARTICLE}).get_data(as_text=True)
    page = items(html)
    assert page.scripts == 0
    assert 'href="javascript:' not in html and "<img" not in html and "<script" not in html
    [thread] = page.root["items"]
    [comment] = comments_of(thread)
    assert prop(comment["props"]["author"][0], "name") == ["Mal<script>x</script>"]


def test_the_html_is_cacheable_and_moves_on_with_the_thread(
        client: FlaskClient, auth: dict) -> None:
    post(client, auth, body="First.")
    first = client.get(THREAD, query_string={"url": ARTICLE})
    assert "public" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = client.get(THREAD, query_string={"url": ARTICLE},
                       headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    post(client, auth, body="Second.")
    changed = client.get(THREAD, query_string={"url": ARTICLE},
                         headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Second." in changed.get_data(as_text=True)


def test_long_threads_link_to_their_next_page(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_THREAD_PAGE_SIZE=2)
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    ids = [post(client, auth, body=f"Comment {i}.").get_json()["id"] for i in range(3)]
    html = client.get(THREAD, query_string={"url": ARTICLE}).get_data(as_text=True)
    assert "Comment 2." not in html and 'rel="next"' in html
    assert f"after={ids[1]}" in html
    rest = client.get(THREAD, query_string={"url": ARTICLE, "after": ids[1]})
    assert "Comment 2." in rest.get_data(as_text=True)


@pytest.mark.parametrize(("query", "status", "message"), [
    ({}, 400, "pass its URL"),
    ({"url": "https://evil.example/a"}, 403, "not enabled for https://evil.example"),
    ({"url": ARTICLE, "after": "x"}, 400, "must be a comment id"),
])
def test_bad_requests_are_told_why(client: FlaskClient, query: dict, status: int,
                                   message: str) -> None:
    answer = client.get(THREAD, query_string=query)
    assert answer.status_code == status and message in answer.get_data(as_text=True)


def test_a_thread_nobody_commented_on_says_so(client: FlaskClient) -> None:
    html = client.get(THREAD, query_string={"url": f"{SITE}/quiet"}).get_data(as_text=True)
    assert "No comments yet" in html


def test_flask_hosts_include_the_thread_with_a_template_helper(
        app: Flask, client: FlaskClient, auth: dict) -> None:
    post(client, auth, body="Rendered by the host.")
    with app.test_request_context("/2023/09/putin-kim"):
        html = render_template_string("<div id=comments>{{ comments_thread(url) }}</div>",
                                      url=ARTICLE)
    assert "Rendered by the host." in html and 'itemtype="https://schema.org/Comment"' in html
    with app.test_request_context("/"):
        assert render_template_string("{{ comments_thread('https://evil.example/x') }}") == ""
