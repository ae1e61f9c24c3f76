"""Sign in with OpenID Connect and GitHub, against a real provider process (tests/oidc_provider.py,
Authlib's server components): discovery, authorization code with PKCE, the ID token's
signature, issuer, expiry and nonce, and the state — each check shown failing with a clear page.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.config import ConfigError
from comments_widget.models import ExternalIdentity, Reader
from tests.conftest import PASSWORD, SITE, create_reader, csrf_token, stored
from tests.deployment import Deployment, deploy
from tests.live import Listener, screenshot

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID, CLIENT_SECRET = "comments", "test-client-secret"
ME = "/comments/api/v1/me"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The provider process, on a free loopback port, stopped at the end of the module."""
    listener = Listener()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider", str(listener.fileno()), str(listener.port),
         CLIENT_ID, CLIENT_SECRET],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        pass_fds=[listener.fileno()])
    listener.close()  # The child holds the port now.
    url = listener.url
    try:
        for _ in range(100):
            try:
                requests.get(f"{url}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the OIDC provider did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def well_behaved(request: Any) -> None:
    if "provider" in request.fixturenames:
        misbehave(request.getfixturevalue("provider"))


def misbehave(provider: str, **mode: Any) -> None:
    requests.post(f"{provider}/test/mode", json=mode, timeout=5).raise_for_status()


def providers(provider: str) -> dict[str, Any]:
    return {"testid": {"title": "Test ID", "client_id": CLIENT_ID,
                       "client_secret": CLIENT_SECRET,
                       "discovery_url": f"{provider}/.well-known/openid-configuration"},
            "github": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                       "authorize_url": f"{provider}/authorize",
                       "token_url": f"{provider}/token", "api_url": provider}}


@pytest.fixture
def oidc_app(make_app: Any, provider: str) -> Flask:
    return make_app(COMMENTS_WIDGET_SIGN_IN_PROVIDERS=providers(provider))


