"""The errors a reader or integrator can cause, each with a stable code (docs/api.md)."""

from __future__ import annotations


class WidgetError(Exception):
    """A refusal the caller should see: `code` is stable, `message` is for people."""

    code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(WidgetError):
    code = "invalid_input"


class NotFound(WidgetError):
    code = "not_found"


class Conflict(WidgetError):
    code = "conflict"


class NotAuthenticated(WidgetError):
    code = "not_logged_in"


class Forbidden(WidgetError):
    code = "forbidden"


class RateLimited(WidgetError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
