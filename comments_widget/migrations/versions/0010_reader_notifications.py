"""Reply and follow emails: the reader's preference, followed articles, and which comments
readers were already told about.

Revision ID: 0010_reader_notifications
Revises: 0009_votes_and_avatars
Create Date: 2026-11-29 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_reader_notifications"
down_revision = "0009_votes_and_avatars"
branch_labels = None
depends_on = None

UNANNOUNCED = sa.text("announced_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.add_column(sa.Column("reply_emails", sa.Boolean(), nullable=True))
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.add_column(sa.Column("announced_at", sa.DateTime(timezone=True),
                                      nullable=True))
    # Comments written before this version were never announced and never will be: nobody
    # should get a year of replies in their first email.
    op.execute("UPDATE comments_widget_comments SET announced_at = created_at")
    op.create_index("ix_comments_widget_comments_unannounced", "comments_widget_comments",
                    ["id"], postgresql_where=UNANNOUNCED, sqlite_where=UNANNOUNCED)
    op.create_table(
        "comments_widget_follows",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["comments_widget_threads.id"],
                                name=op.f("fk_comments_widget_follows_thread_id_"
                                          "comments_widget_threads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reader_id"], ["comments_widget_readers.id"],
                                name=op.f("fk_comments_widget_follows_reader_id_"
                                          "comments_widget_readers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("thread_id", "reader_id",
                                name=op.f("pk_comments_widget_follows")),
    )
    op.create_index(op.f("ix_comments_widget_follows_reader_id"), "comments_widget_follows",
                    ["reader_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_comments_widget_follows_reader_id"),
                  table_name="comments_widget_follows")
    op.drop_table("comments_widget_follows")
    op.drop_index("ix_comments_widget_comments_unannounced",
                  table_name="comments_widget_comments")
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.drop_column("announced_at")
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.drop_column("reply_emails")
