"""Sign in with another identity provider: OpenID Connect (any issuer) and GitHub, via Authlib.

The protocol half, no views: discovery, the authorization URL (state, nonce, PKCE S256), the
code-for-token exchange, and the checks on what comes back — the ID token's signature
against the issuer's published keys, its issuer, audience, expiry and nonce (OpenID Connect),
or GitHub's user and verified primary address (GitHub speaks OAuth 2 without ID tokens).
Providers are configured in COMMENTS_WIDGET_SIGN_IN_PROVIDERS (docs/accounts.md).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from comments_widget.config import ConfigError
from comments_widget.errors import InvalidInput
from comments_widget.i18n import gettext as _
from comments_widget.services.external import Author

HTTP_TIMEOUT_SECONDS = 10
DISCOVERY_TTL_SECONDS = 3600
GITHUB = {"authorize_url": "https://github.com/login/oauth/authorize",
          "token_url": "https://github.com/login/oauth/access_token",
          "api_url": "https://api.github.com"}


class SignInFailed(InvalidInput):
    """The provider's answer cannot be trusted or was a refusal; `code` says which."""


@dataclass(frozen=True)
class Provider:
    """One configured way to sign in."""

    name: str  # in URLs: /login/with/<name>
    title: str  # on the button: "Continue with <title>"
    kind: str  # "oidc" or "github"
    client_id: str
    client_secret: str
    discovery_url: str = ""
    authorize_url: str = ""
    token_url: str = ""
    api_url: str = ""

    @property
    def scope(self) -> str:
        return "openid email profile" if self.kind == "oidc" else "read:user user:email"


@dataclass(frozen=True)
class Started:
    """What the browser is sent to, and what must come back with it (kept in our session)."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class SignedIn:
    """Who the provider says this is."""

    issuer: str  # names the provider in our identities: stable across renames in config
    author: Author
    email_verified: bool


def _checked_url(name: str, key: str, url: object) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    loopback = parts is not None and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts is None or not parts.netloc or not (
            parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise ConfigError(f"COMMENTS_WIDGET_SIGN_IN_PROVIDERS[{name!r}].{key} must be an https "
                          f"URL, got {url!r}")
    return str(url)


def parse_providers(value: str | Mapping[str, Any] | None) -> dict[str, Provider]:
    """The configured providers (a dict, or its JSON for the stand-alone server)."""
    if not value:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise ConfigError("COMMENTS_WIDGET_SIGN_IN_PROVIDERS must be JSON: "
                              '{"name": {"client_id": …, "client_secret": …, '
                              '"discovery_url": …}}') from error
    if not isinstance(value, Mapping):
        raise ConfigError("COMMENTS_WIDGET_SIGN_IN_PROVIDERS must map names to settings")
    providers = {}
    for name, settings in value.items():
        if not (isinstance(name, str) and name.isascii() and name.replace("-", "").isalnum()
                and isinstance(settings, Mapping)):
            raise ConfigError(f"COMMENTS_WIDGET_SIGN_IN_PROVIDERS: {name!r} needs a short "
                              "name of letters, digits and dashes, and a mapping of settings")
        kind = settings.get("kind", "github" if name == "github" else "oidc")
        missing = [key for key in ("client_id", "client_secret") if not settings.get(key)]
        if kind == "oidc" and not settings.get("discovery_url"):
            missing.append("discovery_url")
        if kind not in ("oidc", "github") or missing:
            raise ConfigError(f"COMMENTS_WIDGET_SIGN_IN_PROVIDERS[{name!r}] needs "
                              f"{', '.join(missing) or 'kind oidc or github'}")
        urls = {key: _checked_url(name, key, settings.get(key) or GITHUB[key])
                for key in GITHUB} if kind == "github" else {
            "discovery_url": _checked_url(name, "discovery_url", settings["discovery_url"])}
        providers[name] = Provider(
            name=name, kind=kind, client_id=str(settings["client_id"]),
            client_secret=str(settings["client_secret"]),
            title=str(settings.get("title") or ("GitHub" if kind == "github"
                                                else name.capitalize())), **urls)
    return providers


class Discovery:
    """Issuers' metadata and signing keys, fetched on first use and kept for an hour."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._documents: dict[str, tuple[float, dict[str, Any]]] = {}

    def _get(self, url: str) -> dict[str, Any]:
        with self._lock:
            cached = self._documents.get(url)
            if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
                return cached[1]
        try:
            response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInFailed(_("The sign-in service could not be reached. Try again in a "
                               "moment."), code="provider_unreachable") from error
        with self._lock:
            self._documents[url] = (time.monotonic(), document)
        return document

    def metadata(self, provider: Provider) -> dict[str, Any]:
        return self._get(provider.discovery_url)

    def keys(self, provider: Provider, refresh: bool = False) -> KeySet:
        uri = self.metadata(provider)["jwks_uri"]
        if refresh:
            with self._lock:
                self._documents.pop(uri, None)
        return KeySet.import_key_set(self._get(uri))


