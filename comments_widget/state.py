"""Per-app state, kept in app.extensions, and the request-scoped database session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.orm import Session, sessionmaker

from comments_widget.host import HostBridge
from comments_widget.mail import MailSettings
from comments_widget.oidc import Discovery, Provider
from comments_widget.payload_cache import PayloadCache, SummaryCache
from comments_widget.ratelimit import RateLimiter
from comments_widget.services.comments import PostingRules
from comments_widget.services.policy import Policy
from comments_widget.services.spam import SpamChecker
from comments_widget.settings_cache import SettingsCache

EXTENSION_KEY = "comments_widget"
_SESSION_KEY = "_comments_widget_db_session"
_READ_CONNECTION_KEY = "_comments_widget_read_connection"


@dataclass(frozen=True)
class WidgetState:
    """What one Flask app's comments_widget needs at request time."""

    engine: sa.Engine
    session_factory: sessionmaker[Session]
    allowed_origins: frozenset[str]
    posting_rules: PostingRules
    token_max_age: timedelta
    min_password_length: int
    login_rate_limit: str
    account_login_rate_limit: str
    register_rate_limit: str
    post_rate_limit: str
    flag_rate_limit: str
    vote_rate_limit: str
    trusted_flagger_age: timedelta
    remember_for: timedelta
    fetch_page_titles: bool
    reset_link_max_age: timedelta
    login_links: bool
    login_link_max_age: timedelta
    email_verification: str
    verify_link_max_age: timedelta
    mail_rate_limit: str
    limiter: RateLimiter
    mail: MailSettings | None
    notify_interval_minutes: int
    reply_emails_default: bool
    settings: SettingsCache
    payloads: PayloadCache
    summaries: SummaryCache
    counts: SummaryCache
    thread_page_size: int
    thread_max_age: int
    host: HostBridge | None = None
    sign_in_providers: dict[str, Provider] = field(default_factory=dict)
    discovery: Discovery = field(default_factory=Discovery)
    spam_checkers: tuple[SpamChecker, ...] = ()


def current_state() -> WidgetState:
    """The state of the app handling this request."""
    return current_app.extensions[EXTENSION_KEY]


def db_session() -> Session:
    """One session per app context, opened on first use and closed at teardown."""
    session = g.get(_SESSION_KEY)
    if session is None:
        session = current_state().session_factory()
        setattr(g, _SESSION_KEY, session)
    return session


def read_connection() -> sa.Connection:
    """A connection for the public reads, in autocommit mode, opened on first use and closed
    at teardown with the session.

    Reads change nothing, so they need no transaction: on PostgreSQL that saves the BEGIN and
    the ROLLBACK around them, two of a cold read's four round trips.
    """
    connection = g.get(_READ_CONNECTION_KEY)
    if connection is None:
        connection = current_state().engine.connect().execution_options(
            isolation_level="AUTOCOMMIT")
        setattr(g, _READ_CONNECTION_KEY, connection)
    return connection


def close_db_session(_error: BaseException | None = None) -> None:
    """Close the session and the read connection if this app context opened them; never
    commits."""
    session = g.pop(_SESSION_KEY, None)
    if session is not None:
        session.close()
    connection = g.pop(_READ_CONNECTION_KEY, None)
    if connection is not None:
        connection.close()


def rollback_db_session() -> None:
    """Roll back this app context's session after a failed statement, so that whatever runs
    next in the request (the CORS hook, an error page) can use it again."""
    session = g.get(_SESSION_KEY)
    if session is not None:
        session.rollback()


def allowed_origins() -> frozenset[str]:
    """Origins allowed now: configured ones plus those added in the dashboard."""
    state = current_state()
    return state.allowed_origins | state.settings.get(db_session).site_origins


def current_policy() -> Policy:
    """The moderation policy (see settings_cache for how fresh it is)."""
    return current_state().settings.get(db_session).policy
