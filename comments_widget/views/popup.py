"""The login popup's thread through every reader page: which article opened it, where to go
next, and how a finished login reaches that article (a token handed over with postMessage)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.errors import RateLimited, WidgetError
from comments_widget.models import Reader
from comments_widget.services import readers as reader_service
from comments_widget.state import allowed_origins, current_state, db_session
from comments_widget.urls import origin_of, safe_redirect_target
from comments_widget.views.payloads import reader_json


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
