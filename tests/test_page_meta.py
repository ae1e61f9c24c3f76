"""Threads are named by the site, not by their first commenter; explicit ids belong to one
site; moderators can correct a thread's title and URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Thread
from comments_widget.page_meta import fetch_page_meta
from tests.conftest import bearer, create_reader, csrf_token, post, stored

PAGES = {
    "/news/summit": (200, "text/html; charset=utf-8",
                     "<html><head><title>Summit  ends &amp; talks\n resume</title>"
                     '<link rel="canonical" href="/news/summit-final"></head></html>'),
    "/news/elsewhere": (200, "text/html", '<title>Fine</title><link rel="canonical" '
                                          'href="https://evil.example/news">'),
    "/news/moved": (302, "text/html", "https://evil.example/phish"),
    "/news/local-move": (301, "text/html", "/news/summit"),
    "/news/feed": (200, "application/json", '{"title": "not a page"}'),
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        status, content_type, body = PAGES.get(self.path, (404, "text/html", "<title>404</title>"))
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", body)
            body = ""
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def news_site() -> Iterator[str]:
    """A real news site on 127.0.0.1 and a free port, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def site_app(make_app: Any, news_site: str) -> Flask:
    return make_app(COMMENTS_WIDGET_ALLOWED_ORIGINS=[news_site, "https://other.example"])


def test_the_page_names_its_thread_not_the_first_commenter(site_app: Flask, news_site: str,
                                                           ) -> None:
    client = site_app.test_client()
    with site_app.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
        answer = post(client, auth, url=f"{news_site}/news/summit", body="first!",
                      title="Official: site hacked, log in at evil.example")
        assert answer.status_code == 201
        [thread] = stored(session, Thread)
    assert thread.title == "Summit ends & talks resume"
    assert thread.url == f"{news_site}/news/summit-final"  # Its canonical link, same site.
    assert thread.key == f"{news_site}/news/summit"


@pytest.mark.parametrize("path", ["/news/elsewhere", "/news/moved", "/news/feed", "/news/gone"])
def test_nothing_is_taken_from_another_origin_or_a_non_page(news_site: str, path: str) -> None:
    meta = fetch_page_meta(news_site + path)
    assert meta.canonical_url is None
    assert meta.title in ("", "Fine", "404")
    assert "evil" not in meta.title


def test_a_redirect_within_the_site_is_followed(news_site: str) -> None:
    assert fetch_page_meta(f"{news_site}/news/local-move").title == "Summit ends & talks resume"


def test_an_unreachable_page_leaves_the_thread_untitled(client: FlaskClient, auth: dict,
                                                        session: Session) -> None:
    post(client, auth, body="hello", title="Reader-supplied title")
    [thread] = stored(session, Thread)
    assert thread.title == ""


def test_fetching_can_be_turned_off(make_app: Any, news_site: str) -> None:
    app = make_app(COMMENTS_WIDGET_ALLOWED_ORIGINS=[news_site],
                   COMMENTS_WIDGET_FETCH_PAGE_TITLES=False)
    with app.extensions["comments_widget"].session_factory() as session:
        post(app.test_client(), bearer(session, create_reader(session)),
             url=f"{news_site}/news/summit", body="hi", title="Reader-supplied")
        assert [t.title for t in stored(session, Thread)] == [""]


def test_two_sites_using_the_same_id_get_two_threads(site_app: Flask, news_site: str) -> None:
    client = site_app.test_client()
    with site_app.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
        post(client, auth, url=f"{news_site}/news/summit", thread_id="article-42", body="ours")
        post(client, auth, url="https://other.example/a", thread_id="article-42", body="theirs")
        threads = {t.key: t.url for t in stored(session, Thread)}
    assert threads == {f"id:{news_site} article-42": f"{news_site}/news/summit-final",
                       "id:https://other.example article-42": "https://other.example/a"}
    ours = client.get("/comments/api/v1/threads", query_string={
        "url": f"{news_site}/news/summit", "thread_id": "article-42"}).get_json()
    assert [c["html"] for c in ours["comments"]] == ["<p>ours</p>"]


def test_counts_work_for_explicit_ids(site_app: Flask, news_site: str) -> None:
    client = site_app.test_client()
    with site_app.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
        for body in ("one", "two"):
            post(client, auth, url=f"{news_site}/news/summit", thread_id="article-42", body=body)
    counts = client.get("/comments/api/v1/counts", query_string=[
        ("id", "article-42"), ("id", "article-43"), ("site", news_site),
        ("url", f"{news_site}/news/summit")]).get_json()
    assert counts == {"counts": {f"{news_site}/news/summit": 0},
                      "ids": {"article-42": 2, "article-43": 0}}
    other_site = client.get("/comments/api/v1/counts", query_string=[
        ("id", "article-42"), ("site", "https://other.example")]).get_json()
    assert other_site["ids"] == {"article-42": 0}
    refused = client.get("/comments/api/v1/counts", query_string=[
        ("id", "article-42"), ("site", "https://evil.example")])
    assert refused.get_json()["error"] == "site_required"


def test_moderators_correct_a_threads_title_and_url(site_app: Flask, news_site: str) -> None:
    from tests.conftest import login, make_staff

    factory = site_app.extensions["comments_widget"].session_factory
    with factory() as session:
        post(site_app.test_client(), bearer(session, create_reader(session)),
             url=f"{news_site}/news/summit", body="hi")
        make_staff(session, "Morgan", "moderator")
        [thread] = stored(session, Thread)
    mod = site_app.test_client()
    login(mod, "morgan@example.org")
    detail = f"/comments/admin/threads/{thread.id}"
    token = csrf_token(mod, detail)
    page = mod.post(f"{detail}/details", data={
        "title": "Summit: the final communiqué", "url": f"{news_site}/news/summit?utm_x=1",
        "csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Saved the thread" in page
    refused = mod.post(f"{detail}/details", data={
        "title": "Hijacked", "url": "https://evil.example/x", "csrf_token": token},
        follow_redirects=True).get_data(as_text=True)
    assert f"The article URL must stay on {news_site}." in refused
    with factory() as session:
        [thread] = stored(session, Thread)
        assert (thread.title, thread.url) == ("Summit: the final communiqué",
                                              f"{news_site}/news/summit")
        [entry] = [e for e in stored(session, AuditEntry) if e.action == "rename"]
        assert entry.before.startswith("Summit ends & talks resume")
