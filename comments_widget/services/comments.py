"""Threads and their comments: posting, reading, counting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from comments_widget.errors import Forbidden, InvalidInput, NotFound
from comments_widget.i18n import gettext as _
from comments_widget.ids import parse_id
from comments_widget.models import Comment, Reader, Status, Thread, utcnow
from comments_widget.page_meta import PageMeta, no_page_meta
from comments_widget.sanitize import render_comment
from comments_widget.services import (
    audit,
    hold_reasons,
    revisions,
    spam,
    surge,
    versions,
    webhooks,
)
from comments_widget.services.hold_reasons import EMAIL_NOT_VERIFIED, HoldReason
from comments_widget.services.policy import Policy, thread_is_closed
from comments_widget.services.policy import hold_reasons as policy_hold_reasons
from comments_widget.services.readers import ensure_may_act
from comments_widget.services.spam import ClientInfo, SpamChecker, Submission

NO_CLIENT = ClientInfo()


@dataclass(frozen=True)
class PostingRules:
    """The limits a new comment must respect, taken from configuration."""

    max_body_length: int
    max_depth: int
    # COMMENTS_WIDGET_EMAIL_VERIFICATION is "before_posting": unconfirmed readers' comments wait.
    require_verified_email: bool = False


def _reasons(session: Session, policy: Policy, rules: PostingRules, author: Reader, source: str,
             html: str, editing: Comment | None = None) -> list[HoldReason]:
    reasons = policy_hold_reasons(session, policy, author, source, html, editing=editing)
    if rules.require_verified_email and author.email_verified_at is None:
        reasons.append(HoldReason(EMAIL_NOT_VERIFIED))
    return reasons


@dataclass(frozen=True)
class ThreadRef:
    """Which thread a request is about: its key and the article URL."""

    key: str
    url: str




_THREAD_BY_KEY = sa.select(Thread).where(Thread.key == sa.bindparam("key"))
_INSERT_COMMENT = sa.insert(Comment).returning(Comment)
_SET_OWN_ROOT = (sa.update(Comment).where(Comment.id == sa.bindparam("comment_id"))
                 .values(root_id=Comment.id))
_NEXT_COMMENT_ID = sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence(
    Comment.__tablename__, "id")))


def find_thread(session: Session, key: str) -> Thread | None:
    """The thread with this key, if anyone has commented on it yet."""
    return session.scalar(_THREAD_BY_KEY, {"key": key})


def _get_or_create_thread(session: Session, ref: ThreadRef, thread: Thread | None,
                          page_meta: Callable[[str], PageMeta]) -> Thread:
    if thread is not None:
        return thread
    # The page names its thread, never the first commenter (see page_meta.py).
    meta = page_meta(ref.url)
    thread = Thread(key=ref.key, url=meta.canonical_url or ref.url, title=meta.title)
    try:
        with session.begin_nested():
            session.add(thread)
    except sa.exc.IntegrityError:
        # Two first comments raced to create the thread; the other one won, use it.
        thread = find_thread(session, ref.key)
        assert thread is not None
    return thread


def _clean_body(body: object, rules: PostingRules) -> str:
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput(_("Write something before posting."), code="body_required")
    if len(body) > rules.max_body_length:
        raise InvalidInput(
            _("Comments can be at most {most} characters; this one has {length}.",
              most=f"{rules.max_body_length:,}", length=f"{len(body):,}"),
            code="body_too_long",
        )
    return body.strip()


def _check_parent(
    session: Session, parent_id: object, thread: Thread | None, rules: PostingRules
) -> Comment | None:
    if parent_id is None:
        return None
    if not isinstance(parent_id, int) or parse_id(parent_id) is None:
        raise InvalidInput("parent_id must be a comment id (a whole number).",
                           code="invalid_parent_id")
    parent = session.get(Comment, parent_id)
    if parent is None or parent.status != Status.APPROVED:
        raise NotFound(_("The comment you are replying to no longer exists."),
                       code="unknown_parent")
    if thread is None or parent.thread_id != thread.id:
        raise InvalidInput("You can only reply to a comment on the same article.",
                           code="parent_in_other_thread")
    if parent.depth + 1 > rules.max_depth:
        raise InvalidInput(_("This conversation is nested as deep as it can go; "
                             "reply to an earlier comment instead."), code="too_deep")
    return parent


def _spam_verdicts(session: Session, policy: Policy, checkers: Sequence[SpamChecker],
                   client: ClientInfo, author: Reader, source: str, html: str, url: str,
                   thread_id: int | None, now: datetime,
                   is_edit: bool = False) -> tuple[list[HoldReason], bool]:
    """The spam checkers' reasons, and whether one of them says it is spam outright."""
    submission = Submission(author=author, body_source=source, body_html=html, article_url=url,
                            client=client, is_edit=is_edit, thread_id=thread_id)
    verdicts = spam.run_checks(checkers, submission, spam.CheckContext(session, policy, now))
    return [v.reason for v in verdicts], any(v.spam for v in verdicts)


def _status(reasons: list[HoldReason], is_spam: bool) -> Status:
    if is_spam:
        return Status.SPAM
    return Status.PENDING if reasons else Status.APPROVED


