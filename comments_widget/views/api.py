"""The JSON API under /api/v1: writes, identity and tokens here; reads in reads.py."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from comments_widget.auth import api_reader, authenticated_by_token, current_token
from comments_widget.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, WidgetError
from comments_widget.i18n import gettext as _
from comments_widget.models import Comment, Reader, Status
from comments_widget.page_meta import fetch_page_meta, no_page_meta
from comments_widget.services import (
    announce,
    article_authors,
    claims,
    flags,
    reading,
    single_sign_on,
    votes,
)
from comments_widget.services import comments as comment_service
from comments_widget.services import readers as reader_service
from comments_widget.services.external import contact_email
from comments_widget.services.reading import CommentRow
from comments_widget.services.spam import ClientInfo
from comments_widget.services.verification import ensure_may_log_in, must_confirm
from comments_widget.state import current_policy, current_state, db_session
from comments_widget.urls import origin_of
from comments_widget.views import http, outages, reads
from comments_widget.views.limits import check_login_allowed, client_address, count_failed_login
from comments_widget.views.notifications import (
    alert_moderators_soon,
    announce_rules,
    notify_moderators_soon,
    notify_readers_soon,
)
from comments_widget.views.openapi import openapi_json
from comments_widget.views.payloads import comment_json, reader_json


def _as_its_author_sees_it(comment: Comment) -> dict:
    """The comment as its author is shown it: one the spam checks sent to the Spam queue says
    "pending", as if held (telling a spammer which rule caught them helps them; a person
    wrongly caught is reviewed like any held comment)."""
    payload = comment_json(CommentRow.of(comment))
    if payload["status"] == Status.SPAM.value:
        payload["status"] = Status.PENDING.value
    return payload


def client_info(data: dict) -> ClientInfo:
    """What the spam checkers may know of this request: the address, the browser, and the
    embed's honeypot field and writing time (absent from other API clients: not checked)."""
    typing = data.get("typing_ms")
    honeypot = data.get("website")
    return ClientInfo(
        ip=client_address(), user_agent=request.headers.get("User-Agent", "")[:500],
        referrer=request.headers.get("Referer", "")[:2000],
        honeypot=honeypot[:200] if isinstance(honeypot, str) else "",
        typing_ms=typing if isinstance(typing, int) and not isinstance(typing, bool)
        and 0 <= typing < 2**31 else None)


def name_article_authors() -> Response:
    """The site names the article's authors with a payload signed by its secret (the embed
    passes on `data-comments-authors`); no reader needs to be logged in."""
    data = http.json_body()
    ref = http.thread_ref(data.get("url"), data.get("thread_id"))
    session = db_session()
    thread = article_authors.name_authors(session, ref.key, ref.url, data.get("authors"))
    session.commit()
    return jsonify(authors_tag=thread.authors_tag)


def post_comment() -> tuple[Response, int]:
    """Post a comment or a reply; the first comment on an article creates its thread."""
    reader = http.require_reader()
    data = http.json_body()
    ref = http.thread_ref(data.get("url"), data.get("thread_id"))
    state = current_state()
    state.limiter.hit(state.post_rate_limit, "post", str(reader.id))
    session = db_session()
    comment = comment_service.post_comment(
        session, author=reader, ref=ref, body=data.get("body"), parent_id=data.get("parent_id"),
        rules=state.posting_rules, policy=current_policy(),
        page_meta=fetch_page_meta if state.fetch_page_titles else no_page_meta,
        checkers=state.spam_checkers, client=client_info(data),
    )
    session.commit()
    if comment.status in (Status.PENDING, Status.SPAM):
        notify_moderators_soon()
        alert_moderators_soon()
    else:
        notify_readers_soon()
    return jsonify(_as_its_author_sees_it(comment)), 201


def edit_comment(comment_id: int) -> Response:
    """Change one's own comment within the policy's edit window."""
    reader = http.require_reader()
    data = http.json_body()
    session = db_session()
    comment = comment_service.edit_comment(
        session, reader=reader, comment_id=comment_id, body=data.get("body"),
        rules=current_state().posting_rules, policy=current_policy(),
        checkers=current_state().spam_checkers, client=client_info(data))
    session.commit()
    return jsonify(_as_its_author_sees_it(comment))


