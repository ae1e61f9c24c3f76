"""Avatars without third parties: our identicon from the reader's id, or the picture a site
sends through single sign-on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Reader
from comments_widget.sso import sign_payload
from tests.conftest import ARTICLE, post, stored
from tests.test_sso import claims, exchange, secret  # noqa: F401  (the SSO secret fixture)

THREADS = "/comments/api/v1/threads"
SVG = "{http://www.w3.org/2000/svg}"


def avatar(client: FlaskClient, reader_id: int) -> bytes:
    answer = client.get(f"/comments/avatars/{reader_id}.svg")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    return answer.data


def test_an_identicon_is_the_same_for_the_same_reader_and_differs_between_readers(
        client: FlaskClient) -> None:
    assert avatar(client, 7) == avatar(client, 7)
    pictures = {avatar(client, reader_id) for reader_id in range(1, 21)}
    assert len(pictures) == 20


def test_an_identicon_is_a_plain_svg_that_caches_forever(client: FlaskClient) -> None:
    answer = client.get("/comments/avatars/42.svg")
    assert answer.cache_control.public and answer.cache_control.immutable
    assert answer.cache_control.max_age >= 365 * 24 * 3600
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'"
    root = ET.fromstring(answer.data)
    assert root.tag == f"{SVG}svg"
    # Nothing that runs or loads: shapes only.
    assert {element.tag for element in root.iter()} <= {f"{SVG}svg", f"{SVG}rect", f"{SVG}path"}
    assert all(not name.startswith("on") and "href" not in name
               for element in root.iter() for name in element.attrib)


@pytest.mark.parametrize("path", ["/comments/avatars/0.svg", "/comments/avatars/abc.svg",
                                  "/comments/avatars/99999999999999999999.svg"])
def test_an_avatar_of_no_possible_reader_is_not_found(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_reader_of_our_own_has_no_avatar_url_in_the_payload(client: FlaskClient,
                                                              auth: dict) -> None:
    post(client, auth, body="Hello")
    [comment] = client.get(THREADS, query_string={"url": ARTICLE}).get_json()["comments"]
    assert comment["author"]["avatar"] is None  # the embed draws /avatars/<id>.svg


def test_the_sites_picture_comes_through_single_sign_on_and_follows_changes(
        client: FlaskClient, secret: str, session: Session) -> None:  # noqa: F811
    picture = "https://news.example/people/grace.png"
    token = exchange(client, sign_payload(secret, claims(avatar=picture))).get_json()["token"]
    post(client, {"Authorization": f"Bearer {token}"}, body="Signed in with a face")
    [comment] = client.get(THREADS, query_string={"url": ARTICLE}).get_json()["comments"]
    assert comment["author"]["avatar"] == picture
    newer = "https://news.example/people/grace-2026.png"
    exchange(client, sign_payload(secret, claims(avatar=newer)))
    [comment] = client.get(THREADS, query_string={"url": ARTICLE}).get_json()["comments"]
    assert comment["author"]["avatar"] == newer  # the cached payload moved on
    exchange(client, sign_payload(secret, claims()))  # no picture any more
    [comment] = client.get(THREADS, query_string={"url": ARTICLE}).get_json()["comments"]
    assert comment["author"]["avatar"] is None


@pytest.mark.parametrize("picture", [
    "http://news.example/grace.png",  # mixed content
    "javascript:alert(1)",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "https://user:pw@news.example/grace.png",
    "https://news.example/grace.png\x00",
    "https://news.example/a b.png",
    "https://news.example/" + "a" * 500,
    "//news.example/grace.png",
    42,
])
def test_a_picture_that_is_not_a_plain_https_url_is_refused(
        client: FlaskClient, secret: str, session: Session, picture: object) -> None:  # noqa: F811
    answer = exchange(client, sign_payload(secret, claims(avatar=picture)))
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_avatar"
    # Nobody was signed in: the site's admin is the only reader.
    assert "Grace Hopper" not in [reader.display_name for reader in stored(session, Reader)]
