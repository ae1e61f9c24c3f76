"""Readers who sign in through another system: a news site's single sign-on, or the Flask
host's own users. They are found by (provider, subject), never by email: an address a site
sends along is stored for notifications, but two systems that both claim `ada@news.example`
get two readers, so nobody can take over an account by registering an address elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import InvalidInput
from comments_widget.models import ExternalIdentity, Reader, utcnow
from comments_widget.services import versions
from comments_widget.services.identity import check_display_name
from comments_widget.services.readers import ensure_may_act, staff_names

MAX_SUBJECT_LENGTH = 255
MAX_EMAIL_LENGTH = 254
# A NUL byte or a lone surrogate cannot be stored (PostgreSQL refuses both): refused here, from
# whichever system the user came, rather than failing at the database.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Author:
    """A user of another system, as that system describes them."""

    id: str | int
    name: str
    email: str = ""
    avatar: str = ""  # an https URL of the user's picture, from the site itself


def _clean_subject(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput("The user's id must be text or a whole number.",
                           code="invalid_external_id")
    subject = str(value).strip()
    if not subject or len(subject) > MAX_SUBJECT_LENGTH or _UNSTORABLE.search(subject):
        raise InvalidInput(f"The user's id must be 1 to {MAX_SUBJECT_LENGTH} characters.",
                           code="invalid_external_id")
    return subject


def _clean_email(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > MAX_EMAIL_LENGTH or "@" not in value \
            or _UNSTORABLE.search(value):
        raise InvalidInput("The user's email is not an address.", code="invalid_email")
    return value.strip().lower()


MAX_AVATAR_URL_LENGTH = 500


def _clean_avatar(value: object) -> str | None:
    # Drawn in every reader's browser: https only (no mixed content, no javascript: or data:),
    # no credentials, nothing our column cannot hold.
    if value in (None, ""):
        return None
    if isinstance(value, str) and len(value) <= MAX_AVATAR_URL_LENGTH \
            and not _UNSTORABLE.search(value) and not any(c.isspace() for c in value):
        parts = urlsplit(value)
        if parts.scheme == "https" and parts.hostname and not parts.username \
                and not parts.password:
            return value
    raise InvalidInput(f"The user's avatar must be an https URL of at most "
                       f"{MAX_AVATAR_URL_LENGTH} characters.", code="invalid_avatar")


def _name_for(session: Session, name: object, reader: Reader | None) -> str:
    if not isinstance(name, str):
        raise InvalidInput("The user needs a display name.", code="display_name_required")
    staff = staff_names(session)
    if reader is not None and reader.is_moderator:
        # Their own name is not an imitation of themselves.
        staff = [other for other in staff if other != reader.display_name]
    return check_display_name(name, staff, reserved=reader is None or not reader.is_moderator)


def find_external(session: Session, provider: str, subject: object) -> Reader | None:
    """The reader already known to `provider` as `subject`, if any."""
    identity = session.scalar(sa.select(ExternalIdentity).where(
        ExternalIdentity.provider == provider,
        ExternalIdentity.subject == _clean_subject(subject)))
    return identity.reader if identity is not None else None


def sign_in_external(session: Session, provider: str, author: Author) -> tuple[Reader, bool]:
    """The reader for this user of `provider`, and whether anything was written: created on
    first sign-in, kept up to date (name, address) after. Flushes; the caller commits. A
    banned reader is refused."""
    subject = _clean_subject(author.id)
    email = _clean_email(author.email)
    avatar = _clean_avatar(author.avatar)
    identity = session.scalar(sa.select(ExternalIdentity).where(
        ExternalIdentity.provider == provider, ExternalIdentity.subject == subject))
    if identity is not None:
        reader = identity.reader
        ensure_may_act(reader)
        changed = False
        if author.name != reader.display_name:
            name = _name_for(session, author.name, reader)
            changed = name != reader.display_name
            reader.display_name = name
        if identity.email != email:
            identity.email, changed = email, True
        if reader.avatar_url != avatar:
            reader.avatar_url, changed = avatar, True
        session.flush()
        if changed:
            # Their name and picture are in every cached thread they wrote in.
            versions.bump_for_author(session, reader.id)
        return reader, changed
    # The other system vouched for this person: nothing left for us to confirm.
    reader = Reader(email=None, display_name=_name_for(session, author.name, None),
                    password_hash="", email_verified_at=utcnow(), avatar_url=avatar)
    try:
        with session.begin_nested():
            session.add(reader)
            session.flush()
            session.add(ExternalIdentity(reader_id=reader.id, provider=provider,
                                         subject=subject, email=email))
            session.flush()
    except sa.exc.IntegrityError:
        # The same person signed in twice at once; the other request created them.
        existing = find_external(session, provider, subject)
        if existing is None:
            raise
        return existing, False
    return reader, True


def contact_email(session: Session, reader: Reader) -> str:
    """Where to write to a reader: their own address, or the one a site sent along."""
    if reader.email:
        return reader.email
    return session.scalar(sa.select(ExternalIdentity.email)
                          .where(ExternalIdentity.reader_id == reader.id)
                          .order_by(ExternalIdentity.id.desc()).limit(1)) or ""


class LinkRequired(Exception):
    """A provider vouches for an address that already has an account here: its owner must
    log in with its password once before the provider may log them in."""

    def __init__(self, email: str) -> None:
        super().__init__(email)
        self.email = email


def sign_in_with_provider(session: Session, provider: str, author: Author,
                          email_verified: bool) -> Reader:
    """The reader an identity provider vouches for: found by the provider's subject, or new.

    An address the provider has verified and that an account here already uses is never
    taken over: LinkRequired asks its owner to prove the account is theirs first. A new
    reader keeps a verified address (so "Forgot password?" can give them a password too);
    an unverified one is dropped.
    """
    known = find_external(session, provider, author.id)
    if known is not None:
        ensure_may_act(known)
        return known
    email = _clean_email(author.email) if email_verified else ""
    if email and session.scalar(sa.select(Reader.id).where(Reader.email == email)) is not None:
        raise LinkRequired(email)
    reader = Reader(email=email or None, display_name=_name_for(session, author.name, None),
                    password_hash="", email_verified_at=utcnow())
    session.add(reader)
    session.flush()
    session.add(ExternalIdentity(reader_id=reader.id, provider=provider,
                                 subject=_clean_subject(author.id), email=email))
    session.flush()
    return reader


def link_identity(session: Session, reader: Reader, provider: str, subject: str,
                  email: str) -> None:
    """Let `provider` log `reader` in from now on (after they proved the account is theirs)."""
    if find_external(session, provider, subject) is None:
        session.add(ExternalIdentity(reader_id=reader.id, provider=provider,
                                     subject=_clean_subject(subject), email=email))
        session.flush()
