"""Threads: list them, close and reopen them, pin a comment."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin.forms import CsrfOnlyForm, ThreadDetailsForm
from comments_widget.admin.helpers import attempt, int_arg
from comments_widget.auth import session_reader
from comments_widget.errors import WidgetError
from comments_widget.ids import parse_id
from comments_widget.models import utcnow
from comments_widget.services import audit, surge
from comments_widget.services import threads as thread_service
from comments_widget.services.policy import thread_is_closed
from comments_widget.state import current_policy, db_session


def threads() -> str:
    """Threads with the latest activity first, searchable by title or URL."""
    search = request.args.get("q", "").strip()
    page = int_arg("page") or 1
    rows, has_next = thread_service.thread_page(db_session(), search, page)
    now, policy = utcnow(), current_policy()
    return render_template(
        "comments_widget/admin/threads.html", rows=rows, search=search, page=page,
        closed={row.thread.id: thread_is_closed(row.thread, policy, now) for row in rows},
        has_next=has_next)


def thread_detail(thread_id: int) -> str:
    """One thread: its state, and its top-level comments to pin from."""
    session = db_session()
    try:
        thread = thread_service.get_thread(session, thread_id)
    except WidgetError:
        abort(404)
    return render_template("comments_widget/admin/thread.html", thread=thread,
                           comments=thread_service.pinnable(session, thread.id),
                           form=CsrfOnlyForm(),
                           details_form=ThreadDetailsForm(title=thread.title, url=thread.url),
                           closed=thread_is_closed(thread, current_policy(), utcnow()),
                           history=audit.thread_timeline(session, thread.id))


def change_thread(thread_id: int, change: str) -> BaseResponse:
    """Close, reopen, pin or unpin."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    session = db_session()

    def apply() -> str:
        thread = thread_service.get_thread(session, thread_id)
        title = thread.title or thread.url
        if change == "close":
            thread_service.close(session, session_reader(), thread)
            return f"Comments are closed on “{title}”."
        if change == "reopen":
            thread_service.reopen(session, session_reader(), thread)
            return f"“{title}” accepts comments again."
        if change == "lift":
            if thread.surge_since is not None:
                surge.switch_off(session, thread, "lifted by a moderator", session_reader())
            return f"New comments on “{title}” follow the policy again."
        comment_id = request.form.get("comment_id", "")
        thread_service.pin(session, session_reader(), thread,
                           parse_id(comment_id) if change == "pin" else None)
        return "Pinned." if change == "pin" else "Unpinned."

    return attempt(apply, "comments_widget.admin.thread_detail", thread_id=thread_id)


def rename_thread(thread_id: int) -> BaseResponse:
    """Correct the title and URL a thread is listed under."""
    form = ThreadDetailsForm()
    if not form.validate_on_submit():
        abort(400, description="Give a title of at most 300 characters and the article's URL.")
    session = db_session()

    def apply() -> str:
        thread = thread_service.get_thread(session, thread_id)
        thread_service.rename(session, session_reader(), thread, form.title.data or "",
                              form.url.data)
        return "Saved the thread's title and URL."

    return attempt(apply, "comments_widget.admin.thread_detail", thread_id=thread_id)


def register(admin: Blueprint) -> None:
    """Add these pages to the dashboard blueprint."""
    admin.add_url_rule("/threads", "threads", threads)
    admin.add_url_rule("/threads/<cw_id:thread_id>", "thread_detail", thread_detail)
    admin.add_url_rule("/threads/<cw_id:thread_id>/<any(close,reopen,pin,unpin,lift):change>",
                       "change_thread", change_thread, methods=["POST"])
    admin.add_url_rule("/threads/<cw_id:thread_id>/details", "rename_thread", rename_thread,
                       methods=["POST"])
