"""Each thread's first page as readers get it, stored ready to send (the cold-read path).

Revision ID: 0019_stored_pages
Revises: 0018_article_authors
Create Date: 2026-11-29 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_stored_pages"
down_revision = "0018_article_authors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comments_widget_stored_pages",
        sa.Column("thread_id", sa.Integer(),
                  sa.ForeignKey("comments_widget_threads.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("etag", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("comments_widget_stored_pages")
