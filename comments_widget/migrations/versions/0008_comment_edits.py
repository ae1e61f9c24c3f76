"""When a comment's author last changed its text, shown to everyone as "edited".

Revision ID: 0008_comment_edits
Revises: 0007_external_identities
Create Date: 2026-11-28 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_comment_edits"
down_revision = "0007_external_identities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.drop_column("edited_at")
