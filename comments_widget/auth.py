"""Who is asking. Two doors that never mix:

- the JSON API (`api_reader`) takes a bearer token, or on the same origin the Flask host's
  logged-in user (when the host set up the bridge, host.py) or our first-party session;
- reader pages and the dashboard (`session_reader`) know only the first-party session.

Nothing here reads `Authorization` for a page or the dashboard, so a token leaked from a news
site's localStorage can never open the dashboard, whichever route is added next. Nothing is
installed on the host app either: no LoginManager, no request loader, no app-wide hooks; the
host's own Flask-Login (if any) and its `current_user` are left alone.

A session and a remember cookie carry the reader's session identifier; replacing it
(services.readers.end_all_sessions) ends every cookie and token of that reader at once.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from flask import after_this_request, current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.errors import NotAuthenticated
from comments_widget.host import HOST_PROVIDER
from comments_widget.models import Reader
from comments_widget.services import readers
from comments_widget.services.external import sign_in_external
from comments_widget.state import current_state, db_session

SESSION_KEY = "comments_widget_reader"
# When this browser last logged in (Unix seconds): erasing an account without a password here
# needs a login within the last few minutes.
SIGNED_IN_AT_KEY = "comments_widget_signed_in_at"
REMEMBER_COOKIE = "comments_widget_remember"
_TOKEN_KEY = "_comments_widget_bearer"
_SESSION_READER_KEY = "_comments_widget_session_reader"


def bearer_token() -> str | None:
    """The token of this request's `Authorization: Bearer …` header, if it has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _remember_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="comments_widget.remember")


def _reader_for_ident(ident: Any) -> Reader | None:
    """The reader an [id, session id] pair names, if that session id is still theirs."""
    if not (isinstance(ident, list) and len(ident) == 2 and isinstance(ident[0], int)
            and isinstance(ident[1], str) and ident[1] and 0 < ident[0] < 2**31):
        return None
    reader = db_session().get(Reader, ident[0])
    if reader is None or not hmac.compare_digest(reader.session_id, ident[1]):
        return None
    return None if reader.is_banned() else reader


def session_reader() -> Reader | None:
    """The reader logged in on the comment server itself (session or remember cookie)."""
    if _SESSION_READER_KEY in g:
        return g.get(_SESSION_READER_KEY)
    reader = _reader_for_ident(session.get(SESSION_KEY))
    if reader is None and SESSION_KEY in session:
        session.pop(SESSION_KEY)
    if reader is None and REMEMBER_COOKIE in request.cookies:
        max_age = int(current_state().remember_for.total_seconds())
        try:
            ident = _remember_serializer().loads(request.cookies[REMEMBER_COOKIE],
                                                 max_age=max_age)
        except BadSignature:
            ident = None
        reader = _reader_for_ident(ident)
        if reader is not None:
            session[SESSION_KEY] = [reader.id, reader.session_id]
    session[SIGNED_IN_AT_KEY] = int(time.time())
    setattr(g, _SESSION_READER_KEY, reader)
    return reader


def start_session(reader: Reader) -> None:
    """Log the reader in on the comment server, and remember them for the configured time."""
    session[SESSION_KEY] = [reader.id, reader.session_id]
    session[SIGNED_IN_AT_KEY] = int(time.time())
    setattr(g, _SESSION_READER_KEY, reader)
    remember = _remember_serializer().dumps([reader.id, reader.session_id])
    remember_for = current_state().remember_for

    @after_this_request
    def set_cookie(response: BaseResponse) -> BaseResponse:
        response.set_cookie(REMEMBER_COOKIE, remember, max_age=remember_for,
                            path=current_app.config["COMMENTS_WIDGET_URL_PREFIX"],
                            secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"],
                            httponly=True, samesite="Lax")
        return response


def end_session(reader: Reader | None) -> None:
    """Log out: forget this browser's session and end every other session of the reader."""
    session.pop(SESSION_KEY, None)
    setattr(g, _SESSION_READER_KEY, None)
    if reader is not None:
        readers.end_all_sessions(db_session(), reader)

    @after_this_request
    def drop_cookie(response: BaseResponse) -> BaseResponse:
        response.delete_cookie(REMEMBER_COOKIE,
                               path=current_app.config["COMMENTS_WIDGET_URL_PREFIX"])
        return response


def host_reader() -> Reader | None:
    """The Flask host's logged-in user as our reader, when the host set up the bridge
    (host.py); created on first use, renamed when the host's name for them changes."""
    host = current_state().host
    author = host.current_author() if host is not None else None
    if author is None:
        return None
    session = db_session()
    reader, changed = sign_in_external(session, HOST_PROVIDER, author)
    if changed:
        session.commit()
    return reader


def api_reader() -> Reader | None:
    """The reader behind an API request: a bearer token wins over the Flask host's user
    (when it has the bridge), who wins over our session cookie.

    A request that sends an Authorization header we cannot accept is refused outright rather
    than quietly treated as anonymous, so the embed learns its stored token is dead; a banned
    reader's token answers `banned`, so the embed can say so.
    """
    if "Authorization" not in request.headers:
        return host_reader() or session_reader()
    token = bearer_token()
    reader = readers.reader_for_token(db_session(), token) if token else None
    if reader is None:
        raise NotAuthenticated("Your login has expired. Please log in again.", code="bad_token")
    setattr(g, _TOKEN_KEY, token)
    return reader


def authenticated_by_token() -> bool:
    """True when this request's reader came from a bearer token, not the session cookie."""
    return g.get(_TOKEN_KEY) is not None


def current_token() -> str | None:
    """The bearer token this request was authenticated with, if any."""
    return g.get(_TOKEN_KEY)
