"""Logging in by an emailed link instead of a password (COMMENTS_WIDGET_LOGIN_LINKS).

The link works once (recorded as spent), for COMMENTS_WIDGET_LOGIN_LINK_MAX_AGE_MINUTES, and
dies with the reader's sessions. Following it proves the address, so it also confirms it.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from flask import Blueprint, abort, current_app, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget import mail
from comments_widget.auth import start_session
from comments_widget.errors import RateLimited, WidgetError
from comments_widget.forms import ForgotForm
from comments_widget.i18n import gettext as _
from comments_widget.models import Reader
from comments_widget.services import readers as reader_service
from comments_widget.services.verification import confirm_email
from comments_widget.signed_links import (
    InvalidLink,
    make_link_token,
    reader_from_link,
    session_binding,
    spend,
)
from comments_widget.state import current_state, db_session
from comments_widget.views.emails import COULD_NOT_SEND, mail_to_address, public_url, site_name
from comments_widget.views.popup import carry_args, finish_login, form_answer, popup_origin

logger = logging.getLogger("comments_widget")
PURPOSE = "login"


def _login_message(settings: mail.MailSettings, reader: Reader) -> EmailMessage:
    token = make_link_token(current_app.secret_key, PURPOSE, reader, session_binding(reader))
    link = public_url("comments_widget.pages.use_login_link", token=token, **carry_args())
    minutes = int(current_state().login_link_max_age.total_seconds() // 60)
    name = site_name()
    return mail.compose(settings, reader.email or "", _("Your login link for {name}", name=name), [
        _("Hello {name},", name=reader.display_name),
        _("This link logs you in to the comments on {name}. It works once, for {minutes} "
          "minutes, in the browser you open it in.", name=name, minutes=minutes),
        _("If you did not ask for it, ignore this email: nobody can use it without your inbox."),
    ], link=(_("Log me in"), link))


def request_login_link() -> BaseResponse | str | tuple[str, int, dict[str, str]]:
    """Ask for a login link (the same answer for every address)."""
    state = current_state()
    if not state.login_links:
        abort(404)
    popup_origin()
    settings = state.mail
    assert settings is not None  # config.validate requires mail for login links.
    form = ForgotForm()
    refusal: WidgetError | None = None
    if form.validate_on_submit():
        email = reader_service.normalize_email(form.email.data)
        try:
            mail_to_address(email, lambda reader: None if reader.is_banned()
                            else _login_message(settings, reader))
        except RateLimited as error:
            refusal = error
            form.form_errors.append(error.message)
        except mail.MailFailed as error:
            logger.error("Could not send a login link: %s", error)
            form.form_errors.append(_(COULD_NOT_SEND))
            page = render_template("comments_widget/login_link.html", form=form,
                                   args=carry_args())
            return page, 503, {"Retry-After": "60"}
        else:
            minutes = int(state.login_link_max_age.total_seconds() // 60)
            return render_template("comments_widget/login_link_sent.html", email=email,
                                   minutes=minutes, origin=popup_origin(),
                                   login_url=url_for("comments_widget.pages.login",
                                                     **carry_args()))
    page = render_template("comments_widget/login_link.html", form=form, args=carry_args())
    return form_answer(page, refusal)


def use_login_link(token: str) -> BaseResponse | str | tuple[str, int]:
    """Follow a login link: log in here and, from the popup's flow, on the article."""
    state = current_state()
    if not state.login_links:
        abort(404)
    popup_origin()
    session = db_session()
    try:
        reader = reader_from_link(session, current_app.secret_key, PURPOSE, token,
                                  state.login_link_max_age, session_binding)
    except InvalidLink as error:
        return _bad_link(error.expired)
    try:
        reader_service.ensure_may_act(reader)
    except WidgetError as error:
        return render_template("comments_widget/verify_invalid.html", message=error.message,
                               args=carry_args()), 403
    if not spend(session, token, state.login_link_max_age):
        return _bad_link(expired=False)
    if reader.email_verified_at is None:
        confirm_email(session, reader)
    session.commit()
    start_session(reader)
    return finish_login(reader)


def _bad_link(expired: bool) -> tuple[str, int]:
    return render_template("comments_widget/login_link_invalid.html", expired=expired,
                           args=carry_args()), 400


def register(pages: Blueprint) -> None:
    """Add the login-link pages to the reader pages blueprint."""
    pages.add_url_rule("/login/link", "request_login_link", request_login_link,
                       methods=["GET", "POST"])
    pages.add_url_rule("/login/link/<token>", "use_login_link", use_login_link)
