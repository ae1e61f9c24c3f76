"""Thread versions for ETags; comment roots and indexes for paged threads.

Revision ID: 0003_versions_roots
Revises: 0002_moderation
Create Date: 2026-11-28 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_versions_roots"
down_revision = "0002_moderation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_threads") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                      server_default="0"))
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.add_column(sa.Column("root_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_comments_widget_comments_thread_top", ["thread_id", "id"],
                              postgresql_where=sa.text("parent_id IS NULL"),
                              sqlite_where=sa.text("parent_id IS NULL"))
        batch_op.create_index("ix_comments_widget_comments_thread_root",
                              ["thread_id", "root_id"])
    # Existing comments learn their root: top-level ones are their own root; replies take
    # their parent's, one level at a time (replies are at most a few levels deep).
    comments = sa.table("comments_widget_comments", sa.column("id", sa.Integer),
                        sa.column("parent_id", sa.Integer), sa.column("root_id", sa.Integer))
    op.execute(comments.update().where(comments.c.parent_id.is_(None))
               .values(root_id=comments.c.id))
    parent = comments.alias("parent")
    for _ in range(50):
        pending = (sa.select(parent.c.root_id).where(parent.c.id == comments.c.parent_id)
                   .scalar_subquery())
        result = op.get_bind().execute(
            comments.update().where(comments.c.root_id.is_(None),
                                    sa.exists().where(parent.c.id == comments.c.parent_id,
                                                      parent.c.root_id.is_not(None)))
            .values(root_id=pending))
        if not result.rowcount:
            break


def downgrade() -> None:
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.drop_index("ix_comments_widget_comments_thread_root")
        batch_op.drop_index("ix_comments_widget_comments_thread_top")
        batch_op.drop_column("root_id")
    with op.batch_alter_table("comments_widget_threads") as batch_op:
        batch_op.drop_column("version")
