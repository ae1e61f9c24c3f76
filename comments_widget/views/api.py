"""The JSON API under /api/v1: parse, call a service, answer JSON."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from flask import Blueprint, Response, jsonify, request
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from comments_widget.auth import api_reader, authenticated_by_token, current_token
from comments_widget.errors import Forbidden, InvalidInput, NotAuthenticated, WidgetError
from comments_widget.models import Reader, Status, utcnow
from comments_widget.services import comments as comment_service
from comments_widget.services import flags, reading
from comments_widget.services import readers as reader_service
from comments_widget.services.comments import MAX_TITLE_LENGTH, ThreadRef
from comments_widget.services.policy import thread_is_closed
from comments_widget.services.reading import CommentRow
from comments_widget.state import allowed_origins, current_policy, current_state, db_session
from comments_widget.urls import InvalidUrl, normalize_url, origin_of
from comments_widget.views import http
from comments_widget.views.notifications import notify_moderators_soon
from comments_widget.views.openapi import openapi_json
from comments_widget.views.payloads import comment_json, comment_tree, reader_json, thread_json

MAX_COUNT_URLS = 100
MAX_THREAD_ID_LENGTH = 200


def thread_ref(url: object, thread_id: object = None, title: object = "") -> ThreadRef:
    """Check an article URL against the allow-list and derive the thread it belongs to."""
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
        if not isinstance(thread_id, str) or len(thread_id) > MAX_THREAD_ID_LENGTH:
            raise InvalidInput(f"thread_id must be text of at most {MAX_THREAD_ID_LENGTH} "
                               "characters.", code="invalid_thread_id")
        key = thread_id
    clean_title = " ".join(title.split())[:MAX_TITLE_LENGTH] if isinstance(title, str) else ""
    return ThreadRef(key=key, url=normalized, title=clean_title)


def require_reader() -> Reader:
    """The logged-in reader; a cookie-authenticated write must also carry the CSRF header."""
    reader = api_reader()
    if reader is None:
        raise NotAuthenticated("Log in to comment.", code="not_logged_in")
    if not authenticated_by_token() and request.method not in ("GET", "HEAD", "OPTIONS"):
        http.require_csrf_header()
    return reader


PAYLOAD_FORMAT = 2  # Bump when the payload's shape changes, so no cached copy outlives it.


def _page_args() -> tuple[int | None, int]:
    after, limit = request.args.get("after"), request.args.get("limit")
    page_size = current_state().thread_page_size
    if after is not None and not after.isdigit():
        raise InvalidInput("`after` must be a comment id.", code="invalid_cursor")
    if limit is not None and (not limit.isdigit() or not 1 <= int(limit) <= page_size):
        raise InvalidInput(f"`limit` must be between 1 and {page_size}.", code="invalid_limit")
    return (int(after) if after else None), (int(limit) if limit else page_size)


def _cacheable(response: Response, etag: str) -> Response:
    # Identical for every reader, so shared caches may keep it; the strong ETag (from the
    # thread's version) makes revalidation a one-query 304.
    max_age = current_state().thread_max_age
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age}, stale-while-revalidate={max_age * 6}")
    return response


def get_thread() -> Response:
    """The public payload of one page of a thread: identical for every reader, cacheable."""
    ref = thread_ref(request.args.get("url"), request.args.get("thread_id"))
    after, limit = _page_args()
    session = db_session()
    state = current_state()
    now = time.monotonic()
    thread = state.summaries.get(ref.key, now)
    if thread is None:
        thread = reading.thread_summary(session, ref.key)
        if thread is not None:
            state.summaries.put(ref.key, thread, now)
    if thread is None:
        etag = f"{PAYLOAD_FORMAT}-none"
        if request.if_none_match.contains(etag):
            return _cacheable(Response(status=304), etag)
        return _cacheable(jsonify(thread=None, comments=[], next=None), etag)
    count = thread.comment_count
    closed = thread_is_closed(thread, current_policy(), utcnow())
    etag = f"{PAYLOAD_FORMAT}-{thread.id}-{thread.version}-{int(closed)}-{after or 0}-{limit}"
    if request.if_none_match.contains(etag):
        return _cacheable(Response(status=304), etag)
    cache = state.payloads
    payload = cache.get(etag)
    if payload is None:
        page = reading.thread_page(session, thread, after, limit)
        payload = json.dumps({
            "thread": thread_json(thread, count, closed),
            "comments": comment_tree(page.comments, thread.pinned_comment_id),
            "next": page.next_after,
        }, separators=(",", ":")).encode()
        cache.put(etag, payload)
    return _cacheable(Response(payload, mimetype="application/json"), etag)


def get_my_thread_state() -> Response:
    """What only this reader sees of a thread: their comments awaiting moderation, and which
    of theirs they may still edit. Small and private, so the public payload stays shared."""
    reader = api_reader()
    body: dict[str, object] = {"pending": [], "editable": []}
    ref = thread_ref(request.args.get("url"), request.args.get("thread_id"))
    session = db_session()
    thread = reading.thread_summary(session, ref.key) if reader else None
    if reader is not None and thread is not None:
        window = timedelta(minutes=current_policy().edit_window_minutes)
        now = utcnow()
        mine = reading.my_comments(session, thread.id, reader.id)
        body["pending"] = [comment_json(c) for c in mine if c.status == Status.PENDING]
        body["editable"] = [c.id for c in mine if c.created_at + window >= now]
    response = jsonify(body)
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def post_comment() -> tuple[Response, int]:
    """Post a comment or a reply; the first comment on an article creates its thread."""
    reader = require_reader()
    data = http.json_body()
    ref = thread_ref(data.get("url"), data.get("thread_id"), data.get("title", ""))
    state = current_state()
    state.limiter.hit(state.post_rate_limit, "post", str(reader.id))
    session = db_session()
    comment = comment_service.post_comment(
        session, author=reader, ref=ref, body=data.get("body"), parent_id=data.get("parent_id"),
        rules=state.posting_rules, policy=current_policy(),
    )
    session.commit()
    if comment.status == Status.PENDING:
        notify_moderators_soon()
    return jsonify(comment_json(CommentRow.of(comment))), 201


def edit_comment(comment_id: int) -> Response:
    """Change one's own comment within the policy's edit window."""
    reader = require_reader()
    data = http.json_body()
    session = db_session()
    comment = comment_service.edit_comment(
        session, reader=reader, comment_id=comment_id, body=data.get("body"),
        rules=current_state().posting_rules, policy=current_policy())
    session.commit()
    return jsonify(comment_json(CommentRow.of(comment)))


def delete_comment(comment_id: int) -> tuple[str, int]:
    """Take back one's own comment; its replies stay under a placeholder."""
    reader = require_reader()
    session = db_session()
    comment_service.delete_own_comment(session, reader=reader, comment_id=comment_id)
    session.commit()
    return "", 204


