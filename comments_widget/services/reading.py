"""The read path readers hit thousands of times a minute: plain rows, few and indexed queries.

It works on Core rows rather than ORM objects, because building and tracking ORM objects
was most of the cost of a thread read (measured with pyinstrument, see bench/README.md).
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from comments_widget.models import Comment, Reader, Role, Status, StoredPage, Thread

# The read path runs on the request's session or, for the public reads, on a connection of
# its own in autocommit mode (state.read_connection): both execute Core statements.
Executor = Session | sa.Connection

VISIBLE = (Status.APPROVED, Status.DELETED)


@dataclass(frozen=True, slots=True)
class ThreadRow:
    """What a read needs of a thread."""

    id: int
    key: str
    url: str
    title: str
    created_at: datetime
    closed_at: datetime | None
    pinned_comment_id: int | None
    version: int
    comment_count: int
    featured_count: int = 0
    author_subjects: str = "[]"
    authors_tag: str = ""


@dataclass(frozen=True, slots=True)
class CommentRow:
    """What readers see of a comment."""

    id: int
    parent_id: int | None
    root_id: int | None
    author_id: int
    author_name: str
    body_html: str
    status: Status
    created_at: datetime
    edited_at: datetime | None = None
    upvotes: int = 0
    downvotes: int = 0
    author_avatar: str | None = None
    moderated_at: datetime | None = None
    featured_at: datetime | None = None
    author_role: Role = Role.READER

    @classmethod
    def of(cls, comment: Comment) -> CommentRow:
        """The row of an ORM comment (a new or edited one, answered to its author)."""
        return cls(comment.id, comment.parent_id, comment.root_id, comment.author_id,
                   comment.author.display_name, comment.body_html, comment.status,
                   comment.created_at, comment.edited_at, comment.upvotes, comment.downvotes,
                   comment.author.avatar_url, comment.moderated_at, comment.featured_at,
                   comment.author.role)

    @property
    def root(self) -> int:
        return self.root_id or self.id


_THREAD_COLUMNS = [getattr(Thread, name) for name in ThreadRow.__slots__]
_COMMENT_COLUMNS = (Comment.id, Comment.parent_id, Comment.root_id, Comment.author_id,
                    Reader.display_name, Comment.body_html, Comment.status, Comment.created_at,
                    Comment.edited_at, Comment.upvotes, Comment.downvotes, Reader.avatar_url,
                    Comment.moderated_at, Comment.featured_at, Reader.role)


# Statements are built once with bind parameters: constructing them per request cost more than
# running them (pyinstrument, cold thread reads).
_SUMMARY = sa.select(*_THREAD_COLUMNS).where(Thread.key == sa.bindparam("key"))
_COUNTS = sa.select(Thread.key, Thread.comment_count).where(
    Thread.key.in_(sa.bindparam("keys", expanding=True)))
_SHOWN = sa.and_(Comment.status.in_(VISIBLE), Comment.hidden_by_flags.is_(False))


def thread_summary(session: Executor, key: str) -> ThreadRow | None:
    """The thread with this key, in one indexed lookup: enough for its ETag."""
    row = session.execute(_SUMMARY, {"key": key}).first()
    return ThreadRow(*row) if row else None


_SUMMARY_AND_STORED_PAGE = (
    sa.select(*_THREAD_COLUMNS, StoredPage.etag, StoredPage.body)
    .outerjoin(StoredPage, StoredPage.thread_id == Thread.id)
    .where(Thread.key == sa.bindparam("key")))


STORED_PAGE_COMPRESSION = 6  # zlib's default; on the bench's pages as small as 9 (1,099 B of 4,896)


@dataclass(frozen=True, slots=True)
class StoredFirstPage:
    """A thread's first page as it was last built, and the ETag it was built for.

    Kept compressed (the JSON of a first page shrinks to about a quarter): a million-comment
    site's stored pages then fit in the memory the database and the OS keep, which is what
    decides how fast a cold thread is answered. Pages stored uncompressed by an earlier
    version are read as they are.
    """

    etag: str
    stored: bytes

    @classmethod
    def of(cls, etag: str, body: bytes) -> StoredFirstPage:
        return cls(etag, zlib.compress(body, STORED_PAGE_COMPRESSION))

    @property
    def body(self) -> bytes:
        """The JSON to send."""
        return self.stored if self.stored[:1] == b"{" else zlib.decompress(self.stored)


def thread_and_stored_page(connection: Executor, key: str
                           ) -> tuple[ThreadRow, StoredFirstPage | None] | None:
    """The thread with this key and its stored first page, in one statement: for a thread
    whose page is still current, all a read needs."""
    row = connection.execute(_SUMMARY_AND_STORED_PAGE, {"key": key}).first()
    if row is None:
        return None
    *thread, etag, body = row
    return ThreadRow(*thread), (StoredFirstPage(etag, bytes(body)) if etag else None)


def store_first_pages(connection: sa.Connection,
                      pages: list[tuple[int, StoredFirstPage]]) -> None:
    """Keep freshly built first pages (replacing older ones) for the reads that follow."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(StoredPage)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[StoredPage.thread_id],
            set_={"etag": statement.excluded.etag, "body": statement.excluded.body}),
        [{"thread_id": thread_id, "etag": page.etag, "body": page.stored}
         for thread_id, page in pages])


