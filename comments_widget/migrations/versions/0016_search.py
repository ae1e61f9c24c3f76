"""Full-text search over comment bodies for the moderation queues: a GIN index on
to_tsvector('simple', body_source) on PostgreSQL, an FTS5 table kept in step by triggers on
SQLite (services/search.py).

SQLite drops a table's triggers when a batch migration rebuilds it: a later migration that
rebuilds comments_widget_comments must create the three triggers again
(tests/test_search.py finds a comment posted after every migration, which catches it).

Revision ID: 0016_search
Revises: 0015_revisions
Create Date: 2026-11-29 06:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0016_search"
down_revision = "0015_revisions"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER comments_widget_search_insert AFTER INSERT ON comments_widget_comments
       BEGIN INSERT INTO comments_widget_search(rowid, body_source)
             VALUES (new.id, new.body_source); END""",
    """CREATE TRIGGER comments_widget_search_delete AFTER DELETE ON comments_widget_comments
       BEGIN INSERT INTO comments_widget_search(comments_widget_search, rowid, body_source)
             VALUES ('delete', old.id, old.body_source); END""",
    """CREATE TRIGGER comments_widget_search_update AFTER UPDATE OF body_source
       ON comments_widget_comments
       BEGIN INSERT INTO comments_widget_search(comments_widget_search, rowid, body_source)
             VALUES ('delete', old.id, old.body_source);
             INSERT INTO comments_widget_search(rowid, body_source)
             VALUES (new.id, new.body_source); END""",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # Indexing a million comments takes longer than the app's per-statement limit.
        op.execute("SET LOCAL statement_timeout = 0")
        op.execute("CREATE INDEX ix_comments_widget_comments_search ON comments_widget_comments "
                   "USING gin (to_tsvector('simple', body_source))")
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE comments_widget_search USING fts5(body_source, "
                   "content='comments_widget_comments', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO comments_widget_search(comments_widget_search) VALUES('rebuild')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_comments_widget_comments_search")
    elif dialect == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS comments_widget_search_{name}")
        op.execute("DROP TABLE IF EXISTS comments_widget_search")
