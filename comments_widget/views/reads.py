"""The public read side of the API: thread pages and counts, shared and cacheable."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import timedelta

from flask import Blueprint, Response, jsonify, request
from werkzeug.datastructures import ETags, MultiDict

from comments_widget.auth import api_reader
from comments_widget.errors import InvalidInput, NotFound
from comments_widget.ids import parse_id
from comments_widget.models import Status, utcnow
from comments_widget.services import announce, reading, votes
from comments_widget.services.policy import thread_is_closed
from comments_widget.state import (
    allowed_origins,
    current_policy,
    current_state,
    db_session,
    read_connection,
)
from comments_widget.urls import origin_of
from comments_widget.views import first_pages
from comments_widget.views.http import explicit_key, thread_ref
from comments_widget.views.outages import UNAVAILABLE_ERRORS, log_outage
from comments_widget.views.payloads import comment_json

MAX_COUNT_URLS = 100


def _page_args(args: Mapping[str, str]) -> tuple[int | None, int]:
    after, limit = args.get("after"), args.get("limit")
    page_size = current_state().thread_page_size
    cursor = parse_id(after) if after else None
    if after and cursor is None:
        raise InvalidInput("`after` must be a comment id.", code="invalid_cursor")
    size = parse_id(limit) if limit is not None else page_size
    if size is None or size > page_size:
        raise InvalidInput(f"`limit` must be between 1 and {page_size}.", code="invalid_limit")
    return cursor, size


def _sort_arg(args: Mapping[str, str]) -> str:
    sort = args.get("sort") or "oldest"
    if sort not in reading.SORTS:
        raise InvalidInput(f"`sort` must be one of {', '.join(reading.SORTS)}.",
                           code="invalid_sort")
    return sort


def _cacheable(response: Response, etag: str) -> Response:
    # Identical for every reader, so shared caches may keep it; the strong ETag (from the
    # thread's version) makes revalidation a one-query 304.
    max_age = current_state().thread_max_age
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age}, stale-while-revalidate={max_age * 6}")
    return response


def get_thread() -> Response:
    """The public payload of one page of a thread (see thread_answer)."""
    return thread_answer(request.args, request.if_none_match)


def thread_answer(args: Mapping[str, str], if_none_match: ETags) -> Response:
    """The public payload of one page of a thread: identical for every reader, cacheable.

    Needs an app context, not a request: views/fast_reads.py answers it before Flask routes.
    With the database unreachable, a page this process has served is answered from memory.
    """
    ref = thread_ref(args.get("url"), args.get("thread_id"))
    after, limit = _page_args(args)
    sort = _sort_arg(args)
    page_key = f"{ref.key}\n{after or 0}\n{limit}\n{sort}"
    try:
        return _thread_page(ref.key, page_key, after, limit, sort, if_none_match)
    except UNAVAILABLE_ERRORS as error:
        stale = current_state().payloads.latest(page_key)
        if stale is None:
            raise
        log_outage(error)
        etag, payload = stale
        if if_none_match.contains(etag):
            return _cacheable(Response(status=304), etag)
        return _cacheable(Response(payload, mimetype="application/json"), etag)


def _thread_page(key: str, page_key: str, after: int | None, limit: int,
                 sort: str, if_none_match: ETags) -> Response:
    state = current_state()
    now = time.monotonic()
    thread = state.summaries.get(key, now)
    stored = None
    if thread is None:
        found = reading.thread_and_stored_page(read_connection(), key)
        if found is not None:
            thread, stored = found
            state.summaries.put(key, thread, now)
    if thread is None:
        etag = f"{first_pages.PAYLOAD_FORMAT}-none"
        if if_none_match.contains(etag):
            return _cacheable(Response(status=304), etag)
        return _cacheable(jsonify(thread=None, comments=[], next=None), etag)
    policy = current_policy()
    closed = thread_is_closed(thread, policy, utcnow())
    page = first_pages.PageKey(after, limit, sort)
    etag = first_pages.page_etag(thread, closed, policy.downvotes, page)
    if if_none_match.contains(etag):
        return _cacheable(Response(status=304), etag)
    cache = state.payloads
    payload = cache.get(etag)
    if payload is None and stored is not None and stored.etag == etag:
        payload = stored.body
    if payload is None:
        payload = first_pages.build_page(read_connection(), thread, closed, policy.downvotes, page)
        if page.is_first(state.thread_page_size):
            first_pages.store(read_connection(), thread.id,
                              reading.StoredFirstPage.of(etag, payload))
    cache.put(etag, payload)
    cache.served(page_key, etag)
    return _cacheable(Response(payload, mimetype="application/json"), etag)


def get_page_of_comment() -> Response:
    """Which page of the thread shows `comment` (for a link to it): pass `after` to /threads
    with the same `sort` and `limit`. Public, cacheable like the thread."""
    ref = thread_ref(request.args.get("url"), request.args.get("thread_id"))
    _, limit = _page_args(request.args)
    sort = _sort_arg(request.args)
    comment_id = parse_id(request.args.get("comment", ""))
    if comment_id is None:
        raise InvalidInput("`comment` must be a comment id.", code="invalid_comment_id")
    session = db_session()
    thread = reading.thread_summary(session, ref.key)
    found = reading.page_of(session, thread, comment_id, limit, sort) if thread else None
    if found is None:
        raise NotFound("That comment is not in this thread, or no longer visible.",
                       code="unknown_comment")
    after, root_id = found
    response = jsonify(after=after, root_id=root_id)
    response.headers["Cache-Control"] = f"public, max-age={current_state().thread_max_age}"
    return response


def get_my_thread_state() -> Response:
    """What only this reader sees of a thread: their comments awaiting moderation, which of
    theirs they may still edit, and their votes. Small and private, so the public payload stays
    shared."""
    reader = api_reader()
    body: dict[str, object] = {"pending": [], "editable": [], "sources": {}, "votes": {},
                               "following": False}
    ref = thread_ref(request.args.get("url"), request.args.get("thread_id"))
    session = db_session()
    thread = reading.thread_summary(session, ref.key) if reader else None
    if reader is not None and thread is not None:
        window = timedelta(minutes=current_policy().edit_window_minutes)
        now = utcnow()
        mine = reading.my_comments(session, thread.id, reader.id)
        body["pending"] = [comment_json(c) for c in mine if c.status == Status.PENDING]
        body["editable"] = editable = [c.id for c in mine if c.created_at + window >= now]
        body["sources"] = {str(comment_id): source for comment_id, source
                           in reading.comment_sources(session, editable).items()}
        body["votes"] = {str(comment_id): value for comment_id, value
                         in votes.my_votes(session, thread.id, reader.id).items()}
        body["following"] = announce.is_following(session, reader.id, thread.id)
    response = jsonify(body)
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def get_counts() -> Response:
    """Comment counts for listing pages (see counts_answer)."""
    return counts_answer(request.query_string.decode("latin-1"), lambda: request.args)


def counts_answer(query_string: str, parse: Callable[[], MultiDict[str, str]]) -> Response:
    """Approved comment counts for listing pages, keyed by the URLs (and the explicit thread
    ids, with `site`) exactly as asked. Needs an app context, not a request.

    Every reader of a listing page asks the same question: the answer is kept for the
    summary TTL under the query string itself, so a repeat is not even parsed (twenty
    article URLs took longer to parse than to count).
    """
    state, now = current_state(), time.monotonic()
    body = state.counts.get(query_string, now)
    if body is None:
        body = _counts_body(parse())
        state.counts.put(query_string, body, now)
    response = Response(body, mimetype="application/json")
    # The same for every reader of a listing page, and only a hint: cache it briefly anywhere.
    response.headers["Cache-Control"] = f"public, max-age={state.thread_max_age}"
    return response


def _counts_body(args: MultiDict[str, str]) -> bytes:
    urls, ids = args.getlist("url"), args.getlist("id")
    if not urls and not ids:
        raise InvalidInput("Pass one or more `url` (or `id` with `site`) parameters.",
                           code="url_required")
    if len(urls) + len(ids) > MAX_COUNT_URLS:
        raise InvalidInput(f"Ask for at most {MAX_COUNT_URLS} URLs at once.",
                           code="too_many_urls")
    keys = {url: thread_ref(url).key for url in urls}
    id_keys = {}
    if ids:
        site = origin_of(args.get("site", ""))
        if site is None or site not in allowed_origins():
            raise InvalidInput("Pass the allowed origin the ids belong to as `site`.",
                               code="site_required")
        id_keys = {thread_id: explicit_key(site, thread_id) for thread_id in ids}
    counts = reading.comment_counts(read_connection(), set(keys.values()) | set(id_keys.values()))
    body: dict[str, object] = {"counts": {url: counts[key] for url, key in keys.items()}}
    if ids:
        body["ids"] = {thread_id: counts[key] for thread_id, key in id_keys.items()}
    return jsonify(body).get_data()


def register(api: Blueprint) -> None:
    """Add the read routes to the API blueprint."""
    api.add_url_rule("/threads", "thread", get_thread)
    api.add_url_rule("/threads/mine", "my_thread_state", get_my_thread_state)
    api.add_url_rule("/threads/page-of", "page_of_comment", get_page_of_comment)
    api.add_url_rule("/counts", "counts", get_counts)
