"""Telling readers about new comments: replies to theirs (if they want reply emails) and new
top-level comments on articles they follow. Batched: one email per reader per run, however
busy the thread; every email carries one-click unsubscribe links (RFC 8058).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session, sessionmaker

from comments_widget.mail import MailFailed, MailSettings, compose, deliver
from comments_widget.models import Comment, Follow, Reader, Status, Thread, utcnow
from comments_widget.services.external import contact_email

logger = logging.getLogger(__name__)

BATCH = 5_000  # comments claimed per run at most; the rest wait for the next
EXCERPT_LENGTH = 160


@dataclass(frozen=True)
class Rules:
    """Who may be emailed: the site's default for reply emails, and whether an address must be
    confirmed first (when the site verifies addresses, an unconfirmed one may be someone else's,
    typed in to flood them)."""

    replies_default: bool
    confirmed_only: bool

    def may_email(self, reader: Reader) -> bool:
        return not (self.confirmed_only and reader.email and reader.email_verified_at is None)


def wants_replies(reader: Reader, site_default: bool) -> bool:
    """The reader's own choice, or the site's default until they make one."""
    return site_default if reader.reply_emails is None else reader.reply_emails


# --- one-click unsubscribe -------------------------------------------------------------------

def _unsubscribe_serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="comments_widget.unsubscribe")


def unsubscribe_token(secret: str, reader_id: int, what: str) -> str:
    """A token that stops one kind of email for one reader: "replies", "follow:<thread id>", or
    "all". It never expires: an old email's link must still work."""
    return _unsubscribe_serializer(secret).dumps([reader_id, what])


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    """(reader id, what) of a genuine token, else None."""
    try:
        reader_id, what = _unsubscribe_serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(reader_id, int) or not isinstance(what, str):
        return None
    return reader_id, what


def followed_thread(session: Session, what: str) -> Thread | None:
    """The article a "follow:<id>" token names."""
    if what.startswith("follow:") and what[7:].isdigit():
        return session.get(Thread, int(what[7:]))
    return None


def unsubscribe(session: Session, reader: Reader, what: str) -> None:
    """Stop what the token names: reply emails, one followed article, or all of it."""
    if what in ("replies", "all"):
        reader.reply_emails = False
    if what == "all":
        session.execute(sa.delete(Follow).where(Follow.reader_id == reader.id))
    thread = followed_thread(session, what)
    if thread is not None:
        unfollow(session, reader, thread.id)


# --- following ------------------------------------------------------------------------------

def follow(session: Session, reader: Reader, thread_id: int) -> None:
    """Follow an article (again is harmless)."""
    exists = session.get(Follow, (thread_id, reader.id))
    if exists is None:
        session.add(Follow(thread_id=thread_id, reader_id=reader.id))
        session.flush()


def unfollow(session: Session, reader: Reader, thread_id: int) -> None:
    session.execute(sa.delete(Follow).where(Follow.reader_id == reader.id,
                                            Follow.thread_id == thread_id))


def is_following(session: Session, reader_id: int, thread_id: int) -> bool:
    return session.get(Follow, (thread_id, reader_id)) is not None


# --- the run --------------------------------------------------------------------------------

@dataclass
class News:
    """What one reader is told in one email."""

    reader: Reader
    replies: list[Comment] = field(default_factory=list)
    followed: list[Comment] = field(default_factory=list)


def _claim(session: Session) -> list[Comment]:
    # Marked before sending, so two processes never announce the same comment; a comment that
    # is not visible yet (held) keeps waiting until a moderator approves it.
    now = utcnow()
    ids = list(session.scalars(
        sa.select(Comment.id).where(Comment.announced_at.is_(None),
                                    Comment.status == Status.APPROVED,
                                    Comment.hidden_by_flags.is_(False))
        .order_by(Comment.id).limit(BATCH)))
    if not ids:
        return []
    session.execute(sa.update(Comment).where(Comment.id.in_(ids),
                                             Comment.announced_at.is_(None))
                    .values(announced_at=now).execution_options(synchronize_session=False))
    session.commit()
    return list(session.scalars(sa.select(Comment).where(Comment.id.in_(ids),
                                                         Comment.announced_at == now)
                                .order_by(Comment.id)))


