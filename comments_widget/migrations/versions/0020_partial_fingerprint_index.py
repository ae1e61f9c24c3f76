"""The fingerprint index holds only fingerprinted comments.

With every unfingerprinted (NULL) comment in it, the statistics told the planner that a
fingerprint matches a million rows, and SQLite scanned the whole table on every duplicate
check. Plain create/drop (no batch rebuild), which keeps 0016's full-text triggers.

Revision ID: 0020_partial_fingerprint_index
Revises: 0019_stored_pages
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_partial_fingerprint_index"
down_revision = "0019_stored_pages"
branch_labels = None
depends_on = None

NAME = "ix_comments_widget_comments_fingerprint"
TABLE = "comments_widget_comments"


def upgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)
    op.create_index(NAME, TABLE, ["fingerprint"],
                    postgresql_where=sa.text("fingerprint IS NOT NULL"),
                    sqlite_where=sa.text("fingerprint IS NOT NULL"))


def downgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)
    op.create_index(NAME, TABLE, ["fingerprint"])