def delete_comment(comment_id: int) -> tuple[str, int]:
    """Take back one's own comment; its replies stay under a placeholder."""
    reader = http.require_reader()
    session = db_session()
    comment_service.delete_own_comment(session, reader=reader, comment_id=comment_id)
    session.commit()
    return "", 204


def flag_comment(comment_id: int) -> tuple[Response, int]:
    """Report a comment to the moderators, once per reader."""
    reader = http.require_reader()
    data = http.json_body()
    state = current_state()
    state.limiter.hit(state.flag_rate_limit, "flag", str(reader.id))
    session = db_session()
    flags.flag_comment(session, reader, comment_id, data.get("reason"), data.get("text"),
                       current_policy().flag_threshold, state.trusted_flagger_age)
    session.commit()
    return jsonify(reported=True), 201


def cast_vote(comment_id: int) -> Response:
    """Vote a comment up (1) or down (-1, where the site allows it), or take the vote back
    (0, or DELETE); answers the comment's new tally and the caller's vote."""
    reader = http.require_reader()
    value = 0 if request.method == "DELETE" else http.json_body().get("value")
    state = current_state()
    state.limiter.hit(state.vote_rate_limit, "vote", str(reader.id))
    session = db_session()
    tally = votes.vote(session, reader, comment_id, value, current_policy(),
                       must_confirm(reader, state.email_verification))
    session.commit()
    return jsonify(up=tally.up, down=tally.down, mine=tally.mine)


def _may_be_emailed(reader: Reader) -> None:
    # Emails go only where the reader has an address we may write to: a confirmed one when
    # this server verifies addresses (an unconfirmed one could be a stranger's), or the one
    # their site sent along. (require_reader has already refused banned readers.)
    if not announce_rules().may_email(reader):
        raise Forbidden(_("Confirm your email address first: we only write to confirmed "
                          "addresses."), code="email_unconfirmed")
    if not contact_email(db_session(), reader):
        raise InvalidInput(_("We have no email address for you; your site did not send one."),
                           code="no_email_address")


def follow_thread() -> Response:
    """PUT: email me new top-level comments on this article; DELETE: stop."""
    reader = http.require_reader()
    data = http.json_body() if request.method == "PUT" else request.args
    ref = http.thread_ref(data.get("url"), data.get("thread_id"))
    session = db_session()
    thread = reading.thread_summary(session, ref.key)
    if thread is None:
        raise NotFound(_("Nobody has commented on this article yet."), code="unknown_thread")
    if request.method == "PUT":
        _may_be_emailed(reader)
        announce.follow(session, reader, thread.id)
    else:
        announce.unfollow(session, reader, thread.id)
    session.commit()
    return jsonify(following=request.method == "PUT")


def set_notifications() -> Response:
    """The reader's choice about reply emails: {"replies": true|false}."""
    reader = http.require_reader()
    replies = http.json_body().get("replies")
    if not isinstance(replies, bool):
        raise InvalidInput("Send `replies` as true or false.", code="invalid_preference")
    if replies:
        _may_be_emailed(reader)
    reader.reply_emails = replies
    db_session().commit()
    return jsonify(replies=replies)


def site_login_pages() -> tuple[str, str]:
    """The calling site's own login and logout pages, or ("", "") where readers use ours."""
    origin = request.headers.get("Origin")
    host = current_state().host
    if (origin is None or origin == http.own_origin()) and host is not None:
        return host.login_url, host.logout_url
    origin = origin_of(origin or request.host_url) or ""
    pages = current_state().settings.get(db_session).login_pages
    return pages.get(origin, ("", ""))


def get_me() -> Response:
    """Who the caller is, and where this site logs readers in and out (its own pages when it
    has them); a cookie-authenticated caller also gets the CSRF token for writes."""
    reader = api_reader()
    login_url, logout_url = site_login_pages()
    body: dict[str, object] = {"reader": None, "login_url": login_url or None,
                               "logout_url": logout_url or None}
    if reader is None:
        return jsonify(body)
    body["reader"] = {
        **reader_json(reader),
        "must_confirm_email": must_confirm(reader, current_state().email_verification),
        "reply_emails": announce.wants_replies(reader, current_state().reply_emails_default),
        # Imported comments written with this reader's address, waiting to be claimed.
        "claimable": claims.claimable_count(db_session(), reader) > 0}
    if not authenticated_by_token():
        body["csrf_token"] = generate_csrf()
    return jsonify(body)


