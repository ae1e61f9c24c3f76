"""The reader's data on the account page: claim imported comments, download everything we
hold, delete the account. First-party pages with CSRF, like the rest of the account page."""

from __future__ import annotations

import json
import time

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.auth import SIGNED_IN_AT_KEY, end_session, session_reader
from comments_widget.errors import Forbidden, WidgetError
from comments_widget.forms import ConfirmForm, EraseForm
from comments_widget.i18n import gettext as _
from comments_widget.models import Reader
from comments_widget.services import claims, personal_data
from comments_widget.services import readers as reader_service
from comments_widget.state import current_policy, db_session
from comments_widget.views import account

# A reader with no password here proves it is them by a login this recent.
FRESH_LOGIN_SECONDS = 10 * 60


def _logged_in() -> Reader | BaseResponse:
    reader = session_reader()
    if reader is None:
        return account.to_login()
    return reader


def download() -> BaseResponse:
    """Everything we hold about the reader, as a JSON file (GDPR articles 15 and 20)."""
    reader = _logged_in()
    if not isinstance(reader, Reader):
        return reader
    document = personal_data.reader_data(db_session(), reader)
    response = Response(json.dumps(document, ensure_ascii=False, indent=2),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="comments-data-{reader.id}.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


def claim() -> BaseResponse | tuple[str, int]:
    """Take the imported comments written with the reader's confirmed address."""
    reader = _logged_in()
    if not isinstance(reader, Reader):
        return reader
    form = ConfirmForm(prefix="claim")
    if not form.validate_on_submit():
        return account.page(reader, 400, claim_form=form)
    try:
        moved = claims.claim(db_session(), reader)
    except WidgetError as error:
        db_session().rollback()
        form.form_errors.append(error.message)
        return account.page(reader, 400, claim_form=form)
    db_session().commit()
    flash(_("Your comments from before are linked to your account ({n} in all).", n=moved),
          "success")
    return redirect(url_for(account.HOME))


def _confirm_it_is_them(reader: Reader, form: EraseForm) -> None:
    if reader.password_hash:
        if not reader_service.password_matches(reader, form.password.data or ""):
            raise Forbidden(_("Your password is not right."), code="invalid_credentials")
        return
    signed_in_at = session.get(SIGNED_IN_AT_KEY, 0)
    if not isinstance(signed_in_at, int) or time.time() - signed_in_at > FRESH_LOGIN_SECONDS:
        raise Forbidden(_("Log out and log in again, then delete your account within "
                          "{n} minutes: we need to know it is really you.",
                          n=FRESH_LOGIN_SECONDS // 60), code="login_not_fresh")


def erase() -> BaseResponse | tuple[str, int]:
    """Delete the reader's account for good (GDPR article 17)."""
    reader = _logged_in()
    if not isinstance(reader, Reader):
        return reader
    form = EraseForm(prefix="erase")
    if not form.validate_on_submit():
        return account.page(reader, 400, erase_form=form)
    try:
        _confirm_it_is_them(reader, form)
        erasure = personal_data.erase(db_session(), reader, reader, current_policy())
    except WidgetError as error:
        db_session().rollback()
        form.form_errors.append(error.message)
        return account.page(db_session().get(Reader, reader.id), 400, erase_form=form)
    end_session(None)  # The sessions already ended with the new session id.
    db_session().commit()
    return render_template("comments_widget/account_deleted.html", mode=erasure.mode), 200


def register(pages: Blueprint) -> None:
    """Add the pages to the reader pages blueprint."""
    pages.add_url_rule("/account/data.json", "download_data", download)
    pages.add_url_rule("/account/claim", "claim_comments", claim, methods=["POST"])
    pages.add_url_rule("/account/delete", "erase_account", erase, methods=["POST"])
