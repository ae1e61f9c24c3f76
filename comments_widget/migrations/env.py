"""Alembic environment: runs on the connection comments_widget hands it, never on its own."""

from __future__ import annotations

from alembic import context

from comments_widget.models import Base

VERSION_TABLE = "comments_widget_alembic_version"

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