SORTS = ("oldest", "newest", "best", "featured")


def _after_cursor(sort: str) -> sa.ColumnElement[bool]:
    # Keyset: the roots that come after the cursor comment in this order. For "best" the
    # cursor's rank is read inside the same statement, so a page is still one query.
    after = sa.bindparam("after", type_=sa.Integer)
    if sort == "oldest":
        return Comment.id > after
    if sort in ("newest", "featured"):
        return Comment.id < after
    cursor = sa.select(Comment.rank, Comment.id).where(Comment.id == after).subquery()
    return sa.tuple_(Comment.rank, Comment.id) < sa.select(cursor.c.rank, cursor.c.id
                                                           ).scalar_subquery()


def _root_order(sort: str, rank: sa.ColumnElement, root_id: sa.ColumnElement) -> list:
    if sort == "oldest":
        return [root_id]
    if sort in ("newest", "featured"):
        return [root_id.desc()]
    return [rank.desc(), root_id.desc()]


@functools.cache
def _page_statement(after: bool, pinned: bool, sort: str = "oldest") -> sa.Select:
    roots = (sa.select(Comment.id.label("id"), Comment.rank.label("rank"))
             .where(Comment.thread_id == sa.bindparam("thread_id"), Comment.parent_id.is_(None),
                    _SHOWN)
             .order_by(*_root_order(sort, Comment.rank, Comment.id))
             .limit(sa.bindparam("limit")))
    if after:
        roots = roots.where(_after_cursor(sort))
    if sort == "featured":  # the editors' picks only, newest first
        roots = roots.where(Comment.featured_at.is_not(None))
    if pinned:
        roots = roots.where(Comment.id != sa.bindparam("pinned"))
    roots = roots.subquery()
    if pinned and not after:
        roots = sa.union_all(sa.select(roots.c.id, roots.c.rank),
                             sa.select(sa.bindparam("pinned", type_=sa.Integer).label("id"),
                                       sa.literal(0.0).label("rank"))
                             ).subquery()
    # Join from the page's roots: each root is one probe of (thread_id, root_id); each root's
    # replies follow it, oldest first.
    return (sa.select(*_COMMENT_COLUMNS)
            .select_from(roots)
            .join(Comment, sa.and_(Comment.thread_id == sa.bindparam("thread_id"),
                                   Comment.root_id == roots.c.id))
            .join(Reader, Reader.id == Comment.author_id)
            .where(_SHOWN).order_by(*_root_order(sort, roots.c.rank, roots.c.id), Comment.id))


@dataclass(frozen=True)
class ThreadPage:
    """One page of a thread as readers see it: top-level comments with all their replies."""

    comments: list[CommentRow]
    next_after: int | None


def thread_page(session: Executor, thread: ThreadRow, after: int | None,
                limit: int, sort: str = "oldest") -> ThreadPage:
    """Top-level comments after `after` (keyset, in `sort` order) with their replies, in one
    query.

    Deleted comments come too, so that their replies keep their place under a placeholder; the
    pinned comment leads the first page and is left out of the others.
    """
    pinned = thread.pinned_comment_id if sort != "featured" else None
    parameters = {"thread_id": thread.id, "limit": limit + 1, "after": after, "pinned": pinned}
    statement = _page_statement(after is not None, pinned is not None, sort)
    rows = session.execute(statement, {k: v for k, v in parameters.items() if v is not None})
    comments = [CommentRow(*row) for row in rows]
    page_roots = [c.id for c in comments if c.parent_id is None and c.id != pinned]
    next_after = None
    if len(page_roots) > limit:
        next_after = page_roots[limit - 1]
        kept = set(page_roots[:limit]) | {pinned}
        comments = [c for c in comments if c.root in kept]
    return ThreadPage(comments=comments, next_after=next_after)


