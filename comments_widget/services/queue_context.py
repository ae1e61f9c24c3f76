"""What a moderator needs beside a held comment to decide in one look.

For one page of a queue, in a fixed number of queries whatever the page size: the comment
being replied to, why the comment is held, open reports, and the author's history (account
age, how they signed up, their record, reports against them, earlier bans, last comments).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import (
    AuditEntry,
    Comment,
    CommentRevision,
    ExternalIdentity,
    Flag,
    Reader,
    Status,
)
from comments_widget.services import hold_reasons, revisions
from comments_widget.services.hold_reasons import FIRST_TIME, LINKS, HoldReason
from comments_widget.services.moderation import FlagSummary, allowed_actions, flag_summaries
from comments_widget.services.policy import count_links

RECENT_COMMENTS = 5
_TAG = re.compile(r"<[^>]*>")


def plain_text(html: str, most: int = 280) -> str:
    """A sanitised comment as one line of text, cut to `most` characters."""
    text = " ".join(unescape(_TAG.sub(" ", html)).split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


@dataclass(frozen=True)
class RecentComment:
    id: int
    thread_id: int
    status: Status
    created_at: datetime
    excerpt: str


@dataclass(frozen=True)
class AuthorHistory:
    """An author's record, as the queue shows it beside each of their comments."""

    joined: datetime
    signed_up_with: str  # "own account", "single sign-on (https://news.example)", …
    counts: dict[str, int]  # comments per status
    reports_against: int
    bans: int  # earlier bans, from the audit log
    banned_now: bool
    recent: list[RecentComment] = field(default_factory=list)

    @property
    def first_timer(self) -> bool:
        return self.counts.get(Status.APPROVED.value, 0) == 0


@dataclass(frozen=True)
class ParentComment:
    id: int
    author_name: str
    status: Status
    excerpt: str


@dataclass(frozen=True)
class QueueItem:
    """One comment in a queue with everything shown beside it."""

    comment: Comment
    reasons: list[HoldReason]
    actions: tuple[str, ...]
    author: AuthorHistory
    parent: ParentComment | None
    flags: FlagSummary | None
    revisions: list[tuple[CommentRevision, str]] = field(default_factory=list)


def queue_items(session: Session, comments: Sequence[Comment], now: datetime) -> list[QueueItem]:
    """The page's comments with their context."""
    histories = author_histories(session, {c.author_id for c in comments}, now)
    parents = _parents(session, {c.parent_id for c in comments if c.parent_id is not None})
    flags = flag_summaries(session, [c.id for c in comments])
    earlier = revisions.of_comments(session, [c.id for c in comments])
    items = []
    for comment in comments:
        history = histories[comment.author_id]
        items.append(QueueItem(comment, _reasons(comment, history), allowed_actions(comment),
                               history, parents.get(comment.parent_id or 0),
                               flags.get(comment.id), earlier.get(comment.id, [])))
    return items


def _reasons(comment: Comment, history: AuthorHistory) -> list[HoldReason]:
    # What the policy said when it held the comment, plus what is worth knowing anyway.
    reasons = hold_reasons.loads(comment.hold_reasons)
    links = count_links(comment.body_html)
    if links and not hold_reasons.has(reasons, LINKS):
        reasons.append(HoldReason(LINKS, str(links)))
    if history.first_timer and not hold_reasons.has(reasons, FIRST_TIME):
        reasons.append(HoldReason(FIRST_TIME))
    return reasons


def _parents(session: Session, ids: set[int]) -> dict[int, ParentComment]:
    if not ids:
        return {}
    rows = session.execute(sa.select(Comment.id, Reader.display_name, Comment.status,
                                     Comment.body_html)
                           .join(Reader, Reader.id == Comment.author_id)
                           .where(Comment.id.in_(ids)))
    return {row.id: ParentComment(row.id, row.display_name, row.status,
                                  plain_text(row.body_html)) for row in rows}


def author_histories(session: Session, author_ids: set[int],
                     now: datetime) -> dict[int, AuthorHistory]:
    """Each author's record, in five queries for the whole page."""
    if not author_ids:
        return {}
    ids = sorted(author_ids)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for author_id, status, count in session.execute(
            sa.select(Comment.author_id, Comment.status, sa.func.count(Comment.id))
            .where(Comment.author_id.in_(ids)).group_by(Comment.author_id, Comment.status)):
        counts[author_id][status.value] = count
    reports = dict(session.execute(
        sa.select(Comment.author_id, sa.func.count(Flag.id))
        .join(Flag, Flag.comment_id == Comment.id)
        .where(Comment.author_id.in_(ids)).group_by(Comment.author_id)).all())
    bans = dict(session.execute(
        sa.select(AuditEntry.target_id, sa.func.count(AuditEntry.id))
        .where(AuditEntry.target_type == "reader", AuditEntry.action == "ban",
               AuditEntry.target_id.in_(ids)).group_by(AuditEntry.target_id)).all())
    providers: dict[int, list[str]] = defaultdict(list)
    for reader_id, provider in session.execute(
            sa.select(ExternalIdentity.reader_id, ExternalIdentity.provider)
            .where(ExternalIdentity.reader_id.in_(ids))):
        providers[reader_id].append(provider)
    recent = _recent_comments(session, ids)
    readers = session.scalars(sa.select(Reader).where(Reader.id.in_(ids)))
    return {reader.id: AuthorHistory(
        joined=reader.created_at, signed_up_with=_signed_up_with(reader, providers[reader.id]),
        counts=counts[reader.id], reports_against=reports.get(reader.id, 0),
        bans=bans.get(reader.id, 0), banned_now=reader.is_banned(now),
        recent=recent.get(reader.id, [])) for reader in readers}


def _signed_up_with(reader: Reader, providers: list[str]) -> str:
    if reader.erased_at is not None:
        return "erased account"
    if reader.imported_email_hash is not None:
        return "imported author"
    ways = ["own account"] if reader.email is not None and reader.password_hash else []
    for provider in providers:
        if provider.startswith("site:"):
            ways.append(f"single sign-on ({provider.removeprefix('site:')})")
        elif provider == "host":
            ways.append("the site's own login")
        else:  # "signin:<issuer>", OpenID Connect or GitHub
            ways.append(f"OpenID Connect ({provider.removeprefix('signin:')})")
    return ", ".join(ways) or "login link"


def _recent_comments(session: Session, ids: list[int]) -> dict[int, list[RecentComment]]:
    numbered = (sa.select(Comment.id, Comment.author_id, Comment.thread_id, Comment.status,
                          Comment.created_at, Comment.body_html,
                          sa.func.row_number().over(partition_by=Comment.author_id,
                                                    order_by=Comment.id.desc()).label("n"))
                .where(Comment.author_id.in_(ids)).subquery())
    recent: dict[int, list[RecentComment]] = defaultdict(list)
    for row in session.execute(sa.select(numbered).where(numbered.c.n <= RECENT_COMMENTS)
                               .order_by(numbered.c.author_id, numbered.c.id.desc())):
        recent[row.author_id].append(RecentComment(row.id, row.thread_id, row.status,
                                                   row.created_at, plain_text(row.body_html,
                                                                              140)))
    return recent
