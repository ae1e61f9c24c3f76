"""Links in emails that change something: signed, bound to one purpose, expiring.

A link signs the reader's id and a *binding*: a fingerprint of what must not have changed for
the link to work. A reset link is bound to the reader's session identifier, which the reset
itself replaces, so it works once and dies with every other session; a confirmation link is
bound to the email address, so a link sent before an address change confirms nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from comments_widget.models import Reader, SpentLink, utcnow


class InvalidLink(Exception):
    """The link is malformed, expired, already used or meant for something else."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def session_binding(reader: Reader) -> str:
    """Valid until the reader's sessions end (logout, password change, ban, role change)."""
    return _fingerprint(reader.session_id)


def email_binding(reader: Reader) -> str:
    """Valid while the reader's email address stays the same."""
    return _fingerprint(reader.email or "")


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"comments_widget.link.{purpose}")


def make_link_token(secret: str, purpose: str, reader: Reader, binding: str) -> str:
    """A token for `purpose` (e.g. "reset") naming `reader`, valid while `binding` holds."""
    return _serializer(secret, purpose).dumps([reader.id, binding])


def read_link_token(secret: str, purpose: str, token: str, max_age: timedelta
                    ) -> tuple[int, str]:
    """The reader id and binding a token carries; InvalidLink if it is bad or too old."""
    try:
        reader_id, binding = _serializer(secret, purpose).loads(
            token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise InvalidLink(expired=True) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise InvalidLink(expired=False) from error
    if not (isinstance(reader_id, int) and 0 < reader_id < 2**31
            and isinstance(binding, str)):
        raise InvalidLink(expired=False)
    return reader_id, binding


def reader_from_link(session: Session, secret: str, purpose: str, token: str,
                     max_age: timedelta, binding_of: Callable[[Reader], str]) -> Reader:
    """The reader a link names, if its binding still holds; InvalidLink otherwise."""
    reader_id, binding = read_link_token(secret, purpose, token, max_age)
    reader = session.get(Reader, reader_id)
    if reader is None or binding_of(reader) != binding:
        raise InvalidLink(expired=False)
    return reader


def spend(session: Session, token: str, max_age: timedelta) -> bool:
    """Record that a single-use token was used; False if it had been used already."""
    session.execute(sa.delete(SpentLink).where(SpentLink.expires_at < utcnow()))
    digest = hashlib.sha256(token.encode()).hexdigest()
    try:
        with session.begin_nested():
            session.add(SpentLink(token_hash=digest, expires_at=utcnow() + max_age))
    except sa.exc.IntegrityError:
        return False
    return True