def create_token() -> tuple[Response, int]:
    """Exchange email and password for a bearer token (for API clients and scripts)."""
    data = http.json_body()
    state = current_state()
    email, password = data.get("email"), data.get("password")
    check_login_allowed(email)
    if not isinstance(email, str) or not isinstance(password, str):
        raise InvalidInput("Send `email` and `password` as text.", code="credentials_required")
    session = db_session()
    try:
        reader = reader_service.authenticate(session, email, password)
    except WidgetError as error:
        count_failed_login(email, error)
        raise
    ensure_may_log_in(reader, state.email_verification)
    token = reader_service.issue_token(session, reader, state.token_max_age)
    session.commit()
    return jsonify(token=token, reader=reader_json(reader)), 201


def create_sso_token() -> tuple[Response, int]:
    """Exchange a site's signed payload for a bearer token (docs/accounts.md, single sign-on);
    the calling page's origin says whose secret signed it."""
    data = http.json_body()
    state = current_state()
    state.limiter.hit(state.login_rate_limit, "sso", client_address())
    session = db_session()
    reader = single_sign_on.sign_in(session, origin_of(request.headers.get("Origin", "")),
                                    data.get("payload"))
    token = reader_service.issue_token(session, reader, state.token_max_age)
    session.commit()
    return jsonify(token=token, reader=reader_json(reader)), 201


def delete_current_token() -> tuple[str, int]:
    """Log out: end this reader's every session, the comment server's own login included, so
    the next person at a shared computer is not offered "Continue as …" (DESIGN.md)."""
    reader = api_reader()
    if reader is None or current_token() is None:
        raise NotAuthenticated("Send the token to revoke as `Authorization: Bearer …`.",
                               code="not_logged_in")
    session = db_session()
    reader_service.end_all_sessions(session, reader)
    session.commit()
    return "", 204


ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def create_blueprint() -> Blueprint:
    """The API blueprint, with CORS and JSON errors scoped to it alone."""
    api = Blueprint("api", __name__, url_prefix="/api/v1")
    api.before_request(http.check_request_origin)
    api.after_request(http.add_cors_headers)
    api.register_error_handler(WidgetError, http.handle_widget_error)
    api.register_error_handler(HTTPException, http.handle_http_error)
    for error in outages.UNAVAILABLE_ERRORS:
        api.register_error_handler(error, outages.api_unavailable)
    api.register_error_handler(Exception, outages.api_internal_error)
    reads.register(api)
    api.add_url_rule("/comments", "post_comment", post_comment, methods=["POST"])
    api.add_url_rule("/comments/<cw_id:comment_id>", "edit_comment", edit_comment,
                     methods=["PATCH"])
    api.add_url_rule("/comments/<cw_id:comment_id>", "delete_comment", delete_comment,
                     methods=["DELETE"])
    api.add_url_rule("/comments/<cw_id:comment_id>/flag", "flag_comment", flag_comment,
                     methods=["POST"])
    api.add_url_rule("/comments/<cw_id:comment_id>/vote", "vote", cast_vote,
                     methods=["PUT", "DELETE"])
    api.add_url_rule("/me", "me", get_me)
    api.add_url_rule("/me/notifications", "notifications", set_notifications, methods=["PUT"])
    api.add_url_rule("/threads/follow", "follow", follow_thread, methods=["PUT", "DELETE"])
    api.add_url_rule("/threads/authors", "article_authors", name_article_authors,
                     methods=["PUT"])
    api.add_url_rule("/tokens", "create_token", create_token, methods=["POST"])
    api.add_url_rule("/tokens/sso", "create_sso_token", create_sso_token, methods=["POST"])
    api.add_url_rule("/tokens/current", "delete_token", delete_current_token,
                     methods=["DELETE"])
    api.add_url_rule("/openapi.json", "openapi", openapi_json)
    api.add_url_rule("/", "unknown_route", http.unknown_route, methods=ANY_METHOD)
    api.add_url_rule("/<path:rest>", "unknown_route", http.unknown_route, methods=ANY_METHOD)
    return api
