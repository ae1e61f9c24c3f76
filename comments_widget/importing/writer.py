"""Storing imported comments: batches, origins remembered, the sanitiser and content rules run.

Memory stays flat whatever the export's size: records arrive as a stream, bodies are converted
in worker processes a few batches ahead, each batch is written with a handful of statements
and committed, and only the article keys and author ids of this import are kept in memory.

What every imported comment goes through, as a new one does: the same renderer and sanitiser
(bodies.py), the content rules of the policy (banned words, too many links: an approved comment
that breaks them waits for a moderator), the nesting limit. What it does not: pre-moderation of
new or all comments, which is about comments arriving now, not a history another system's
moderators already decided; and reply or follow emails (imported comments count as announced).
"""

from __future__ import annotations

import hashlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from urllib.parse import urljoin

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from comments_widget.importing.bodies import convert_many
from comments_widget.importing.records import SourceComment, email_hash, source_key, storable
from comments_widget.models import Comment, ImportedRecord, Reader, Status, Thread, utcnow
from comments_widget.services import hold_reasons, versions
from comments_widget.services.policy import Policy, content_hold_reasons
from comments_widget.services.votes import wilson_lower_bound
from comments_widget.urls import InvalidUrl, normalize_url

BATCH_SIZE = 2000
MISSING_PARENT = "reply to a comment not in the export: made top-level"
OTHER_THREAD = "reply to a comment on another article: made top-level"
NO_DATE = "no usable date: the time of the import used"
HELD = "approved there, held here by the content rules"


def author_source_id(author_key: str) -> str:
    """How an author is remembered in the origin table: a hash, as the key may be an address."""
    return hashlib.sha256(storable(author_key).encode()).hexdigest()


def too_deep(max_depth: int) -> str:
    return f"nested deeper than {max_depth} levels: attached to the deepest allowed ancestor"


@dataclass
class ImportSummary:
    """What an import did (or, with --dry-run, would do)."""

    read: int = 0
    threads_created: int = 0
    threads_added_to: int = 0
    authors_created: int = 0
    already_imported: int = 0
    comments: Counter[str] = field(default_factory=Counter)    # per status
    skipped: Counter[str] = field(default_factory=Counter)     # per reason
    adjusted: Counter[str] = field(default_factory=Counter)    # stored, with a change

    @property
    def stored(self) -> int:
        return sum(self.comments.values())

    def lines(self) -> list[str]:
        """The summary table the command prints."""
        rows = [("comments read", self.read), ("comments stored", self.stored)]
        rows += [(f"  {status}", n) for status, n in sorted(self.comments.items())]
        rows += [("already imported (skipped)", self.already_imported),
                 ("articles created", self.threads_created),
                 ("existing articles added to", self.threads_added_to),
                 ("authors created", self.authors_created)]
        rows += [(f"skipped: {reason}", n) for reason, n in sorted(self.skipped.items())]
        rows += [(f"stored, {reason}", n) for reason, n in sorted(self.adjusted.items())]
        width = max(len(label) for label, _ in rows)
        return [f"{label:<{width}}  {n:>10,}" for label, n in rows]


@dataclass(frozen=True)
class Placed:
    """Where a stored comment sits: what its replies need to know."""

    comment_id: int
    thread_id: int
    depth: int
    parent_id: int | None
    root_id: int


@dataclass
class _Pending:
    record: SourceComment
    source: str
    html: str
    thread_id: int
    author_id: int


