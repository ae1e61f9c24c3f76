"""The audit log as a hash chain, so a changed or removed entry is found, not trusted.

Each entry stores two SHA-256 digests: `content_digest` over who acted and what changed
(actor, before, after, detail), and `entry_hash` over the previous entry's hash, its own id,
time, action, target and content digest. Changing any stored field, or deleting an entry in
the middle, breaks the chain at that point; `flask comments-widget audit verify` walks it.

Two things legitimately change an entry after the fact, and verification allows exactly
those: erasing a reader blanks what earlier entries about them said (their content digest no
longer matches, but a later, chained "erase" entry for that reader explains it), and deleting
a reader's row empties `actor_id` (the hashed `actor_ref` keeps who it was).

Writers are serialised so the chain never forks: PostgreSQL takes a transaction-scoped
advisory lock before the insert; SQLite already allows one writer at a time. Removing the
newest entries leaves a shorter valid chain: record the head that `verify` prints somewhere
else (a ticket, a log shipper) to catch that too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 0x636F6D6D656E7473  # "comments": one lock for everyone who appends to the log
_HEAD = "comments_widget.audit_head"
BATCH = 5000


def content_digest(actor_ref: int | None, before: str, after: str, detail: str) -> str:
    """SHA-256 over the parts of an entry that erasure may blank."""
    return hashlib.sha256(json.dumps([actor_ref, before, after, detail],
                                     ensure_ascii=False).encode()).hexdigest()


def _moment(when: datetime) -> str:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def chained_hash(previous: str, entry_id: int, created_at: datetime, action: str,
                 target_type: str, target_id: int | None, digest: str) -> str:
    """SHA-256 linking an entry to the one before it."""
    parts = [previous, entry_id, _moment(created_at), action, target_type, target_id, digest]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def seal(session: Session, entry: AuditEntry) -> None:
    """Add `entry` to the session at the head of the chain (flushes, to learn its id)."""
    transaction = id(session.get_transaction())
    head = session.info.get(_HEAD)
    if head is None or head[0] != transaction:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
        head = None
    entry.actor_ref = entry.actor_id
    session.add(entry)
    session.flush()  # on SQLite this takes the write lock: nobody appends until we commit
    previous = head[1] if head is not None else session.scalar(
        sa.select(AuditEntry.entry_hash).where(AuditEntry.id < entry.id)
        .order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    entry.content_digest = content_digest(entry.actor_ref, entry.before, entry.after,
                                          entry.detail)
    entry.entry_hash = chained_hash(previous, entry.id, entry.created_at, entry.action,
                                    entry.target_type, entry.target_id, entry.content_digest)
    session.info[_HEAD] = (transaction, entry.entry_hash)


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: how many entries it checked, the first bad one and why."""

    checked: int
    head_id: int | None
    head_hash: str
    bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_id is None


def _entries(session: Session) -> Iterator[sa.Row]:
    after = 0
    while True:
        rows = session.execute(
            sa.select(AuditEntry.id, AuditEntry.actor_id, AuditEntry.actor_ref,
                      AuditEntry.action, AuditEntry.target_type, AuditEntry.target_id,
                      AuditEntry.before, AuditEntry.after, AuditEntry.detail,
                      AuditEntry.created_at, AuditEntry.content_digest, AuditEntry.entry_hash)
            .where(AuditEntry.id > after).order_by(AuditEntry.id).limit(BATCH)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def _erased_readers(session: Session) -> dict[int, int]:
    """Reader id → id of the entry that erased them."""
    return dict(session.execute(
        sa.select(AuditEntry.target_id, sa.func.max(AuditEntry.id))
        .where(AuditEntry.action == "erase", AuditEntry.target_type == "reader")
        .group_by(AuditEntry.target_id)).all())


def verify(session: Session) -> Verdict:
    """Walk the chain from the first entry; stop at the first that does not hold."""
    erased = _erased_readers(session)
    previous, checked, last_id = GENESIS, 0, None
    for row in _entries(session):
        problem = _problem(row, previous, erased)
        if problem:
            return Verdict(checked, last_id, previous, row.id, problem)
        previous, last_id = row.entry_hash, row.id
        checked += 1
    return Verdict(checked, last_id, previous)


def _problem(row: sa.Row, previous: str, erased: dict[int, int]) -> str:
    if not row.entry_hash or not row.content_digest:
        return "it carries no hash (written outside the application?)"
    if row.actor_id is not None and row.actor_id != row.actor_ref:
        return "its actor was changed"
    if chained_hash(previous, row.id, row.created_at, row.action, row.target_type,
                    row.target_id, row.content_digest) != row.entry_hash:
        return ("it does not follow the entry before it: this entry's id, time, action or "
                "target was changed, or an entry before it was removed")
    digest = content_digest(row.actor_ref, row.before, row.after, row.detail)
    if digest != row.content_digest:
        redacted = (row.target_type == "reader" and row.before == row.after == row.detail == ""
                    and erased.get(row.target_id or 0, 0) > row.id)
        if not redacted:
            return "what it says (actor, before, after or detail) was changed"
    return ""


def rechain(session: Session) -> int:
    """Compute every entry's digests and hashes again, in id order; returns how many. Only for
    a restore that could not bring its chain along (see importing/native.py)."""
    previous, count = GENESIS, 0
    for row in list(_entries(session)):
        digest = content_digest(row.actor_ref if row.actor_ref is not None else row.actor_id,
                                row.before, row.after, row.detail)
        previous = chained_hash(previous, row.id, row.created_at, row.action, row.target_type,
                                row.target_id, digest)
        session.execute(sa.update(AuditEntry).where(AuditEntry.id == row.id).values(
            actor_ref=row.actor_ref if row.actor_ref is not None else row.actor_id,
            content_digest=digest, entry_hash=previous))
        count += 1
    session.info.pop(_HEAD, None)
    return count
