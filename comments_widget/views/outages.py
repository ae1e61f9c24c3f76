"""Faults that are not the caller's: the database unreachable, slow or read-only.

Each answers 503 with Retry-After (and, on the API, the JSON error shape and CORS headers, so
the embed can read it and say "comments are temporarily unavailable") instead of a bare 500;
the operator gets one log line that says what to fix.
"""

from __future__ import annotations

import logging

from flask import Response, render_template

from comments_widget.db import UNAVAILABLE_ERRORS
from comments_widget.i18n import N_
from comments_widget.i18n import gettext as _
from comments_widget.state import current_state, rollback_db_session
from comments_widget.views.http import error_response

logger = logging.getLogger("comments_widget")
__all__ = ["UNAVAILABLE_ERRORS", "api_unavailable", "page_unavailable", "log_outage"]
RETRY_AFTER_SECONDS = 5
MESSAGE = N_("Comments are temporarily unavailable. Please try again in a moment.")


def log_outage(error: Exception) -> None:
    """Say what failed, naming the database file when SQLite cannot write to it."""
    rollback_db_session()
    engine = current_state().engine
    if engine.dialect.name == "sqlite" and "readonly" in str(error).replace("-", ""):
        path = (engine.url.database or "").removeprefix("file:").partition("?")[0]
        logger.error("The comment database %s (or its -wal/-shm files beside it) is read-only "
                     "for this process: make all three writable by the server's user.", path)
    else:
        logger.error("The comment database is unavailable: %s",
                     str(error).splitlines()[0] if str(error) else type(error).__name__)


def api_unavailable(error: Exception) -> Response:
    """503 in the API's JSON shape."""
    log_outage(error)
    response = error_response("service_unavailable", MESSAGE, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def page_unavailable(error: Exception) -> tuple[str, int, dict[str, str]]:
    """503 as a page, for the reader pages and the dashboard."""
    log_outage(error)
    return (render_template("comments_widget/unavailable.html", message=_(MESSAGE)), 503,
            {"Retry-After": str(RETRY_AFTER_SECONDS)})


def api_internal_error(error: Exception) -> Response:
    """A bug of ours: logged with its traceback, answered in the JSON shape (CORS intact)."""
    logger.exception("Unhandled error in the comments API", exc_info=error)
    rollback_db_session()
    return error_response("internal_error", "Something went wrong on the comment server; it "
                          "has been logged. Please try again.", 500)
