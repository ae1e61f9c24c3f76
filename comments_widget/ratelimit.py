"""Rate limits, counted in process memory or in Redis so that every app process shares them."""

from __future__ import annotations

import math
import time

from limits import parse, storage
from limits.strategies import SlidingWindowCounterRateLimiter

from comments_widget.config import ConfigError
from comments_widget.errors import RateLimited


class RateLimiter:
    """Counts hits per (rule, identity) and refuses the one that goes over the limit."""

    def __init__(self, storage_url: str | None, namespace: str = "comments_widget") -> None:
        self._namespace = namespace
        try:
            self._storage = storage.storage_from_string(storage_url or "memory://")
        except Exception as error:
            raise ConfigError(f"COMMENTS_WIDGET_REDIS_URL is unusable: {error}") from error
        # A sliding-window counter costs the same however many hits a window holds (a moving
        # window keeps every hit's timestamp), and still has no burst at window edges.
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)

    @staticmethod
    def check_rule(key: str, rule: str) -> None:
        """Fail at start-up if a configured rule like '10/minute' cannot be parsed."""
        try:
            parse(rule)
        except ValueError as error:
            raise ConfigError(f"{key} must look like '10/minute', got {rule!r}") from error

    def hit(self, rule: str, *identity: str) -> None:
        """Count one attempt; raise RateLimited (with seconds to wait) when over the limit."""
        item = parse(rule)
        if self._limiter.hit(item, self._namespace, *identity):
            return
        reset_at, _remaining = self._limiter.get_window_stats(item, self._namespace, *identity)
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise RateLimited(f"Too many attempts. Try again in {retry_after} seconds.", retry_after)

    def reset(self) -> None:
        """Forget every counter (tests, and an admin clearing a lock-out)."""
        self._storage.reset()
