"""The JSON shapes of the public API (docs/api.md)."""

from __future__ import annotations

from typing import Any

from comments_widget.models import Reader, Role, Status
from comments_widget.services.reading import CommentRow, ThreadRow


def reader_json(reader: Reader) -> dict[str, Any]:
    """What the embed needs to know about the logged-in reader."""
    from comments_widget.services.readers import ban_message

    return {"id": reader.id, "name": reader.display_name, "role": reader.role.value,
            "banned": ban_message(reader) if reader.is_banned() else None,
            "external": reader.is_external}


def comment_json(comment: CommentRow, article_author: bool = False) -> dict[str, Any]:
    """One comment; `html` is sanitised at write time and safe to insert as is."""
    deleted = comment.status == Status.DELETED
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        # avatar: the picture the site gave through single sign-on, or null for our identicon
        # at /comments/avatars/<author id>.svg.
        "author": {"id": None if deleted else comment.author_id,
                   "name": None if deleted else comment.author_name,
                   "avatar": None if deleted else comment.author_avatar,
                   # A moderator or admin of this site ("Staff" badge).
                   "staff": not deleted and comment.author_role in (Role.MODERATOR,
                                                                     Role.ADMIN),
                   # One of the article's authors, as the site named them ("Author" badge).
                   "article_author": not deleted and article_author},
        "html": "" if deleted else comment.body_html,
        "status": comment.status.value,
        "created_at": comment.created_at.isoformat(),
        "edited_at": None if deleted or comment.edited_at is None
        else comment.edited_at.isoformat(),
        # A moderator changed the text (readers are shown "edited by a moderator").
        "moderated": not deleted and comment.moderated_at is not None,
        "featured": not deleted and comment.featured_at is not None,  # an editor's pick
        "up": comment.upvotes,
        "down": comment.downvotes,
        "replies": [],
    }


def thread_json(thread: ThreadRow, comment_count: int, closed: bool,
                downvotes: bool = False) -> dict[str, Any]:
    """A thread's identity, size and state, and whether readers may vote down."""
    return {"key": thread.key, "url": thread.url, "title": thread.title,
            "comment_count": comment_count, "closed": closed,
            "pinned_comment_id": thread.pinned_comment_id, "downvotes": downvotes,
            "featured_count": thread.featured_count, "authors_tag": thread.authors_tag}


def _prune_deleted(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # A deleted comment stays only as the placeholder its visible replies hang from.
    kept = []
    for node in nodes:
        node["replies"] = _prune_deleted(node["replies"])
        if node["status"] != Status.DELETED.value or node["replies"]:
            kept.append(node)
    return kept


def comment_tree(comments: list[CommentRow], pinned_id: int | None = None,
                 article_authors: frozenset[int] | set[int] = frozenset()
                 ) -> list[dict[str, Any]]:
    """Nest replies under their parents (oldest first), top-level comments in the order they
    come, the pinned comment on top."""
    nodes = {comment.id: comment_json(comment, comment.author_id in article_authors)
             for comment in comments}
    roots: list[dict[str, Any]] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        # A reply whose parent is hidden is still the reader's words: show it at the top level.
        (parent["replies"] if parent else roots).append(nodes[comment.id])
    roots = _prune_deleted(roots)
    roots.sort(key=lambda node: node["id"] != pinned_id)
    return roots
