"""Readers' votes on comments, and the rank that orders a thread by "best".

The counters live on the comment so a page never sums the votes table; they move in SQL (the
row stays locked until commit), so two votes at once can never lose one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden, InvalidInput, NotFound
from comments_widget.i18n import gettext as _
from comments_widget.models import Comment, Reader, Status, Thread, Vote, utcnow
from comments_widget.services import versions
from comments_widget.services.policy import Policy, thread_is_closed
from comments_widget.services.readers import ensure_may_act

# 95 % confidence: the rank is what we can be that sure the comment's up-share is at least.
_Z = 1.959963984540054


def wilson_lower_bound(up: int, down: int) -> float:
    """The lower bound of the Wilson score interval of up / (up + down).

    A comment with 1 of 1 up votes ranks 0.21; one with 95 of 100 ranks 0.89: few votes are
    weak evidence, so they cannot beat many good ones. No votes ranks 0.
    """
    n = up + down
    if n == 0:
        return 0.0
    share = up / n
    z2 = _Z * _Z
    centre = share + z2 / (2 * n)
    spread = _Z * math.sqrt((share * (1 - share) + z2 / (4 * n)) / n)
    return (centre - spread) / (1 + z2 / n)


@dataclass(frozen=True)
class Tally:
    """A comment's votes after a change, and the caller's own (1, -1 or 0 for none)."""

    up: int
    down: int
    mine: int


def move_tally(session: Session, comment_id: int, up_change: int,
               down_change: int) -> tuple[int, int]:
    """Move a comment's counters in SQL and its rank with them; the new (up, down)."""
    up, down = session.execute(
        sa.update(Comment).where(Comment.id == comment_id)
        .values(upvotes=Comment.upvotes + up_change, downvotes=Comment.downvotes + down_change)
        .returning(Comment.upvotes, Comment.downvotes)
        .execution_options(synchronize_session=False)).one()
    session.execute(sa.update(Comment).where(Comment.id == comment_id)
                    .values(rank=wilson_lower_bound(up, down))
                    .execution_options(synchronize_session=False))
    return up, down


def vote(session: Session, reader: Reader, comment_id: int, value: object, policy: Policy,
         must_confirm: bool) -> Tally:
    """Set (1 or -1) or take back (0) this reader's vote on a visible comment of someone else,
    in a thread still open."""
    ensure_may_act(reader)
    if must_confirm:
        raise Forbidden(_("Confirm your email address before voting."),
                        code="email_unconfirmed")
    if value not in (1, -1, 0) or isinstance(value, bool):
        raise InvalidInput("`value` must be 1 (up), -1 (down) or 0 (no vote).",
                           code="invalid_vote")
    if value == -1 and not policy.downvotes:
        raise InvalidInput(_("This site does not take down votes."), code="downvotes_off")
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != Status.APPROVED or comment.hidden_by_flags:
        raise NotFound(_("That comment no longer exists."), code="unknown_comment")
    if comment.author_id == reader.id:
        raise InvalidInput(_("You cannot vote on your own comment."), code="own_comment")
    if thread_is_closed(session.get(Thread, comment.thread_id), policy, utcnow()):
        raise Forbidden(_("Comments are closed on this article."), code="thread_closed")
    existing = session.get(Vote, (comment.id, reader.id), with_for_update=True)
    before = existing.value if existing else 0
    if before == value:
        return Tally(comment.upvotes, comment.downvotes, before)
    if existing is not None and value == 0:
        session.delete(existing)
    elif existing is not None:
        existing.value = value
    else:
        session.add(Vote(comment_id=comment.id, reader_id=reader.id, value=value))
    session.flush()
    up, down = move_tally(session, comment.id, int(value == 1) - int(before == 1),
                          int(value == -1) - int(before == -1))
    session.expire(comment)
    versions.bump(session, [comment.thread_id], added=0)
    return Tally(up, down, value)


def my_votes(session: Session, thread_id: int, reader_id: int) -> dict[int, int]:
    """{comment id: 1 or -1} for this reader's votes in one thread (the per-reader payload)."""
    rows = session.execute(
        sa.select(Vote.comment_id, Vote.value).join(Comment, Comment.id == Vote.comment_id)
        .where(Vote.reader_id == reader_id, Comment.thread_id == thread_id))
    return {comment_id: value for comment_id, value in rows}
