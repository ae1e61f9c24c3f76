"""JSON plumbing shared by the API: errors, request bodies, CORS and origin checks."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms.validators import ValidationError

from comments_widget.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
    WidgetError,
)
from comments_widget.state import allowed_origins
from comments_widget.urls import origin_of

STATUS_BY_ERROR: dict[type[WidgetError], int] = {
    InvalidInput: 400, NotAuthenticated: 401, Forbidden: 403, NotFound: 404, Conflict: 409,
    RateLimited: 429,
}
# A few codes need a status more precise than their error class gives.
STATUS_BY_CODE = {"unsupported_media_type": 415, "payload_too_large": 413}
MAX_REQUEST_BYTES = 256 * 1024
CORS_ALLOWED_HEADERS = "Authorization, Content-Type, X-CSRFToken"
CORS_ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"


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
    """Werkzeug's own errors (405, 404 inside the API) in the same JSON shape."""
    code = (error.name or "error").lower().replace(" ", "_")
    return error_response(code, error.description or error.name, error.code or 500)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a clear refusal of anything else."""
    if request.content_length and request.content_length > MAX_REQUEST_BYTES:
        raise InvalidInput(f"Request bodies are limited to {MAX_REQUEST_BYTES // 1024} KB.",
                           code="payload_too_large")
    if not request.is_json:
        raise InvalidInput("Send the request body as JSON (Content-Type: application/json).",
                           code="unsupported_media_type")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("The request body is not a JSON object.", code="invalid_json")
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
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin and origin_of(origin) in allowed_origins():
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
