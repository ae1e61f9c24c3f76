"""Links that work once without changing the account (login links) are recorded when spent.

Revision ID: 0006_spent_links
Revises: 0005_reader_sessions
Create Date: 2026-11-28 15:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_spent_links"
down_revision = "0005_reader_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comments_widget_spent_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_comments_widget_spent_links")),
    )
    op.create_index(op.f("ix_comments_widget_spent_links_expires_at"),
                    "comments_widget_spent_links", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_comments_widget_spent_links_expires_at"),
                  table_name="comments_widget_spent_links")
    op.drop_table("comments_widget_spent_links")
