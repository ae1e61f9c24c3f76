"""Our own export (docs/export-format.md) and restoring it.

JSON lines, one object a line, each with a "type"; rows in id order, read and written in
pages, so neither side ever holds a whole table. Password hashes, session ids and tokens are
never exported. A restore keeps every id, so links to comments (#comment-123) keep working,
and exporting again gives the same file byte for byte; it therefore goes into a database with
no comments, threads or readers yet. Bodies are rendered again from their Markdown source by
today's sanitiser: the file is input like any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.importing.records import ImportError_, json_lines, storable
from comments_widget.models import (
    AuditEntry,
    Comment,
    ExternalIdentity,
    Flag,
    Follow,
    ImportedRecord,
    Reader,
    Thread,
    Vote,
)
from comments_widget.sanitize import render_comment
from comments_widget.services import audit, audit_chain, versions
from comments_widget.urls import origin_of

FORMAT, VERSION = "comments_widget", 1
PAGE = 5000

# What each line type holds, in the order the file lists them (parents before children).
FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "reader": (Reader, ("id", "display_name", "email", "email_verified_at", "role",
                        "created_at", "banned_at", "banned_until", "ban_reason",
                        "digest_emails", "moderation_emails", "reply_emails", "avatar_url",
                        "imported_email_hash", "erased_at")),
    "identity": (ExternalIdentity, ("id", "reader_id", "provider", "subject", "email",
                                    "created_at")),
    "thread": (Thread, ("id", "key", "url", "title", "created_at", "closed_at",
                        "pinned_comment_id")),
    "comment": (Comment, ("id", "thread_id", "parent_id", "author_id", "depth", "root_id",
                          "body_source", "status", "created_at", "updated_at", "edited_at",
                          "hold_reasons", "needs_review", "hidden_by_flags", "upvotes",
                          "downvotes", "rank", "announced_at", "notified_at")),
    "vote": (Vote, ("comment_id", "reader_id", "value", "created_at")),
    "follow": (Follow, ("thread_id", "reader_id", "created_at")),
    "flag": (Flag, ("id", "comment_id", "reader_id", "reason", "text", "created_at",
                    "resolved_at")),
    "audit": (AuditEntry, ("id", "actor_id", "action", "target_type", "target_id", "before",
                           "after", "detail", "created_at", "actor_ref", "content_digest",
                           "entry_hash")),
    # Where imported rows came from, so importing the old export again after a move still
    # imports nothing twice.
    "origin": (ImportedRecord, ("source", "kind", "source_id", "target_id")),
}
_TIMES = {"erased_at", "email_verified_at", "created_at", "banned_at", "banned_until", "closed_at",
          "updated_at", "edited_at", "announced_at", "notified_at", "resolved_at"}
_KEYS = {"vote": ("comment_id", "reader_id"), "follow": ("thread_id", "reader_id"),
         "origin": ("source", "kind", "source_id")}


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value"):  # our enums
        return value.value  # type: ignore[attr-defined]
    return value


# -- export ------------------------------------------------------------------------------------


def _site_filter(kind: str, site: str | None) -> list[Any]:
    """Which rows of `kind` belong to `site`: its threads, their comments, the people in them
    (and every moderator, who the audit log names), their votes, reports and audit entries."""
    if site is None:
        return []
    threads = sa.select(Thread.id).where(Thread.key.like(f"{site}/%") | (Thread.key == site))
    comments = sa.select(Comment.id).where(Comment.thread_id.in_(threads))
    people = sa.union(
        sa.select(Comment.author_id).where(Comment.thread_id.in_(threads)),
        sa.select(Vote.reader_id).where(Vote.comment_id.in_(comments)),
        sa.select(Flag.reader_id).where(Flag.comment_id.in_(comments)),
        sa.select(Follow.reader_id).where(Follow.thread_id.in_(threads)),
        sa.select(Reader.id).where(Reader.role != "reader"))
    return {
        "reader": [Reader.id.in_(people)],
        "identity": [ExternalIdentity.reader_id.in_(people)],
        "thread": [Thread.id.in_(threads)],
        "comment": [Comment.thread_id.in_(threads)],
        "vote": [Vote.comment_id.in_(comments)],
        "follow": [Follow.thread_id.in_(threads)],
        "flag": [Flag.comment_id.in_(comments)],
        "audit": [sa.or_(
            (AuditEntry.target_type == "comment") & AuditEntry.target_id.in_(comments),
            (AuditEntry.target_type == "thread") & AuditEntry.target_id.in_(threads))],
        "origin": [sa.or_(
            (ImportedRecord.kind == "comment") & ImportedRecord.target_id.in_(comments),
            (ImportedRecord.kind == "author") & ImportedRecord.target_id.in_(people))],
    }[kind]


def _rows(session: Session, kind: str, site: str | None) -> Iterator[dict[str, object]]:
    model, names = FIELDS[kind]
    columns = [getattr(model, name) for name in names]
    order = [getattr(model, key) for key in _KEYS.get(kind, ("id",))]
    after: tuple[object, ...] | None = None
    while True:
        query = sa.select(*columns).where(*_site_filter(kind, site)).order_by(*order).limit(PAGE)
        if after is not None:
            query = query.where(sa.tuple_(*order) > sa.tuple_(*after))
        rows = session.execute(query).all()
        for row in rows:
            yield {"type": kind, **{name: _plain(value) for name, value in zip(names, row,
                                                                                strict=True)}}
        if len(rows) < PAGE:
            return
        last = rows[-1]
        after = tuple(last[names.index(key)] for key in _KEYS.get(kind, ("id",)))


def export(session: Session, out: IO[str], site: str | None = None,
           on_progress: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Write the export to `out`; how many lines of each type were written."""
    if site is not None and origin_of(site) != site.rstrip("/"):
        raise ImportError_(f"--site must be an origin such as https://news.example, "
                           f"not {site!r}")
    site = site.rstrip("/") if site else None
    out.write(json.dumps({"type": "header", "format": FORMAT, "version": VERSION,
                          "site": site}, separators=(",", ":")) + "\n")
    counts: dict[str, int] = {}
    for kind in FIELDS:
        counts[kind] = 0
        for row in _rows(session, kind, site):
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            counts[kind] += 1
            if counts[kind] % 1000 == 0:
                on_progress(1000)
    return counts


