"""What every importer produces: one comment as the other system knew it."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from comments_widget.models import Status

# PostgreSQL stores neither a NUL byte nor a lone surrogate; an export may hold both.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_SOURCE_ID = 300


class ImportError_(ValueError):  # noqa: N801  (not the builtin ImportError)
    """The export cannot be read at all (wrong format, missing --site, broken file)."""


@dataclass(frozen=True)
class SourceComment:
    """One comment from an export, before it is ours."""

    source_id: str
    thread_url: str          # absolute, or relative to --site
    thread_title: str
    parent_id: str | None    # the parent's source_id
    author_name: str
    author_email: str        # "" when the export has none
    author_key: str          # one person in this export (an account id, an address, a name)
    created_at: datetime | None  # None: the export has no usable date
    body: str
    body_format: str         # "html", "markdown" or "wordpress" (WordPress's text with HTML)
    status: Status
    upvotes: int = 0
    downvotes: int = 0
    thread_closed: bool = False


def storable(text: str) -> str:
    """`text` with what no database can store replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def source_key(value: str) -> str:
    """An id short enough for the origin table: long ones are hashed."""
    value = storable(value)
    if len(value) <= MAX_SOURCE_ID:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def email_hash(email: str) -> str | None:
    """How an imported author's address is kept: SHA-256 of the trimmed, lower-cased address."""
    email = storable(email).strip().lower()
    if "@" not in email:
        return None
    return hashlib.sha256(email.encode()).hexdigest()


_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_time(value: str | float | int | None) -> datetime | None:
    """A time from an export: ISO 8601 with or without a zone (none means UTC), with up to
    nanoseconds, "YYYY-MM-DD HH:MM:SS", or Unix seconds. None when it is missing or zero."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC) if value > 0 else None
    text = value.strip()
    if not text or text.startswith("0000-00-00"):
        return None
    text = _FRACTION.sub(r"\1", text.replace("Z", "+00:00").replace("z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def open_export(path: Path) -> IO[bytes]:
    """The export's bytes, gunzipped on the fly when it is gzipped (Disqus, Remark42 and
    Commento all hand their exports out as .gz)."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSON-lines file, one at a time."""
    with io.TextIOWrapper(open_export(path), encoding="utf-8", errors="replace") as lines:
        try:
            for number, text in enumerate(lines, start=1):
                if not text.strip():
                    continue
                try:
                    line = json.loads(text)
                except json.JSONDecodeError as error:
                    raise ImportError_(f"{path.name} line {number} is not JSON ({error})"
                                       ) from error
                if not isinstance(line, dict):
                    raise ImportError_(f"{path.name} line {number} is not a JSON object")
                yield number, line
        except (EOFError, OSError) as error:  # A gzipped file cut short.
            raise ImportError_(f"{path.name} is cut short or damaged ({error})") from error
