"""The login popup's thread through every reader page: which article opened it, where to go
next, and how a finished login reaches that article (a token handed over with postMessage)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.db import UNAVAILABLE_ERRORS
from comments_widget.errors import RateLimited, WidgetError
from comments_widget.i18n import current_language, markup_gettext, text_direction
from comments_widget.models import Reader
from comments_widget.services import readers as reader_service
from comments_widget.services import sites
from comments_widget.state import allowed_origins, current_state, db_session, rollback_db_session
from comments_widget.urls import origin_of, safe_redirect_target
from comments_widget.views.payloads import reader_json


def popup_origin(args: Mapping[str, str] | None = None) -> str | None:
    """The allowed origin of the article page that opened this popup, if one did (from this
    request, or from `args` carried across a trip to an identity provider)."""
    origin = (request.args if args is None else args).get("origin")
    if origin is None:
        return None
    if origin_of(origin) != origin or origin not in allowed_origins():
        abort(400, description=f"Comments are not enabled for pages on {origin}.")
    return origin


def carry_args() -> dict[str, str]:
    """Query parameters that follow the reader from page to page (login ↔ register)."""
    return {key: request.args[key] for key in ("origin", "next", "lang")
            if key in request.args}


def page_site_name() -> str:
    """The news site a popup page speaks for: the name the dashboard gives the article's site,
    else COMMENTS_WIDGET_SITE_NAME, else the site's host."""
    origin = request.args.get("origin")
    if origin:
        try:
            site = sites.site_for(db_session(), origin) if origin in allowed_origins() else None
        except UNAVAILABLE_ERRORS:
            rollback_db_session()
            site = None
        if site is not None and site.name:
            return site.name
    configured = current_app.config["COMMENTS_WIDGET_SITE_NAME"]
    if configured:
        return configured
    return urlsplit(origin).hostname or request.host if origin else request.host


def page_context() -> dict[str, object]:
    """What every reader page's template may use: `_`, the language, the site's name."""
    return {"_": markup_gettext, "lang": current_language(), "dir": text_direction(),
            "site_name": page_site_name()}


def finish_login(reader: Reader, args: Mapping[str, str] | None = None
                 ) -> BaseResponse | str:
    """After a successful login: hand a token to the embed, or go where the reader was going."""
    args = request.args if args is None else args
    origin = popup_origin(args)
    if origin is not None:
        session = db_session()
        token = reader_service.issue_token(session, reader, current_state().token_max_age)
        session.commit()
        back = safe_redirect_target(args.get("next"), allowed_origins())
        return render_template("comments_widget/handoff.html", token=token, origin=origin,
                               reader=reader_json(reader), back=back)
    target = safe_redirect_target(args.get("next"), allowed_origins())
    return redirect(target or url_for("comments_widget.pages.account"))


def form_answer(page: str, refusal: WidgetError | None) -> tuple[str, int, dict[str, str]]:
    """A form page again: 200 on first sight, 400 with errors, 429 with Retry-After when
    rate-limited."""
    if isinstance(refusal, RateLimited):
        return page, 429, {"Retry-After": str(refusal.retry_after)}
    return page, 400 if request.method == "POST" else 200, {}