def _batches(records: Iterable[SourceComment], size: int) -> Iterator[list[SourceComment]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


class Importer:
    """One import run into one database."""

    def __init__(self, session_factory: sessionmaker[Session], *, source: str,
                 site: str | None, max_depth: int, policy: Policy, dry_run: bool = False,
                 workers: int = 0, batch_size: int = BATCH_SIZE) -> None:
        self.session_factory = session_factory
        self.source = source
        self.site = site
        self.max_depth = max_depth
        self.policy = policy
        self.dry_run = dry_run
        self.workers = workers
        self.batch_size = batch_size
        self.summary = ImportSummary()
        self._threads: dict[str, int] = {}      # key -> id, for this run's articles
        self._url_keys: dict[str, str | None] = {}
        self._authors: dict[str, int] = {}      # author_key -> reader id
        self._waiting: list[_Pending] = []      # replies whose parent comes later
        self._new_threads: set[int] = set()
        self._batches_done = 0

    # -- the run -----------------------------------------------------------------------------

    def run(self, records: Iterable[SourceComment],
            on_progress: Callable[[int], None] = lambda n: None) -> ImportSummary:
        """Store every record; `on_progress(n)` after each batch of n records."""
        with self.session_factory() as session:
            try:
                for batch, bodies in self._converted(records):
                    self.summary.read += len(batch)
                    self._store(session, batch, bodies)
                    self._finish_batch(session)
                    on_progress(len(batch))
                self._place_waiting(session, final=True)
                self._finish_batch(session)
            finally:
                if self.dry_run:
                    session.rollback()
        return self.summary

    def _finish_batch(self, session: Session) -> None:
        if self.dry_run:
            session.flush()
        else:
            session.commit()
        session.expunge_all()
        self._batches_done += 1
        if self._batches_done & (self._batches_done - 1) == 0:  # 1, 2, 4, 8… batches in
            self._refresh_statistics(session)

    def _refresh_statistics(self, session: Session) -> None:
        """Tell PostgreSQL's planner how big the tables have grown. Its statistics still say
        "empty" after a bulk load until autovacuum gets round to it (or never, where it is
        off), and with them the origin lookup scans every imported row instead of using its
        key: each batch slower than the last. Each time the import has doubled is enough."""
        if session.get_bind().dialect.name != "postgresql":
            return
        session.execute(sa.text(
            "ANALYZE comments_widget_imported, comments_widget_comments, "
            "comments_widget_threads, comments_widget_readers"))
        if not self.dry_run:
            session.commit()

    def _converted(self, records: Iterable[SourceComment]
                   ) -> Iterator[tuple[list[SourceComment], list[tuple[str, str]]]]:
        """Batches with their bodies converted, by worker processes a few batches ahead."""
        batches = _batches(records, self.batch_size)
        if self.workers <= 1:
            for batch in batches:
                yield batch, convert_many([(r.body, r.body_format) for r in batch])
            return
        with ProcessPoolExecutor(self.workers, mp_context=get_context("spawn")) as pool:
            ahead: deque[tuple[list[SourceComment], Future[list[tuple[str, str]]]]] = deque()
            for batch in batches:
                ahead.append((batch, pool.submit(
                    convert_many, [(r.body, r.body_format) for r in batch])))
                if len(ahead) > self.workers:
                    done, future = ahead.popleft()
                    yield done, future.result()
            while ahead:
                done, future = ahead.popleft()
                yield done, future.result()

    # -- one batch ---------------------------------------------------------------------------

    def _store(self, session: Session, batch: list[SourceComment],
               bodies: list[tuple[str, str]]) -> None:
        done = self._already_imported(session, [r.source_id for r in batch])
        records: list[tuple[SourceComment, tuple[str, str]]] = []
        for record, body in zip(batch, bodies, strict=True):
            if not record.source_id.strip():
                self.summary.skipped["no id in the export"] += 1
            elif source_key(record.source_id) in done:
                self.summary.already_imported += 1
            else:
                records.append((record, body))
        thread_ids = self._thread_ids(session, [r for r, _ in records])
        author_ids = self._author_ids(session, [r for r, _ in records])
        pending: list[_Pending] = []
        for record, (source, html) in records:
            thread_id = thread_ids.get(self._thread_key(record.thread_url) or "")
            if thread_id is None:
                reason = ("no article URL" if not record.thread_url.strip()
                          else "article URL not usable (relative without --site, or invalid)")
                self.summary.skipped[reason] += 1
                continue
            if not source and record.status != Status.DELETED:
                self.summary.skipped["empty text"] += 1
                continue
            pending.append(_Pending(record, source, html, thread_id,
                                    author_ids[record.author_key]))
        self._place(session, pending)

    def _place(self, session: Session, pending: list[_Pending]) -> None:
        """Store what can be placed now: top-level comments, and replies whose parent is
        stored (this batch's first, then theirs...); the rest wait for their parent."""
        placed: dict[str, Placed] = {}
        in_batch = {source_key(p.record.source_id) for p in pending}
        while pending:
            wanted = {source_key(p.record.parent_id) for p in pending
                      if p.record.parent_id and source_key(p.record.parent_id) not in placed}
            placed.update(self._stored_parents(session, wanted - in_batch))
            ready, later = [], []
            for item in pending:
                parent = item.record.parent_id
                if parent is None or source_key(parent) in placed:
                    ready.append(item)
                else:
                    later.append(item)
            if not ready:
                self._waiting.extend(later)
                return
            placed.update(self._insert(session, ready, placed))
            in_batch -= {source_key(p.record.source_id) for p in ready}
            pending = later

    def _place_waiting(self, session: Session, final: bool) -> None:
        """Replies whose parent came later in the export; at the end, those whose parent never
        came are stored as top-level comments."""
        while self._waiting:
            waiting, self._waiting = self._waiting, []
            self._place(session, waiting)
            if len(self._waiting) == len(waiting):
                break
        if final and self._waiting:
            orphans, self._waiting = self._waiting, []
            self.summary.adjusted[MISSING_PARENT] += len(orphans)
            self._insert(session, orphans, {}, orphans=True)

    def _insert(self, session: Session, items: list[_Pending], parents: dict[str, Placed],
                orphans: bool = False) -> dict[str, Placed]:
        now = utcnow()
        rows, shapes = [], []
        for item in items:
            record = item.record
            parent = None if orphans or record.parent_id is None else parents[
                source_key(record.parent_id)]
            if parent is not None and parent.thread_id != item.thread_id:
                self.summary.adjusted[OTHER_THREAD] += 1
                parent = None
            if parent is not None and self.max_depth == 0:
                self.summary.adjusted[too_deep(0)] += 1
                parent = None
            depth, parent_id = (parent.depth + 1, parent.comment_id) if parent else (0, None)
            if parent is not None and depth > self.max_depth:
                # The parent is as deep as it can go: hang beside it, under its own parent.
                self.summary.adjusted[too_deep(self.max_depth)] += 1
                depth, parent_id = self.max_depth, parent.parent_id
            status, reasons = record.status, []
            if status == Status.APPROVED:
                reasons = content_hold_reasons(self.policy, item.source, item.html)
                if reasons:
                    status = Status.PENDING
                    self.summary.adjusted[HELD] += 1
            created = record.created_at
            if created is None:
                created = now
                self.summary.adjusted[NO_DATE] += 1
            self.summary.comments[status.value] += 1
            rows.append({
                "thread_id": item.thread_id, "parent_id": parent_id,
                "author_id": item.author_id, "depth": depth,
                "root_id": parent.root_id if parent else None,
                "body_source": item.source, "body_html": item.html, "status": status,
                "hold_reasons": hold_reasons.dumps(reasons), "created_at": created,
                "updated_at": created, "upvotes": record.upvotes,
                "downvotes": record.downvotes,
                "rank": wilson_lower_bound(record.upvotes, record.downvotes),
                # Never emailed about: a reply from 2014 is not news.
                "announced_at": created,
                # Moderators find held ones in the queue; no digest of a whole history.
                "notified_at": now, "needs_review": False, "hidden_by_flags": False,
            })
            shapes.append((source_key(record.source_id), item.thread_id, depth, parent_id,
                           parent.root_id if parent else None))
        ids = list(session.scalars(
            sa.insert(Comment).returning(Comment.id, sort_by_parameter_order=True), rows))
        top_level = [comment_id for comment_id, shape in zip(ids, shapes, strict=True)
                     if shape[4] is None]
        if top_level:
            session.execute(sa.update(Comment).where(Comment.id.in_(top_level))
                            .values(root_id=Comment.id)
                            .execution_options(synchronize_session=False))
        session.execute(sa.insert(ImportedRecord), [
            {"source": self.source, "kind": "comment", "source_id": shape[0],
             "target_id": comment_id} for comment_id, shape in zip(ids, shapes, strict=True)])
        versions.bump(session, {shape[1] for shape in shapes})
        return {shape[0]: Placed(comment_id, shape[1], shape[2], shape[3],
                                 shape[4] if shape[4] is not None else comment_id)
                for comment_id, shape in zip(ids, shapes, strict=True)}

    # -- lookups -----------------------------------------------------------------------------

    def _already_imported(self, session: Session, source_ids: list[str]) -> set[str]:
        keys = [source_key(i) for i in source_ids if i.strip()]
        return set(session.scalars(
            sa.select(ImportedRecord.source_id).where(
                ImportedRecord.source == self.source, ImportedRecord.kind == "comment",
                ImportedRecord.source_id.in_(keys)))) if keys else set()

    def _stored_parents(self, session: Session, keys: set[str]) -> dict[str, Placed]:
        if not keys:
            return {}
        rows = session.execute(
            sa.select(ImportedRecord.source_id, Comment.id, Comment.thread_id, Comment.depth,
                      Comment.parent_id, Comment.root_id)
            .join(Comment, Comment.id == ImportedRecord.target_id)
            .where(ImportedRecord.source == self.source, ImportedRecord.kind == "comment",
                   ImportedRecord.source_id.in_(keys)))
        return {key: Placed(comment_id, thread_id, depth, parent_id, root_id or comment_id)
                for key, comment_id, thread_id, depth, parent_id, root_id in rows}

    def _thread_key(self, url: str) -> str | None:
        if url not in self._url_keys:
            absolute = urljoin(self.site + "/", url) if self.site and url.strip() else url
            try:
                key: str | None = normalize_url(absolute)
            except InvalidUrl:
                key = None
            if len(self._url_keys) > 100_000:  # Bounded: a million articles stay flat.
                self._url_keys.clear()
            self._url_keys[url] = key
        return self._url_keys[url]

    def _thread_ids(self, session: Session, records: list[SourceComment]) -> dict[str, int]:
        first: dict[str, SourceComment] = {}
        for record in records:
            key = self._thread_key(record.thread_url)
            if key is not None and key not in self._threads and key not in first:
                first[key] = record
        if first:
            existing = dict(session.execute(
                sa.select(Thread.key, Thread.id).where(Thread.key.in_(list(first)))).all())
            for key in existing:
                if existing[key] not in self._new_threads:
                    self.summary.threads_added_to += 1
            self._threads.update(existing)
            new = [key for key in first if key not in existing]
            if new:
                rows = [{"key": key, "url": key,
                         "title": storable(first[key].thread_title).strip()[:300],
                         "created_at": first[key].created_at or utcnow(),
                         "closed_at": utcnow() if first[key].thread_closed else None,
                         "version": 0, "comment_count": 0} for key in new]
                ids = session.scalars(
                    sa.insert(Thread).returning(Thread.id, sort_by_parameter_order=True), rows)
                for key, thread_id in zip(new, ids, strict=True):
                    self._threads[key] = thread_id
                    self._new_threads.add(thread_id)
                self.summary.threads_created += len(new)
        return {key: self._threads[key] for key in
                {self._thread_key(r.thread_url) for r in records} if key in self._threads}

    def _author_ids(self, session: Session, records: list[SourceComment]) -> dict[str, int]:
        first: dict[str, SourceComment] = {}
        for record in records:
            if record.author_key not in self._authors and record.author_key not in first:
                first[record.author_key] = record
        if first:
            keys = {author_source_id(k): k for k in first}
            found = session.execute(
                sa.select(ImportedRecord.source_id, ImportedRecord.target_id).where(
                    ImportedRecord.source == self.source, ImportedRecord.kind == "author",
                    ImportedRecord.source_id.in_(list(keys))))
            for stored_key, reader_id in found:
                self._authors[keys[stored_key]] = reader_id
            new = [key for key in first if key not in self._authors]
            if new:
                rows = [{"email": None, "password_hash": "",
                         "display_name": storable(first[k].author_name).strip()[:80]
                         or "Anonymous",
                         "imported_email_hash": email_hash(first[k].author_email),
                         "created_at": first[k].created_at or utcnow()} for k in new]
                ids = list(session.scalars(
                    sa.insert(Reader).returning(Reader.id, sort_by_parameter_order=True), rows))
                session.execute(sa.insert(ImportedRecord), [
                    {"source": self.source, "kind": "author", "source_id": author_source_id(k),
                     "target_id": reader_id} for k, reader_id in zip(new, ids, strict=True)])
                self._authors.update(zip(new, ids, strict=True))
                self.summary.authors_created += len(new)
        ids = {r.author_key: self._authors[r.author_key] for r in records}
        if len(self._authors) > 500_000:  # Bounded; the origin table answers the rest.
            self._authors = dict(ids)
        return ids
