"""The moderation dashboard: server-rendered pages for moderators and admins."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin import people, queues, settings, threads
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


def create_blueprint() -> Blueprint:
    """The dashboard blueprint, mounted at <prefix>/admin."""
    admin = Blueprint("admin", __name__, url_prefix="/admin")
    admin.before_request(require_moderator)
    admin.after_request(add_security_headers)
    queues.register(admin)
    people.register(admin)
    threads.register(admin)
    settings.register(admin, require_admin)
    return admin
