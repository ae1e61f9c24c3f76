"""WordPress's WXR export (Tools → Export → All content): <item>s holding <wp:comment>s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from comments_widget.importing.records import ImportError_, SourceComment, parse_time
from comments_widget.importing.xml_stream import child_text, elements, local
from comments_widget.models import Status

# comment_approved: "1" approved, "0" waiting, "spam", "trash" (deleted); anything else waits.
_STATUSES = {"1": Status.APPROVED, "0": Status.PENDING, "spam": Status.SPAM,
             "trash": Status.DELETED, "post-trashed": Status.DELETED}
SKIPPED_TYPES = frozenset({"pingback", "trackback"})


def read(path: Path, skipped: dict[str, int]) -> Iterator[SourceComment]:
    """Every comment of every item; pingbacks and trackbacks are counted in `skipped`."""
    site = ""
    found_channel = False
    for element in elements(path, {"item", "base_site_url", "link"}, depth=2):
        found_channel = True
        kind = local(element.tag)
        if kind in ("base_site_url", "link"):
            site = site or (element.text or "").strip()
            continue
        link, title = child_text(element, "link"), child_text(element, "title")
        closed = child_text(element, "comment_status") == "closed"
        for comment in element:
            if local(comment.tag) != "comment":
                continue
            if child_text(comment, "comment_type") in SKIPPED_TYPES:
                reason = f"{child_text(comment, 'comment_type')} (not a comment)"
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            parent = child_text(comment, "comment_parent")
            name = child_text(comment, "comment_author") or "Anonymous"
            email = child_text(comment, "comment_author_email")
            user_id = child_text(comment, "comment_user_id")
            key = (f"user:{user_id}" if user_id not in ("", "0")
                   else f"email:{email.lower()}" if email else f"name:{name}")
            created = (parse_time(child_text(comment, "comment_date_gmt"))
                       or parse_time(child_text(comment, "comment_date")))
            yield SourceComment(
                source_id=f"{site}#{child_text(comment, 'comment_id')}",
                thread_url=link, thread_title=title,
                parent_id=f"{site}#{parent}" if parent not in ("", "0") else None,
                author_name=name, author_email=email, author_key=key, created_at=created,
                body=child_text(comment, "comment_content"), body_format="wordpress",
                status=_STATUSES.get(child_text(comment, "comment_approved"), Status.PENDING),
                thread_closed=closed)
    if not found_channel:
        raise ImportError_(f"{path.name} is not a WordPress export (no <channel>)")
