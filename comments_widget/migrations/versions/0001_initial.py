"""Readers, their API tokens, threads and comments.

Revision ID: 0001_initial
Revises: (none)
Create Date: 2026-11-28 07:36:54.971266
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comments_widget_readers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "reader",
                "moderator",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_readers")),
        sa.UniqueConstraint("email", name=op.f("uq_comments_widget_readers_email")),
    )
    op.create_table(
        "comments_widget_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=2000), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_threads")),
        sa.UniqueConstraint("key", name=op.f("uq_comments_widget_threads_key")),
    )
    op.create_table(
        "comments_widget_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "spam",
                "deleted",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["comments_widget_readers.id"],
            name=op.f("fk_comments_widget_comments_author_id_comments_widget_readers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comments_widget_comments.id"],
            name=op.f("fk_comments_widget_comments_parent_id_comments_widget_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["comments_widget_threads.id"],
            name=op.f("fk_comments_widget_comments_thread_id_comments_widget_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_comments")),
    )
    op.create_index(
        "ix_comments_widget_comments_author_id", "comments_widget_comments", ["author_id"]
    )
    op.create_index(
        "ix_comments_widget_comments_parent_id", "comments_widget_comments", ["parent_id"]
    )
    op.create_index(
        "ix_comments_widget_comments_thread_created",
        "comments_widget_comments",
        ["thread_id", "status", "created_at"],
    )
    op.create_table(
        "comments_widget_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["comments_widget_readers.id"],
            name=op.f("fk_comments_widget_tokens_reader_id_comments_widget_readers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_comments_widget_tokens_token_hash")),
    )
    op.create_index("ix_comments_widget_tokens_reader_id", "comments_widget_tokens", ["reader_id"])


def downgrade() -> None:
    op.drop_index("ix_comments_widget_tokens_reader_id", table_name="comments_widget_tokens")
    op.drop_table("comments_widget_tokens")
    op.drop_index(
        "ix_comments_widget_comments_thread_created", table_name="comments_widget_comments"
    )
    op.drop_index("ix_comments_widget_comments_parent_id", table_name="comments_widget_comments")
    op.drop_index("ix_comments_widget_comments_author_id", table_name="comments_widget_comments")
    op.drop_table("comments_widget_comments")
    op.drop_table("comments_widget_threads")
    op.drop_table("comments_widget_readers")
