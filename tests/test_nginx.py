"""The documented nginx configuration (deploy/nginx), for real: nginx from apt in front of real
gunicorn app hosts. Public answers are cached and revalidated, stale ones are served while the
app is down, and no answer that belongs to one reader is ever cached or shared."""

from __future__ import annotations

import json
import os
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.db import create_engine
from tests.conftest import POSTGRES_URL, SITE, bearer, create_reader
from tests.gunicorn import Gunicorn
from tests.nginx import Nginx, get, require_nginx

API = "/comments/api/v1"
ARTICLE = f"{SITE}/2024/nginx-story"
REDIS_URL = os.environ.get("COMMENTS_WIDGET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def thread_path(article: str = ARTICLE) -> str:
    return f"{API}/threads?url={quote(article, safe='')}"


def post(base: str, auth: dict[str, str], body: str, article: str = ARTICLE) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base}{API}/comments", method="POST",
        data=json.dumps({"url": article, "body": body}).encode(),
        headers={"Content-Type": "application/json", **auth})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def readers(database_url: str, *names: str) -> list[dict[str, str]]:
    """Bearer headers of new readers with these names."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return [bearer(session, create_reader(session, name, f"{uuid.uuid4().hex}@ex.org"))
                    for name in names]
    finally:
        engine.dispose()


@pytest.fixture
def app_host(tmp_path: Path, database_url: str) -> Iterator[Gunicorn]:
    require_nginx()
    host = Gunicorn(tmp_path / "app", database_url, workers=1, settings={
        "COMMENTS_WIDGET_THREAD_MAX_AGE_SECONDS": "1",
        "COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS": "0"})
    host.wait_until_ready(workers=1)
    yield host
    host.stop()


@pytest.fixture
def nginx(tmp_path: Path, app_host: Gunicorn) -> Iterator[Nginx]:
    server = Nginx(tmp_path / "nginx", [app_host.url])
    yield server
    server.stop()


def test_the_public_thread_is_served_from_the_cache_and_revalidated(
        app_host: Gunicorn, nginx: Nginx, database_url: str) -> None:
    auth, = readers(database_url, "Ada")
    assert post(app_host.url, auth, "Through the cache")[0] == 201
    first = get(nginx.url + thread_path())
    second = get(nginx.url + thread_path())
    assert (first[0], first[1]["X-Cache-Status"]) == (200, "MISS")
    assert (second[0], second[1]["X-Cache-Status"], second[2]) == (200, "HIT", first[2])
    assert json.loads(second[2])["comments"][0]["html"] == "<p>Through the cache</p>"
    not_modified = get(nginx.url + thread_path(), {"If-None-Match": first[1]["ETag"]})
    assert (not_modified[0], not_modified[2]) == (304, b"")
    # Past its max-age (1 s here) the copy is revalidated with the app: a 304 renews it.
    time.sleep(2.1)
    expired = get(nginx.url + thread_path())
    time.sleep(0.5)  # the background update
    renewed = get(nginx.url + thread_path())
    # The expired copy is answered at once (stale-while-revalidate) while nginx revalidates
    # it in the background; the renewed copy is then a plain hit.
    assert expired[1]["X-Cache-Status"] in ("STALE", "UPDATING"), nginx.log_lines()
    assert renewed[1]["X-Cache-Status"] == "HIT", nginx.log_lines()
    assert expired[2] == renewed[2] == first[2]


def test_a_new_comment_shows_through_the_cache_once_its_copy_expires(
        app_host: Gunicorn, nginx: Nginx, database_url: str) -> None:
    auth, = readers(database_url, "Ada")
    post(app_host.url, auth, "one")
    get(nginx.url + thread_path())
    post(app_host.url, auth, "two")
    # The max-age here is 1 s (COMMENTS_WIDGET_THREAD_MAX_AGE_SECONDS); nginx counts whole
    # seconds, so its copy may live up to 2.
    time.sleep(2.1)
    get(nginx.url + thread_path())  # may still be the stale copy while it updates
    time.sleep(0.5)
    status, _, body = get(nginx.url + thread_path())
    assert [c["html"] for c in json.loads(body)["comments"]] == ["<p>one</p>", "<p>two</p>"]


def test_answers_for_one_reader_are_never_cached_or_shared(
        app_host: Gunicorn, nginx: Nginx, database_url: str) -> None:
    alice, bob = readers(database_url, "Alice Zyx", "Bob Qwv")
    for _ in range(3):
        for auth, name in ((alice, "Alice Zyx"), (bob, "Bob Qwv")):
            status, headers, body = get(nginx.url + f"{API}/me", auth)
            assert status == 200 and json.loads(body)["reader"]["name"] == name
            assert headers["X-Cache-Status"] == "NONE"
            mine = get(nginx.url + f"{API}/threads/mine?url={quote(ARTICLE, safe='')}", auth)
            assert mine[0] == 200 and mine[1]["X-Cache-Status"] == "NONE"
    assert json.loads(get(nginx.url + f"{API}/me")[2])["reader"] is None
    # The public payload asked for with a token neither fills the cache nor comes from it.
    for _ in range(2):
        assert get(nginx.url + thread_path(), alice)[1]["X-Cache-Status"] == "BYPASS"
    assert get(nginx.url + thread_path())[1]["X-Cache-Status"] == "MISS"
    cached = nginx.cached_bytes()
    assert cached and b"Alice Zyx" not in cached and b"Bob Qwv" not in cached
    assert alice["Authorization"].split()[1].encode() not in cached


def test_stale_answers_are_served_while_the_app_is_down(
        app_host: Gunicorn, nginx: Nginx, database_url: str) -> None:
    auth, = readers(database_url, "Ada")
    post(app_host.url, auth, "still here")
    fresh = get(nginx.url + thread_path())
    app_host.stop()
    time.sleep(2.1)  # past max-age (nginx counts whole seconds)
    status, headers, body = get(nginx.url + thread_path())
    assert (status, body) == (200, fresh[2])
    assert headers["X-Cache-Status"] in ("STALE", "UPDATING")
    assert get(nginx.url + thread_path(f"{SITE}/never-cached"))[0] == 502


@pytest.mark.skipif(not POSTGRES_URL, reason="two app hosts share PostgreSQL: make test-postgres")
def test_two_app_hosts_share_writes_and_rate_limits(tmp_path: Path, database_url: str) -> None:
    require_nginx()
    namespace = f"nginx-test-{uuid.uuid4().hex}"
    settings = {"COMMENTS_WIDGET_REDIS_URL": REDIS_URL,
                "COMMENTS_WIDGET_RATE_LIMIT_NAMESPACE": namespace,
                "COMMENTS_WIDGET_POST_RATE_LIMIT": "3/day",
                "COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS": "1",
                "COMMENTS_WIDGET_THREAD_MAX_AGE_SECONDS": "1"}
    hosts = [Gunicorn(tmp_path / name, database_url, workers=1, settings=settings)
             for name in ("a", "b")]
    server = None
    try:
        for host in hosts:
            host.wait_until_ready(workers=1)
        server = Nginx(tmp_path / "nginx", [host.url for host in hosts])
        first, second = hosts
        auth, = readers(database_url, "Ada")
        assert post(first.url, auth, "written on host a")[0] == 201
        get(second.url + thread_path())
        assert post(first.url, auth, "a second on host a")[0] == 201
        # Host b may answer from its memory for COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS.
        time.sleep(1.1)
        body = json.loads(get(second.url + thread_path())[2])
        assert [c["html"] for c in body["comments"]] == ["<p>written on host a</p>",
                                                         "<p>a second on host a</p>"]
        # One limit across both hosts (3 a day, counted in Redis).
        assert post(second.url, auth, "third, on host b")[0] == 201
        status, refused = post(second.url, auth, "fourth, on host b")
        assert (status, refused["error"]) == (429, "rate_limited")
        assert post(first.url, auth, "fifth, on host a")[0] == 429
        # Through nginx both hosts serve readers.
        served = {get(server.url + thread_path(f"{SITE}/spread/{i}"))[0] for i in range(6)}
        assert served == {200}
        upstreams = {line.split()[1] for line in server.log_lines() if "spread" in line}
        assert upstreams == {host.url.removeprefix("http://") for host in hosts}
    finally:
        if server is not None:
            server.stop()
        for host in hosts:
            host.stop()
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        bodies = connection.exec_driver_sql(
            "SELECT body_source FROM comments_widget_comments ORDER BY id").scalars().all()
    engine.dispose()
    assert bodies == ["written on host a", "a second on host a", "third, on host b"]
