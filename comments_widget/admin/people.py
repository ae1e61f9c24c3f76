"""Readers: find them, ban and unban, promote and demote."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin.forms import BanForm, CsrfOnlyForm, RoleForm
from comments_widget.admin.helpers import attempt, int_arg
from comments_widget.auth import session_reader
from comments_widget.models import Reader, Role
from comments_widget.services import community
from comments_widget.state import db_session


def _reader(reader_id: int) -> Reader:
    reader = db_session().get(Reader, reader_id)
    if reader is None:
        abort(404)
    return reader


def readers() -> str:
    """Readers, newest first, searchable by name or email."""
    search = request.args.get("q", "").strip()
    rows = community.reader_page(db_session(), search, before_id=int_arg("before"))
    return render_template(
        "comments_widget/admin/readers.html", rows=rows, search=search,
        next_before=rows[-1].reader.id if len(rows) == community.PAGE_SIZE else None)


def reader_detail(reader_id: int) -> str:
    """One reader, with the forms to ban, unban and change their role."""
    reader = _reader(reader_id)
    return render_template("comments_widget/admin/reader.html", reader=reader,
                           ban_form=BanForm(), role_form=RoleForm(role=reader.role.value),
                           form=CsrfOnlyForm())


def ban(reader_id: int) -> BaseResponse | tuple[str, int]:
    """Ban a reader; their tokens are revoked at once."""
    reader = _reader(reader_id)
    form = BanForm()
    if not form.validate_on_submit():
        return render_template("comments_widget/admin/reader.html", reader=reader,
                               ban_form=form, role_form=RoleForm(role=reader.role.value),
                               form=CsrfOnlyForm()), 400
    until = (datetime.combine(form.until.data, time.max, tzinfo=UTC)
             if form.until.data else None)

    def change() -> str:
        hidden = community.ban(db_session(), session_reader(), reader, form.reason.data, until,
                               form.hide_comments.data)
        extra = f" and {hidden} comments hidden" if form.hide_comments.data else ""
        return f"{reader.display_name} is banned{extra}."

    return attempt(change, "comments_widget.admin.reader_detail", reader_id=reader.id)


def unban(reader_id: int) -> BaseResponse:
    """Lift a ban."""
    reader = _reader(reader_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")

    def change() -> str:
        community.unban(db_session(), session_reader(), reader)
        return f"{reader.display_name} may comment again."

    return attempt(change, "comments_widget.admin.reader_detail", reader_id=reader.id)


def set_role(reader_id: int) -> BaseResponse:
    """Promote or demote (admins only; the service refuses moderators)."""
    reader = _reader(reader_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, description="Choose a role.")

    def change() -> str:
        community.set_role(db_session(), session_reader(), reader, Role(form.role.data))
        return f"{reader.display_name} is now {form.role.data}."

    return attempt(change, "comments_widget.admin.reader_detail", reader_id=reader.id)


def register(admin: Blueprint) -> None:
    """Add these pages to the dashboard blueprint."""
    admin.add_url_rule("/readers", "readers", readers)
    admin.add_url_rule("/readers/<cw_id:reader_id>", "reader_detail", reader_detail)
    admin.add_url_rule("/readers/<cw_id:reader_id>/ban", "ban", ban, methods=["POST"])
    admin.add_url_rule("/readers/<cw_id:reader_id>/unban", "unban", unban, methods=["POST"])
    admin.add_url_rule("/readers/<cw_id:reader_id>/role", "set_role", set_role, methods=["POST"])
