"""Telling authors what moderators decided on their held comments (opt-in, account page).

One email per author per moderation action, however many of their comments it covered; a
comment marked as spam tells its author nothing (that would only teach a spammer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from comments_widget.mail import MailSettings, compose, deliver
from comments_widget.models import Comment, Reader, Status, Thread
from comments_widget.services.external import contact_email

TOLD = (Status.APPROVED, Status.REJECTED)
EXCERPT_LENGTH = 120


def held_ids(session: Session, comment_ids: Iterable[int]) -> list[int]:
    """Which of these comments are held now (read before a decision, to know whose changed)."""
    ids = list(comment_ids)
    if not ids:
        return []
    return list(session.scalars(sa.select(Comment.id).where(
        Comment.id.in_(ids), Comment.status == Status.PENDING)))


@dataclass(frozen=True)
class Links:
    """Where the email points: the author's account page (to turn these emails off)."""

    account_url: str
    site_name: str


def _excerpt(comment: Comment) -> str:
    text = " ".join(comment.body_source.split())
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH - 1] + "…"


def _message(settings: MailSettings, to: str, comments: list[Comment],
             threads: dict[int, Thread], links: Links) -> EmailMessage:
    published = [c for c in comments if c.status == Status.APPROVED]
    if len(comments) == 1:
        subject = ("Your comment is published" if published
                   else "Your comment was not published")
    else:
        subject = f"Moderators reviewed {len(comments)} of your comments"
    paragraphs = []
    for comment in comments:
        thread = threads[comment.thread_id]
        where = thread.title or thread.url
        if comment.status == Status.APPROVED:
            paragraphs.append(f"Published on “{where}”: “{_excerpt(comment)}” — "
                              f"{thread.url}#comment-{comment.id}")
        else:
            paragraphs.append(f"Not published, on “{where}”: “{_excerpt(comment)}”. A "
                              "moderator decided it does not fit the discussion.")
    paragraphs.append(f"You get this email because you asked {links.site_name} to tell you "
                      "what moderators decide about your comments. To stop, untick it on your "
                      f"account page: {links.account_url}")
    link = None
    if published:
        first = published[0]
        link = ("See your comment", f"{threads[first.thread_id].url}#comment-{first.id}")
    return compose(settings, to, subject, paragraphs, link)


def send_decisions(session_factory: sessionmaker[Session], settings: MailSettings,
                   comment_ids: Iterable[int], links: Links) -> int:
    """Email each author who asked for it about these decided comments; returns emails sent."""
    ids = list(comment_ids)
    if not ids:
        return 0
    with session_factory() as session:
        comments = list(session.scalars(
            sa.select(Comment).join(Reader, Reader.id == Comment.author_id)
            .where(Comment.id.in_(ids), Comment.status.in_(TOLD),
                   Reader.moderation_emails.is_(True))
            .order_by(Comment.id)))
        threads = {t.id: t for t in session.scalars(
            sa.select(Thread).where(Thread.id.in_({c.thread_id for c in comments})))}
        by_author: dict[int, list[Comment]] = defaultdict(list)
        for comment in comments:
            if not comment.author.is_banned():
                by_author[comment.author_id].append(comment)
        sent = 0
        for theirs in by_author.values():
            address = contact_email(session, theirs[0].author)
            if address:
                deliver(settings, _message(settings, address, theirs, threads, links))
                sent += 1
        return sent
