"""Links in emails that change something: signed, bound to one purpose, expiring, single-use.

A link carries the reader's id and a fingerprint of their session identifier. Using it
(a password reset) changes that identifier, so the link, and every other link sent before it,
stops working: single use without storing anything.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from comments_widget.models import Reader


class InvalidLink(Exception):
    """The link is malformed, expired, already used or meant for something else."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _fingerprint(reader: Reader) -> str:
    return hashlib.sha256(reader.session_id.encode()).hexdigest()[:20]


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"comments_widget.link.{purpose}")


def make_link_token(secret: str, purpose: str, reader: Reader) -> str:
    """A token for `purpose` (e.g. "reset") that `reader` may use once."""
    return _serializer(secret, purpose).dumps([reader.id, _fingerprint(reader)])


def link_reader_id(secret: str, purpose: str, token: str, max_age: timedelta) -> tuple[int, str]:
    """The reader id and fingerprint a token carries; InvalidLink if it is bad or too old."""
    try:
        reader_id, fingerprint = _serializer(secret, purpose).loads(
            token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise InvalidLink(expired=True) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise InvalidLink(expired=False) from error
    if not isinstance(reader_id, int) or not isinstance(fingerprint, str):
        raise InvalidLink(expired=False)
    return reader_id, fingerprint


def still_valid_for(reader: Reader | None, fingerprint: str) -> bool:
    """True if the link was made for this reader's current session identifier."""
    return reader is not None and _fingerprint(reader) == fingerprint
