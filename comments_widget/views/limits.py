"""Rate limits as the views apply them: per client address, per account, per reader."""

from __future__ import annotations

from flask import request

from comments_widget.errors import WidgetError
from comments_widget.services.readers import normalize_email
from comments_widget.state import current_state


def client_address() -> str:
    """The client's address; behind proxies, COMMENTS_WIDGET_TRUSTED_PROXY_HOPS makes
    werkzeug's ProxyFix put the real one here (docs/deploy.md)."""
    return request.remote_addr or "unknown"


def check_client(rule: str, name: str) -> None:
    """Refuse when this client address has used up `rule` for `name` (counting nothing)."""
    current_state().limiter.check(rule, name, client_address())


def count_client(rule: str, name: str) -> None:
    """Count one `name` done by this client address (a sign-up that created an account)."""
    current_state().limiter.count(rule, name, client_address())


def check_login_allowed(email: object) -> None:
    """Refuse a password attempt over the per-address limit, or for an account that has had
    too many wrong passwords lately (from anywhere: a botnet gets no more guesses)."""
    state = current_state()
    state.limiter.hit(state.login_rate_limit, "login", client_address())
    if isinstance(email, str):
        state.limiter.check(state.account_login_rate_limit, "login-account",
                            normalize_email(email)[:254])


def count_failed_login(email: object, error: WidgetError) -> None:
    """Count a wrong password against the account it was tried on."""
    if error.code == "invalid_credentials" and isinstance(email, str):
        state = current_state()
        state.limiter.count(state.account_login_rate_limit, "login-account",
                            normalize_email(email)[:254])
