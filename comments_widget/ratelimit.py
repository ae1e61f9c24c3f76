"""Rate limits, counted in process memory or in Redis so that every app process shares them.

When Redis cannot be reached, limits fall back to counting in this process (each process then
enforces the limit on its own share of the traffic) and a warning is logged, at most once a
minute: a Redis outage must not turn every login and comment into an error.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse, storage
from limits.errors import StorageError
from limits.strategies import SlidingWindowCounterRateLimiter

from comments_widget.config import ConfigError
from comments_widget.errors import RateLimited
from comments_widget.i18n import gettext as _

logger = logging.getLogger("comments_widget.ratelimit")
REDIS_TIMEOUT_SECONDS = 0.5
WARN_EVERY_SECONDS = 60.0


class RateLimiter:
    """Counts hits per (rule, identity) and refuses the one that goes over the limit."""

    def __init__(self, storage_url: str | None, namespace: str = "comments_widget") -> None:
        self._namespace = namespace
        self._shared = storage_url is not None
        try:
            options = ({"wrap_exceptions": True, "socket_timeout": REDIS_TIMEOUT_SECONDS,
                        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
                       if storage_url else {})
            self._storage = storage.storage_from_string(storage_url or "memory://", **options)
        except Exception as error:
            raise ConfigError(f"COMMENTS_WIDGET_REDIS_URL is unusable: {error}") from error
        # A sliding-window counter costs the same however many hits a window holds (a moving
        # window keeps every hit's timestamp), and still has no burst at window edges.
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)
        self._fallback = SlidingWindowCounterRateLimiter(storage.MemoryStorage())
        self._warned_at = -WARN_EVERY_SECONDS

    @staticmethod
    def check_rule(key: str, rule: str) -> None:
        """Fail at start-up if a configured rule like '10/minute' cannot be parsed."""
        try:
            parse(rule)
        except ValueError as error:
            raise ConfigError(f"{key} must look like '10/minute', got {rule!r}") from error

    def _run(self, method: str, item: RateLimitItem, identity: tuple[str, ...]) -> bool:
        try:
            return getattr(self._limiter, method)(item, self._namespace, *identity)
        except StorageError as error:
            now = time.monotonic()
            if now - self._warned_at >= WARN_EVERY_SECONDS:
                self._warned_at = now
                logger.warning("Redis is unreachable (%s); rate limits are counted per process "
                               "until it answers again", error)
            return getattr(self._fallback, method)(item, self._namespace, *identity)

    def _refuse(self, item: RateLimitItem, identity: tuple[str, ...]) -> RateLimited:
        try:
            reset_at, _remaining = self._limiter.get_window_stats(item, self._namespace, *identity)
        except StorageError:
            reset_at, _remaining = self._fallback.get_window_stats(item, self._namespace, *identity)
        retry_after = max(1, math.ceil(reset_at - time.time()))
        return RateLimited(_("Too many attempts. Try again in {n} seconds.", n=retry_after),
                           retry_after)

    def hit(self, rule: str, *identity: str) -> None:
        """Count one attempt; raise RateLimited (with seconds to wait) when over the limit."""
        item = parse(rule)
        if not self._run("hit", item, identity):
            raise self._refuse(item, identity)

    def check(self, rule: str, *identity: str) -> None:
        """Raise RateLimited if the limit is already used up, without counting an attempt."""
        item = parse(rule)
        if not self._run("test", item, identity):
            raise self._refuse(item, identity)

    def count(self, rule: str, *identity: str) -> None:
        """Count one attempt without refusing it (a failure counted after the fact)."""
        self._run("hit", parse(rule), identity)

    def reset(self) -> None:
        """Forget every counter (tests, and an admin clearing a lock-out)."""
        self._storage.reset()
        self._fallback.storage.reset()
