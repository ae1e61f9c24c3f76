"""Confirming an email address: the mail sent on registration, its link, and "send it again".

With COMMENTS_WIDGET_EMAIL_VERIFICATION on, registration always answers "check your email",
whether or not the address already has an account (its owner then gets an email saying so),
so the form tells a stranger nothing. The link confirms the address and logs the reader in,
once; a popup waiting for it hands the login to the article (static/waiting.js).
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from flask import Blueprint, current_app, render_template, url_for
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
    email_binding,
    make_link_token,
    reader_from_link,
)
from comments_widget.state import current_state, db_session
from comments_widget.views.emails import COULD_NOT_SEND, mail_to_address, public_url, site_name
from comments_widget.views.popup import carry_args, finish_login, form_answer, popup_origin

logger = logging.getLogger("comments_widget")
PURPOSE = "verify"


def _confirmation(settings: mail.MailSettings, reader: Reader) -> EmailMessage:
    token = make_link_token(current_app.secret_key, PURPOSE, reader, email_binding(reader))
    link = public_url("comments_widget.pages.verify_email", token=token, **carry_args())
    hours = int(current_state().verify_link_max_age.total_seconds() // 3600)
    name = site_name()
    return mail.compose(settings, reader.email or "", _("Confirm your email address for {name}",
                                                        name=name), [
        _("Hello {name},", name=reader.display_name),
        _("Confirm this address to finish your comments account on {name}; the link also logs "
          "you in. It works once, for {hours} hours.", name=name, hours=hours),
        _("If you did not create an account, ignore this email and nothing will happen."),
    ], link=(_("Confirm my email address"), link))


def _already_registered(settings: mail.MailSettings, email: str) -> EmailMessage:
    name = site_name()
    return mail.compose(settings, email, _("You already have an account on {name}", name=name), [
        _("Hello,"),
        _("Someone (perhaps you) tried to create a comments account on {name} with this "
          "address. You already have one: log in with it, or choose a new password here if "
          "you have forgotten it.", name=name),
        _("If it was not you, ignore this email: nothing has changed."),
    ], link=(_("Choose a new password"), public_url("comments_widget.pages.forgot_password")))


def send_confirmation(reader: Reader) -> None:
    """Mail the reader a link confirming their current address; MailFailed if it cannot go."""
    settings = current_state().mail
    if settings is None:
        raise mail.MailFailed("email is off (COMMENTS_WIDGET_SMTP_HOST)")
    mail.deliver(settings, _confirmation(settings, reader))


def check_email_page(email: str) -> str:
    """The one answer to a registration or a resend, whatever the address."""
    return render_template("comments_widget/check_email.html", email=email,
                           origin=popup_origin(), args=carry_args(),
                           login_url=url_for("comments_widget.pages.login", **carry_args()))


def answer_registration(email: str, reader: Reader | None) -> BaseResponse | str | tuple:
    """After a registration with verification on: mail the new reader their link (or the
    owner of a taken address a note), then the same page either way."""
    settings = current_state().mail
    assert settings is not None  # config.validate requires mail when verification is on.
    try:
        if reader is None:
            mail.deliver(settings, _already_registered(settings, email))
        else:
            mail.deliver(settings, _confirmation(settings, reader))
    except mail.MailFailed as error:
        # The account is kept; "send it again" works once the mail server answers.
        logger.error("Could not send a confirmation email: %s", error)
        return render_template("comments_widget/check_email.html", email=email,
                               failed=_(COULD_NOT_SEND), origin=popup_origin(), args=carry_args(),
                               login_url=url_for("comments_widget.pages.login",
                                                 **carry_args())), 503
    return check_email_page(email)


def verify_email(token: str) -> BaseResponse | str | tuple[str, int]:
    """The emailed link: confirm the address, log the reader in, hand over to the article."""
    popup_origin()
    state = current_state()
    session = db_session()
    try:
        reader = reader_from_link(session, current_app.secret_key, PURPOSE, token,
                                  state.verify_link_max_age, email_binding)
    except InvalidLink as error:
        return render_template("comments_widget/verify_invalid.html", expired=error.expired,
                               args=carry_args()), 400
    if reader.email_verified_at is not None:  # Used before: it confirms, but logs in once.
        return render_template("comments_widget/verify_done.html", args=carry_args())
    try:
        reader_service.ensure_may_act(reader)
    except WidgetError as error:
        return render_template("comments_widget/verify_invalid.html", message=error.message,
                               args=carry_args()), 403
    released = confirm_email(session, reader)
    session.commit()
    logger.info("Reader %s confirmed their address; %d held comments released",
                reader.id, released)
    start_session(reader)
    return finish_login(reader)


def resend_confirmation() -> BaseResponse | str | tuple[str, int, dict[str, str]]:
    """Send the confirmation link again (same answer for every address)."""
    popup_origin()
    state = current_state()
    settings = state.mail
    form = ForgotForm()
    refusal: WidgetError | None = None
    if settings is not None and form.validate_on_submit():
        email = reader_service.normalize_email(form.email.data)
        try:
            mail_to_address(email, lambda reader: None if reader.email_verified_at
                            else _confirmation(settings, reader))
        except RateLimited as error:
            refusal = error
            form.form_errors.append(error.message)
        except mail.MailFailed as error:
            logger.error("Could not send a confirmation email: %s", error)
            form.form_errors.append(_(COULD_NOT_SEND))
            return render_template("comments_widget/resend.html", form=form,
                                   args=carry_args()), 503, {"Retry-After": "60"}
        else:
            return check_email_page(email)
    page = render_template("comments_widget/resend.html", form=form, args=carry_args())
    return form_answer(page, refusal)


def register(pages: Blueprint) -> None:
    """Add the confirmation pages to the reader pages blueprint."""
    pages.add_url_rule("/verify/<token>", "verify_email", verify_email)
    pages.add_url_rule("/verify", "resend_confirmation", resend_confirmation,
                       methods=["GET", "POST"])
