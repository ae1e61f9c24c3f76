"""The moderation dashboard: server-rendered pages for moderators and admins."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin import people, queues, settings, threads
from comments_widget.models import Reader, Role
from comments_widget.views.pages import add_security_headers


def require_moderator() -> BaseResponse | None:
    """Anonymous visitors go to the login page; readers and banned moderators get a 403."""
    if not current_user.is_authenticated:
        return redirect(url_for("comments_widget.pages.login", next=request.full_path))
    if not current_user.is_moderator or current_user.is_banned():
        return forbidden("The dashboard is for moderators and admins.")
    return None


def require_admin() -> Reader:
    """The current admin, or a 403 for a moderator."""
    if current_user.role != Role.ADMIN:
        abort(forbidden("Only admins can change this."))
    return current_user


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
