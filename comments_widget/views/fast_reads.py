"""The two public reads, answered before Flask routes the request: same answers, less work.

A thread page and the comment counts are identical for every reader and need nothing of the
request but its query string, If-None-Match and Origin. Flask's per-request machinery (the
request context, routing, opening the session cookie, the hooks) was most of the time of an
answer that is already cached (bench/profile_request.py; bench/README.md has the numbers), so
these two are answered here, inside an app context only, by the very functions the Flask views
call (views/reads.py), with the same CORS headers.

Anything else goes to Flask untouched, and so does anything unusual about these two: another
method, a refused origin, text no column can store, a bad parameter, a bug. Their answers keep
their one shape and handler. A database outage is answered here as Flask would (503, JSON,
Retry-After), so a dead database is not waited for twice.

The host app's own before/after-request hooks do not run for these two reads; an app that
needs them sets COMMENTS_WIDGET_FAST_READS = False (docs/deploy.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response
from werkzeug.wrappers import Request

from comments_widget.state import allowed_origins
from comments_widget.urls import origin_of
from comments_widget.views.guards import has_unstorable_text
from comments_widget.views.http import cors_headers
from comments_widget.views.outages import UNAVAILABLE_ERRORS, api_unavailable
from comments_widget.views.reads import counts_answer, thread_answer

logger = logging.getLogger(__name__)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _may_hold_unstorable_text(query_string: str) -> bool:
    """True if the parsed query could hold a NUL or a lone surrogate (guards.py); checked on
    the raw string so that a cached answer needs no parsing. Flask decides the doubtful ones:
    a NUL only comes from %00, and werkzeug keeps any invalid UTF-8 (%ED%A0…) percent-encoded,
    so anything else non-ASCII or %ED-like is simply handed on."""
    lowered = query_string.lower()
    return "%00" in lowered or "%ed" in lowered or not query_string.isascii() \
        or "\x00" in query_string


def _thread(request: Request) -> Response:
    return thread_answer(request.args, request.if_none_match)


def _counts(request: Request) -> Response:
    return counts_answer(request.environ.get("QUERY_STRING", ""), lambda: request.args)


class FastReads:
    """WSGI middleware: GET/HEAD of `{prefix}/api/v1/threads` and `/counts` answered directly;
    everything else passed to the wrapped app."""

    def __init__(self, app: Flask, wrapped: WsgiApp, prefix: str) -> None:
        self._app = app
        self._wrapped = wrapped
        self._answers: dict[str, Callable[[Request], Response]] = {
            f"{prefix}/api/v1/threads": _thread, f"{prefix}/api/v1/counts": _counts}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        answer = self._answers.get(environ.get("PATH_INFO", ""))
        if answer is not None and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            response = self._answer(answer, Request(environ))
            if response is not None:
                return response(environ, start_response)
        return self._wrapped(environ, start_response)

    def _answer(self, answer: Callable[[Request], Response], request: Request
                ) -> Response | None:
        """The answer, or None to let Flask give it."""
        if _may_hold_unstorable_text(request.environ.get("QUERY_STRING", "")) \
                or has_unstorable_text([request.path]):
            return None
        origin = request.headers.get("Origin")
        with self._app.app_context():
            try:
                if origin is not None and origin != origin_of(request.host_url) \
                        and origin_of(origin) not in allowed_origins():
                    return None  # Flask refuses it (403 origin_not_allowed)
                return cors_headers(answer(request), origin)
            except UNAVAILABLE_ERRORS as error:
                return cors_headers(api_unavailable(error), origin)
            except Exception:  # noqa: BLE001 - Flask's handlers answer it, in their shape
                return None
