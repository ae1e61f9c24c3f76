"""Per-reader session identifiers, email verification times, explicit thread ids per site.

Revision ID: 0005_reader_sessions
Revises: 0004_comment_counts
Create Date: 2026-11-28 14:30:00
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0005_reader_sessions"
down_revision = "0004_comment_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.String(64), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True),
                                      nullable=True))
    connection = op.get_bind()
    readers = sa.table("comments_widget_readers", sa.column("id", sa.Integer),
                       sa.column("session_id", sa.String),
                       sa.column("email_verified_at", sa.DateTime(timezone=True)),
                       sa.column("created_at", sa.DateTime(timezone=True)))
    # Accounts made before verification existed were accepted under the old rules: count them
    # as verified from their creation, so that upgrading holds nobody's comments.
    connection.execute(readers.update().values(email_verified_at=readers.c.created_at))
    # Every existing cookie and remember token was signed without an identifier: a fresh one per
    # reader ends them all, which is the point of this migration.
    for (reader_id,) in connection.execute(sa.select(readers.c.id)).all():
        connection.execute(readers.update().where(readers.c.id == reader_id)
                           .values(session_id=secrets.token_urlsafe(24)))
    threads = sa.table("comments_widget_threads", sa.column("id", sa.Integer),
                       sa.column("key", sa.String), sa.column("url", sa.String))
    # Explicit ids were global; scope each to the site its first comment came from.
    rows = connection.execute(sa.select(threads.c.id, threads.c.key, threads.c.url)
                              .where(~threads.c.key.like("http%"))).all()
    for thread_id, key, url in rows:
        parts = urlsplit(url)
        connection.execute(threads.update().where(threads.c.id == thread_id)
                           .values(key=f"id:{parts.scheme}://{parts.netloc} {key}"))


def downgrade() -> None:
    connection = op.get_bind()
    threads = sa.table("comments_widget_threads", sa.column("id", sa.Integer),
                       sa.column("key", sa.String))
    rows = connection.execute(sa.select(threads.c.id, threads.c.key)
                              .where(threads.c.key.like("id:%"))).all()
    for thread_id, key in rows:
        connection.execute(threads.update().where(threads.c.id == thread_id)
                           .values(key=key.partition(" ")[2]))
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.drop_column("email_verified_at")
        batch_op.drop_column("session_id")
