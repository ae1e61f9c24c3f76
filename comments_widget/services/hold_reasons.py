"""Why a comment waits for a moderator, as data: a kind and its detail.

Code decides on the kind; only the dashboard's templates turn a reason into words, so no
code ever parses an English sentence. Stored as a JSON list on the comment; rows written
before this module (plain English strings) are read back into the same records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

BANNED_WORD = "banned_word"  # detail: the word
LINKS = "links"  # detail: how many links
PREMODERATION = "premoderation"  # the policy holds every comment
FIRST_TIME = "first_time"  # the author has no approved comment yet
EMAIL_NOT_VERIFIED = "email_not_verified"  # released when the author confirms the address
SURGE = "surge"  # detail: why the thread switched itself to pre-moderation
KINDS = (BANNED_WORD, LINKS, PREMODERATION, FIRST_TIME, EMAIL_NOT_VERIFIED, SURGE)

_LEGACY = {"pre-moderation: all comments": PREMODERATION, "first-time commenter": FIRST_TIME,
           "email not verified": EMAIL_NOT_VERIFIED}


@dataclass(frozen=True)
class HoldReason:
    """One reason a comment is held."""

    kind: str
    detail: str = ""


def dumps(reasons: Iterable[HoldReason]) -> str:
    """The stored form: a JSON list of {"kind", "detail"} objects."""
    return json.dumps([{"kind": r.kind, "detail": r.detail} for r in reasons])


def loads(stored: str | None) -> list[HoldReason]:
    """The reasons stored on a comment, whichever version wrote them."""
    try:
        items = json.loads(stored or "[]")
    except ValueError:
        return []
    return [_one(item) for item in items if isinstance(item, (dict, str))]


def _one(item: dict[str, object] | str) -> HoldReason:
    if isinstance(item, dict):
        return HoldReason(str(item.get("kind", "")), str(item.get("detail", "")))
    if item in _LEGACY:
        return HoldReason(_LEGACY[item])
    if item.startswith("banned word: "):
        return HoldReason(BANNED_WORD, item.removeprefix("banned word: "))
    if item.endswith(" links") and item.split()[0].isdigit():
        return HoldReason(LINKS, item.split()[0])
    return HoldReason("other", item)


def has(reasons: Iterable[HoldReason], kind: str) -> bool:
    """True when one of the reasons is of this kind."""
    return any(reason.kind == kind for reason in reasons)
