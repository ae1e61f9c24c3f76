"""Imports and erasure: where each imported comment and author came from, imported authors'
hashed addresses (so a reader who registers with that address can claim their old comments),
and when an account was erased.

Revision ID: 0011_imports
Revises: 0010_reader_notifications
Create Date: 2026-11-29 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_imports"
down_revision = "0010_reader_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.add_column(sa.Column("imported_email_hash", sa.String(64), nullable=True))
        batch_op.create_index(op.f("ix_comments_widget_readers_imported_email_hash"),
                              ["imported_email_hash"])
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "comments_widget_imported",
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("source_id", sa.String(300), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "kind", "source_id",
                                name=op.f("pk_comments_widget_imported")),
    )


def downgrade() -> None:
    op.drop_table("comments_widget_imported")
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_index(op.f("ix_comments_widget_readers_imported_email_hash"))
        batch_op.drop_column("imported_email_hash")
