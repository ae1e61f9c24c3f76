"""The bridge to a Flask host's own users: `CommentsWidget(app, current_author=…)`.

The host tells us who is logged in on its side, as an `Author` (its user id, display name,
optional email) or None; the JSON API then treats that user as a reader of ours, created on
first use and found again by the host's id (never by email). Nothing of the host is touched:
we call its function during our own API requests, and that is all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from comments_widget.services.external import Author

HOST_PROVIDER = "host"


@dataclass(frozen=True)
class HostBridge:
    """What a host app passed to CommentsWidget for its users."""

    current_author: Callable[[], Author | None]
    # The host's own pages, shown by the embed instead of our login popup and logout.
    login_url: str = ""
    logout_url: str = ""
