"""Featured comments (editors' picks, several per thread) and each thread's count of them.

Revision ID: 0017_featured
Revises: 0016_search
Create Date: 2026-11-29 06:00:00
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0017_featured"
down_revision = "0016_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain add_column (no batch rebuild): on SQLite a rebuilt comments table would lose the
    # full-text triggers of 0016.
    op.add_column("comments_widget_comments",
                  sa.Column("featured_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("comments_widget_threads",
                  sa.Column("featured_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("comments_widget_threads") as batch_op:
        batch_op.drop_column("featured_count")
    with op.batch_alter_table("comments_widget_comments") as batch_op:
        batch_op.drop_column("featured_at")
    if op.get_bind().dialect.name == "sqlite":
        # The rebuild above dropped 0016's triggers: put them back, it is still in force.
        spec = importlib.util.spec_from_file_location(
            "search_migration", Path(__file__).with_name("0016_search.py"))
        search = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(search)
        for trigger in search.SQLITE_TRIGGERS:
            op.execute(trigger)
