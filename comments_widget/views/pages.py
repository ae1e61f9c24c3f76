"""Reader pages on the comment server: register, log in (in the embed's popup), log out."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.local import LocalProxy
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.auth import end_session, session_reader, start_session
from comments_widget.errors import WidgetError
from comments_widget.forms import ConfirmForm, LoginForm, RegisterForm
from comments_widget.services import readers as reader_service
from comments_widget.services.verification import ensure_may_log_in
from comments_widget.state import allowed_origins, current_state, db_session
from comments_widget.urls import safe_redirect_target
from comments_widget.views import sign_in_with, verify
from comments_widget.views.limits import (
    check_client,
    check_login_allowed,
    count_client,
    count_failed_login,
)
from comments_widget.views.popup import carry_args, finish_login, form_answer, popup_origin

# The handoff page carries a live token, and the login pages take passwords: never framed
# (clickjacking), never cached, and no inline script may run on them.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def login() -> BaseResponse | str | tuple[str, int, dict[str, str]]:
    """Email and password; success logs the reader in here and, in a popup, in the embed."""
    popup_origin()
    refusal: WidgetError | None = None
    if session_reader() is not None and request.method == "GET":
        return render_template("comments_widget/continue.html", form=ConfirmForm(),
                               args=carry_args())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            check_login_allowed(form.email.data)
            reader = reader_service.authenticate(db_session(), form.email.data, form.password.data)
            ensure_may_log_in(reader, current_state().email_verification)
        except WidgetError as error:
            count_failed_login(form.email.data, error)
            form.form_errors.append(error.message)
            refusal = error
        else:
            start_session(reader)
            sign_in_with.link_after_login(reader)
            return finish_login(reader)
    page = render_template("comments_widget/login.html", form=form, args=carry_args(),
                           can_reset=current_state().mail is not None,
                           login_links=current_state().login_links,
                           providers=current_state().sign_in_providers.values(),
                           link=sign_in_with.pending_link(),
                           unconfirmed=getattr(refusal, "code", "") == "email_not_verified")
    return form_answer(page, refusal)


def continue_as() -> BaseResponse | str:
    """An already logged-in reader confirms they want to comment under this account."""
    popup_origin()
    reader = session_reader()
    if reader is None:
        return redirect(url_for("comments_widget.pages.login", **carry_args()))
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form expired; go back and try again.")
    return finish_login(reader)


def register() -> BaseResponse | str | tuple:
    """Create an account; log in with it at once, or (with email verification on) once the
    emailed link is followed. With verification on, a taken address gets the same answer."""
    popup_origin()
    refusal: WidgetError | None = None
    form = RegisterForm()
    verifying = current_state().email_verification != "off"
    if form.validate_on_submit():
        session = db_session()
        try:
            check_client(current_state().register_rate_limit, "register")
            reader = reader_service.register_reader(
                session, email=form.email.data, display_name=form.display_name.data,
                password=form.password.data,
                min_password_length=current_state().min_password_length,
            )
            session.commit()
            count_client(current_state().register_rate_limit, "register")
        except WidgetError as error:
            if verifying and error.code == "email_taken":
                count_client(current_state().register_rate_limit, "register")
                return verify.answer_registration(reader_service.normalize_email(
                    form.email.data), None)
            refusal = error
            field = form.email if error.code == "email_taken" else (
                form.password if error.code.startswith("password") else
                form.display_name if error.code.startswith("display_name") else None)
            if field is None:
                form.form_errors.append(error.message)
            else:
                field.errors = [*field.errors, error.message]
        else:
            if verifying:
                return verify.answer_registration(reader.email, reader)
            start_session(reader)
            return finish_login(reader)
    page = render_template("comments_widget/register.html", form=form, args=carry_args(),
                           min_password_length=current_state().min_password_length)
    return form_answer(page, refusal)


def logout() -> BaseResponse | str:
    """Log out of the comment server, and everywhere else this reader is logged in."""
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        end_session(session_reader())
        db_session().commit()
        target = safe_redirect_target(request.args.get("next"), allowed_origins())
        return redirect(target or url_for("comments_widget.pages.login"))
    return render_template("comments_widget/logout.html", form=form)


def reader_in_templates() -> dict[str, object]:
    """`current_reader` for our templates: ours, never the host's `current_user`.

    Looked up only when a template uses it, so an error page can render with the database down.
    """
    return {"current_reader": LocalProxy(session_reader)}


def add_security_headers(response: Response) -> Response:
    """Apply SECURITY_HEADERS and forbid caching of every reader page."""
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response


def create_blueprint() -> Blueprint:
    """The reader pages blueprint."""
    pages = Blueprint("pages", __name__)
    pages.after_request(add_security_headers)
    pages.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    pages.add_url_rule("/login/continue", "continue_as", continue_as, methods=["POST"])
    pages.add_url_rule("/register", "register", register, methods=["GET", "POST"])
    pages.add_url_rule("/logout", "logout", logout, methods=["GET", "POST"])
    return pages
