"""The reader's own account page on the comment server (first-party, reached from the embed):
display name, email address, password, and logging out everywhere (their data, claiming
imported comments and deleting the account: my_data.py)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from comments_widget import mail
from comments_widget.auth import end_session, session_reader, start_session
from comments_widget.errors import InvalidInput, NotAuthenticated, WidgetError
from comments_widget.forms import (
    ConfirmForm,
    EmailChangeForm,
    EmailPreferencesForm,
    EraseForm,
    NameForm,
    PasswordChangeForm,
)
from comments_widget.i18n import gettext as _
from comments_widget.models import Reader
from comments_widget.services import claims
from comments_widget.services import readers as reader_service
from comments_widget.services.announce import wants_replies
from comments_widget.state import current_policy, current_state, db_session
from comments_widget.views.notifications import announce_rules
from comments_widget.views.verify import send_confirmation

HOME = "comments_widget.pages.account"


def _forms(reader: Reader, **bound: object) -> dict[str, object]:
    forms: dict[str, object] = {
        "name_form": NameForm(prefix="name", display_name=reader.display_name),
        "email_form": EmailChangeForm(prefix="email"),
        "password_form": PasswordChangeForm(prefix="password"),
        "emails_form": EmailPreferencesForm(
            prefix="emails", digest=reader.digest_emails, decisions=reader.moderation_emails,
            replies=wants_replies(reader, current_state().reply_emails_default)),
        "form": ConfirmForm(prefix="everywhere"),
        "claim_form": ConfirmForm(prefix="claim"),
        "erase_form": EraseForm(prefix="erase"),
    }
    forms.update(bound)
    return forms


def page(reader: Reader, status: int = 200, **bound: object) -> tuple[str, int]:
    """The account page, with `bound` forms (holding what was typed and its errors)."""
    state = current_state()
    return render_template("comments_widget/account.html", reader=reader,
                           verification=state.email_verification,
                           min_password_length=state.min_password_length,
                           claimable=claims.claimable_count(db_session(), reader),
                           has_password=bool(reader.password_hash),
                           current_policy_erased=current_policy().erased_comments,
                           **_forms(reader, **bound)), status


def to_login() -> BaseResponse:
    """Anonymous visitors log in first and come back to the account page."""
    return redirect(url_for("comments_widget.pages.login", next=url_for(HOME)))


def account() -> BaseResponse | tuple[str, int]:
    """The account page; anonymous visitors log in first and come back here."""
    reader = session_reader()
    if reader is None:
        return to_login()
    return page(reader)


def _attempt(form_name: str, form: FlaskForm, change: Callable[[Reader], str]
             ) -> BaseResponse | tuple[str, int]:
    """Validate `form`, apply `change` to the logged-in reader, commit and say what changed;
    on a refusal show the page again with the form's error and nothing stored."""
    reader = session_reader()
    if reader is None:
        return to_login()
    if not form.validate_on_submit():
        return page(reader, 400, **{form_name: form})
    session = db_session()
    try:
        reader_service.ensure_may_act(reader)
        message = change(reader)
        session.commit()
    except WidgetError as error:
        session.rollback()
        form.form_errors.append(error.message)
        return page(session.get(Reader, reader.id), 400, **{form_name: form})
    flash(message, "success")
    return redirect(url_for(HOME))


def change_name() -> BaseResponse | tuple[str, int]:
    """A new display name (the same rules as at registration)."""
    form = NameForm(prefix="name")

    def change(reader: Reader) -> str:
        reader_service.rename(db_session(), reader, form.display_name.data)
        return _("Your comments now show {name}.", name=reader.display_name)

    return _attempt("name_form", form, change)


def change_email() -> BaseResponse | tuple[str, int]:
    """Move the account to another address; with verification on, it is confirmed again."""
    form = EmailChangeForm(prefix="email")
    state = current_state()

    def change(reader: Reader) -> str:
        reverify = state.email_verification != "off"
        reader_service.change_email(db_session(), reader, form.email.data, form.password.data,
                                    reverify)
        if not reverify:
            return _("Your email address is now {email}.", email=reader.email)
        db_session().commit()
        try:
            send_confirmation(reader)
        except mail.MailFailed:
            return _("Your email address is now {email}, but we could not send the "
                     "confirmation link; ask for it again from the login page.",
                     email=reader.email)
        return _("Your email address is now {email}: follow the link we sent there.",
                 email=reader.email)

    return _attempt("email_form", form, change)


def change_password() -> BaseResponse | tuple[str, int]:
    """A new password; every other session and token of the reader ends."""
    form = PasswordChangeForm(prefix="password")

    def change(reader: Reader) -> str:
        if not reader_service.password_matches(reader, form.current.data):
            raise NotAuthenticated(_("Your current password is not right."),
                                   code="invalid_credentials")
        reader_service.change_password(db_session(), reader, form.password.data,
                                       current_state().min_password_length)
        start_session(reader)  # This browser stays logged in; every other one is out.
        return _("Your password is changed; you are logged out everywhere else.")

    return _attempt("password_form", form, change)


def change_email_preferences() -> BaseResponse | tuple[str, int]:
    """Which optional emails the reader gets: what moderators decided on their held comments,
    and (staff) the digest of held comments."""
    form = EmailPreferencesForm(prefix="emails")

    def change(reader: Reader) -> str:
        if form.replies.data and not announce_rules().may_email(reader):
            raise InvalidInput(_("Confirm your email address first: we only write to "
                                 "confirmed addresses."), code="email_unconfirmed")
        reader.reply_emails = bool(form.replies.data)
        reader.moderation_emails = bool(form.decisions.data)
        if reader.is_moderator:
            reader.digest_emails = bool(form.digest.data)
        return _("Your email preferences are saved.")

    return _attempt("emails_form", form, change)


def log_out_everywhere() -> BaseResponse | tuple[str, int]:
    """End every session and token of the reader, this browser's included."""
    reader = session_reader()
    if reader is None or not ConfirmForm(prefix="everywhere").validate_on_submit():
        return redirect(url_for("comments_widget.pages.login"))
    end_session(reader)
    db_session().commit()
    return redirect(url_for("comments_widget.pages.login"))


def register(pages: Blueprint) -> None:
    """Add the account pages to the reader pages blueprint."""
    pages.add_url_rule("/account", "account", account)
    pages.add_url_rule("/account/name", "change_name", change_name, methods=["POST"])
    pages.add_url_rule("/account/email", "change_email", change_email, methods=["POST"])
    pages.add_url_rule("/account/password", "change_password", change_password,
                       methods=["POST"])
    pages.add_url_rule("/account/emails", "change_email_preferences", change_email_preferences,
                       methods=["POST"])
    pages.add_url_rule("/account/everywhere", "log_out_everywhere", log_out_everywhere,
                       methods=["POST"])
