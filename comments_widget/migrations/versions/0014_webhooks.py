"""Webhooks and their delivery table (an outbox: written with the change, sent and retried
from there).

Revision ID: 0014_webhooks
Revises: 0013_defences
Create Date: 2026-11-29 05:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_webhooks"
down_revision = "0013_defences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comments_widget_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("events", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_webhooks")),
    )
    op.create_table(
        "comments_widget_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hook_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["hook_id"], ["comments_widget_webhooks.id"],
                                name=op.f("fk_comments_widget_deliveries_hook_id_"
                                          "comments_widget_webhooks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_deliveries")),
    )
    op.create_index("ix_comments_widget_deliveries_due",
                    "comments_widget_deliveries", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_comments_widget_deliveries_hook_id"),
                    "comments_widget_deliveries", ["hook_id"])


def downgrade() -> None:
    op.drop_table("comments_widget_deliveries")
    op.drop_table("comments_widget_webhooks")
