"""Claiming imported comments: whoever confirms an address an imported author used becomes
the author of that author's comments.

Imported authors (importing/writer.py) keep only a SHA-256 of their address; a reader whose
confirmed address hashes the same is offered the comments, and takes them only by saying so.
An unconfirmed address is never enough: anyone can type anyone's address.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden
from comments_widget.i18n import gettext as _
from comments_widget.importing.records import email_hash
from comments_widget.models import Comment, ImportedRecord, Reader
from comments_widget.services import audit, versions


def _imported_authors(reader: Reader) -> sa.Select:
    digest = email_hash(reader.email or "")
    return sa.select(Reader.id).where(
        Reader.imported_email_hash == digest, Reader.email.is_(None),
        Reader.erased_at.is_(None), Reader.id != reader.id)


def claimable_count(session: Session, reader: Reader) -> int:
    """How many imported comments were written with this reader's address (0 without one)."""
    if not reader.email:
        return 0
    return session.scalar(sa.select(sa.func.count(Comment.id))
                          .where(Comment.author_id.in_(_imported_authors(reader)))) or 0


def claim(session: Session, reader: Reader) -> int:
    """Make `reader` the author of the imported comments written with their confirmed address;
    how many. The imported authors are removed; a later import of the same export credits
    the reader directly."""
    if not reader.email or reader.email_verified_at is None:
        raise Forbidden(_("Confirm your email address first: only then can we tell they are "
                          "yours."), code="email_unconfirmed")
    authors = list(session.scalars(_imported_authors(reader)))
    if not authors:
        return 0
    threads = set(session.scalars(sa.select(Comment.thread_id)
                                  .where(Comment.author_id.in_(authors)).distinct()))
    moved = session.execute(sa.update(Comment).where(Comment.author_id.in_(authors))
                            .values(author_id=reader.id)
                            .execution_options(synchronize_session=False)).rowcount
    session.execute(sa.update(ImportedRecord)
                    .where(ImportedRecord.kind == "author",
                           ImportedRecord.target_id.in_(authors))
                    .values(target_id=reader.id).execution_options(synchronize_session=False))
    session.execute(sa.delete(Reader).where(Reader.id.in_(authors))
                    .execution_options(synchronize_session=False))
    audit.record(session, reader, "claim", "reader", reader.id, "", "",
                 f"{moved} imported comment{'s' if moved != 1 else ''}")
    versions.bump(session, threads)
    return moved
