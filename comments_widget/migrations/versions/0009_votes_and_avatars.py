"""Votes and the "best" order, avatars from single sign-on, and the opt-in email about one's
held comments.

Revision ID: 0009_votes_and_avatars
Revises: 0008_comment_edits
Create Date: 2026-11-28 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_votes_and_avatars"
down_revision = "0008_comment_edits"
branch_labels = None
depends_on = None

TOP_LEVEL = sa.text("parent_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.add_column(sa.Column("moderation_emails", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("avatar_url", sa.String(500), nullable=True))
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.add_column(sa.Column("upvotes", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("downvotes", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("rank", sa.Float(), nullable=False, server_default="0"))
    op.create_index("ix_comments_widget_comments_thread_best", "comments_widget_comments",
                    ["thread_id", "rank", "id"], postgresql_where=TOP_LEVEL,
                    sqlite_where=TOP_LEVEL)
    op.create_table(
        "comments_widget_votes",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments_widget_comments.id"],
                                name=op.f("fk_comments_widget_votes_comment_id_"
                                          "comments_widget_comments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reader_id"], ["comments_widget_readers.id"],
                                name=op.f("fk_comments_widget_votes_reader_id_"
                                          "comments_widget_readers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("comment_id", "reader_id", name=op.f("pk_comments_widget_votes")),
    )
    op.create_index(op.f("ix_comments_widget_votes_reader_id"), "comments_widget_votes",
                    ["reader_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_comments_widget_votes_reader_id"), table_name="comments_widget_votes")
    op.drop_table("comments_widget_votes")
    op.drop_index("ix_comments_widget_comments_thread_best",
                  table_name="comments_widget_comments")
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.drop_column("rank")
        batch_op.drop_column("downvotes")
        batch_op.drop_column("upvotes")
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.drop_column("avatar_url")
        batch_op.drop_column("moderation_emails")
