"""Moderation: bans, closed and pinned threads, holds, flags, audit log, policy, sites.

Revision ID: 0002_moderation
Revises: 0001_initial
Create Date: 2026-11-28 07:54:11.207655
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_moderation"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Server defaults let the new NOT NULL columns be added to tables that already have rows.
    op.create_table(
        "comments_widget_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_comments_widget_settings")),
    )
    op.create_table(
        "comments_widget_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_sites")),
        sa.UniqueConstraint("origin", name=op.f("uq_comments_widget_sites_origin")),
    )
    op.create_table(
        "comments_widget_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.String(length=200), nullable=False),
        sa.Column("after", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["comments_widget_readers.id"],
            name=op.f("fk_comments_widget_audit_log_actor_id_comments_widget_readers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_audit_log")),
    )
    with op.batch_alter_table("comments_widget_audit_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comments_widget_audit_log_action"), ["action"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comments_widget_audit_log_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comments_widget_audit_log_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_comments_widget_audit_log_target", ["target_type", "target_id"], unique=False
        )

    op.create_table(
        "comments_widget_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "spam",
                "abuse",
                "off_topic",
                "other",
                name="reason",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments_widget_comments.id"],
            name=op.f("fk_comments_widget_flags_comment_id_comments_widget_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["comments_widget_readers.id"],
            name=op.f("fk_comments_widget_flags_reader_id_comments_widget_readers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_flags")),
        sa.UniqueConstraint(
            "comment_id", "reader_id", name=op.f("uq_comments_widget_flags_comment_id")
        ),
    )
    with op.batch_alter_table("comments_widget_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comments_widget_flags_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comments_widget_flags_reader_id"), ["reader_id"], unique=False
        )

    with op.batch_alter_table("comments_widget_comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hold_reasons", sa.Text(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("hidden_by_flags", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_comments_widget_comments_review_id", ["needs_review", "id"], unique=False
        )
        batch_op.create_index(
            "ix_comments_widget_comments_status_id", ["status", "id"], unique=False
        )

    with op.batch_alter_table("comments_widget_readers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("banned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("banned_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("ban_reason", sa.String(length=500), nullable=False, server_default="")
        )

    with op.batch_alter_table("comments_widget_threads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("pinned_comment_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments_widget_threads", schema=None) as batch_op:
        batch_op.drop_column("pinned_comment_id")
        batch_op.drop_column("closed_at")

    with op.batch_alter_table("comments_widget_readers", schema=None) as batch_op:
        batch_op.drop_column("ban_reason")
        batch_op.drop_column("banned_until")
        batch_op.drop_column("banned_at")

    with op.batch_alter_table("comments_widget_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_widget_comments_status_id")
        batch_op.drop_index("ix_comments_widget_comments_review_id")
        batch_op.drop_column("notified_at")
        batch_op.drop_column("hidden_by_flags")
        batch_op.drop_column("needs_review")
        batch_op.drop_column("hold_reasons")

    with op.batch_alter_table("comments_widget_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_widget_flags_reader_id"))
        batch_op.drop_index(batch_op.f("ix_comments_widget_flags_comment_id"))

    op.drop_table("comments_widget_flags")
    with op.batch_alter_table("comments_widget_audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_widget_audit_log_target")
        batch_op.drop_index(batch_op.f("ix_comments_widget_audit_log_created_at"))
        batch_op.drop_index(batch_op.f("ix_comments_widget_audit_log_actor_id"))
        batch_op.drop_index(batch_op.f("ix_comments_widget_audit_log_action"))

    op.drop_table("comments_widget_audit_log")
    op.drop_table("comments_widget_sites")
    op.drop_table("comments_widget_settings")
