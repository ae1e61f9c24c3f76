"""Comment revisions (every earlier text, kept for moderators) and when a moderator last
edited a comment.

Revision ID: 0015_revisions
Revises: 0014_webhooks
Create Date: 2026-11-29 05:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_revisions"
down_revision = "0014_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.add_column(sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "comments_widget_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments_widget_comments.id"],
                                name=op.f("fk_comments_widget_revisions_comment_id_"
                                          "comments_widget_comments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["edited_by_id"], ["comments_widget_readers.id"],
                                name=op.f("fk_comments_widget_revisions_edited_by_id_"
                                          "comments_widget_readers"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_revisions")),
    )
    op.create_index(op.f("ix_comments_widget_revisions_comment_id"),
                    "comments_widget_revisions", ["comment_id"])


def downgrade() -> None:
    op.drop_table("comments_widget_revisions")
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.drop_column("moderated_at")
