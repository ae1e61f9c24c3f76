"""The policy and the dashboard's sites, kept per process for a few seconds.

Every request needs both (the origin check, the policy), but they change a few times a year.
Re-reading them at most every COMMENTS_WIDGET_SETTINGS_TTL_SECONDS keeps a thread read at two
queries; a change made in the dashboard applies at once in the process that saved it and
within that many seconds in every other process.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from comments_widget.db import UNAVAILABLE_ERRORS
from comments_widget.services import sites
from comments_widget.services.policy import Policy, load_policy


@dataclass(frozen=True)
class Settings:
    policy: Policy
    site_origins: frozenset[str]
    # Origin → (login URL, logout URL) of sites that use their own login pages.
    login_pages: dict[str, tuple[str, str]]


class SettingsCache:
    """Holds one Settings snapshot and reloads it when it is older than `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._snapshot: Settings | None = None
        self._loaded_at = 0.0

    def get(self, session_source: Callable[[], Session]) -> Settings:
        """The current snapshot, reloaded through a session from `session_source` when stale.

        While the database is unreachable the last snapshot stays in use (they change a few
        times a year), so origin checks and CORS headers keep working through an outage.
        """
        with self._lock:
            if self._snapshot is None or time.monotonic() - self._loaded_at >= self._ttl:
                session = session_source()
                try:
                    self._snapshot = Settings(policy=load_policy(session),
                                              site_origins=sites.site_origins(session),
                                              login_pages=sites.login_pages(session))
                except UNAVAILABLE_ERRORS:
                    if self._snapshot is None:
                        raise
                    session.rollback()
                else:
                    self._loaded_at = time.monotonic()
            return self._snapshot

    def invalidate(self) -> None:
        """Reload on next use (after this process changed the policy or the sites)."""
        with self._lock:
            self._loaded_at = -math.inf
