"""Readers who sign in elsewhere (single sign-on, the Flask host's users, identity providers),
per-site SSO, and the first email preference.

Revision ID: 0007_external_identities
Revises: 0006_spent_links
Create Date: 2026-11-28 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_external_identities"
down_revision = "0006_spent_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(254), nullable=True)
        batch_op.add_column(sa.Column("digest_emails", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table("comments_widget_sites") as batch_op:
        batch_op.add_column(sa.Column("sso_secret", sa.String(100), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("login_url", sa.String(2000), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("logout_url", sa.String(2000), nullable=False,
                                      server_default=""))
    op.create_table(
        "comments_widget_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reader_id"], ["comments_widget_readers.id"],
                                name=op.f("fk_comments_widget_identities_reader_id_"
                                          "comments_widget_readers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_widget_identities")),
        sa.UniqueConstraint("provider", "subject",
                            name=op.f("uq_comments_widget_identities_provider")),
    )
    op.create_index(op.f("ix_comments_widget_identities_reader_id"),
                    "comments_widget_identities", ["reader_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_comments_widget_identities_reader_id"),
                  table_name="comments_widget_identities")
    op.drop_table("comments_widget_identities")
    with op.batch_alter_table("comments_widget_sites") as batch_op:
        batch_op.drop_column("logout_url")
        batch_op.drop_column("login_url")
        batch_op.drop_column("sso_secret")
    # Readers without an address cannot be kept by the old schema.
    op.execute("DELETE FROM comments_widget_readers WHERE email IS NULL")
    with op.batch_alter_table("comments_widget_readers") as batch_op:
        batch_op.drop_column("digest_emails")
        batch_op.alter_column("email", existing_type=sa.String(254), nullable=False)
