"""The surge shield: a thread that is suddenly flooded holds new comments by itself.

A story shared by a hostile forum brings a brigade of fresh accounts in minutes, at 3 a.m.,
before any moderator looks. When a thread gets more comments within a window than the policy
allows, or when enough of the window's comments come from accounts younger than a day, the
thread switches itself to pre-moderation: every new comment there waits, with the reason,
moderators are emailed once and see it on the overview. It switches back once the thread has
been below both thresholds for a quiet period. Every switch is in the audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Reader, Status, Thread
from comments_widget.services import alerts, audit
from comments_widget.services.hold_reasons import SURGE, HoldReason
from comments_widget.services.policy import Policy

MIN_PEOPLE = 3


def alert_key(thread_id: int) -> str:
    return f"surge:{thread_id}"


_IS_NEW = Reader.created_at >= sa.bindparam("young", type_=Reader.created_at.type)
# Built once: constructing this statement on every post cost more than running it.
_WINDOW = (
    sa.select(sa.func.count(Comment.id), sa.func.count(Comment.id).filter(_IS_NEW),
              sa.func.count(sa.distinct(Comment.author_id)),
              sa.func.count(sa.distinct(Comment.author_id)).filter(_IS_NEW),
              sa.func.count(Comment.id).filter(Comment.author_id == sa.bindparam("author_id")))
    .join(Reader, Reader.id == Comment.author_id)
    # Every status, so the index on (thread, status, created) serves it as a few ranges.
    .where(Comment.thread_id == sa.bindparam("thread_id"), Comment.status.in_(list(Status)),
           Comment.created_at >= sa.bindparam("since", type_=Comment.created_at.type)))


def _why(session: Session, policy: Policy, thread: Thread, author: Reader,
         now: datetime) -> str:
    """Why the thread counts as surging with this comment added, or "".

    Both rules need several different people: one reader posting fast is the post rate
    limit's business, not a surge."""
    since = now - timedelta(minutes=policy.surge_window_minutes)
    young = now - timedelta(hours=policy.new_account_hours)
    total, from_new, people, new_people, already = session.execute(_WINDOW, {
        "thread_id": thread.id, "since": since, "young": young, "author_id": author.id}).one()
    author_is_new = author.created_at >= young
    total += 1
    from_new += 1 if author_is_new else 0
    if not already:
        people += 1
        new_people += 1 if author_is_new else 0
    minutes = policy.surge_window_minutes
    window = f"{minutes} minute{'s' if minutes != 1 else ''}"
    if total >= policy.surge_comments and people >= MIN_PEOPLE:
        return f"{total} comments from {people} readers in {window}"
    if new_people >= policy.surge_new_min and 100 * from_new >= policy.surge_new_share * total:
        return (f"{from_new} of {total} comments in {window} from {new_people} accounts "
                f"under {policy.new_account_hours} hours old")
    return ""


def check(session: Session, policy: Policy, thread: Thread | None, author: Reader,
          now: datetime) -> HoldReason | None:
    """Before a comment is stored on `thread`: switch the shield on or off as the thread's
    pace says, and return the reason to hold the comment while it is on."""
    if thread is None or not policy.surge_shield:
        return None
    why = _why(session, policy, thread, author, now)
    if why:
        thread.surge_busy_at = now
        if thread.surge_since is None:
            _switch_on(session, thread, why, now)
    elif thread.surge_since is not None and _quiet(policy, thread, now):
        switch_off(session, thread, f"quiet for {policy.surge_quiet_minutes} minutes")
    return HoldReason(SURGE, thread.surge_reason) if thread.surge_since is not None else None


def _quiet(policy: Policy, thread: Thread, now: datetime) -> bool:
    busy = thread.surge_busy_at or thread.surge_since
    return busy is not None and busy <= now - timedelta(minutes=policy.surge_quiet_minutes)


def _switch_on(session: Session, thread: Thread, why: str, now: datetime) -> None:
    thread.surge_since, thread.surge_reason = now, why[:300]
    audit.record(session, None, "surge_on", "thread", thread.id, "open", "shielded", why)
    alerts.raise_alert(session, alert_key(thread.id),
                       f"Surge shield on: {thread.title or thread.url}\n\n"
                       f"{why}. New comments on {thread.url} wait for a moderator until it "
                       f"has been quiet for a while; the shield then lifts by itself.")


def switch_off(session: Session, thread: Thread, why: str, actor: Reader | None = None) -> None:
    """Lift the shield (after a quiet period, or by a moderator, `actor`)."""
    thread.surge_since, thread.surge_busy_at, thread.surge_reason = None, None, ""
    audit.record(session, actor, "surge_off", "thread", thread.id, "shielded", "open", why)
    alerts.clear_alert(session, alert_key(thread.id))


def lift_quiet(session: Session, policy: Policy, now: datetime) -> int:
    """Lift every shield whose thread has been quiet long enough, even with no new comment
    to notice it (the overview and `notify-moderators` call this); returns how many."""
    quiet_since = now - timedelta(minutes=policy.surge_quiet_minutes)
    threads = list(session.scalars(sa.select(Thread).where(
        Thread.surge_since.is_not(None),
        sa.func.coalesce(Thread.surge_busy_at, Thread.surge_since) <= quiet_since)))
    for thread in threads:
        switch_off(session, thread, f"quiet for {policy.surge_quiet_minutes} minutes")
    session.flush()
    return len(threads)


def shielded(session: Session) -> list[Thread]:
    """Threads holding new comments right now, for the overview."""
    return list(session.scalars(sa.select(Thread).where(Thread.surge_since.is_not(None))
                                .order_by(Thread.surge_since)))
