"""A thread's first page is stored ready to send, and the public reads skip Flask's routing.

Neither may change a single byte of what readers get: a stored page is served only under the
ETag it was built for, the bulk builder stores what the read path would serve, and the fast
path answers exactly as Flask does (or leaves the request to Flask).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from comments_widget.models import Comment, ExternalIdentity, Status, StoredPage, Thread
from comments_widget.services import reading, threads, versions
from comments_widget.services.single_sign_on import provider_for
from tests.conftest import (
    ARTICLE,
    POSTGRES_URL,
    SITE,
    bearer,
    count_queries,
    create_reader,
    make_staff,
    post,
    set_status,
)

THREADS = "/comments/api/v1/threads"
COUNTS = "/comments/api/v1/counts"
FRESH = {"COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS": 0}


def read(app: Flask, url: str = ARTICLE, **headers: str) -> Any:
    return app.test_client().get(THREADS, query_string={"url": url}, headers=headers)


def stored_pages(app: Flask) -> dict[int, tuple[str, bytes]]:
    with app.extensions["comments_widget"].session_factory() as session:
        return {page.thread_id: (page.etag, reading.StoredFirstPage(page.etag, page.body).body)
                for page in session.scalars(sa.select(StoredPage))}


def test_a_new_process_answers_a_stored_first_page_with_one_lookup(make_app: Any) -> None:
    first = make_app(**FRESH)
    with first.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    for body in ("one", "two", "three"):
        post(first.test_client(), auth, body=body)
    built = read(first)
    (etag, body), = stored_pages(first).values()
    assert f'"{etag}"' == built.headers["ETag"] and body == built.data

    second = make_app(**FRESH)  # another process: nothing in its memory
    read(second, url=f"{SITE}/warm-the-settings-cache")
    with count_queries(second.extensions["comments_widget"].engine) as statements:
        answer = read(second)
    assert len(statements) == 1 and statements[0].startswith("SELECT")
    assert answer.data == built.data and answer.headers["ETag"] == built.headers["ETag"]
    assert [c["html"] for c in answer.get_json()["comments"]] == [
        "<p>one</p>", "<p>two</p>", "<p>three</p>"]


def test_a_stored_page_is_kept_compressed_and_one_stored_uncompressed_still_serves(
        make_app: Any) -> None:
    app = make_app(**FRESH)
    with app.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    for n in range(12):
        post(app.test_client(), auth, body=f"Comment number {n} on the delegation's visit.")
    built = read(app)
    with app.extensions["comments_widget"].session_factory() as session:
        row = session.scalars(sa.select(StoredPage)).one()
        assert len(row.body) < len(built.data) / 3
        assert zlib.decompress(row.body) == built.data
        # A page stored by the version before compression, still current:
        row.body = built.data
        session.commit()
    again = read(make_app(**FRESH))  # a new process: nothing in its memory
    assert again.data == built.data and again.headers["ETag"] == built.headers["ETag"]


def test_a_changed_thread_is_never_answered_from_its_stored_page(make_app: Any) -> None:
    writer, other = make_app(**FRESH), make_app(**FRESH)
    with writer.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    comment_id = post(writer.test_client(), auth, body="before").get_json()["id"]
    assert len(read(other).get_json()["comments"]) == 1  # stored by the other process
    with writer.extensions["comments_widget"].session_factory() as session:
        set_status(session, comment_id, Status.REJECTED)
    post(writer.test_client(), auth, body="after")
    assert [c["html"] for c in read(other).get_json()["comments"]] == ["<p>after</p>"]
    (etag, body), = stored_pages(other).values()
    assert json.loads(body)["comments"][0]["html"] == "<p>after</p>"


def _varied_threads(session: Session, client: Any, auth: dict, admin: Any) -> list[str]:
    """Threads with everything a first page can hold; returns their article URLs."""
    urls = [f"{SITE}/varied/{name}" for name in
            ("replies", "pinned", "deleted-with-replies", "hidden-root", "long", "authors",
             "closed", "all-pending", "empty-after-rejection")]

    def say(url: str, body: str, parent: int | None = None) -> int:
        answer = post(client, auth, url=url, body=body, parent_id=parent)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    root = say(urls[0], "root")
    say(urls[0], "a **reply** <script>x</script>", root)
    say(urls[0], "another root")
    pinned = [say(urls[1], f"c{i}") for i in range(4)]
    thread = session.scalar(sa.select(Thread).where(Thread.url == urls[1]))
    threads.pin(session, admin, thread, pinned[2])
    session.commit()
    gone = say(urls[2], "to be deleted")
    say(urls[2], "reply to a deleted comment", gone)
    set_status(session, gone, Status.DELETED)
    hidden = say(urls[3], "hidden root")
    say(urls[3], "visible reply under it", hidden)
    say(urls[3], "a visible root")
    set_status(session, hidden, Status.REJECTED)
    for i in range(7):  # more top-level comments than the page size (3) below
        say(urls[4], f"long {i}")
    say(urls[5], "by the article's author")
    thread = session.scalar(sa.select(Thread).where(Thread.url == urls[5]))
    author = session.scalar(sa.select(Comment).where(Comment.thread_id == thread.id)).author_id
    session.add(ExternalIdentity(reader_id=author, provider=provider_for(SITE), subject="u-1"))
    thread.author_subjects = '["u-1"]'
    versions.bump(session, [thread.id])
    session.commit()
    say(urls[6], "then closed")
    thread = session.scalar(sa.select(Thread).where(Thread.url == urls[6]))
    threads.close(session, admin, thread)
    session.commit()
    only = say(urls[7], "awaiting")
    set_status(session, only, Status.PENDING)
    rejected = say(urls[8], "rejected")
    set_status(session, rejected, Status.REJECTED)
    return urls


def test_pages_build_stores_what_the_read_path_would_serve(make_app: Any) -> None:
    settings = {**FRESH, "COMMENTS_WIDGET_THREAD_PAGE_SIZE": 3,
                "COMMENTS_WIDGET_POST_RATE_LIMIT": "1000/minute"}
    app = make_app(**settings)
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        auth = bearer(session, create_reader(session))
        urls = _varied_threads(session, app.test_client(), auth, make_staff(session, "Ed",
                                                                             "admin"))
        session.execute(sa.delete(StoredPage))
        session.commit()
    result = app.test_cli_runner().invoke(args=["comments-widget", "pages", "build"])
    assert result.exit_code == 0, result.output
    assert f"Stored {len(urls)} first pages (0 of {len(urls)} threads were current)" \
        in result.output
    built = stored_pages(app)
    again = app.test_cli_runner().invoke(args=["comments-widget", "pages", "build"])
    assert f"Stored 0 first pages ({len(urls)} of {len(urls)} threads were current)" \
        in again.output

    with state.session_factory() as session:
        session.execute(sa.delete(StoredPage))
        session.commit()
    reader = make_app(**settings)  # built by the read path, in a process with empty caches
    served = {url: read(reader, url=url) for url in urls}
    assert built == stored_pages(reader)
    assert {answer.status_code for answer in served.values()} == {200}
    by_url = {url: answer.get_json() for url, answer in served.items()}
    assert [c["html"] for c in by_url[urls[0]]["comments"][0]["replies"]] == [
        "<p>a <strong>reply</strong> &lt;script&gt;x&lt;/script&gt;</p>"]
    assert by_url[urls[1]]["comments"][0]["html"] == "<p>c2</p>"  # the pinned one leads
    assert by_url[urls[2]]["comments"][0]["status"] == "deleted"
    assert [c["html"] for c in by_url[urls[3]]["comments"]] == ["<p>a visible root</p>"]
    assert len(by_url[urls[4]]["comments"]) == 3 and by_url[urls[4]]["next"]
    assert by_url[urls[5]]["comments"][0]["author"]["article_author"] is True
    assert by_url[urls[6]]["thread"]["closed"] is True
    assert by_url[urls[7]]["comments"] == [] == by_url[urls[8]]["comments"]


def test_a_busy_database_skips_storing_instead_of_waiting(make_app: Any,
                                                          database_url: str) -> None:
    app = make_app(**FRESH)
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        auth = bearer(session, create_reader(session))
    post(app.test_client(), auth, body="first")
    read(app)
    post(app.test_client(), auth, body="second")  # the stored page is now stale
    engine = None
    if POSTGRES_URL:
        engine = sa.create_engine(database_url)
        blocker = engine.connect()
        blocker.execute(sa.text("UPDATE comments_widget_stored_pages SET etag = etag"))
    else:
        blocker = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        blocker.execute("BEGIN IMMEDIATE")
    try:
        other = make_app(**FRESH)
        answer = read(other)  # would wait 5 s for SQLite's lock, or forever for the row
        assert [c["html"] for c in answer.get_json()["comments"]] == [
            "<p>first</p>", "<p>second</p>"]
    finally:
        blocker.rollback()
        blocker.close()
        if engine is not None:
            engine.dispose()
    (etag, _), = stored_pages(app).values()
    assert f'"{etag}"' != answer.headers["ETag"]  # not stored; the next read will
    read(make_app(**FRESH))
    (etag, _), = stored_pages(app).values()
    assert f'"{etag}"' == answer.headers["ETag"]


REQUESTS = [
    ("GET", THREADS, {"url": ARTICLE}, {}),
    ("HEAD", THREADS, {"url": ARTICLE}, {}),
    ("GET", THREADS, {"url": ARTICLE}, {"Origin": SITE}),
    ("GET", THREADS, {"url": ARTICLE}, {"Origin": "https://evil.example"}),
    ("GET", THREADS, {"url": ARTICLE, "sort": "best", "limit": "2"}, {}),
    ("GET", THREADS, {"url": ARTICLE, "limit": "999"}, {}),
    ("GET", THREADS, {"url": ARTICLE, "after": "x"}, {}),
    ("GET", THREADS, {"url": "https://not-allowed.example/a"}, {}),
    ("GET", THREADS, {"url": "not a url"}, {}),
    ("GET", THREADS, {}, {}),
    ("GET", THREADS, {"url": ARTICLE + "\x00"}, {}),
    ("GET", THREADS, {"url": f"{SITE}/never-commented"}, {}),
    ("GET", THREADS, {"url": ARTICLE, "thread_id": "x" * 300}, {}),
    ("POST", THREADS, {"url": ARTICLE}, {}),
    ("OPTIONS", THREADS, {"url": ARTICLE}, {"Origin": SITE}),
    ("GET", COUNTS, {"url": ARTICLE}, {"Origin": SITE}),
    ("GET", COUNTS, {}, {}),
    ("GET", COUNTS, {"url": ARTICLE + "\x00"}, {}),
    ("GET", COUNTS, [("url", ARTICLE), ("url", f"{SITE}/other")], {"Origin": SITE}),
    ("GET", COUNTS, {"id": "a", "site": SITE}, {}),
    ("GET", COUNTS, {"id": "a"}, {}),
    ("GET", COUNTS, [("url", f"{SITE}/{i}") for i in range(101)], {}),
]


@pytest.mark.parametrize(("method", "path", "query", "headers"), REQUESTS)
def test_the_fast_path_answers_exactly_as_flask(make_app: Any, method: str, path: str,
                                                query: Any, headers: dict) -> None:
    fast, routed = make_app(**FRESH), make_app(**FRESH, COMMENTS_WIDGET_FAST_READS=False)
    with fast.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    post(fast.test_client(), auth, body="hello")
    answers = []
    for app in (fast, routed, fast):  # the second fast answer comes from its caches
        answer = app.test_client().open(path, method=method, query_string=query,
                                        headers=headers)
        answers.append((answer.status_code, answer.data, sorted(
            (name, value) for name, value in answer.headers.items()
            if name not in ("Date", "Server"))))
    assert answers[0] == answers[1] == answers[2]


def test_the_fast_path_revalidates_with_if_none_match(make_app: Any) -> None:
    app = make_app()
    with app.extensions["comments_widget"].session_factory() as session:
        auth = bearer(session, create_reader(session))
    post(app.test_client(), auth, body="hello")
    etag = read(app).headers["ETag"]
    again = read(app, **{"If-None-Match": etag, "Origin": SITE})
    assert (again.status_code, again.data) == (304, b"")
    assert again.headers["Access-Control-Allow-Origin"] == SITE
    assert again.headers["Vary"] == "Origin"