def _ranked_before(sort: str, root: sa.Row) -> sa.ColumnElement[bool]:
    # The roots a page in this order lists before `root`.
    if sort == "oldest":
        return Comment.id < root.id
    if sort in ("newest", "featured"):
        return Comment.id > root.id
    return sa.tuple_(Comment.rank, Comment.id) > sa.tuple_(sa.literal(root.rank),
                                                           sa.literal(root.id))


def page_of(session: Session, thread: ThreadRow, comment_id: int, limit: int,
            sort: str = "oldest") -> tuple[int | None, int] | None:
    """The `after` cursor of the page (of `limit` top-level comments in `sort` order) that
    shows this comment, and its top-level comment's id; None if readers cannot see it there.

    Two indexed queries: where the comment's top-level comment stands, then the last top-level
    comment of the page before.
    """
    target = session.execute(
        sa.select(Comment.id, Comment.root_id)
        .where(Comment.id == comment_id, Comment.thread_id == thread.id, _SHOWN)).first()
    if target is None:
        return None
    root = session.execute(
        sa.select(Comment.id, Comment.rank, Comment.featured_at)
        .where(Comment.id == (target.root_id or target.id), Comment.parent_id.is_(None),
               _SHOWN)).first()
    if root is None or (sort == "featured" and root.featured_at is None):
        return None
    if root.id == thread.pinned_comment_id and sort != "featured":
        return None, root.id
    listed = sa.and_(Comment.thread_id == thread.id, Comment.parent_id.is_(None), _SHOWN)
    if sort == "featured":
        listed = sa.and_(listed, Comment.featured_at.is_not(None))
    elif thread.pinned_comment_id is not None:
        listed = sa.and_(listed, Comment.id != thread.pinned_comment_id)
    position = session.scalar(sa.select(sa.func.count()).select_from(Comment)
                              .where(listed, _ranked_before(sort, root)))
    pages_before = position // limit
    if pages_before == 0:
        return None, root.id
    cursor = session.scalar(sa.select(Comment.id).where(listed)
                            .order_by(*_root_order(sort, Comment.rank, Comment.id))
                            .offset(pages_before * limit - 1).limit(1))
    return cursor, root.id


def my_comments(session: Session, thread_id: int, reader_id: int) -> list[CommentRow]:
    """A reader's own comments in a thread that others cannot see yet, or that they may edit."""
    rows = session.execute(
        sa.select(*_COMMENT_COLUMNS).join(Reader, Reader.id == Comment.author_id)
        .where(Comment.thread_id == thread_id, Comment.author_id == reader_id,
               Comment.status.in_([Status.PENDING, Status.APPROVED]))
        .order_by(Comment.id)
    )
    return [CommentRow(*row) for row in rows]


def comment_counts(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """Visible comments per thread key, in one indexed query; keys without a thread count 0."""
    wanted = set(keys)
    counts = dict.fromkeys(wanted, 0)
    if wanted:
        counts.update({key: count for key, count
                       in session.execute(_COUNTS, {"keys": sorted(wanted)})})
    return counts


def comment_sources(session: Session, comment_ids: list[int]) -> dict[int, str]:
    """The Markdown each comment was written in (for its author's editor), by id."""
    if not comment_ids:
        return {}
    rows = session.execute(sa.select(Comment.id, Comment.body_source)
                           .where(Comment.id.in_(comment_ids)))
    return {comment_id: source for comment_id, source in rows}


_THREADS_AND_STORED_ETAGS = (
    sa.select(*_THREAD_COLUMNS, StoredPage.etag)
    .outerjoin(StoredPage, StoredPage.thread_id == Thread.id).order_by(Thread.id))
_VISIBLE_COMMENTS = (
    sa.select(Comment.thread_id, *_COMMENT_COLUMNS)
    .join(Reader, Reader.id == Comment.author_id)
    .where(_SHOWN)
    # A page lists its top-level comments oldest first, each followed by its replies.
    .order_by(Comment.thread_id, sa.func.coalesce(Comment.root_id, Comment.id), Comment.id))


def threads_and_stored_etags(connection: sa.Connection
                             ) -> Iterator[tuple[ThreadRow, str | None]]:
    """Every thread, with the ETag of its stored first page (None: none stored)."""
    for *columns, etag in connection.execute(_THREADS_AND_STORED_ETAGS):
        yield ThreadRow(*columns), etag


def visible_comments_by_thread(connection: sa.Connection
                               ) -> Iterator[tuple[int, list[CommentRow]]]:
    """Every comment readers can see, streamed once, grouped by thread in page order."""
    rows = connection.execution_options(stream_results=True, yield_per=2000).execute(
        _VISIBLE_COMMENTS)
    for thread_id, group in groupby(rows, key=lambda row: row[0]):
        yield thread_id, [CommentRow(*row[1:]) for row in group]
