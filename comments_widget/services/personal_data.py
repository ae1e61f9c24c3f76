"""A reader's own data: everything we hold about them (GDPR articles 15 and 20), and erasing
it (article 17).

Erasure keeps the reader's row only so their comments keep their place in threads: the name
becomes "Deleted account", and the address, password, sign-in identities, tokens, votes,
reports and follows are removed. The comments stay anonymised or lose their text, as the
policy says. The audit log records that an erasure happened, and forgets what earlier entries
said about the reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden, InvalidInput
from comments_widget.models import (
    AuditEntry,
    AuthToken,
    Comment,
    ExternalIdentity,
    Flag,
    Follow,
    ImportedRecord,
    Reader,
    Role,
    Status,
    Thread,
    Vote,
    new_session_id,
    utcnow,
)
from comments_widget.services import audit, versions
from comments_widget.services.policy import Policy
from comments_widget.services.votes import move_tally

ERASED_NAME = "Deleted account"
FORMAT_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def reader_data(session: Session, reader: Reader) -> dict[str, Any]:
    """Everything we hold about `reader`, as one JSON-ready document."""
    identities = session.scalars(sa.select(ExternalIdentity)
                                 .where(ExternalIdentity.reader_id == reader.id)
                                 .order_by(ExternalIdentity.id))
    comments = session.execute(
        sa.select(Comment, Thread.url, Thread.title).join(Thread, Thread.id == Comment.thread_id)
        .where(Comment.author_id == reader.id).order_by(Comment.id))
    votes = session.execute(
        sa.select(Vote, Thread.url).join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Vote.reader_id == reader.id).order_by(Vote.comment_id))
    reports = session.execute(
        sa.select(Flag, Thread.url).join(Comment, Comment.id == Flag.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Flag.reader_id == reader.id).order_by(Flag.id))
    follows = session.execute(
        sa.select(Follow, Thread.url).join(Thread, Thread.id == Follow.thread_id)
        .where(Follow.reader_id == reader.id).order_by(Follow.thread_id))
    return {
        "format": "comments_widget personal data", "version": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "profile": {
            "id": reader.id, "display_name": reader.display_name, "email": reader.email,
            "email_confirmed_at": _time(reader.email_verified_at),
            "role": reader.role.value, "created_at": _time(reader.created_at),
            "banned_at": _time(reader.banned_at), "banned_until": _time(reader.banned_until),
            "ban_reason": reader.ban_reason or None, "avatar_url": reader.avatar_url,
            "emails": {"replies": reader.reply_emails,
                       "moderation_decisions": reader.moderation_emails,
                       "review_digest": reader.digest_emails if reader.is_moderator else None},
        },
        "sign_in_identities": [
            {"provider": i.provider, "subject": i.subject, "email": i.email or None,
             "linked_at": _time(i.created_at)} for i in identities],
        "comments": [
            {"id": c.id, "article_url": url, "article_title": title,
             "in_reply_to": c.parent_id, "text": c.body_source, "status": c.status.value,
             "created_at": _time(c.created_at), "edited_at": _time(c.edited_at),
             "up_votes": c.upvotes, "down_votes": c.downvotes}
            for c, url, title in comments],
        "votes": [{"comment_id": v.comment_id, "article_url": url, "value": v.value,
                   "created_at": _time(v.created_at)} for v, url in votes],
        "reports": [{"comment_id": f.comment_id, "article_url": url, "reason": f.reason.value,
                     "text": f.text, "created_at": _time(f.created_at),
                     "resolved_at": _time(f.resolved_at)} for f, url in reports],
        "following": [{"article_url": url, "since": _time(f.created_at)}
                      for f, url in follows],
    }


@dataclass(frozen=True)
class Erasure:
    comments: int
    mode: str


def _take_back_votes(session: Session, reader: Reader) -> set[int]:
    """Remove the reader's votes, and their weight from each comment's tally and rank."""
    votes = session.execute(sa.select(Vote, Comment.thread_id)
                            .join(Comment, Comment.id == Vote.comment_id)
                            .where(Vote.reader_id == reader.id)).all()
    for vote, _thread_id in votes:
        move_tally(session, vote.comment_id, -int(vote.value == 1), -int(vote.value == -1))
        session.delete(vote)
    return {thread_id for _vote, thread_id in votes}


def erase_for_reader(session: Session, actor: Reader, reader: Reader,
                     policy: Policy) -> Erasure:
    """An admin erases a reader's account at their request (a letter, an email): admins only,
    never their own (the account page does that) nor another admin's (demote them first)."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins can erase accounts.", code="admin_only")
    if reader.id == actor.id:
        raise InvalidInput("Erase your own account from your account page.", code="own_account")
    if reader.role == Role.ADMIN:
        raise InvalidInput("Demote this admin first.", code="erase_admin")
    if reader.erased_at is not None:
        raise InvalidInput("This account is already erased.", code="already_erased")
    return erase(session, reader, actor, policy)


def erase(session: Session, reader: Reader, actor: Reader | None, policy: Policy) -> Erasure:
    """Erase `reader`'s account (by themselves, or by an admin as `actor`). The caller commits
    and ends the reader's sessions on this browser."""
    threads = _take_back_votes(session, reader)
    threads |= set(session.scalars(sa.select(Comment.thread_id)
                                   .where(Comment.author_id == reader.id).distinct()))
    count = session.scalar(sa.select(sa.func.count(Comment.id))
                           .where(Comment.author_id == reader.id)) or 0
    if policy.erased_comments == "delete":
        session.execute(sa.update(Comment).where(Comment.author_id == reader.id)
                        .values(status=Status.DELETED, body_source="", body_html="",
                                updated_at=utcnow())
                        .execution_options(synchronize_session=False))
    for model in (Flag, Follow, AuthToken, ExternalIdentity):
        session.execute(sa.delete(model).where(model.reader_id == reader.id)
                        .execution_options(synchronize_session=False))
    # Imported history is keyed by a hash of the author; gone too, so a re-import of an old
    # export brings nothing of theirs back under their name.
    session.execute(sa.delete(ImportedRecord).where(ImportedRecord.kind == "author",
                                                    ImportedRecord.target_id == reader.id)
                    .execution_options(synchronize_session=False))
    # Earlier audit entries about the reader may quote their name or ban reason.
    session.execute(sa.update(AuditEntry).where(AuditEntry.target_type == "reader",
                                                AuditEntry.target_id == reader.id)
                    .values(before="", after="", detail="")
                    .execution_options(synchronize_session=False))
    reader.display_name, reader.email, reader.password_hash = ERASED_NAME, None, ""
    reader.email_verified_at = reader.avatar_url = reader.imported_email_hash = None
    reader.ban_reason, reader.banned_at, reader.banned_until = "", None, None
    reader.reply_emails, reader.moderation_emails, reader.digest_emails = False, False, False
    reader.role = Role.READER
    reader.session_id = new_session_id()  # Every session and remember cookie ends.
    reader.erased_at = utcnow()
    audit.record(session, actor, "erase", "reader", reader.id, "", policy.erased_comments,
                 f"{count} comment{'s' if count != 1 else ''}")
    session.flush()
    versions.bump(session, threads)
    return Erasure(count, policy.erased_comments)
