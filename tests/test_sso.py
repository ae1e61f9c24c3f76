"""Single sign-on: a site signs its logged-in reader, the embed trades that for our token.

The signing examples in docs/sso/ (Python, Node, PHP) are run here as a site would run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, AuthToken, ExternalIdentity, Reader, Site
from comments_widget.sso import sign_payload
from tests.conftest import (
    SITE,
    create_reader,
    csrf_token,
    login,
    post,
    stored,
)

SSO = "/comments/api/v1/tokens/sso"
ME = "/comments/api/v1/me"
SITES = "/comments/admin/sites"
OTHER_SITE = "https://other.example"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "sso"


def claims(**changes: Any) -> dict[str, Any]:
    return {"id": "u-17", "name": "Grace Hopper", "email": "grace@news.example",
            "exp": int(time.time()) + 120, "nonce": os.urandom(12).hex(), **changes}


def exchange(client: FlaskClient, payload: object, origin: str = SITE) -> Any:
    return client.post(SSO, json={"payload": payload}, headers={"Origin": origin})


def turn_on(client: FlaskClient, origin: str = SITE) -> str:
    """Turn single sign-on on from the dashboard, as an admin would; the secret it shows."""
    response = client.post(f"{SITES}/sso/secret", follow_redirects=True, data={
        "origin": origin, "csrf_token": csrf_token(client, SITES)})
    assert "Single sign-on is on for" in response.get_data(as_text=True)
    return secret_shown(client, origin)


def secret_shown(client: FlaskClient, origin: str) -> str:
    page = client.get(SITES).get_data(as_text=True)
    panel = page[page.index(f"{origin} ·" if f"{origin} ·" in page else origin):]
    start = panel.index('class="secret">') + len('class="secret">')
    return panel[start:panel.index("</pre>", start)]


@pytest.fixture
def secret(admin_client: FlaskClient) -> str:
    return turn_on(admin_client)


def test_a_signed_reader_gets_a_token_that_posts_under_their_site_name(
        client: FlaskClient, secret: str, session: Session) -> None:
    response = exchange(client, sign_payload(secret, claims()))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["reader"]["name"] == "Grace Hopper" and body["reader"]["external"] is True
    headers = {"Authorization": f"Bearer {body['token']}"}
    posted = post(client, headers, body="Signed in by the site.")
    assert posted.status_code == 201 and posted.get_json()["author"]["name"] == "Grace Hopper"
    [identity] = stored(session, ExternalIdentity)
    assert (identity.provider, identity.subject, identity.email) == (
        f"site:{SITE}", "u-17", "grace@news.example")
    assert identity.reader.email is None and identity.reader.password_hash == ""


def test_the_same_user_comes_back_as_the_same_reader_with_their_new_name(
        client: FlaskClient, secret: str, session: Session) -> None:
    first = exchange(client, sign_payload(secret, claims())).get_json()["reader"]
    again = exchange(client, sign_payload(secret, claims(name="Grace B. Hopper"))).get_json()
    assert again["reader"]["id"] == first["id"]
    assert again["reader"]["name"] == "Grace B. Hopper"
    assert len(stored(session, Reader)) == 2  # the admin and Grace


def test_an_email_from_a_site_never_opens_an_account_with_that_email(
        client: FlaskClient, secret: str, session: Session) -> None:
    own = create_reader(session, "Ada", "ada@news.example")
    response = exchange(client, sign_payload(secret, claims(id="9", name="Ada L.",
                                                            email="ada@news.example")))
    assert response.status_code == 201
    assert response.get_json()["reader"]["id"] != own.id
    session.expire_all()
    assert session.get(Reader, own.id).email == "ada@news.example"


def test_two_sites_with_the_same_user_id_get_two_readers(
        admin_client: FlaskClient, client: FlaskClient, make_app: Any, session: Session,
        secret: str) -> None:
    admin_client.post(SITES, data={"origin": OTHER_SITE, "name": "Other",
                                   "csrf_token": csrf_token(admin_client, SITES)})
    other_secret = turn_on(admin_client, OTHER_SITE)
    assert other_secret != secret
    here = exchange(client, sign_payload(secret, claims(id="1"))).get_json()["reader"]
    there = exchange(client, sign_payload(other_secret, claims(id="1")), OTHER_SITE).get_json()
    assert there["reader"]["id"] != here["id"]


@pytest.mark.parametrize(("make_payload", "code"), [
    (lambda secret: sign_payload("not-the-secret", claims()), "sso_invalid"),
    (lambda secret: sign_payload(secret, claims())[:-2] + "00", "sso_invalid"),
    (lambda secret: "x" + sign_payload(secret, claims()), "sso_invalid"),
    (lambda secret: sign_payload(secret, claims(exp=int(time.time()) - 1)), "sso_expired"),
    (lambda secret: sign_payload(secret, claims(exp=int(time.time()) + 3600)), "sso_invalid"),
    (lambda secret: sign_payload(secret, claims(exp="tomorrow")), "sso_invalid"),
    (lambda secret: sign_payload(secret, claims(nonce="short")), "sso_invalid"),
    (lambda secret: sign_payload(secret, {"id": "1", "name": "N"}), "sso_invalid"),
    (lambda secret: sign_payload(secret, claims(id=None)), "invalid_external_id"),
    (lambda secret: sign_payload(secret, claims(id="x" * 256)), "invalid_external_id"),
    (lambda secret: sign_payload(secret, claims(name="")), "display_name_required"),
    (lambda secret: sign_payload(secret, claims(name="Ｂoss")), "display_name_reserved"),
    (lambda secret: sign_payload(secret, claims(name="Moderator")), "display_name_reserved"),
    (lambda secret: sign_payload(secret, claims(email="not an address")), "invalid_email"),
    (lambda secret: sign_payload(secret, claims(id="a\x00b")), "invalid_external_id"),
    (lambda secret: sign_payload(secret, claims(id="a\ud800")), "invalid_external_id"),
    (lambda secret: sign_payload(secret, claims(email="a\x00@b.example")), "invalid_email"),
    (lambda secret: sign_payload(secret, claims(name="\x00\u202e")), "display_name_required"),
    (lambda secret: 12345, "sso_invalid"),
    (lambda secret: "a." * 3000, "sso_invalid"),
    (lambda secret: None, "sso_invalid"),
])
def test_a_payload_we_cannot_trust_is_refused_and_creates_nobody(
        client: FlaskClient, secret: str, session: Session, make_payload: Any,
        code: str) -> None:
    response = exchange(client, make_payload(secret))
    assert response.status_code == 400
    assert response.get_json()["error"] == code
    assert response.get_json()["message"]
    assert len(stored(session, Reader)) == 1 and stored(session, AuthToken) == []


def test_a_payload_works_once(client: FlaskClient, secret: str, session: Session) -> None:
    payload = sign_payload(secret, claims())
    assert exchange(client, payload).status_code == 201
    replay = exchange(client, payload)
    assert replay.status_code == 400 and replay.get_json()["error"] == "sso_replayed"
    assert "already used" in replay.get_json()["message"]
    assert len(stored(session, AuthToken)) == 1


def test_a_payload_for_one_site_is_refused_from_another(
        admin_client: FlaskClient, client: FlaskClient, secret: str) -> None:
    admin_client.post(SITES, data={"origin": OTHER_SITE, "name": "",
                                   "csrf_token": csrf_token(admin_client, SITES)})
    turn_on(admin_client, OTHER_SITE)
    response = exchange(client, sign_payload(secret, claims()), OTHER_SITE)
    assert response.get_json()["error"] == "sso_invalid"


def test_a_site_without_single_sign_on_is_told_how_to_turn_it_on(client: FlaskClient) -> None:
    response = exchange(client, "anything.abc")
    assert response.status_code == 403
    assert response.get_json()["error"] == "sso_not_configured"
    assert "Sites page" in response.get_json()["message"]
    no_origin = client.post(SSO, json={"payload": "anything.abc"})
    assert no_origin.get_json()["error"] == "sso_not_configured"


def test_a_new_secret_ends_payloads_signed_with_the_old_one(
        admin_client: FlaskClient, client: FlaskClient, secret: str, session: Session) -> None:
    old_payload = sign_payload(secret, claims())
    new_secret = turn_on(admin_client)
    assert new_secret != secret
    assert exchange(client, old_payload).get_json()["error"] == "sso_invalid"
    assert exchange(client, sign_payload(new_secret, claims())).status_code == 201
    actions = [entry.action for entry in stored(session, AuditEntry)]
    assert actions.count("enable_sso") == 1 and actions.count("rotate_sso_secret") == 1


def test_turning_it_off_refuses_sign_ins_and_keeps_the_readers(
        admin_client: FlaskClient, client: FlaskClient, secret: str, session: Session) -> None:
    token = exchange(client, sign_payload(secret, claims())).get_json()["token"]
    response = admin_client.post(f"{SITES}/sso/off", follow_redirects=True, data={
        "origin": SITE, "csrf_token": csrf_token(admin_client, SITES)})
    assert "Single sign-on is off" in response.get_data(as_text=True)
    assert exchange(client, sign_payload(secret, claims())).get_json()["error"] == \
        "sso_not_configured"
    assert client.get(ME, headers={"Authorization": f"Bearer {token}"}).get_json()[
        "reader"]["name"] == "Grace Hopper"


def test_a_banned_site_user_cannot_sign_in_again(
        client: FlaskClient, secret: str, session: Session) -> None:
    reader_id = exchange(client, sign_payload(secret, claims())).get_json()["reader"]["id"]
    reader = session.get(Reader, reader_id)
    reader.banned_at, reader.ban_reason = reader.created_at, "spam"
    session.commit()
    response = exchange(client, sign_payload(secret, claims()))
    assert response.status_code == 403 and response.get_json()["error"] == "banned"
    assert "spam" in response.get_json()["message"]


def test_an_sso_token_opens_no_dashboard_and_no_account_page(
        client: FlaskClient, secret: str, session: Session) -> None:
    body = exchange(client, sign_payload(secret, claims())).get_json()
    reader = session.get(Reader, body["reader"]["id"])
    reader.role = "admin"
    session.commit()
    headers = {"Authorization": f"Bearer {body['token']}"}
    for page in ("/comments/admin/", "/comments/account"):
        response = client.get(page, headers=headers)
        assert response.status_code == 302 and "/comments/login" in response.location


def test_no_password_logs_in_an_sso_reader(client: FlaskClient, secret: str) -> None:
    exchange(client, sign_payload(secret, claims()))
    for password in ("", "x"):
        response = client.post("/comments/api/v1/tokens",
                               json={"email": "grace@news.example", "password": password})
        assert response.get_json()["error"] == "invalid_credentials"


def test_the_sites_login_pages_replace_ours_in_the_embed(
        admin_client: FlaskClient, client: FlaskClient, session: Session) -> None:
    response = admin_client.post(f"{SITES}/login-pages", follow_redirects=True, data={
        "origin": SITE, "login_url": "https://news.example/login?next={next}",
        "logout_url": "https://news.example/logout",
        "csrf_token": csrf_token(admin_client, SITES)})
    assert "now goes to https://news.example/login" in response.get_data(as_text=True)
    me = client.get(ME, headers={"Origin": SITE}).get_json()
    assert me["login_url"] == "https://news.example/login?next={next}"
    assert me["logout_url"] == "https://news.example/logout"
    elsewhere = client.get(ME, headers={"Origin": OTHER_SITE})
    assert elsewhere.status_code == 403  # not an allowed origin at all


@pytest.mark.parametrize("bad_url", ["javascript:alert(1)", "/login", "ftp://news.example/x",
                                     "https://" + "x" * 2000])
def test_a_login_page_that_is_not_a_web_address_is_refused(
        admin_client: FlaskClient, session: Session, bad_url: str) -> None:
    response = admin_client.post(f"{SITES}/login-pages", follow_redirects=True, data={
        "origin": SITE, "login_url": bad_url, "logout_url": "",
        "csrf_token": csrf_token(admin_client, SITES)})
    page = response.get_data(as_text=True)
    assert "full http(s) address" in page or "Field cannot be longer" in page
    assert all(site.login_url == "" for site in stored(session, Site))


def test_only_admins_change_single_sign_on(
        app: Flask, moderator: Reader, session: Session) -> None:
    client = app.test_client()
    login(client, moderator.email)
    token = csrf_token(client, "/comments/admin/queue/pending")
    for action in ("sso/secret", "login-pages"):
        response = client.post(f"{SITES}/{action}", data={
            "origin": SITE, "login_url": "https://evil.example/", "csrf_token": token})
        assert response.status_code == 403
    assert stored(session, Site) == []


def test_sites_page_shows_the_secret_only_to_admins_behind_a_click(
        admin_client: FlaskClient, secret: str) -> None:
    page = admin_client.get(SITES).get_data(as_text=True)
    assert "<summary>Show the secret</summary>" in page and secret in page
    assert page.count(secret) == 1


SIGNERS = {
    "python": [sys.executable, str(DOCS / "sign.py")],
    "node": ["node", str(DOCS / "sign.mjs")],
    "php": ["php", str(DOCS / "sign.php")],
}


@pytest.mark.parametrize("language", sorted(SIGNERS))
def test_the_documented_signing_example_signs_a_working_payload(
        client: FlaskClient, secret: str, language: str) -> None:
    command = SIGNERS[language]
    if shutil.which(command[0]) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{command[0]} is required in CI for the {language} signing example")
        pytest.skip(f"{command[0]} is not installed")
    payload = subprocess.run([*command, secret, "42", "Zoë from the newsroom", "zoe@x.example"],
                             capture_output=True, text=True, check=True, timeout=30).stdout
    response = exchange(client, payload.strip())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["reader"]["name"] == "Zoë from the newsroom"
    assert exchange(client, payload.strip()).get_json()["error"] == "sso_replayed"
