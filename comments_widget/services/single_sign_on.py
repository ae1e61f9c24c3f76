"""A site's signed payload in, our reader out (sso.py checks the payload itself)."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden
from comments_widget.models import Reader
from comments_widget.services import sites
from comments_widget.services.external import sign_in_external
from comments_widget.signed_links import spend
from comments_widget.sso import SsoRefused, read_payload


def provider_for(origin: str) -> str:
    """Readers of a site's single sign-on are that site's users, whatever its row's id."""
    return f"site:{origin}"


def sign_in(session: Session, origin: str | None, payload: object) -> Reader:
    """The reader a site's payload vouches for (created on first sign-in); flushes only."""
    site = sites.site_for(session, origin) if origin else None
    if site is None or not site.sso_secret:
        raise Forbidden(f"Single sign-on is not set up for {origin or 'this page'}; an admin "
                        "turns it on in the dashboard's Sites page.", code="sso_not_configured")
    claims = read_payload(site.sso_secret, payload)
    lifetime = timedelta(seconds=max(claims.expires_at - time.time(), 0) + 60)
    if not spend(session, f"sso {site.origin} {claims.nonce}", lifetime):
        raise SsoRefused("This sign-in was already used. Reload the page to sign in again.",
                         code="sso_replayed")
    reader, _changed = sign_in_external(session, provider_for(site.origin), claims.author)
    return reader
