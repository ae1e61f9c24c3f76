"""JSON plumbing shared by the API: errors, request bodies, CORS and origin checks."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from wtforms.validators import ValidationError

from comments_widget.auth import api_reader, authenticated_by_token
from comments_widget.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
    WidgetError,
)
from comments_widget.i18n import gettext as _
from comments_widget.models import Reader
from comments_widget.services.comments import ThreadRef
from comments_widget.services.readers import ensure_may_act
from comments_widget.state import allowed_origins, current_state, rollback_db_session
from comments_widget.urls import InvalidUrl, normalize_url, origin_of
from comments_widget.views.guards import MAX_REQUEST_BYTES, UnstorableText, has_unstorable_text

STATUS_BY_ERROR: dict[type[WidgetError], int] = {
    InvalidInput: 400, NotAuthenticated: 401, Forbidden: 403, NotFound: 404, Conflict: 409,
    RateLimited: 429,
}
# A few codes need a status more precise than their error class gives.
STATUS_BY_CODE = {"unsupported_media_type": 415, "payload_too_large": 413}
TOO_LARGE = f"Request bodies are limited to {MAX_REQUEST_BYTES // 1024} KB."
CORS_ALLOWED_HEADERS = "Authorization, Content-Type, X-CSRFToken, Accept-Language"
CORS_ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"


def error_response(code: str, message: str, status: int) -> Response:
    """The API's one error shape: {"error": code, "message": text}."""
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


def handle_widget_error(error: WidgetError) -> Response:
    """Translate a service refusal into its HTTP status and JSON body."""
    status = STATUS_BY_CODE.get(error.code) or next(
        (s for cls, s in STATUS_BY_ERROR.items() if isinstance(error, cls)), 400
    )
    response = error_response(error.code, error.message, status)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def handle_http_error(error: HTTPException) -> Response:
    """Werkzeug's own errors (405, 413, a body too large to read) in the same JSON shape."""
    if isinstance(error, RequestEntityTooLarge):
        return error_response("payload_too_large", TOO_LARGE, 413)
    code = getattr(error, "api_code", None) or (error.name or "error").lower().replace(" ", "_")
    response = error_response(code, error.description or error.name, error.code or 500)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def unknown_route(rest: str = "") -> Response:
    """Any other path under the API: a JSON 404, or a JSON 405 where only the method is wrong.

    Routing errors happen before Flask knows which blueprint a request is for, so without this
    catch-all they would get the host app's HTML error pages.
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set()
    for method in ("GET", "POST", "PATCH", "DELETE", "PUT"):
        try:
            endpoint, _values = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            allowed.add(method)
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed | {"OPTIONS"} | (
            {"HEAD"} if "GET" in allowed else set())))
    return error_response("not_found", "There is no such API route; see /api/v1/openapi.json.",
                          404)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a clear refusal of anything else."""
    if request.content_length and request.content_length > MAX_REQUEST_BYTES:
        raise InvalidInput(TOO_LARGE, code="payload_too_large")
    if not request.is_json:
        raise InvalidInput("Send the request body as JSON (Content-Type: application/json).",
                           code="unsupported_media_type")
    raw = request.get_data(cache=True)
    if len(raw) >= MAX_REQUEST_BYTES:
        # A chunked body has no Content-Length; the stream stops reading at the limit.
        raise InvalidInput(TOO_LARGE, code="payload_too_large")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        # RecursionError: a body nested thousands of levels deep.
        raise InvalidInput("The request body is not valid JSON.", code="invalid_json") from error
    if not isinstance(data, dict):
        raise InvalidInput("The request body is not a JSON object.", code="invalid_json")
    if has_unstorable_text([data]):
        raise InvalidInput(UnstorableText.description, code="invalid_text")
    return data


def own_origin() -> str | None:
    """The origin this server is reached at, so same-origin pages need no allow-list entry."""
    return origin_of(request.host_url)


def check_request_origin() -> None:
    """Refuse calls made by pages on origins the site owner has not allowed.

    Browsers send Origin on cross-origin requests and on same-origin POSTs; API clients that
    are not browsers send none and are judged by their token alone.
    """
    origin = request.headers.get("Origin")
    if origin is None or origin == own_origin():
        return
    if origin_of(origin) not in allowed_origins():
        raise Forbidden(f"Comments are not enabled for pages on {origin}.",
                        code="origin_not_allowed")


def add_cors_headers(response: Response) -> Response:
    """Let allowed origins read API answers; never allow credentials (the embed uses tokens)."""
    return cors_headers(response, request.headers.get("Origin"))


def cors_headers(response: Response, origin: str | None) -> Response:
    """The CORS headers for a request from `origin`; needs an app context, not a request."""
    response.vary.add("Origin")
    try:
        allowed = allowed_origins()
    except sa.exc.SQLAlchemyError:
        # An error answer (503, or a 500 from a bug) must still reach the embed, which cannot
        # read a response without these headers: fall back to the configured origins.
        rollback_db_session()
        allowed = current_state().allowed_origins
    if origin and origin_of(origin) in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = CORS_ALLOWED_HEADERS
        response.headers["Access-Control-Allow-Methods"] = CORS_ALLOWED_METHODS
        response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def require_csrf_header() -> None:
    """Cookie-authenticated API writes must echo the CSRF token; bearer-token writes need not.

    A cookie rides along with any cross-site request, a bearer token only with our own script.
    """
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError as error:
        raise Forbidden("The page's security token is missing or has expired; reload the page.",
                        code="csrf_failed") from error


MAX_THREAD_ID_LENGTH = 200


def thread_ref(url: object, thread_id: object = None) -> ThreadRef:
    """Check an article URL against the allow-list and derive the thread it belongs to.

    An explicit thread id is scoped to the article's site: two sites that both call an article
    "article-42" get two threads.
    """
    if not isinstance(url, str):
        raise InvalidInput("Say which article: pass its URL as `url`.", code="url_required")
    try:
        normalized = normalize_url(url)
    except InvalidUrl as error:
        raise InvalidInput(f"Bad article URL: {error}.", code="invalid_url") from error
    if origin_of(normalized) not in allowed_origins():
        raise Forbidden(f"Comments are not enabled for {origin_of(normalized)}.",
                        code="origin_not_allowed")
    key = normalized
    if thread_id not in (None, ""):
        key = explicit_key(origin_of(normalized) or "", thread_id)
    return ThreadRef(key=key, url=normalized)


def explicit_key(site: str, thread_id: object) -> str:
    """The key of a thread a site names itself (`data-comments-id`), scoped to that site."""
    if not isinstance(thread_id, str) or not thread_id.strip() \
            or len(thread_id) > MAX_THREAD_ID_LENGTH:
        raise InvalidInput(f"thread_id must be text of at most {MAX_THREAD_ID_LENGTH} "
                           "characters.", code="invalid_thread_id")
    return f"id:{site} {thread_id.strip()}"


def require_reader() -> Reader:
    """The logged-in reader; a cookie-authenticated write must also carry the CSRF header."""
    reader = api_reader()
    if reader is None:
        raise NotAuthenticated(_("Log in to comment."), code="not_logged_in")
    ensure_may_act(reader)
    if not authenticated_by_token() and request.method not in ("GET", "HEAD", "OPTIONS"):
        require_csrf_header()
    return reader
