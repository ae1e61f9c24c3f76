"""The overview, the moderation queues with their actions, and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, render_template, request
from flask import session as session_store
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin.chart import comments_per_day_svg
from comments_widget.admin.forms import CsrfOnlyForm
from comments_widget.admin.helpers import back, highlight, int_arg
from comments_widget.auth import session_reader
from comments_widget.errors import InvalidInput, WidgetError
from comments_widget.ids import parse_id
from comments_widget.models import utcnow
from comments_widget.services import (
    alerts,
    audit,
    decisions,
    featured,
    moderation,
    moderation_sla,
    queue_context,
    revisions,
    stats,
    surge,
)
from comments_widget.state import current_policy, current_state, db_session
from comments_widget.views.http import handle_widget_error
from comments_widget.views.notifications import (
    alert_moderators_soon,
    notify_authors_soon,
    notify_readers_soon,
)

ACTION_WORDS = {"approve": "Approved", "reject": "Rejected", "spam": "Marked as spam",
                "delete": "Deleted", "restore": "Restored"}
EXPIRED = InvalidInput("The form expired; reload the page and try again.", code="form_expired")
UNDO_KEY = "comments_widget.undo"  # the last decision's audit entries, for the Undo button


def overview() -> str:
    """Volumes, backlog, how fast moderators decide, shielded threads and a 30-day chart.

    Looking at it also does the housekeeping nobody else may have done since: lifting quiet
    surge shields and raising or clearing the moderation-target alert."""
    session, now, policy = db_session(), utcnow(), current_policy()
    surge.lift_quiet(session, policy, now)
    moderation_sla.check(session, policy, now)
    session.commit()
    alert_moderators_soon()
    numbers = stats.overview(session, now)
    return render_template("comments_widget/admin/overview.html", numbers=numbers,
                           pace=moderation_sla.pace(session, now), policy=policy,
                           shielded=surge.shielded(session), alerts=alerts.active(session),
                           chart=comments_per_day_svg(numbers.per_day))


def queue(name: str) -> str:
    """One queue, newest first, filtered, one keyset page at a time, each comment with the
    context a decision needs."""
    if name not in moderation.QUEUES:
        abort(404)
    session = db_session()
    filters = moderation.QueueFilter(thread_id=int_arg("thread"),
                                     site=request.args.get("site", "").strip(),
                                     search=request.args.get("q", "").strip())
    page = moderation.queue_page(session, name, filters, before_id=int_arg("before"))
    policy = current_policy()
    items = queue_context.queue_items(session, page.rows, utcnow())
    return render_template(
        "comments_widget/admin/queue.html", name=name, items=items, filters=filters,
        counts=moderation.queue_counts(session, filters), queues=moderation.QUEUES,
        count_cap=moderation.COUNT_CAP,
        bodies={i.comment.id: highlight(i.comment.body_html, policy.banned_words)
                for i in items},
        next_before=page.next_before, form=CsrfOnlyForm(), actions=ACTION_WORDS,
        undo=session_store.pop(UNDO_KEY, None),
    )


def _summary(action: str, count: int) -> str:
    return f"{ACTION_WORDS.get(action, action)} {count} comment{'s' if count != 1 else ''}."


def _chosen_ids(action: str) -> tuple[str, list[int]]:
    """The action and the comments it applies to: the button pressed on one comment, a scope
    from one comment ("author" or "thread_since"), or the ticked boxes."""
    single, scoped = request.form.get("single", ""), request.form.get("scoped", "")
    if scoped:
        action, scope, raw_id = (scoped.split(":") + ["", ""])[:3]
        anchor = parse_id(raw_id)
        if anchor is None or scope not in ("author", "thread_since"):
            return action, []
        find = (moderation.ids_from_author if scope == "author"
                else moderation.ids_in_thread_since)
        return action, find(db_session(), anchor)
    if single:
        action, _, raw_id = single.partition(":")
        raw_ids = [raw_id]
    else:
        raw_ids = request.form.getlist("ids")
    return action, [number for number in map(parse_id, raw_ids) if number is not None]


def act() -> BaseResponse:
    """Apply one action to the selected comments (or to the one whose button was pressed).

    A page without JavaScript posts the form and is sent back; the queue's script asks for
    JSON and stays where it is (one key per decision)."""
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        return _expired()
    action, ids = _chosen_ids(request.form.get("action", ""))
    session = db_session()
    held = decisions.held_ids(session, ids)
    try:
        decision = moderation.apply_action(session, session_reader(), action, ids)
    except WidgetError as error:
        session.rollback()
        return _refuse(error)
    session.commit()
    notify_authors_soon(held)
    notify_readers_soon()
    return _decided(_summary(action, len(decision.comments)), decision)


def undo() -> BaseResponse:
    """Put back what one decision changed (its audit entries name it)."""
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        return _expired()
    entry_ids = [n for n in map(parse_id, request.form.getlist("entries")) if n is not None]
    session = db_session()
    try:
        decision = moderation.undo(session, session_reader(), entry_ids)
    except WidgetError as error:
        session.rollback()
        return _refuse(error)
    session.commit()
    notify_readers_soon()
    count = len(decision.comments)
    return _decided(f"Undone: {count} comment{'s' if count != 1 else ''} put back.", decision,
                    undoable=False)


def edit_comment(comment_id: int) -> BaseResponse:
    """A moderator replaces a comment's text (the earlier one is kept as a revision)."""
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        return _expired()
    session = db_session()
    try:
        revisions.edit_as_moderator(session, session_reader(), comment_id,
                                    request.form.get("body"),
                                    current_state().posting_rules.max_body_length)
    except WidgetError as error:
        session.rollback()
        return _refuse(error)
    session.commit()
    message = f"Comment {comment_id} edited; readers see “edited by a moderator”."
    if _wants_json():
        return jsonify(message=message, ids=[comment_id], undo=[])
    flash(message, "success")
    return back("comments_widget.admin.queue", name="pending")


