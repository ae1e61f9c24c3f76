"""The article's authors as the site names them (their comments get an "Author" badge).

Revision ID: 0018_article_authors
Revises: 0017_featured
Create Date: 2026-11-29 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_article_authors"
down_revision = "0017_featured"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments_widget_threads",
                  sa.Column("author_subjects", sa.Text(), nullable=False, server_default="[]"))
    op.add_column("comments_widget_threads",
                  sa.Column("authors_tag", sa.String(16), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("comments_widget_threads") as batch_op:
        batch_op.drop_column("authors_tag")
        batch_op.drop_column("author_subjects")
