"""The overview, the moderation queues with their actions, and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin.chart import comments_per_day_svg
from comments_widget.admin.forms import CsrfOnlyForm
from comments_widget.admin.helpers import attempt, highlight, int_arg
from comments_widget.auth import session_reader
from comments_widget.ids import parse_id
from comments_widget.models import Comment, Reader, Status, utcnow
from comments_widget.services import audit, decisions, moderation, stats
from comments_widget.services.policy import count_links
from comments_widget.state import current_policy, db_session
from comments_widget.views.notifications import notify_authors_soon, notify_readers_soon

ACTION_WORDS = {"approve": "Approved", "reject": "Rejected", "spam": "Marked as spam",
                "delete": "Deleted", "restore": "Restored"}


def overview() -> str:
    """Volumes, backlog and a 30-day chart."""
    numbers = stats.overview(db_session(), utcnow())
    return render_template("comments_widget/admin/overview.html", numbers=numbers,
                           chart=comments_per_day_svg(numbers.per_day))


def _first_timers(session: sa.orm.Session, author_ids: set[int]) -> set[int]:
    if not author_ids:
        return set()
    rows = session.execute(
        sa.select(Comment.author_id).where(Comment.author_id.in_(author_ids),
                                           Comment.status == Status.APPROVED)
        .group_by(Comment.author_id))
    return author_ids - {author_id for (author_id,) in rows}


def queue(name: str) -> str:
    """One queue, newest first, filtered, one keyset page at a time."""
    if name not in moderation.QUEUES:
        abort(404)
    session = db_session()
    filters = moderation.QueueFilter(thread_id=int_arg("thread"),
                                     site=request.args.get("site", "").strip(),
                                     search=request.args.get("q", "").strip())
    comments = moderation.queue_page(session, name, filters, before_id=int_arg("before"))
    ids = [comment.id for comment in comments]
    policy = current_policy()
    reasons = {c.id: moderation.hold_reasons_of(c) for c in comments}
    return render_template(
        "comments_widget/admin/queue.html", name=name, comments=comments, filters=filters,
        counts=moderation.queue_counts(session, filters), queues=moderation.QUEUES,
        flags=moderation.flag_summaries(session, ids),
        first_timers=_first_timers(session, {c.author_id for c in comments}),
        reasons=reasons,
        bodies={c.id: highlight(c.body_html, policy.banned_words) for c in comments},
        link_notes={c.id: links for c in comments if (links := count_links(c.body_html))
                    and not any("links" in r for r in reasons[c.id])},
        next_before=ids[-1] if len(ids) == moderation.PAGE_SIZE else None,
        form=CsrfOnlyForm(), actions=ACTION_WORDS,
    )


def act() -> BaseResponse:
    """Apply one action to the selected comments (or to the one whose button was pressed)."""
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    single = request.form.get("single", "")
    if single:
        action, _, raw_id = single.partition(":")
        raw_ids = [raw_id]
    else:
        action, raw_ids = request.form.get("action", ""), request.form.getlist("ids")
    ids = [number for number in map(parse_id, raw_ids) if number is not None]

    held = decisions.held_ids(db_session(), ids)

    def change() -> str:
        done = moderation.apply_action(db_session(), session_reader(), action, ids)
        count = len(done)
        return f"{ACTION_WORDS.get(action, action)} {count} comment{'s' if count != 1 else ''}."

    return attempt(change, "comments_widget.admin.queue",
                   after_commit=lambda: (notify_authors_soon(held), notify_readers_soon()),
                   name="pending")


def audit_log() -> str:
    """Every moderation action, newest first, filterable."""
    session = db_session()
    filters = audit.AuditFilter(action=request.args.get("action", ""),
                                actor_id=int_arg("actor"),
                                target_type=request.args.get("target_type", ""),
                                target_id=int_arg("target"))
    entries = audit.entries(session, filters, before_id=int_arg("before"))
    moderators = list(session.scalars(sa.select(Reader).where(
        Reader.role.in_(["moderator", "admin"])).order_by(Reader.display_name)))
    return render_template(
        "comments_widget/admin/audit.html", entries=entries, filters=filters,
        actions=audit.known_actions(session), moderators=moderators,
        next_before=entries[-1].id if len(entries) == audit.PAGE_SIZE else None)


def register(admin: Blueprint) -> None:
    """Add these pages to the dashboard blueprint."""
    admin.add_url_rule("/", "overview", overview)
    admin.add_url_rule("/queue/<name>", "queue", queue)
    admin.add_url_rule("/comments/action", "act", act, methods=["POST"])
    admin.add_url_rule("/audit", "audit", audit_log)


