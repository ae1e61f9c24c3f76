"""The audit log becomes a hash chain: each entry's actor kept as a plain id, a digest of what
it says and a hash linking it to the entry before; existing entries are chained in id order.

Revision ID: 0012_audit_chain
Revises: 0011_imports
Create Date: 2026-11-29 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_widget.services.audit_chain import GENESIS, chained_hash, content_digest

revision = "0012_audit_chain"
down_revision = "0011_imports"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("comments_widget_audit_log") as batch_op:
        batch_op.add_column(sa.Column("actor_ref", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("content_digest", sa.String(64), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("entry_hash", sa.String(64), nullable=False,
                                      server_default=""))
    log = sa.table("comments_widget_audit_log", sa.column("id", sa.Integer),
                   sa.column("actor_id", sa.Integer), sa.column("actor_ref", sa.Integer),
                   sa.column("action", sa.String), sa.column("target_type", sa.String),
                   sa.column("target_id", sa.Integer), sa.column("before", sa.String),
                   sa.column("after", sa.String), sa.column("detail", sa.Text),
                   sa.column("created_at", sa.DateTime(timezone=True)),
                   sa.column("content_digest", sa.String), sa.column("entry_hash", sa.String))
    connection = op.get_bind()
    previous, after = GENESIS, 0
    while True:
        rows = connection.execute(sa.select(log).where(log.c.id > after).order_by(log.c.id)
                                  .limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            digest = content_digest(row.actor_id, row.before, row.after, row.detail)
            previous = chained_hash(previous, row.id, row.created_at, row.action,
                                    row.target_type, row.target_id, digest)
            connection.execute(sa.update(log).where(log.c.id == row.id).values(
                actor_ref=row.actor_id, content_digest=digest, entry_hash=previous))
        after = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("comments_widget_audit_log") as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("content_digest")
        batch_op.drop_column("actor_ref")