def post_comment(
    session: Session, *, author: Reader, ref: ThreadRef, body: object, parent_id: object,
    rules: PostingRules, policy: Policy, page_meta: Callable[[str], PageMeta] = no_page_meta,
    checkers: Sequence[SpamChecker] = (), client: ClientInfo = NO_CLIENT,
) -> Comment:
    """Validate and store a comment or reply, creating the thread on its first comment.

    The policy, the surge shield and the spam checkers decide whether it goes live at once,
    waits (pending) for a moderator, or goes straight to the Spam queue.
    """
    now = utcnow()
    ensure_may_act(author)
    source = _clean_body(body, rules)
    existing = find_thread(session, ref.key)
    if existing is not None and thread_is_closed(existing, policy, now):
        raise Forbidden(_("Comments are closed on this article."), code="thread_closed")
    parent = _check_parent(session, parent_id, existing, rules)
    html = render_comment(source)
    reasons = _reasons(session, policy, rules, author, source, html)
    shield = surge.check(session, policy, existing, author, now)
    if shield is not None:
        reasons.append(shield)
    found, is_spam = _spam_verdicts(session, policy, checkers, client, author, source, html,
                                    ref.url, existing.id if existing else None, now)
    reasons += found
    thread = _get_or_create_thread(session, ref, existing, page_meta)
    values = {
        "thread_id": thread.id, "parent_id": parent.id if parent else None,
        "author_id": author.id, "depth": parent.depth + 1 if parent else 0,
        "body_source": source, "body_html": html, "status": _status(reasons, is_spam),
        "hold_reasons": hold_reasons.dumps(reasons), "created_at": now, "updated_at": now,
        "root_id": (parent.root_id or parent.id) if parent else None,
        "fingerprint": spam.fingerprint(source),
    }
    if parent is None and session.get_bind().dialect.name == "postgresql":
        # A top-level comment is its own root: with its id drawn first, one INSERT stores it
        # (an UPDATE after the insert rewrote the row and all its indexes, full text too).
        values["id"] = values["root_id"] = session.scalar(_NEXT_COMMENT_ID)
    # One INSERT … RETURNING gives the stored comment, without the unit of work's bookkeeping
    # (which cost more than the statement).
    comment = session.scalars(_INSERT_COMMENT, [values]).one()
    if parent is None and comment.root_id is None:
        # SQLite has no sequence to draw the id from first: one more UPDATE.
        session.connection().execute(_SET_OWN_ROOT, {"comment_id": comment.id})
        set_committed_value(comment, "root_id", comment.id)
    if comment.status == Status.APPROVED:
        versions.bump(session, [thread.id], added=1)
    webhooks.emit(session, "comment.created", webhooks.comment_data(comment, thread))
    session.flush()
    return comment


def _own_comment(session: Session, reader: Reader, comment_id: int) -> Comment:
    ensure_may_act(reader)
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status in (Status.DELETED, Status.REJECTED, Status.SPAM):
        raise NotFound(_("That comment no longer exists."), code="unknown_comment")
    if comment.author_id != reader.id:
        raise Forbidden(_("You can only change your own comments."), code="not_your_comment")
    return comment


def edit_comment(session: Session, *, reader: Reader, comment_id: int, body: object,
                 rules: PostingRules, policy: Policy, checkers: Sequence[SpamChecker] = (),
                 client: ClientInfo = NO_CLIENT) -> Comment:
    """Replace the text of one's own comment within the edit window.

    An edit runs the whole policy, as a new comment does: an approved comment edited into
    something the policy would hold goes back to the queue (its author sees it pending).
    """
    comment = _own_comment(session, reader, comment_id)
    now = utcnow()
    if comment.created_at + timedelta(minutes=policy.edit_window_minutes) < now:
        raise Forbidden(_("Comments can only be edited for {n} minutes after posting.",
                          n=policy.edit_window_minutes), code="edit_window_closed")
    if thread_is_closed(session.get(Thread, comment.thread_id), policy, now):
        raise Forbidden(_("Comments are closed on this article."), code="thread_closed")
    source = _clean_body(body, rules)
    html = render_comment(source)
    if source != comment.body_source:
        comment.edited_at = now
        revisions.keep(session, comment, reader, revisions.AUTHOR, now)
    comment.body_source, comment.body_html, comment.updated_at = source, html, now
    comment.fingerprint = spam.fingerprint(source)
    reasons = _reasons(session, policy, rules, reader, source, html, editing=comment)
    thread = session.get(Thread, comment.thread_id)
    found, is_spam = _spam_verdicts(session, policy, checkers, client, reader, source, html,
                                    thread.url, comment.thread_id, now, is_edit=True)
    reasons += found
    if reasons:
        comment.status = _status(reasons, is_spam)
        comment.hold_reasons = hold_reasons.dumps(reasons)
        comment.notified_at = None
    versions.bump(session, [comment.thread_id])
    session.flush()
    return comment


def delete_own_comment(session: Session, *, reader: Reader, comment_id: int) -> Comment:
    """An author takes back a comment; replies stay, under a placeholder."""
    comment = _own_comment(session, reader, comment_id)
    audit.record(session, reader, "author_delete", "comment", comment.id,
                 comment.status.value, Status.DELETED.value)
    comment.status, comment.updated_at = Status.DELETED, utcnow()
    webhooks.emit(session, "comment.deleted",
                  webhooks.comment_data(comment, session.get(Thread, comment.thread_id)))
    versions.bump(session, [comment.thread_id])
    session.flush()
    return comment
