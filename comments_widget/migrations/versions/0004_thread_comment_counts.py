"""Visible-comment counts kept on threads, so a thread read needs no count.

Revision ID: 0004_comment_counts
Revises: 0003_versions_roots
Create Date: 2026-11-28 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_comment_counts"
down_revision = "0003_versions_roots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_threads") as batch_op:
        batch_op.add_column(sa.Column("comment_count", sa.Integer(), nullable=False,
                                      server_default="0"))
    op.execute(
        "UPDATE comments_widget_threads SET comment_count = ("
        "SELECT count(*) FROM comments_widget_comments c"
        " WHERE c.thread_id = comments_widget_threads.id AND c.status = 'approved'"
        " AND c.hidden_by_flags = false)"
    )


def downgrade() -> None:
    with op.batch_alter_table("comments_widget_threads") as batch_op:
        batch_op.drop_column("comment_count")
