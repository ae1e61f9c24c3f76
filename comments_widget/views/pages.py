"""Reader pages on the comment server: register, log in (in the embed's popup), log out."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.local import LocalProxy
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.auth import end_session, session_reader, start_session
from comments_widget.errors import RateLimited, WidgetError
from comments_widget.forms import ConfirmForm, LoginForm, RegisterForm
from comments_widget.models import Reader
from comments_widget.services import readers as reader_service
from comments_widget.state import allowed_origins, current_state, db_session
from comments_widget.urls import origin_of, safe_redirect_target
from comments_widget.views.limits import (
    check_client,
    check_login_allowed,
    count_client,
    count_failed_login,
)
from comments_widget.views.payloads import reader_json

# The handoff page carries a live token, and the login pages take passwords: never framed
# (clickjacking), never cached, and no inline script may run on them.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def popup_origin() -> str | None:
    """The allowed origin of the article page that opened this popup, if one did."""
    origin = request.args.get("origin")
    if origin is None:
        return None
    if origin_of(origin) != origin or origin not in allowed_origins():
        abort(400, description=f"Comments are not enabled for pages on {origin}.")
    return origin


def carry_args() -> dict[str, str]:
    """Query parameters that follow the reader from page to page (login ↔ register)."""
    return {key: request.args[key] for key in ("origin", "next") if key in request.args}


def finish_login(reader: Reader) -> BaseResponse | str:
    """After a successful login: hand a token to the embed, or go where the reader was going."""
    origin = popup_origin()
    if origin is not None:
        session = db_session()
        token = reader_service.issue_token(session, reader, current_state().token_max_age)
        session.commit()
        back = safe_redirect_target(request.args.get("next"), allowed_origins())
        return render_template("comments_widget/handoff.html", token=token, origin=origin,
                               reader=reader_json(reader), back=back)
    target = safe_redirect_target(request.args.get("next"), allowed_origins())
    return redirect(target or url_for("comments_widget.pages.account"))


def form_answer(page: str, refusal: WidgetError | None) -> tuple[str, int, dict[str, str]]:
    """A form page again: 200 on first sight, 400 with errors, 429 with Retry-After when
    rate-limited."""
    if isinstance(refusal, RateLimited):
        return page, 429, {"Retry-After": str(refusal.retry_after)}
    return page, 400 if request.method == "POST" else 200, {}


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
        except WidgetError as error:
            count_failed_login(form.email.data, error)
            form.form_errors.append(error.message)
            refusal = error
        else:
            start_session(reader)
            return finish_login(reader)
    page = render_template("comments_widget/login.html", form=form, args=carry_args(),
                           can_reset=current_state().mail is not None)
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


def register() -> BaseResponse | str | tuple[str, int, dict[str, str]]:
    """Create an account and log in with it straight away."""
    popup_origin()
    refusal: WidgetError | None = None
    form = RegisterForm()
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
            refusal = error
            field = form.email if error.code == "email_taken" else (
                form.password if error.code.startswith("password") else
                form.display_name if error.code.startswith("display_name") else None)
            if field is None:
                form.form_errors.append(error.message)
            else:
                field.errors = [*field.errors, error.message]
        else:
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


def account() -> BaseResponse | str:
    """Where a reader lands after logging in outside a popup."""
    if session_reader() is None:
        return redirect(url_for("comments_widget.pages.login"))
    return render_template("comments_widget/account.html", form=ConfirmForm())


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
    pages.add_url_rule("/account", "account", account)
    return pages
