"""Reader accounts and the bearer tokens the embed logs in with."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from comments_widget.errors import Conflict, Forbidden, NotAuthenticated
from comments_widget.i18n import N_
from comments_widget.i18n import gettext as _
from comments_widget.models import AuthToken, Reader, Role, new_session_id, utcnow
from comments_widget.services import versions
from comments_widget.services.identity import check_display_name, check_password

# A real hash to compare against when the email is unknown, so that a missing account takes as
# long to refuse as a wrong password and response times do not reveal who is registered.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))
# Worded so that it helps the owner of the address without confirming to anyone else that an
# account exists; the registration rate limit keeps it from being asked a thousand times.
EMAIL_UNAVAILABLE = N_("This email cannot be used for a new account. If it is yours, log in "
                       "instead.")


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively; store one spelling."""
    return email.strip().lower()


def find_reader_by_email(session: Session, email: str) -> Reader | None:
    """The reader registered with this email, if any."""
    return session.scalar(sa.select(Reader).where(Reader.email == normalize_email(email)))


def staff_names(session: Session) -> list[str]:
    """Display names of moderators and admins, which no reader may imitate."""
    return list(session.scalars(sa.select(Reader.display_name)
                                .where(Reader.role.in_([Role.MODERATOR, Role.ADMIN]))))


def register_reader(
    session: Session, *, email: str, display_name: str, password: str, min_password_length: int,
    staff: bool = False,
) -> Reader:
    """Create a reader account; a taken email is a Conflict, a weak password InvalidInput.

    `staff` accounts (made by an operator) may take names readers may not, such as "Editor".
    """
    display_name = check_display_name(display_name, [] if staff else staff_names(session),
                                      reserved=not staff)
    check_password(password, email, min_password_length)
    if find_reader_by_email(session, email) is not None:
        raise Conflict(_(EMAIL_UNAVAILABLE), code="email_taken")
    reader = Reader(email=normalize_email(email), display_name=display_name,
                    password_hash=generate_password_hash(password))
    session.add(reader)
    try:
        session.flush()
    except sa.exc.IntegrityError as error:  # Two registrations raced for the same email.
        session.rollback()
        raise Conflict(_(EMAIL_UNAVAILABLE), code="email_taken") from error
    return reader


def ban_message(reader: Reader) -> str:
    """What a banned reader is told wherever they try to act."""
    if reader.banned_until:
        message = _("You have been banned from commenting until {date}.",
                    date=f"{reader.banned_until:%d %B %Y}")
    else:
        message = _("You have been banned from commenting.")
    if not reader.ban_reason:
        return message
    return message + " " + _("Reason: {reason}", reason=reader.ban_reason)


def ensure_may_act(reader: Reader) -> None:
    """Forbidden (code `banned`) unless this reader may log in, post, edit, delete and flag;
    NotAuthenticated for an erased account, which nobody can act as any more."""
    if reader.erased_at is not None:
        raise NotAuthenticated(_("This account was deleted."), code="account_erased")
    if reader.is_banned():
        raise Forbidden(ban_message(reader), code="banned")


def authenticate(session: Session, email: str, password: str) -> Reader:
    """The reader with this email and password, or NotAuthenticated (same message either way).

    A banned reader with the right password is told they are banned; a wrong password never
    learns whether the account is banned.
    """
    reader = find_reader_by_email(session, email)
    if reader is None:
        check_password_hash(_DUMMY_HASH, password)
    elif check_password_hash(reader.password_hash, password):
        ensure_may_act(reader)
        return reader
    raise NotAuthenticated(_("That email and password do not match an account."),
                           code="invalid_credentials")


def end_all_sessions(session: Session, reader: Reader) -> int:
    """Log a reader out everywhere: every cookie and every token of theirs stops working.

    Returns how many live tokens were revoked.
    """
    reader.session_id = new_session_id()
    return revoke_all_tokens(session, reader)


def change_password(session: Session, reader: Reader, password: str,
                    min_password_length: int) -> None:
    """Set a new password (checked like a new account's) and end every session of the reader
    (the caller starts a fresh one for the browser that changed it)."""
    check_password(password, reader.email or "", min_password_length)
    reader.password_hash = generate_password_hash(password)
    end_all_sessions(session, reader)
    session.flush()


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
    """The reader a live token belongs to, or None if it is unknown, expired or revoked.

    A token of a banned reader raises Forbidden (`banned`) instead, even once revoked, so the
    embed can say why rather than "your login has expired".
    """
    row = session.scalar(_TOKEN_BY_HASH, {"token_hash": _hash_token(token)})
    if row is None:
        return None
    ensure_may_act(row.reader)
    if row.revoked_at is not None or row.expires_at <= utcnow():
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


def password_matches(reader: Reader, password: str) -> bool:
    """True if `password` is the reader's."""
    return check_password_hash(reader.password_hash, password)


def rename(session: Session, reader: Reader, display_name: str) -> None:
    """A new display name, under the same rules as at registration; shown on every comment."""
    others = [name for name in staff_names(session) if name != reader.display_name]
    reader.display_name = check_display_name(display_name, others,
                                             reserved=not reader.is_moderator)
    versions.bump_for_author(session, reader.id)
    session.flush()


def change_email(session: Session, reader: Reader, new_email: str, password: str,
                 reverify: bool) -> None:
    """Move the account to another address, proven by the password; with `reverify` the new
    address must be confirmed again."""
    if not password_matches(reader, password):
        raise NotAuthenticated(_("That password is not right."), code="invalid_credentials")
    email = normalize_email(new_email)
    if email == reader.email:
        return
    if find_reader_by_email(session, email) is not None:
        raise Conflict(_(EMAIL_UNAVAILABLE), code="email_taken")
    reader.email = email
    if reverify:
        reader.email_verified_at = None
    try:
        session.flush()
    except sa.exc.IntegrityError as error:
        session.rollback()
        raise Conflict(_(EMAIL_UNAVAILABLE), code="email_taken") from error