def go(client: FlaskClient, name: str = "testid", user: str = "alice", consent: str = "allow",
       query: str = "", state: str | None = None) -> Any:
    """The whole round trip: our button, the provider's consent page, our callback."""
    start = client.get(f"/comments/login/with/{name}{query}")
    assert start.status_code == 302, start.get_data(as_text=True)
    answer = requests.post(start.location, data={"user": user, "consent": consent},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == f"/comments/login/with/{name}/callback"
    query_string = back.query
    if state is not None:
        query_string = query_string.replace(parse_qs(back.query)["state"][0], state)
    return client.get(f"{back.path}?{query_string}")


def test_the_login_popup_offers_each_provider(oidc_app: Flask) -> None:
    page = oidc_app.test_client().get(f"/comments/login?origin={SITE}").get_data(as_text=True)
    assert "Continue with Test ID" in page and "Continue with GitHub" in page
    assert f'href="/comments/login/with/testid?origin={SITE}"' in page


def test_the_authorization_request_carries_state_nonce_and_pkce(oidc_app: Flask,
                                                                provider: str) -> None:
    start = oidc_app.test_client().get("/comments/login/with/testid")
    query = parse_qs(urlsplit(start.location).query)
    assert start.location.startswith(f"{provider}/authorize?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://localhost/comments/login/with/testid/callback"]


def test_a_new_reader_signs_in_and_is_logged_in(oidc_app: Flask, provider: str,
                                                session: Session) -> None:
    client = oidc_app.test_client()
    response = go(client)
    assert response.status_code == 302 and response.location == "/comments/account"
    assert client.get(ME).get_json()["reader"]["name"] == "Alice Example"
    [identity] = stored(session, ExternalIdentity)
    assert (identity.provider, identity.subject) == (f"signin:{provider}", "sub-alice")
    assert identity.reader.email == "alice@id.example"  # verified by the provider
    assert identity.reader.password_hash == ""
    go(oidc_app.test_client())  # Again, from another browser: the same reader.
    assert len(stored(session, Reader)) == 1


def test_from_the_popup_the_login_reaches_the_article(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    page = go(client, query=f"?origin={SITE}&next={SITE}/a&lang=de")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="comments-widget-handoff"' in html
    assert f'data-origin="{SITE}"' in html and "Sie sind angemeldet" in html


def test_an_unverified_address_is_not_kept(oidc_app: Flask, session: Session) -> None:
    create_reader(session, "Bob", "bob@id.example")
    go(oidc_app.test_client(), user="bob")
    readers = {reader.display_name: reader for reader in stored(session, Reader)}
    assert readers["Bob Unverified"].email is None
    assert readers["Bob"].email == "bob@id.example"


@pytest.mark.parametrize(("mode", "expected"), [
    ({"nonce": "not-the-nonce-we-sent"}, "does not belong to this login attempt"),
    ({"issuer": "https://evil.example"}, "another issuer than the one configured"),
    ({"expires_in": -300}, "The sign-in has expired"),
])
def test_an_id_token_we_cannot_trust_is_refused(oidc_app: Flask, provider: str,
                                                session: Session, mode: dict[str, Any],
                                                expected: str) -> None:
    misbehave(provider, **mode)
    client = oidc_app.test_client()
    response = go(client)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert expected in page and "Try Test ID again" in page
    assert stored(session, Reader) == [] and client.get(ME).get_json()["reader"] is None


def test_a_state_that_is_not_ours_is_refused(oidc_app: Flask, session: Session) -> None:
    response = go(oidc_app.test_client(), state="forged-state")
    assert response.status_code == 400
    assert "state mismatch" in response.get_data(as_text=True)
    assert stored(session, Reader) == []


def test_a_callback_in_another_browser_is_refused(oidc_app: Flask, provider: str,
                                                  session: Session) -> None:
    start = oidc_app.test_client().get("/comments/login/with/testid")
    answer = requests.post(start.location, data={"user": "alice", "consent": "allow"},
                           allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    response = oidc_app.test_client().get(f"{back.path}?{back.query}")  # no pending sign-in
    assert response.status_code == 400
    assert "not started in this browser" in response.get_data(as_text=True)
    assert stored(session, Reader) == []


def test_a_denied_consent_says_so(oidc_app: Flask, session: Session) -> None:
    response = go(oidc_app.test_client(), consent="deny")
    assert response.status_code == 400
    assert "You did not allow Test ID to sign you in." in response.get_data(as_text=True)
    assert stored(session, Reader) == []


def test_an_existing_account_is_linked_only_after_its_password(oidc_app: Flask,
                                                               session: Session) -> None:
    ada = create_reader(session, "Ada", "ada@example.org")
    client = oidc_app.test_client()
    response = go(client, user="ada")
    assert response.status_code == 302 and response.location.startswith("/comments/login")
    page = client.get(response.location).get_data(as_text=True)
    assert "There is already an account for <strong>ada@example.org</strong>" in page
    assert stored(session, ExternalIdentity) == [] and client.get(ME).get_json()["reader"] is None
    wrong = client.post("/comments/login", data={
        "email": "ada@example.org", "password": "nope",
        "csrf_token": csrf_token(client, "/comments/login")})
    assert wrong.status_code == 400 and stored(session, ExternalIdentity) == []
    client.post("/comments/login", data={"email": "ada@example.org", "password": PASSWORD,
                                         "csrf_token": csrf_token(client, "/comments/login")})
    [identity] = stored(session, ExternalIdentity)
    assert identity.reader_id == ada.id
    other_browser = oidc_app.test_client()
    go(other_browser, user="ada")  # From now on the provider logs Ada in.
    assert other_browser.get(ME).get_json()["reader"]["id"] == ada.id


def test_someone_elses_password_login_links_nothing(oidc_app: Flask, session: Session) -> None:
    create_reader(session, "Ada", "ada@example.org")
    create_reader(session, "Eve", "eve@example.org")
    client = oidc_app.test_client()
    go(client, user="ada")
    client.post("/comments/login", data={"email": "eve@example.org", "password": PASSWORD,
                                         "csrf_token": csrf_token(client, "/comments/login")})
    assert stored(session, ExternalIdentity) == []


def test_a_banned_reader_cannot_sign_in_with_a_provider(oidc_app: Flask,
                                                        session: Session) -> None:
    go(oidc_app.test_client())
    [reader] = stored(session, Reader)
    reader.banned_at, reader.ban_reason = reader.created_at, "spam"
    session.commit()
    response = go(oidc_app.test_client())
    assert response.status_code == 400 and "Reason: spam" in response.get_data(as_text=True)


def test_a_name_that_imitates_staff_is_refused_clearly(oidc_app: Flask,
                                                       session: Session) -> None:
    response = go(oidc_app.test_client(), user="mod")
    assert response.status_code == 400
    assert "too close to a moderator" in response.get_data(as_text=True)
    assert stored(session, Reader) == []


def test_github_signs_in_with_its_user_and_verified_primary_address(
        oidc_app: Flask, session: Session) -> None:
    client = oidc_app.test_client()
    start = client.get("/comments/login/with/github")
    assert parse_qs(urlsplit(start.location).query)["scope"] == ["read:user user:email"]
    go(client, name="github")
    assert client.get(ME).get_json()["reader"]["name"] == "Alice Example"
    [identity] = stored(session, ExternalIdentity)
    assert (identity.provider, identity.subject) == ("signin:https://github.com", "1000")


def test_an_unknown_provider_is_a_404(oidc_app: Flask) -> None:
    assert oidc_app.test_client().get("/comments/login/with/nope").status_code == 404


@pytest.mark.parametrize(("settings", "message"), [
    ({"x": {"client_id": "a", "discovery_url": "https://id.example/.well-known"}},
     "needs client_secret"),
    ({"x": {"client_id": "a", "client_secret": "b",
            "discovery_url": "http://id.example/.well-known"}}, "must be an https URL"),
    ({"x y": {"client_id": "a"}}, "short name"),
    ("not json", "must be JSON"),
])
def test_a_provider_set_up_wrong_stops_the_start(make_app: Any, settings: Any,
                                                 message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_app(COMMENTS_WIDGET_SIGN_IN_PROVIDERS=settings)


@pytest.mark.browser
@pytest.mark.slow
def test_a_reader_signs_in_with_the_provider_from_the_popup(
        database_url: str, tmp_path: Path, provider: str) -> None:
    import json

    with deploy(database_url, tmp_path, COMMENTS_WIDGET_SIGN_IN_PROVIDERS=json.dumps(
            providers(provider))) as d:
        run_popup_sign_in(d)


def run_popup_sign_in(d: Deployment) -> None:
    compose = d.open_article()
    with d.page.expect_popup() as popup_info:
        d.page.get_by_role("link", name="Log-in").click()
    popup = popup_info.value
    popup.get_by_role("link", name="Continue with Test ID").wait_for()
    screenshot(popup, "popup-with-providers")
    popup.get_by_role("link", name="Continue with Test ID").click()
    popup.get_by_role("heading", name="Sign in to Test ID").wait_for()
    screenshot(popup, "provider-consent")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Allow").click()
    compose.get_by_text("Logged in as Alice Example.").wait_for()
    compose.get_by_label("Your comment").fill("Signed in with an OpenID provider.")
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article").get_by_text("Signed in with an OpenID provider.").wait_for()
