"""The JSON shapes of the public API (docs/api.md)."""

from __future__ import annotations

from typing import Any

from comments_widget.models import Comment, Reader, Thread


def reader_json(reader: Reader) -> dict[str, Any]:
    """What the embed needs to know about the logged-in reader."""
    return {"id": reader.id, "name": reader.display_name, "role": reader.role.value}


def comment_json(comment: Comment) -> dict[str, Any]:
    """One comment; `html` is sanitised at write time and safe to insert as is."""
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author": {"name": comment.author.display_name},
        "html": comment.body_html,
        "status": comment.status.value,
        "created_at": comment.created_at.isoformat(),
        "replies": [],
    }


def thread_json(thread: Thread, comment_count: int) -> dict[str, Any]:
    """A thread's identity and size."""
    return {"key": thread.key, "url": thread.url, "title": thread.title,
            "comment_count": comment_count}


def comment_tree(comments: list[Comment]) -> list[dict[str, Any]]:
    """Nest replies under their parents, keeping each level in the order given."""
    nodes = {comment.id: comment_json(comment) for comment in comments}
    roots: list[dict[str, Any]] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        # A reply whose parent is hidden is still the reader's words: show it at the top level.
        (parent["replies"] if parent else roots).append(nodes[comment.id])
    return roots
