"""Single sign-on payloads: a news site vouches for its logged-in reader.

The site's server builds, for each page it renders for a logged-in user,

    payload = base64url(JSON {id, name, email?, avatar?, exp, nonce}) + "." +
              hex(HMAC-SHA256(site secret, that base64url text))

and puts it on the embed. We check the signature with the site's secret (constant time), that
`exp` (Unix seconds) is in the future but not more than MAX_LIFETIME away, and that the nonce
was never seen before (signed_links.spend), so a payload copied from a page cannot be replayed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from comments_widget.errors import InvalidInput
from comments_widget.services.external import Author

MAX_PAYLOAD_LENGTH = 4096
# A payload is made for one page view; an hour-old one is a copy, not a login.
MAX_LIFETIME_SECONDS = 600
MIN_NONCE_LENGTH, MAX_NONCE_LENGTH = 16, 128


class SsoRefused(InvalidInput):
    """A payload we cannot accept; `code` says why (sso_invalid, sso_expired, sso_replayed)."""


@dataclass(frozen=True)
class SsoClaims:
    author: Author
    expires_at: int
    nonce: str


def new_secret() -> str:
    """A fresh per-site secret (256 bits)."""
    return secrets.token_hex(32)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def sign_payload(secret: str, claims: dict[str, Any]) -> str:
    """What a site's server does (the reference for the docs' Python example and the tests)."""
    body = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{body}.{_signature(secret, body)}"


_INVALID = "The sign-in from this site could not be verified. Reload the page and try again."


def _verified_claims(secret: str, payload: object, refusal: str) -> dict[str, Any]:
    """The JSON object a payload carries, once its signature is checked against `secret`
    (constant time); SsoRefused(`refusal`, sso_invalid) if it is forged or malformed."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_LENGTH or "." not in payload:
        raise SsoRefused(refusal, code="sso_invalid")
    body, _, signature = payload.strip().rpartition(".")
    if not secret or not hmac.compare_digest(_signature(secret, body).encode(),
                                             signature.lower().encode("ascii", "replace")):
        raise SsoRefused(refusal, code="sso_invalid")
    try:
        claims = json.loads(_b64decode(body))
    except (ValueError, binascii.Error) as error:
        raise SsoRefused(refusal, code="sso_invalid") from error
    if not isinstance(claims, dict):
        raise SsoRefused(refusal, code="sso_invalid")
    return claims


def read_payload(secret: str, payload: object, now: float | None = None) -> SsoClaims:
    """The claims of a payload signed with `secret`; SsoRefused if it is forged, malformed or
    expired (the nonce is checked by the caller, who can record it)."""
    claims = _verified_claims(secret, payload, _INVALID)
    exp, nonce = claims.get("exp"), claims.get("nonce")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        raise SsoRefused("The sign-in payload needs `exp` (Unix seconds).", code="sso_invalid")
    if not isinstance(nonce, str) or not MIN_NONCE_LENGTH <= len(nonce) <= MAX_NONCE_LENGTH:
        raise SsoRefused(f"The sign-in payload needs a `nonce` of {MIN_NONCE_LENGTH} to "
                         f"{MAX_NONCE_LENGTH} characters.", code="sso_invalid")
    now = time.time() if now is None else now
    if exp <= now:
        raise SsoRefused("This sign-in has expired. Reload the page to sign in again.",
                         code="sso_expired")
    if exp > now + MAX_LIFETIME_SECONDS:
        raise SsoRefused(f"The sign-in payload's `exp` is more than {MAX_LIFETIME_SECONDS} "
                         "seconds away; make one per page view.", code="sso_invalid")
    email = claims.get("email") or ""
    return SsoClaims(author=Author(id=claims.get("id"),  # type: ignore[arg-type]
                                   name=claims.get("name"),  # type: ignore[arg-type]
                                   email=email, avatar=claims.get("avatar") or ""),
                     expires_at=int(exp), nonce=nonce)


MAX_ARTICLE_AUTHORS = 20


def read_article_authors(secret: str, payload: object) -> tuple[str, list[str]]:
    """The article URL and its authors' user ids from a site's signed `data-comments-authors`
    payload ({"url", "authors"}, signed like a sign-in). No expiry and no nonce: it names who
    wrote an article, as public as the page it is on, and binds to that article's URL."""
    refusal = "The article's authors could not be verified."
    claims = _verified_claims(secret, payload, refusal)
    url, authors = claims.get("url"), claims.get("authors")
    if (not isinstance(url, str) or not isinstance(authors, list)
            or len(authors) > MAX_ARTICLE_AUTHORS
            or not all(isinstance(a, (str, int)) and not isinstance(a, bool) for a in authors)):
        raise SsoRefused(refusal, code="sso_invalid")
    return url, [str(author) for author in authors]