# -- restore -----------------------------------------------------------------------------------


def _typed(kind: str, line: dict[str, Any]) -> dict[str, Any]:
    _, names = FIELDS[kind]
    row = {}
    for name in names:
        value = line.get(name)
        if name in _TIMES and value is not None:
            value = datetime.fromisoformat(value)
        elif isinstance(value, str):
            value = storable(value)
        row[name] = value
    if kind == "comment":
        row["body_html"] = render_comment(row["body_source"] or "")
    if kind == "audit":  # exports written before the hash chain have none
        row["content_digest"] = row["content_digest"] or ""
        row["entry_hash"] = row["entry_hash"] or ""
    if kind == "reader":
        row["password_hash"] = ""  # Never exported: readers set a new one ("Forgot it?").
    return row


def restore(session: Session, path: Path,
            on_progress: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Load an export into this (empty) database in one transaction: all or nothing, so a
    restore that failed can simply be run again. The caller commits."""
    for model in (Comment, Thread, Reader):
        if session.scalar(sa.select(sa.func.count()).select_from(model)):
            raise ImportError_(
                "a native import restores into a database with no comments, articles or "
                "accounts yet, keeping every id (this one has some: was it restored already?). "
                "Point COMMENTS_WIDGET_DATABASE_URL at a new database and run it there.")
    lines = json_lines(path)
    first = next(lines, None)
    if first is None or first[1].get("type") != "header" or first[1].get("format") != FORMAT:
        raise ImportError_(f"{path.name} is not a comments_widget export (no header line)")
    if first[1].get("version") != VERSION:
        raise ImportError_(f"{path.name} is version {first[1].get('version')}; this "
                           f"comments_widget reads version {VERSION}")
    counts = dict.fromkeys(FIELDS, 0)
    buffered: list[dict[str, Any]] = []
    buffered_kind = ""

    def flush() -> None:
        if buffered:
            session.execute(sa.insert(FIELDS[buffered_kind][0]), buffered)
            on_progress(len(buffered))
            buffered.clear()

    for number, line in lines:
        kind = line.get("type")
        if kind not in FIELDS:
            raise ImportError_(f"line {number}: unknown type {kind!r}")
        if kind != buffered_kind or len(buffered) >= PAGE:
            flush()
            buffered_kind = kind
        try:
            buffered.append(_typed(kind, line))
        except (TypeError, ValueError) as error:
            raise ImportError_(f"line {number}: {error}") from error
        counts[kind] += 1
    flush()
    session.execute(sa.update(Thread).values(version=1,
                                             comment_count=versions.visible_count()))
    _move_sequences_on(session)
    _keep_the_audit_chain(session, path.name, first[1].get("site"))
    return counts


def _keep_the_audit_chain(session: Session, name: str, site: str | None) -> None:
    """A whole export restores a chain that verifies as it did. One site's export holds only
    that site's entries (and older exports no hashes): chain them again, and say so in the
    log, so `audit verify` checks everything from here on."""
    if audit_chain.verify(session).ok:
        return
    count = audit_chain.rechain(session)
    why = f"one site's export ({site})" if site else "an export without a complete chain"
    audit.record(session, None, "audit_rechained", "audit", None, "", "",
                 f"{count} entries restored from {name}, {why}, were chained again")


def _move_sequences_on(session: Session) -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids did not move."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in (Reader, ExternalIdentity, Thread, Comment, Flag, AuditEntry):
        table = model.__tablename__
        session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
