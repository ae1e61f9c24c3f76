"""Defences that work unattended: a thread's surge state, comment fingerprints (duplicates),
link-domain reputation, and alerts mailed to moderators once.

Revision ID: 0013_defences
Revises: 0012_audit_chain
Create Date: 2026-11-29 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_defences"
down_revision = "0012_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_threads") as batch_op:
        batch_op.add_column(sa.Column("surge_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("surge_reason", sa.String(300), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("surge_busy_at", sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(32), nullable=True))
        batch_op.create_index(op.f("ix_comments_widget_comments_fingerprint"), ["fingerprint"])
    op.create_table(
        "comments_widget_link_domains",
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_comments_widget_link_domains")),
    )
    op.create_table(
        "comments_widget_alerts",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_comments_widget_alerts")),
    )


def downgrade() -> None:
    op.drop_table("comments_widget_alerts")
    op.drop_table("comments_widget_link_domains")
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.drop_index(op.f("ix_comments_widget_comments_fingerprint"))
        batch_op.drop_column("fingerprint")
    with op.batch_alter_table("comments_widget_threads") as batch_op:
        batch_op.drop_column("surge_busy_at")
        batch_op.drop_column("surge_reason")
        batch_op.drop_column("surge_since")
