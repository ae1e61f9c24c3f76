"""Bad input as a class: every field, every id, every route and method answers a clear 4xx
in the API's JSON shape (or a 400/404 page in the dashboard) and changes nothing stored."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from comments_widget.models import Comment, Reader, Thread
from tests.conftest import ARTICLE, SITE, csrf_token, post, stored

API = "/comments/api/v1"
BIG_IDS = [2**31, 2**31 + 1, 2**63, 2**64, 10**20]


def nothing_changed(session: Session, comments: int = 0) -> None:
    assert len(stored(session, Comment)) == comments
    assert len(stored(session, Thread)) == (1 if comments else 0)


def test_json_nested_100000_deep_is_invalid_json(client: FlaskClient, auth: dict,
                                                 session: Session) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(f"{API}/comments", data=body, headers={
        **auth, "Content-Type": "application/json"})
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_json")
    nothing_changed(session)


@pytest.mark.parametrize("field", ["body", "url", "thread_id", "title"])
@pytest.mark.parametrize("bad", ["\ud800", "a\x00b", "ok \udfff"])
def test_unstorable_characters_in_any_json_field_are_refused(
    client: FlaskClient, auth: dict, session: Session, field: str, bad: str
) -> None:
    body = {"url": ARTICLE, "body": "hello", field: bad if field != "url" else ARTICLE + bad}
    response = post(client, auth, **body)
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_text")
    nothing_changed(session)


def test_a_raw_lone_surrogate_escape_in_the_json_text_is_refused(
    client: FlaskClient, auth: dict, session: Session
) -> None:
    raw = '{"url": "' + ARTICLE + '", "body": "bad \\ud800 here"}'
    response = client.post(f"{API}/comments", data=raw, headers={
        **auth, "Content-Type": "application/json"})
    assert response.get_json()["error"] == "invalid_text"
    nothing_changed(session)


@pytest.mark.parametrize("path", [f"{API}/threads?url={ARTICLE}%00",
                                  f"{API}/threads?url={ARTICLE}&thread_id=a%00",
                                  f"{API}/counts?url={ARTICLE}%00"])
def test_a_nul_byte_in_a_query_parameter_is_refused(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_text")


@pytest.mark.parametrize("field", ["display_name", "email", "password"])
def test_a_nul_byte_in_a_form_field_is_a_400_page(client: FlaskClient, session: Session,
                                                  field: str) -> None:
    data = {"email": "new@example.org", "display_name": "New", "password": "a fine passphrase",
            "csrf_token": csrf_token(client, "/comments/register")}
    data[field] += "\x00"
    response = client.post("/comments/register", data=data)
    assert response.status_code == 400 and "cannot be stored" in response.get_data(as_text=True)
    assert stored(session, Reader) == []


@pytest.mark.parametrize("big", BIG_IDS)
@pytest.mark.parametrize(("method", "template"), [
    ("PATCH", "/comments/{}"), ("DELETE", "/comments/{}"), ("POST", "/comments/{}/flag"),
])
def test_ids_past_the_column_range_in_paths_are_404(client: FlaskClient, auth: dict,
                                                    method: str, template: str,
                                                    big: int) -> None:
    response = client.open(API + template.format(big), method=method, headers=auth,
                           json={"body": "x", "reason": "spam"})
    assert (response.status_code, response.get_json()["error"]) == (404, "not_found")


@pytest.mark.parametrize("parent_id", [*BIG_IDS, -1, 0, -(2**63), 1.5, "1", True])
def test_out_of_range_parent_ids_are_refused(client: FlaskClient, auth: dict,
                                             session: Session, parent_id: Any) -> None:
    post(client, auth, body="the only comment")
    response = post(client, auth, body="reply", parent_id=parent_id)
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_parent_id")
    nothing_changed(session, comments=1)


@pytest.mark.parametrize("after", [str(2**31), str(2**63), "²", "١٢", "-1", "1e3", " 1", "0"])
def test_bad_cursors_are_refused(client: FlaskClient, auth: dict, after: str) -> None:
    post(client, auth, body="so the thread exists")
    response = client.get(f"{API}/threads", query_string={"url": ARTICLE, "after": after})
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_cursor")


def test_a_long_cjk_article_url_is_refused_not_a_500(client: FlaskClient, auth: dict,
                                                     session: Session) -> None:
    url = f"{SITE}/" + "新闻" * 500
    response = post(client, auth, url=url, body="hello")
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_url")
    nothing_changed(session)
    shorter = post(client, auth, url=f"{SITE}/" + "新闻" * 300, body="hello")
    assert shorter.status_code == 201


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/nope", 404), ("GET", "/comments/-1", 404), ("POST", "/threads/x/y", 404),
    ("GET", "/", 404), ("PUT", "/comments/1", 405), ("GET", "/comments/1", 405),
    ("DELETE", "/threads", 405), ("GET", "/comments", 405), ("POST", "/me", 405),
])
def test_unknown_routes_and_wrong_methods_answer_json(client: FlaskClient, method: str,
                                                      path: str, status: int) -> None:
    response = client.open(API + path, method=method, headers={"Origin": SITE})
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"] == (
        "not_found" if status == 404 else "method_not_allowed")
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    if status == 405:
        assert response.headers["Allow"]


@pytest.mark.parametrize("path", [
    "/comments/admin/readers/99999999999999999999", "/comments/admin/threads/2147483648",
    "/comments/admin/readers/-3",
])
def test_dashboard_paths_with_huge_numbers_are_404(admin_client: FlaskClient, path: str) -> None:
    assert admin_client.get(path).status_code == 404


@pytest.mark.parametrize("query", [
    "queue/pending?before=99999999999999999999", "queue/pending?thread=99999999999999999999",
    "readers?before=99999999999999999999", "threads?page=99999999999999999999",
    "audit?actor=99999999999999999999&target=²",
])
def test_dashboard_query_strings_with_huge_numbers_are_ignored(admin_client: FlaskClient,
                                                               query: str) -> None:
    response = admin_client.get(f"/comments/admin/{query}")
    assert response.status_code == 200


def test_dashboard_bulk_action_with_huge_ids_changes_nothing(
    client: FlaskClient, auth: dict, admin_client: FlaskClient, session: Session
) -> None:
    comment_id = post(client, auth, body="stays approved").get_json()["id"]
    admin_client.post("/comments/admin/act", data={
        "action": "reject", "ids": [str(2**63), "99999999999999999999"],
        "csrf_token": csrf_token(admin_client, "/comments/admin/queue/pending")})
    assert session.get(Comment, comment_id).status.value == "approved"


@pytest.fixture
def live_server(app: Flask) -> Iterator[int]:
    """The app on a real HTTP server (127.0.0.1, a free port), stopped after the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.mark.parametrize("path", [f"{API}/tokens", f"{API}/comments", "/comments/register"])
def test_a_chunked_body_is_cut_off_at_the_size_limit(live_server: int, path: str,
                                                     auth: dict) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", live_server, timeout=10)
    connection.putrequest("POST", path)
    connection.putheader("Authorization", auth["Authorization"])
    connection.putheader("Transfer-Encoding", "chunked")
    connection.putheader("Content-Type", "application/json" if "api" in path
                         else "application/x-www-form-urlencoded")
    connection.endheaders()
    chunk = b"a" * 65536
    sent = 0
    try:
        for _ in range(64):  # Up to 4 MB, far past the 256 KB limit; the server stops us first.
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        connection.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if "api" in path:
        assert response.status == 413 and b'"payload_too_large"' in body
    else:  # The form is read up to the limit only, then refused (its CSRF token is lost).
        assert response.status in (400, 413)