def flag_comment(comment_id: int) -> tuple[Response, int]:
    """Report a comment to the moderators, once per reader."""
    reader = require_reader()
    data = http.json_body()
    session = db_session()
    flags.flag_comment(session, reader, comment_id, data.get("reason"), data.get("text"),
                       current_policy().flag_threshold)
    session.commit()
    return jsonify(reported=True), 201


def get_counts() -> Response:
    """Approved comment counts for listing pages, keyed by the URLs exactly as asked."""
    urls = request.args.getlist("url")
    if not urls:
        raise InvalidInput("Pass one or more `url` parameters.", code="url_required")
    if len(urls) > MAX_COUNT_URLS:
        raise InvalidInput(f"Ask for at most {MAX_COUNT_URLS} URLs at once.",
                           code="too_many_urls")
    keys = {url: thread_ref(url).key for url in urls}
    state, now = current_state(), time.monotonic()
    cache_key = "\n".join(sorted(set(keys.values())))
    counts = state.counts.get(cache_key, now)
    if counts is None:
        counts = reading.comment_counts(db_session(), keys.values())
        state.counts.put(cache_key, counts, now)
    response = jsonify(counts={url: counts[key] for url, key in keys.items()})
    # The same for every reader of a listing page, and only a hint: cache it briefly anywhere.
    response.headers["Cache-Control"] = f"public, max-age={state.thread_max_age}"
    return response


def get_me() -> Response:
    """Who the caller is; a cookie-authenticated caller also gets the CSRF token for writes."""
    reader = api_reader()
    if reader is None:
        return jsonify(reader=None)
    body: dict[str, object] = {"reader": reader_json(reader)}
    if not authenticated_by_token():
        body["csrf_token"] = generate_csrf()
    return jsonify(body)


def create_token() -> tuple[Response, int]:
    """Exchange email and password for a bearer token (for API clients and scripts)."""
    data = http.json_body()
    state = current_state()
    state.limiter.hit(state.login_rate_limit, "login", request.remote_addr or "unknown")
    email, password = data.get("email"), data.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        raise InvalidInput("Send `email` and `password` as text.", code="credentials_required")
    session = db_session()
    reader = reader_service.authenticate(session, email, password)
    token = reader_service.issue_token(session, reader, state.token_max_age)
    session.commit()
    return jsonify(token=token, reader=reader_json(reader)), 201


def delete_current_token() -> tuple[str, int]:
    """Log out: revoke the bearer token this request carries."""
    api_reader()
    token = current_token()
    if token is None:
        raise NotAuthenticated("Send the token to revoke as `Authorization: Bearer …`.",
                               code="not_logged_in")
    session = db_session()
    reader_service.revoke_token(session, token)
    session.commit()
    return "", 204


def create_blueprint() -> Blueprint:
    """The API blueprint, with CORS and JSON errors scoped to it alone."""
    api = Blueprint("api", __name__, url_prefix="/api/v1")
    api.before_request(http.check_request_origin)
    api.after_request(http.add_cors_headers)
    api.register_error_handler(WidgetError, http.handle_widget_error)
    api.register_error_handler(HTTPException, http.handle_http_error)
    api.add_url_rule("/threads", "thread", get_thread)
    api.add_url_rule("/threads/mine", "my_thread_state", get_my_thread_state)
    api.add_url_rule("/comments", "post_comment", post_comment, methods=["POST"])
    api.add_url_rule("/comments/<int:comment_id>", "edit_comment", edit_comment,
                     methods=["PATCH"])
    api.add_url_rule("/comments/<int:comment_id>", "delete_comment", delete_comment,
                     methods=["DELETE"])
    api.add_url_rule("/comments/<int:comment_id>/flag", "flag_comment", flag_comment,
                     methods=["POST"])
    api.add_url_rule("/counts", "counts", get_counts)
    api.add_url_rule("/me", "me", get_me)
    api.add_url_rule("/tokens", "create_token", create_token, methods=["POST"])
    api.add_url_rule("/tokens/current", "delete_token", delete_current_token,
                     methods=["DELETE"])
    api.add_url_rule("/openapi.json", "openapi", openapi_json)
    return api
