"""Reader accounts and the bearer tokens the embed logs in with."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from comments_widget.errors import Conflict, InvalidInput, NotAuthenticated
from comments_widget.models import AuthToken, Reader, utcnow

# A real hash to compare against when the email is unknown, so that a missing account takes as
# long to refuse as a wrong password and response times do not reveal who is registered.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))
MAX_DISPLAY_NAME = 80


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively; store one spelling."""
    return email.strip().lower()


def find_reader_by_email(session: Session, email: str) -> Reader | None:
    """The reader registered with this email, if any."""
    return session.scalar(sa.select(Reader).where(Reader.email == normalize_email(email)))


def register_reader(
    session: Session, *, email: str, display_name: str, password: str, min_password_length: int
) -> Reader:
    """Create a reader account; a taken email is a Conflict, a weak password InvalidInput."""
    display_name = " ".join(display_name.split())
    if not display_name:
        raise InvalidInput("Choose a display name.", code="display_name_required")
    if len(display_name) > MAX_DISPLAY_NAME:
        raise InvalidInput(f"Display names are at most {MAX_DISPLAY_NAME} characters.",
                           code="display_name_too_long")
    if len(password) < min_password_length:
        raise InvalidInput(f"Passwords need at least {min_password_length} characters.",
                           code="password_too_short")
    if find_reader_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists. Log in instead.",
                       code="email_taken")
    reader = Reader(email=normalize_email(email), display_name=display_name,
                    password_hash=generate_password_hash(password))
    session.add(reader)
    try:
        session.flush()
    except sa.exc.IntegrityError as error:  # Two registrations raced for the same email.
        session.rollback()
        raise Conflict("An account with this email already exists. Log in instead.",
                       code="email_taken") from error
    return reader


def authenticate(session: Session, email: str, password: str) -> Reader:
    """The reader with this email and password, or NotAuthenticated (same message either way)."""
    reader = find_reader_by_email(session, email)
    if reader is None:
        check_password_hash(_DUMMY_HASH, password)
    elif check_password_hash(reader.password_hash, password):
        return reader
    raise NotAuthenticated("That email and password do not match an account.",
                           code="invalid_credentials")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, reader: Reader, max_age: timedelta) -> str:
    """Create a bearer token for the reader; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    session.add(AuthToken(reader_id=reader.id, token_hash=_hash_token(token),
                          expires_at=utcnow() + max_age))
    session.flush()
    return token


_TOKEN_BY_HASH = sa.select(AuthToken).where(AuthToken.token_hash == sa.bindparam("token_hash"))


def reader_for_token(session: Session, token: str) -> Reader | None:
    """The reader a live token belongs to, or None if it is unknown, expired or revoked."""
    row = session.scalar(_TOKEN_BY_HASH, {"token_hash": _hash_token(token)})
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.reader


def revoke_token(session: Session, token: str) -> bool:
    """Revoke one token (logout); True if it was live."""
    result = session.execute(
        sa.update(AuthToken)
        .where(AuthToken.token_hash == _hash_token(token), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount > 0


def revoke_all_tokens(session: Session, reader: Reader) -> int:
    """Revoke every live token of a reader (password change, ban); returns how many."""
    result = session.execute(
        sa.update(AuthToken)
        .where(AuthToken.reader_id == reader.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount
