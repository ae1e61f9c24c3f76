"""A comment's earlier texts, and moderators' edits.

A moderator can take a slur or a phone number out of a comment without rejecting all of it:
the new text is rendered and sanitised like any other, readers see "edited by a moderator",
and the text it replaced is kept as a revision that moderators can always read. Authors'
own edits keep their earlier texts the same way (a bait-and-switch edit is visible).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import InvalidInput, NotFound
from comments_widget.models import Comment, CommentRevision, Reader, utcnow
from comments_widget.sanitize import render_comment
from comments_widget.services import audit, spam, versions

AUTHOR = "author"
MODERATOR = "moderator"


def keep(session: Session, comment: Comment, editor: Reader, kind: str,
         now: datetime) -> CommentRevision:
    """Store the comment's current text as a revision, before it is replaced."""
    revision = CommentRevision(comment_id=comment.id, body_source=comment.body_source,
                               edited_by_id=editor.id, kind=kind, created_at=now)
    session.add(revision)
    session.flush()
    return revision


def edit_as_moderator(session: Session, actor: Reader, comment_id: int, body: object,
                      max_length: int) -> Comment:
    """Replace a comment's text as a moderator; its status stays as it was."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("That comment does not exist.", code="unknown_comment")
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput("The new text is empty; to remove the whole comment, reject or "
                           "delete it instead.", code="body_required")
    if len(body) > max_length:
        raise InvalidInput(f"Comments can be at most {max_length:,} characters; this one has "
                           f"{len(body):,}.", code="body_too_long")
    source = body.strip()
    if source == comment.body_source:
        return comment
    now = utcnow()
    revision = keep(session, comment, actor, MODERATOR, now)
    comment.body_source, comment.body_html = source, render_comment(source)
    comment.fingerprint = spam.fingerprint(source)
    comment.moderated_at = comment.updated_at = now
    audit.record(session, actor, "moderator_edit", "comment", comment.id, "", "",
                 f"the earlier text is revision {revision.id}")
    versions.bump(session, [comment.thread_id])
    session.flush()
    return comment


def of_comments(session: Session,
                comment_ids: Sequence[int]) -> dict[int, list[tuple[CommentRevision, str]]]:
    """Each comment's earlier texts, newest first, with who replaced them (one query)."""
    found: dict[int, list[tuple[CommentRevision, str]]] = defaultdict(list)
    if not comment_ids:
        return found
    rows = session.execute(
        sa.select(CommentRevision, Reader.display_name)
        .outerjoin(Reader, Reader.id == CommentRevision.edited_by_id)
        .where(CommentRevision.comment_id.in_(comment_ids))
        .order_by(CommentRevision.id.desc()))
    for revision, name in rows:
        found[revision.comment_id].append((revision, name or "a deleted account"))
    return found
