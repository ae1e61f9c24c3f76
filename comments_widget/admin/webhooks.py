"""Webhooks on the Sites page: add one, remove one, and the delivery log."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin.forms import CsrfOnlyForm, WebhookForm
from comments_widget.admin.helpers import attempt
from comments_widget.auth import session_reader
from comments_widget.services import webhooks
from comments_widget.state import db_session


def page_context() -> dict[str, object]:
    """What the Sites page shows about webhooks."""
    session = db_session()
    return {"webhook_form": WebhookForm(), "webhooks": webhooks.listed(session),
            "deliveries": webhooks.recent_deliveries(session),
            "webhook_events": webhooks.EVENTS}


def add_webhook(require_admin: Callable[[], object]) -> BaseResponse:
    """Add a webhook; its secret is shown on the Sites page."""
    require_admin()
    form = WebhookForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, description="The form expired; reload the page and try again.")
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("comments_widget.admin.sites"))

    def change() -> str:
        hook = webhooks.add(db_session(), session_reader(), form.url.data, form.events.data)
        return f"Webhook added: {hook.url} will be told about {hook.events.replace(' ', ', ')}."

    return attempt(change, "comments_widget.admin.sites")


def remove_webhook(require_admin: Callable[[], object], webhook_id: int) -> BaseResponse:
    require_admin()
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")

    def change() -> str:
        webhooks.remove(db_session(), session_reader(), webhook_id)
        return "Webhook removed; nothing more is sent to it."

    return attempt(change, "comments_widget.admin.sites")


def register(admin: Blueprint, require_admin: Callable[[], object]) -> None:
    admin.add_url_rule("/sites/webhooks", "add_webhook", lambda: add_webhook(require_admin),
                       methods=["POST"])
    admin.add_url_rule("/sites/webhooks/<cw_id:webhook_id>/remove", "remove_webhook",
                       lambda webhook_id: remove_webhook(require_admin, webhook_id),
                       methods=["POST"])
