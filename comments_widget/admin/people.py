"""Readers: find them, ban and unban, promote and demote, erase at their request."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin.forms import BanForm, CsrfOnlyForm, EraseReaderForm, RoleForm
from comments_widget.admin.helpers import attempt, int_arg
from comments_widget.auth import session_reader
from comments_widget.models import Reader, Role
from comments_widget.services import audit, community, personal_data
from comments_widget.state import current_policy, db_session


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
        next_before=rows.next_before)


def reader_detail(reader_id: int) -> str:
    """One reader, with the forms to ban, unban and change their role."""
    return _detail_page(_reader(reader_id))


def _detail_page(reader: Reader, **bound: object) -> str:
    forms = {"ban_form": BanForm(), "role_form": RoleForm(role=reader.role.value),
             "form": CsrfOnlyForm(), "erase_form": EraseReaderForm(), **bound}
    return render_template("comments_widget/admin/reader.html", reader=reader,
                           erased_mode=current_policy().erased_comments,
                           history=audit.reader_timeline(db_session(), reader.id), **forms)


def ban(reader_id: int) -> BaseResponse | tuple[str, int]:
    """Ban a reader; their tokens are revoked at once."""
    reader = _reader(reader_id)
    form = BanForm()
    if not form.validate_on_submit():
        return _detail_page(reader, ban_form=form), 400
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


def erase(reader_id: int) -> BaseResponse | tuple[str, int]:
    """Erase a reader's account at their request; the audit log keeps only that it happened."""
    reader = _reader(reader_id)
    form = EraseReaderForm()
    if not form.validate_on_submit():
        return _detail_page(reader, erase_form=form), 400

    def change() -> str:
        erased = personal_data.erase_for_reader(db_session(), session_reader(), reader,
                                                current_policy())
        done = "deleted" if erased.mode == "delete" else "kept, anonymised"
        return f"The account is erased; its {erased.comments} comments are {done}."

    return attempt(change, "comments_widget.admin.reader_detail", reader_id=reader.id)


def register(admin: Blueprint) -> None:
    """Add these pages to the dashboard blueprint."""
    admin.add_url_rule("/readers", "readers", readers)
    admin.add_url_rule("/readers/<cw_id:reader_id>", "reader_detail", reader_detail)
    admin.add_url_rule("/readers/<cw_id:reader_id>/ban", "ban", ban, methods=["POST"])
    admin.add_url_rule("/readers/<cw_id:reader_id>/unban", "unban", unban, methods=["POST"])
    admin.add_url_rule("/readers/<cw_id:reader_id>/role", "set_role", set_role, methods=["POST"])
    admin.add_url_rule("/readers/<cw_id:reader_id>/erase", "erase_reader", erase,
                       methods=["POST"])
