"""Isso's SQLite database (its `threads` and `comments` tables), read-only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from comments_widget.importing.records import ImportError_, SourceComment, parse_time
from comments_widget.models import Status

# Isso's comment modes: 1 accepted, 2 waiting for moderation, 4 deleted (kept for its replies).
_MODES = {1: Status.APPROVED, 2: Status.PENDING, 4: Status.DELETED}


def read(path: Path, site: str | None) -> Iterator[SourceComment]:
    """Isso numbers comments per database, so the ids are kept under the site's origin."""
    prefix = f"{site or ''}#"
    try:
        database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        database.execute("SELECT tid, id, parent, created, mode, text, author, email, likes, "
                         "dislikes FROM comments LIMIT 0")
    except sqlite3.Error as error:
        raise ImportError_(f"{path.name} is not an Isso database ({error})") from error
    try:
        rows = database.execute(
            "SELECT c.id, c.parent, c.created, c.mode, c.text, c.author, c.email, c.likes, "
            "c.dislikes, t.uri, t.title FROM comments c LEFT JOIN threads t ON t.id = c.tid "
            "ORDER BY c.id")
        for (comment_id, parent, created, mode, text, author, email, likes, dislikes, uri,
             title) in rows:
            name = (author or "").strip() or "Anonymous"
            email = (email or "").strip()
            yield SourceComment(
                source_id=f"{prefix}{comment_id}", thread_url=uri or "", thread_title=title or "",
                parent_id=f"{prefix}{parent}" if parent is not None else None,
                author_name=name, author_email=email,
                author_key=f"email:{email.lower()}" if email else f"name:{name}",
                created_at=parse_time(created), body=text or "", body_format="markdown",
                status=_MODES.get(mode, Status.PENDING), upvotes=max(likes or 0, 0),
                downvotes=max(dislikes or 0, 0))
    finally:
        database.close()