def _client(provider: Provider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(provider.client_id, provider.client_secret, scope=provider.scope,
                         redirect_uri=redirect_uri, code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_post")


def start(provider: Provider, discovery: Discovery, redirect_uri: str) -> Started:
    """Where to send the reader to sign in, with a fresh state, nonce and PKCE verifier."""
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    endpoint = (discovery.metadata(provider)["authorization_endpoint"]
                if provider.kind == "oidc" else provider.authorize_url)
    with _client(provider, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            endpoint, state=state, nonce=nonce if provider.kind == "oidc" else None,
            code_verifier=verifier)
    assert create_s256_code_challenge(verifier) in url  # PKCE is never silently dropped.
    return Started(url=url, state=state, nonce=nonce, code_verifier=verifier)


def _exchange(provider: Provider, token_url: str, redirect_uri: str, code: str,
              verifier: str) -> dict[str, Any]:
    try:
        with _client(provider, redirect_uri) as client:
            return dict(client.fetch_token(token_url, code=code, code_verifier=verifier,
                                           headers={"Accept": "application/json"},
                                           timeout=HTTP_TIMEOUT_SECONDS))
    except requests.RequestException as error:
        raise SignInFailed(_("The sign-in service could not be reached. Try again in a "
                           "moment."), code="provider_unreachable") from error
    except Exception as error:  # Authlib's OAuth2Error and friends: a refused code.
        raise SignInFailed(_("The sign-in service refused this sign-in. Try again."),
                           code="token_refused") from error


def _checked_id_token(provider: Provider, discovery: Discovery, id_token: object,
                      nonce: str) -> dict[str, Any]:
    issuer = discovery.metadata(provider)["issuer"]
    if not isinstance(id_token, str):
        raise SignInFailed(_("The sign-in service sent no ID token."), code="bad_id_token")
    try:
        try:
            token = jwt.decode(id_token, discovery.keys(provider), algorithms=["RS256", "ES256"])
        except JoseError:  # Keys rotate: fetch them again once before giving up.
            token = jwt.decode(id_token, discovery.keys(provider, refresh=True),
                               algorithms=["RS256", "ES256"])
    except (JoseError, ValueError) as error:
        raise SignInFailed(_("The sign-in could not be verified (bad signature)."),
                           code="bad_id_token") from error
    claims = token.claims
    if claims.get("iss") != issuer:
        raise SignInFailed(_("The sign-in came from another issuer than the one configured."),
                           code="wrong_issuer")
    audience = claims.get("aud")
    if provider.client_id not in (audience if isinstance(audience, list) else [audience]):
        raise SignInFailed(_("The sign-in was meant for another site."), code="wrong_audience")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires < time.time() - 60:
        raise SignInFailed(_("The sign-in has expired. Please try again."), code="expired_id_token")
    if not isinstance(claims.get("nonce"), str) or \
            not secrets.compare_digest(claims["nonce"], nonce):
        raise SignInFailed(_("The sign-in does not belong to this login attempt. Please try "
                           "again."), code="nonce_mismatch")
    if not claims.get("sub"):
        raise SignInFailed(_("The sign-in named nobody."), code="bad_id_token")
    return claims


def finish(provider: Provider, discovery: Discovery, redirect_uri: str, code: str,
           started: Started) -> SignedIn:
    """Trade the code for who signed in, checking everything the protocol lets us check."""
    if provider.kind == "oidc":
        token_url = discovery.metadata(provider)["token_endpoint"]
        token = _exchange(provider, token_url, redirect_uri, code, started.code_verifier)
        claims = _checked_id_token(provider, discovery, token.get("id_token"), started.nonce)
        name = claims.get("name") or claims.get("preferred_username") or ""
        return SignedIn(issuer=claims["iss"], email_verified=claims.get("email_verified") is True,
                        author=Author(id=str(claims["sub"]), name=str(name),
                                      email=str(claims.get("email") or "")))
    token = _exchange(provider, provider.token_url, redirect_uri, code, started.code_verifier)
    headers = {"Authorization": f"Bearer {token.get('access_token', '')}",
               "Accept": "application/vnd.github+json"}
    try:
        user = requests.get(f"{provider.api_url}/user", headers=headers,
                            timeout=HTTP_TIMEOUT_SECONDS)
        emails = requests.get(f"{provider.api_url}/user/emails", headers=headers,
                              timeout=HTTP_TIMEOUT_SECONDS)
        user.raise_for_status()
        profile = user.json()
        addresses = emails.json() if emails.ok else []
    except (requests.RequestException, ValueError) as error:
        raise SignInFailed(_("GitHub could not be reached. Try again in a moment."),
                           code="provider_unreachable") from error
    primary = next((a for a in addresses if isinstance(a, dict) and a.get("primary")), {})
    return SignedIn(issuer="https://github.com", email_verified=primary.get("verified") is True,
                    author=Author(id=str(profile.get("id", "")),
                                  name=str(profile.get("name") or profile.get("login") or ""),
                                  email=str(primary.get("email") or "")))
