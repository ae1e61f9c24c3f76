"""Who is asking: a flask-login session (first-party pages) or a bearer token (the embed)."""

from __future__ import annotations

from flask import Request, g, request
from flask_login import LoginManager, current_user

from comments_widget.errors import NotAuthenticated
from comments_widget.models import Reader
from comments_widget.services import readers
from comments_widget.state import db_session

_TOKEN_KEY = "_comments_widget_bearer"


def bearer_token(req: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None when there is none."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _load_reader_from_session(reader_id: str) -> Reader | None:
    try:
        return db_session().get(Reader, int(reader_id))
    except ValueError:
        return None


def _load_reader_from_request(req: Request) -> Reader | None:
    token = bearer_token(req)
    if token is None:
        return None
    reader = readers.reader_for_token(db_session(), token)
    if reader is not None:
        setattr(g, _TOKEN_KEY, token)
    return reader


def authenticated_by_token() -> bool:
    """True when this request's reader came from a bearer token, not the session cookie."""
    return g.get(_TOKEN_KEY) is not None


def current_token() -> str | None:
    """The bearer token this request was authenticated with, if any."""
    return g.get(_TOKEN_KEY)


def api_reader() -> Reader | None:
    """The reader behind an API request: a bearer token wins over the session cookie.

    A request that sends an Authorization header we cannot accept is refused outright rather
    than quietly treated as anonymous, so the embed learns its stored token is dead.
    """
    if "Authorization" not in request.headers:
        return current_user if current_user.is_authenticated else None
    token = bearer_token(request)
    reader = readers.reader_for_token(db_session(), token) if token else None
    if reader is None:
        raise NotAuthenticated("Your login has expired. Please log in again.", code="bad_token")
    setattr(g, _TOKEN_KEY, token)
    return reader


def create_login_manager(login_view: str) -> LoginManager:
    """A LoginManager whose users are comments_widget readers."""
    manager = LoginManager()
    manager.login_view = login_view
    manager.login_message = "Log in to continue."
    manager.user_loader(_load_reader_from_session)
    manager.request_loader(_load_reader_from_request)
    return manager