def _news(session: Session, comments: list[Comment], rules: Rules) -> dict[int, News]:
    parent_ids = {c.parent_id for c in comments if c.parent_id}
    parent_authors = dict(session.execute(
        sa.select(Comment.id, Comment.author_id).where(Comment.id.in_(parent_ids),
                                                      Comment.status == Status.APPROVED))
        .all()) if parent_ids else {}
    top_level_threads = {c.thread_id for c in comments if c.parent_id is None}
    followers: dict[int, list[int]] = defaultdict(list)
    for thread_id, reader_id in session.execute(
            sa.select(Follow.thread_id, Follow.reader_id)
            .where(Follow.thread_id.in_(top_level_threads))):
        followers[thread_id].append(reader_id)
    wanted = set(parent_authors.values()) | {r for ids in followers.values() for r in ids}
    readers = {r.id: r for r in session.scalars(sa.select(Reader).where(Reader.id.in_(wanted)))}
    news: dict[int, News] = {}

    def tell(reader_id: int, comment: Comment, kind: str) -> None:
        reader = readers.get(reader_id)
        if reader is None or reader_id == comment.author_id or reader.is_banned() \
                or not rules.may_email(reader):
            return
        if kind == "reply" and not wants_replies(reader, rules.replies_default):
            return
        item = news.setdefault(reader_id, News(reader))
        (item.replies if kind == "reply" else item.followed).append(comment)

    for comment in comments:
        if comment.parent_id in parent_authors:
            tell(parent_authors[comment.parent_id], comment, "reply")
        if comment.parent_id is None:
            for reader_id in followers.get(comment.thread_id, []):
                tell(reader_id, comment, "follow")
    return news


def _excerpt(comment: Comment) -> str:
    text = " ".join(comment.body_source.split())
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH - 1] + "…"


@dataclass(frozen=True)
class Links:
    """What the emails link to: the unsubscribe page (a URL that takes a token), by token."""

    unsubscribe_url: Callable[[str], str]
    secret: str
    site_name: str


def _message(settings: MailSettings, to: str, item: News, threads: dict[int, Thread],
             links: Links) -> EmailMessage:
    def title(comment: Comment) -> str:
        thread = threads[comment.thread_id]
        return thread.title or thread.url

    def where(comment: Comment) -> str:
        return f"{threads[comment.thread_id].url}#comment-{comment.id}"

    replies, followed = item.replies, item.followed
    if replies and not followed:
        subject = (f"{replies[0].author.display_name} replied to your comment" if len(replies) == 1
                   else f"{len(replies)} new replies to your comments")
    elif followed and not replies and len({c.thread_id for c in followed}) == 1:
        count = len(followed)
        subject = f"{count} new comment{'s' if count != 1 else ''} on “{title(followed[0])}”"
    else:
        subject = f"{len(replies) + len(followed)} new comments for you"
    lines = [f"{c.author.display_name} replied to you on “{title(c)}”: “{_excerpt(c)}” {where(c)}"
             for c in replies]
    lines += [f"{c.author.display_name} commented on “{title(c)}”, which you follow: "
              f"“{_excerpt(c)}” {where(c)}" for c in followed]
    reader_id = item.reader.id
    stop = []
    if replies:
        stop.append("Stop emails about replies: " + links.unsubscribe_url(
            unsubscribe_token(links.secret, reader_id, "replies")))
    for thread_id in dict.fromkeys(c.thread_id for c in followed):
        stop.append(f"Stop following “{threads[thread_id].title or threads[thread_id].url}”: "
                    + links.unsubscribe_url(unsubscribe_token(links.secret, reader_id,
                                                              f"follow:{thread_id}")))
    first = (replies or followed)[0]
    message = compose(settings, to, subject,
                      [*lines, f"You get these emails from {links.site_name}.", *stop],
                      ("Read the discussion", where(first)))
    every = links.unsubscribe_url(unsubscribe_token(links.secret, reader_id, "all"))
    # Long lines allowed: folding would encode the URL, and mail clients need it as it is.
    message.policy = message.policy.clone(max_line_length=998)
    message["List-Unsubscribe"] = f"<{every}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def announce(session_factory: sessionmaker[Session], settings: MailSettings, links: Links,
             rules: Rules) -> int:
    """Email every reader with news about comments not announced yet; returns emails sent."""
    with session_factory() as session:
        comments = _claim(session)
        if not comments:
            return 0
        news = _news(session, comments, rules)
        threads = {t.id: t for t in session.scalars(
            sa.select(Thread).where(Thread.id.in_({c.thread_id for c in comments})))}
        sent = 0
        for item in news.values():
            address = contact_email(session, item.reader)
            if not address:
                continue
            try:
                deliver(settings, _message(settings, address, item, threads, links))
            except MailFailed:
                if sent:  # Others got theirs: resending would repeat it to them.
                    logger.exception("comments_widget: could not email reader %d", item.reader.id)
                    continue
                # Nothing went out: put the comments back for the next run.
                session.execute(sa.update(Comment).where(
                    Comment.id.in_([c.id for c in comments])).values(announced_at=None))
                session.commit()
                raise
            sent += 1
        return sent
