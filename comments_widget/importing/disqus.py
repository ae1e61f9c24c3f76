"""Disqus's XML export (Admin → Moderate → Export): <thread>s first, then every <post>."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from comments_widget.importing.records import ImportError_, SourceComment, parse_time
from comments_widget.importing.xml_stream import attribute, child, child_text, elements, local
from comments_widget.models import Status


def _author(post: object) -> tuple[str, str, str]:
    author = child(post, "author")
    if author is None:
        return "Anonymous", "", "anonymous"
    name = child_text(author, "name") or child_text(author, "username") or "Anonymous"
    email = child_text(author, "email")
    username = child_text(author, "username")
    anonymous = child_text(author, "isAnonymous").lower() == "true"
    key = (f"user:{username}" if username and not anonymous
           else f"email:{email.lower()}" if email else f"name:{name}")
    return name, email, key


def read(path: Path) -> Iterator[SourceComment]:
    threads: dict[str, tuple[str, str, bool]] = {}
    seen_root = False
    for element in elements(path, {"thread", "post", "category"}, depth=1):
        seen_root = True
        kind = local(element.tag)
        if kind == "thread":
            dsq_id = attribute(element, "id")
            # A thread may appear twice; the first one with a link wins.
            if dsq_id and not threads.get(dsq_id, ("",))[0]:
                threads[dsq_id] = (child_text(element, "link"), child_text(element, "title"),
                                   child_text(element, "isClosed").lower() == "true")
            continue
        if kind != "post":
            continue
        thread_ref = child(element, "thread")
        link, title, closed = threads.get(attribute(thread_ref, "id") if thread_ref is not None
                                          else "", ("", "", False))
        parent = child(element, "parent")
        name, email, key = _author(element)
        if child_text(element, "isSpam").lower() == "true":
            status = Status.SPAM
        elif child_text(element, "isDeleted").lower() == "true":
            status = Status.DELETED
        else:
            status = Status.APPROVED
        yield SourceComment(
            source_id=attribute(element, "id"), thread_url=link, thread_title=title,
            parent_id=(attribute(parent, "id") or None) if parent is not None else None,
            author_name=name, author_email=email, author_key=key,
            created_at=parse_time(child_text(element, "createdAt")),
            body=child_text(element, "message"), body_format="html", status=status,
            thread_closed=closed)
    if not seen_root:
        raise ImportError_(f"{path.name} has no Disqus <thread> or <post> elements")
