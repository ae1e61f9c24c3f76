"""Serialised thread payloads, kept per process and keyed by their strong ETag.

The ETag is built from the thread's version, which every visible change moves on in the
database, so an entry can never be stale: a changed thread has a new ETag, and the old entry
simply ages out. Bounded by total bytes, least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class PayloadCache:
    """A byte-bounded LRU map from ETag to JSON bytes; safe to share between threads.

    It also remembers the newest ETag served for each page, so that while the database is
    unreachable a page this process has served can still be answered (slightly stale).
    """

    def __init__(self, max_bytes: int, max_pages: int = 10_000) -> None:
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._latest: OrderedDict[str, str] = OrderedDict()
        self._max_pages = max_pages

    def served(self, page: str, etag: str) -> None:
        """Note that `etag` is the newest version of `page` (a thread key, cursor and size)."""
        with self._lock:
            self._latest[page] = etag
            self._latest.move_to_end(page)
            if len(self._latest) > self._max_pages:
                self._latest.popitem(last=False)

    def latest(self, page: str) -> tuple[str, bytes] | None:
        """The newest ETag and payload served for `page`, if both are still held."""
        with self._lock:
            etag = self._latest.get(page)
        payload = self.get(etag) if etag is not None else None
        return (etag, payload) if etag is not None and payload is not None else None

    def get(self, etag: str) -> bytes | None:
        """The payload stored under this ETag, if still held."""
        with self._lock:
            payload = self._entries.get(etag)
            if payload is not None:
                self._entries.move_to_end(etag)
            return payload

    def put(self, etag: str, payload: bytes) -> None:
        """Keep a payload, evicting the least recently used ones past the byte budget."""
        if len(payload) > self._max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(etag, None)
            if previous is not None:
                self._bytes -= len(previous)
            self._entries[etag] = payload
            self._bytes += len(payload)
            while self._bytes > self._max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted)

    def __len__(self) -> int:
        return len(self._entries)


class SummaryCache:
    """Thread summaries (version, count, state), or comment counts, for up to `ttl` seconds.

    This is what lets the hot thread's page and its 304 be answered without touching the
    database. A commit in this process clears it at once; a change committed by another
    process shows here within `ttl` seconds, well inside the max-age the payload already
    advertises to every cache between us and the reader.
    """

    def __init__(self, ttl: float, max_entries: int = 10_000) -> None:
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, now: float) -> object | None:
        """The summary cached for this thread key, if younger than the TTL."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or now - entry[0] >= self._ttl:
                return None
            return entry[1]

    def put(self, key: str, summary: object, now: float) -> None:
        """Remember a summary read at `now`."""
        if self._ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (now, summary)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self, *_args: object) -> None:
        """Forget everything (this process just committed a change)."""
        with self._lock:
            self._entries.clear()