def feature_comment(comment_id: int) -> BaseResponse:
    """Make a comment an editor's pick (or take it back)."""
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        return _expired()
    on = request.form.get("featured") == "on"
    session = db_session()
    try:
        featured.feature(session, session_reader(), comment_id, on)
    except WidgetError as error:
        session.rollback()
        return _refuse(error)
    session.commit()
    message = (f"Comment {comment_id} is featured." if on
               else f"Comment {comment_id} is no longer featured.")
    if _wants_json():
        return jsonify(message=message, ids=[comment_id], undo=[], featured=on)
    flash(message, "success")
    return back("comments_widget.admin.queue", name="approved")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _expired() -> BaseResponse:
    if _wants_json():
        return handle_widget_error(EXPIRED)
    abort(400, description=EXPIRED.message)


def _refuse(error: WidgetError) -> BaseResponse:
    if _wants_json():
        return handle_widget_error(error)
    flash(error.message, "error")
    return back("comments_widget.admin.queue", name="pending")


def _decided(message: str, decision: moderation.Decision, undoable: bool = True) -> BaseResponse:
    entries = [entry.id for entry in decision.entries] if undoable else []
    if _wants_json():
        return jsonify(message=message, ids=[c.id for c in decision.comments], undo=entries)
    flash(message, "success")
    if entries:
        session_store[UNDO_KEY] = entries
    return back("comments_widget.admin.queue", name="pending")


def audit_log() -> str:
    """Every moderation action, newest first, filterable."""
    session = db_session()
    filters = audit.AuditFilter(action=request.args.get("action", ""),
                                actor_id=int_arg("actor"),
                                target_type=request.args.get("target_type", ""),
                                target_id=int_arg("target"))
    entries = audit.entries(session, filters, before_id=int_arg("before"))
    return render_template(
        "comments_widget/admin/audit.html", entries=entries, filters=filters,
        actions=audit.known_actions(session), moderators=audit.staff(session),
        next_before=entries.next_before)


def register(admin: Blueprint) -> None:
    """Add these pages to the dashboard blueprint."""
    admin.add_url_rule("/", "overview", overview)
    admin.add_url_rule("/queue/<name>", "queue", queue)
    admin.add_url_rule("/comments/action", "act", act, methods=["POST"])
    admin.add_url_rule("/comments/undo", "undo", undo, methods=["POST"])
    admin.add_url_rule("/comments/<cw_id:comment_id>/edit", "edit_comment", edit_comment,
                       methods=["POST"])
    admin.add_url_rule("/comments/<cw_id:comment_id>/feature", "feature_comment",
                       feature_comment, methods=["POST"])
    admin.add_url_rule("/audit", "audit", audit_log)


