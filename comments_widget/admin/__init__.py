"""The moderation dashboard: server-rendered pages for moderators and admins."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin import people, queues, settings, threads
from comments_widget.admin.helpers import template_helpers
from comments_widget.auth import session_reader
from comments_widget.models import Reader, Role
from comments_widget.views.pages import add_security_headers


def require_moderator() -> BaseResponse | None:
    """Anonymous visitors go to the login page; readers and banned moderators get a 403."""
    staff = session_reader()  # The first-party session only: bearer tokens never open this.
    if staff is None:
        return redirect(url_for("comments_widget.pages.login", next=request.full_path))
    if not staff.is_moderator or staff.is_banned():
        return forbidden("The dashboard is for moderators and admins.")
    return None


def require_admin() -> Reader:
    """The current admin, or a 403 for a moderator."""
    staff = session_reader()
    if staff is None or staff.role != Role.ADMIN:
        abort(forbidden("Only admins can change this."))
    return staff


def forbidden(message: str) -> Response:
    """A 403 page that says why."""
    response = Response(render_template("comments_widget/admin/forbidden.html",
                                        message=message), status=403)
    return response


def start_clock() -> None:
    g.comments_widget_admin_started = time.perf_counter()


def server_timing(response: Response) -> Response:
    """Say how long the app took (`Server-Timing: app;dur=ms`): the browser test of the
    queue reads it to report the server's share of each decision."""
    started = g.get("comments_widget_admin_started")
    if started is not None:
        elapsed = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
    return response


def create_blueprint() -> Blueprint:
    """The dashboard blueprint, mounted at <prefix>/admin."""
    admin = Blueprint("admin", __name__, url_prefix="/admin")
    admin.before_request(start_clock)
    admin.before_request(require_moderator)
    admin.after_request(server_timing)
    admin.after_request(add_security_headers)
    admin.context_processor(template_helpers)
    queues.register(admin)
    people.register(admin)
    threads.register(admin)
    settings.register(admin, require_admin)
    return admin
