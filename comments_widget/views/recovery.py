"""A forgotten password: "send me a link", then a first-party page that sets a new one.

The answer to "send me a link" is the same whether or not the address has an account; only a
mail server that cannot be reached changes it, and it does so for every address alike.
After a reset the reader is logged in and, when the link was asked for from the embed's popup,
the token reaches the article as after a normal login (static/handoff.js, static/waiting.js).
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from flask import Blueprint, current_app, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget import mail
from comments_widget.auth import start_session
from comments_widget.errors import RateLimited, WidgetError
from comments_widget.forms import ForgotForm, ResetForm
from comments_widget.i18n import gettext as _
from comments_widget.models import Reader
from comments_widget.services import readers as reader_service
from comments_widget.services.verification import confirm_email
from comments_widget.signed_links import (
    InvalidLink,
    make_link_token,
    reader_from_link,
    session_binding,
)
from comments_widget.state import current_state, db_session
from comments_widget.views.emails import COULD_NOT_SEND, mail_to_address, public_url, site_name
from comments_widget.views.popup import carry_args, finish_login, form_answer, popup_origin

logger = logging.getLogger("comments_widget")
PURPOSE = "reset"


def _reset_message(settings: mail.MailSettings, reader: Reader) -> EmailMessage:
    token = make_link_token(current_app.secret_key, PURPOSE, reader, session_binding(reader))
    link = public_url("comments_widget.pages.reset_password", token=token, **carry_args())
    minutes = int(current_state().reset_link_max_age.total_seconds() // 60)
    name = site_name()
    return mail.compose(settings, reader.email or "", _("Reset your password for {name}",
                                                        name=name), [
        _("Hello {name},", name=reader.display_name),
        _("This link sets a new password for your comments account on {name}. It works once, "
          "for {minutes} minutes.", name=name, minutes=minutes),
        _("If you did not ask for it, ignore this email: your password stays as it is."),
    ], link=(_("Choose a new password"), link))


def forgot_password() -> BaseResponse | str | tuple[str, int, dict[str, str]]:
    """Ask for a reset link by email."""
    popup_origin()
    settings = current_state().mail
    form = ForgotForm()
    refusal: WidgetError | None = None
    if settings is not None and form.validate_on_submit():
        state = current_state()
        email = reader_service.normalize_email(form.email.data)
        try:
            mail_to_address(email, lambda reader: None if reader.is_banned()
                            else _reset_message(settings, reader))
        except RateLimited as error:
            refusal = error
            form.form_errors.append(error.message)
        except mail.MailFailed as error:
            logger.error("Could not send a password reset email: %s", error)
            form.form_errors.append(_(COULD_NOT_SEND))
            page = render_template("comments_widget/forgot.html", form=form, args=carry_args())
            return page, 503, {"Retry-After": "60"}
        else:
            minutes = int(state.reset_link_max_age.total_seconds() // 60)
            return render_template("comments_widget/forgot_sent.html", email=email,
                                   minutes=minutes, origin=popup_origin(),
                                   login_url=url_for("comments_widget.pages.login",
                                                     **carry_args()))
    page = render_template("comments_widget/forgot.html", form=form, args=carry_args(),
                           mail_off=settings is None)
    return form_answer(page, refusal)


def reset_password(token: str) -> BaseResponse | str | tuple[str, int, dict[str, str]]:
    """Set a new password from an emailed link; all other sessions end, this one starts."""
    popup_origin()
    state = current_state()
    session = db_session()
    try:
        reader = reader_from_link(session, current_app.secret_key, PURPOSE, token,
                                  state.reset_link_max_age, session_binding)
    except InvalidLink as error:
        return _bad_link(expired=error.expired)
    form = ResetForm()
    refusal: WidgetError | None = None
    if form.validate_on_submit():
        try:
            reader_service.ensure_may_act(reader)
            reader_service.change_password(session, reader, form.password.data,
                                           state.min_password_length)
            if reader.email_verified_at is None:
                # The link came through the inbox: that confirms the address, as a
                # confirmation link would (and before_login is not bypassed unconfirmed).
                confirm_email(session, reader)
            session.commit()
        except WidgetError as error:
            session.rollback()
            refusal = error
            form.password.errors = [*form.password.errors, error.message]
        else:
            start_session(reader)
            return finish_login(reader)
    page = render_template("comments_widget/reset.html", form=form, token=token,
                           args=carry_args(), min_password_length=state.min_password_length)
    return form_answer(page, refusal)


def _bad_link(expired: bool) -> tuple[str, int, dict[str, str]]:
    page = render_template("comments_widget/reset_invalid.html", expired=expired,
                           args=carry_args())
    return page, 400, {}


def register(pages: Blueprint) -> None:
    """Add the recovery pages to the reader pages blueprint."""
    pages.add_url_rule("/forgot", "forgot_password", forgot_password, methods=["GET", "POST"])
    pages.add_url_rule("/reset/<token>", "reset_password", reset_password,
                       methods=["GET", "POST"])
