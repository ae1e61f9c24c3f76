"""The moderation policy: stored in the database, so a change applies on the next request."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import InvalidInput
from comments_widget.models import Comment, Reader, Setting, Status, Thread
from comments_widget.services.hold_reasons import (
    BANNED_WORD,
    FIRST_TIME,
    LINKS,
    PREMODERATION,
    HoldReason,
)

PREMODERATION_MODES = ("off", "all", "first_time")
ERASED_COMMENTS = ("anonymise", "delete")
_LINK = re.compile(r"<a\s", re.IGNORECASE)


@dataclass(frozen=True)
class Policy:
    """What holds a comment for review, when threads close, how long authors may edit."""

    premoderation: str = "off"  # "off", "all", or "first_time"
    first_time_threshold: int = 1  # approved comments before a reader skips pre-moderation
    banned_words: tuple[str, ...] = field(default_factory=tuple)
    max_links: int | None = 3  # more links than this holds the comment; None: no limit
    auto_close_days: int | None = None  # close threads N days after their first comment
    edit_window_minutes: int = 15
    flag_threshold: int = 3  # reports that hide a comment until a moderator decides
    downvotes: bool = False  # readers may vote comments down as well as up
    # When an account is erased, its comments stay under "Deleted account" ("anonymise") or
    # lose their text ("delete"); replies keep their place either way.
    erased_comments: str = "anonymise"
    # The surge shield (services/surge.py): a thread that gets `surge_comments` comments (from
    # 3 readers or more) within `surge_window_minutes`, or comments from `surge_new_min` or
    # more accounts younger than `new_account_hours` making up `surge_new_share` % of the
    # window, holds every new comment until it has been below both for `surge_quiet_minutes`.
    surge_shield: bool = True
    surge_comments: int = 30
    surge_window_minutes: int = 5
    surge_new_share: int = 50
    surge_new_min: int = 5
    new_account_hours: int = 24
    surge_quiet_minutes: int = 30
    # Spam heuristics (services/spam.py): a comment sent sooner than this after the reader
    # started writing (our embed says how long) waits; the same text already on this many other
    # articles within `duplicate_days` waits; a link to a domain whose comments moderators
    # rejected or marked as spam this many times waits (0: off).
    min_seconds_to_post: int = 3
    duplicate_threads: int = 1
    duplicate_days: int = 7
    link_domain_threshold: int = 3
    # Moderation target: one email when the oldest pending comment is older than this (None: off).
    sla_minutes: int | None = None

    def validated(self) -> Policy:
        """Self, or InvalidInput naming the field that is out of range."""
        if self.erased_comments not in ERASED_COMMENTS:
            raise InvalidInput(f"Erased accounts' comments must be one of "
                               f"{', '.join(ERASED_COMMENTS)}.")
        if self.premoderation not in PREMODERATION_MODES:
            raise InvalidInput(f"Pre-moderation must be one of {', '.join(PREMODERATION_MODES)}.")
        for name in ("first_time_threshold", "edit_window_minutes", "flag_threshold",
                     "surge_comments", "surge_window_minutes", "surge_new_min",
                     "new_account_hours", "surge_quiet_minutes", "min_seconds_to_post",
                     "duplicate_threads", "duplicate_days", "link_domain_threshold"):
            smallest = 0 if name in ("edit_window_minutes", "min_seconds_to_post",
                                     "link_domain_threshold") else 1
            if getattr(self, name) < smallest:
                raise InvalidInput(f"{name.replace('_', ' ').capitalize()} is too small.")
        if not 1 <= self.surge_new_share <= 100:
            raise InvalidInput("The share of new accounts is a percentage, 1 to 100.")
        if self.sla_minutes is not None and self.sla_minutes < 1:
            raise InvalidInput("The moderation target must be at least 1 minute.")
        if self.max_links is not None and self.max_links < 0:
            raise InvalidInput("Max links cannot be negative.")
        if self.auto_close_days is not None and self.auto_close_days < 1:
            raise InvalidInput("Auto-close days must be at least 1 (leave empty for never).")
        return self


def load_policy(session: Session) -> Policy:
    """The current policy: stored values over the defaults."""
    stored = {row.key: json.loads(row.value) for row in session.scalars(sa.select(Setting))}
    known = {f.name for f in fields(Policy)}
    values = {key: value for key, value in stored.items() if key in known}
    if "banned_words" in values:
        values["banned_words"] = tuple(values["banned_words"])
    return Policy(**values)


def save_policy(session: Session, policy: Policy) -> dict[str, tuple[object, object]]:
    """Store a policy; returns {field: (before, after)} for what changed."""
    policy.validated()
    before = asdict(load_policy(session))
    after = asdict(policy)
    changes = {key: (before[key], after[key]) for key in after if before[key] != after[key]}
    for key in changes:
        value = list(after[key]) if key == "banned_words" else after[key]
        session.merge(Setting(key=key, value=json.dumps(value)))
    session.flush()
    return {key: (list(b) if isinstance(b, tuple) else b, list(a) if isinstance(a, tuple) else a)
            for key, (b, a) in changes.items()}


def banned_words_in(policy: Policy, text: str) -> list[str]:
    """The banned words a text contains, matched as whole words, case-insensitively."""
    return [word for word in policy.banned_words
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)]


def count_links(html: str) -> int:
    """How many links a rendered comment holds."""
    return len(_LINK.findall(html))


def content_hold_reasons(policy: Policy, source: str, html: str) -> list[HoldReason]:
    """Why this text must wait for a moderator, whoever wrote it and whenever (banned words,
    too many links): what a post, an edit and an import all check."""
    reasons = [HoldReason(BANNED_WORD, word) for word in banned_words_in(policy, source)]
    links = count_links(html)
    if policy.max_links is not None and links > policy.max_links:
        reasons.append(HoldReason(LINKS, str(links)))
    return reasons


def hold_reasons(session: Session, policy: Policy, author: Reader, source: str,
                 html: str, editing: Comment | None = None) -> list[HoldReason]:
    """Why this comment (new, or `editing` with new text) must wait for a moderator; empty
    when it may go live at once. An edit does not count its own approval as a track record."""
    reasons = content_hold_reasons(policy, source, html)
    if policy.premoderation == "all":
        reasons.append(HoldReason(PREMODERATION))
    elif policy.premoderation == "first_time":
        query = (sa.select(sa.func.count(Comment.id))
                 .where(Comment.author_id == author.id, Comment.status == Status.APPROVED))
        if editing is not None:
            query = query.where(Comment.id != editing.id)
        approved = session.scalar(query)
        if approved < policy.first_time_threshold:
            reasons.append(HoldReason(FIRST_TIME))
    return reasons


class _Closable(Protocol):
    closed_at: datetime | None
    created_at: datetime


def thread_is_closed(thread: Thread | _Closable, policy: Policy, now: datetime) -> bool:
    """Closed by a moderator, or automatically N days after its first comment."""
    if thread.closed_at is not None:
        return True
    if policy.auto_close_days is None:
        return False
    return thread.created_at + timedelta(days=policy.auto_close_days) <= now
