"""A thread's public payload as bytes, its ETag, and its first page stored ready to send.

The first page (oldest first, the default size) is what every embed asks for. Once built it is
stored under its ETag (models.StoredPage), so a cold thread — an archive article, a page a
search engine crawls — is answered with the one lookup that finds the thread, instead of a
page query touching a row per comment. A change moves the thread's version on, hence the
ETag, so a stored page is never served stale: the next read rebuilds and stores it.

`build_missing` stores the first page of every thread that lacks a current one, in bulk
(`comments-widget pages build`, after an import or an upgrade).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from comments_widget.db import quick_writes
from comments_widget.services import article_authors, reading
from comments_widget.services.policy import Policy, thread_is_closed
from comments_widget.views.payloads import comment_tree, thread_json

logger = logging.getLogger(__name__)
PAYLOAD_FORMAT = 3  # Bump when the payload's shape changes, so no cached copy outlives it.
FIRST_PAGE_SORT = "oldest"


@dataclass(frozen=True)
class PageKey:
    """Which page of a thread, in which order: part of its ETag."""

    after: int | None
    limit: int
    sort: str

    def is_first(self, page_size: int) -> bool:
        return self.after is None and self.limit == page_size and self.sort == FIRST_PAGE_SORT


def page_etag(thread: reading.ThreadRow, closed: bool, downvotes: bool, page: PageKey) -> str:
    """Changes whenever anything the payload shows may have changed (version, closing, the
    down-vote setting, the page asked for)."""
    return (f"{PAYLOAD_FORMAT}-{thread.id}-{thread.version}-{int(closed)}{int(downvotes)}"
            f"-{page.after or 0}-{page.limit}-{page.sort}")


def payload_bytes(thread: reading.ThreadRow, closed: bool, downvotes: bool,
                  page: reading.ThreadPage, authors: set[int]) -> bytes:
    """The public JSON of one page of a thread."""
    return json.dumps({
        "thread": thread_json(thread, thread.comment_count, closed, downvotes),
        "comments": comment_tree(page.comments, thread.pinned_comment_id, authors),
        "next": page.next_after,
    }, separators=(",", ":")).encode()


def build_page(connection: reading.Executor, thread: reading.ThreadRow, closed: bool,
               downvotes: bool, page: PageKey) -> bytes:
    """Read one page of a thread and serialise it."""
    rows = reading.thread_page(connection, thread, page.after, page.limit, page.sort)
    authors = article_authors.author_ids(connection, thread.url, thread.author_subjects)
    return payload_bytes(thread, closed, downvotes, rows, authors)


def store(connection: sa.Connection, thread_id: int, page: reading.StoredFirstPage) -> None:
    """Keep a first page for the reads that follow. Only a cache: a write that cannot happen
    now (SQLite busy with a writer, a read-only replica) is skipped, never waited for."""
    try:
        with quick_writes(connection):
            reading.store_first_pages(connection, [(thread_id, page)])
    except sa.exc.OperationalError:
        logger.info("thread %s: first page not stored (database busy)", thread_id)
    except sa.exc.DBAPIError:
        logger.warning("thread %s: first page not stored", thread_id, exc_info=True)


def build_missing(engine: sa.Engine, policy: Policy, page_size: int, now: datetime,
                  progress: Callable[[int], None] = lambda done: None,
                  batch: int = 1000) -> int:
    """Store the first page of every thread that has none for its current version; returns
    how many were stored. Streams every visible comment once, in thread order, instead of
    one page query per thread; a thread with a pinned comment or more top-level comments than
    a page holds is built by the read path's own query."""
    first_page = PageKey(None, page_size, FIRST_PAGE_SORT)
    stored = 0
    with engine.connect() as reader, engine.connect() as writer:
        wanted: dict[int, tuple[reading.ThreadRow, bool, str]] = {}
        for thread, stored_etag in reading.threads_and_stored_etags(reader):
            closed = thread_is_closed(thread, policy, now)
            etag = page_etag(thread, closed, policy.downvotes, first_page)
            if etag != stored_etag:
                wanted[thread.id] = (thread, closed, etag)
        pages: list[tuple[int, reading.StoredFirstPage]] = []

        def flush() -> None:
            nonlocal stored
            if pages:
                reading.store_first_pages(writer, pages)
                writer.commit()
                stored += len(pages)
                progress(len(pages))
                pages.clear()

        def build(thread_id: int, comments: list[reading.CommentRow]) -> None:
            thread, closed, etag = wanted.pop(thread_id)
            roots = {c.id for c in comments if c.parent_id is None}
            if len(roots) > page_size or thread.pinned_comment_id is not None:
                body = build_page(writer, thread, closed, policy.downvotes, first_page)
            else:
                # As the page query: top-level comments and the replies under them (a reply
                # whose top-level comment is hidden is not on the page).
                shown = [c for c in comments if c.root in roots]
                authors = article_authors.author_ids(writer, thread.url,
                                                     thread.author_subjects)
                body = payload_bytes(thread, closed, policy.downvotes,
                                     reading.ThreadPage(shown, None), authors)
            pages.append((thread_id, reading.StoredFirstPage.of(etag, body)))
            if len(pages) >= batch:
                flush()

        for thread_id, comments in reading.visible_comments_by_thread(reader):
            if thread_id in wanted:
                build(thread_id, comments)
        for thread_id in list(wanted):  # nothing visible in them (yet)
            build(thread_id, [])
        flush()
    return stored
