"""Remark42's backup (`remark42 backup`, or the automatic daily one): JSON lines, a header
line with the site's users and posts, then one comment per line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from comments_widget.importing.records import (
    ImportError_,
    SourceComment,
    json_lines,
    parse_time,
)
from comments_widget.models import Status


def read(path: Path) -> Iterator[SourceComment]:
    for number, record in json_lines(path):
        if "version" in record and "id" not in record:
            continue  # The header: users and posts, nothing we need.
        if "id" not in record or "locator" not in record:
            raise ImportError_(f"{path.name} line {number} is not a Remark42 comment")
        locator, user = record.get("locator") or {}, record.get("user") or {}
        site = str(locator.get("site", ""))
        name = str(user.get("name") or "Anonymous")
        votes = record.get("votes") or {}
        up = sum(1 for value in votes.values() if value is True)
        down = sum(1 for value in votes.values() if value is False)
        if not votes and isinstance(record.get("score"), int):
            up, down = max(record["score"], 0), max(-record["score"], 0)
        parent = str(record.get("pid") or "")
        yield SourceComment(
            source_id=f"{site}:{record['id']}", thread_url=str(locator.get("url", "")),
            thread_title=str(record.get("title") or ""),
            parent_id=f"{site}:{parent}" if parent else None,
            author_name=name, author_email=str(user.get("email") or ""),
            author_key=f"user:{user.get('id') or name}",
            created_at=parse_time(str(record.get("time") or "")),
            body=str(record.get("orig") or record.get("text") or ""),
            body_format="markdown" if record.get("orig") else "html",
            status=Status.DELETED if record.get("delete") else Status.APPROVED,
            upvotes=up, downvotes=down)
