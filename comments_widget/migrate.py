"""Schema migrations: Alembic scripts shipped inside the package, run on our own engine."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "comments_widget_alembic_version"


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (the newest by default)."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            command.upgrade(_config(connection), revision)
        return
    with engine.connect() as connection:
        # SQLite changes a column by rebuilding its table: with foreign keys on, dropping the
        # old readers table would cascade-delete every comment. Off for the migration (it can
        # only change outside a transaction), then checked, then on again.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                command.upgrade(_config(connection), revision)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"The migration left broken references: {broken[:5]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


# Any constant both processes agree on; names the lock in pg_locks for someone debugging.
_ADVISORY_LOCK_ID = 0x636F6D6D  # "comm"


def upgrade_once(engine: sa.Engine, revision: str = "head") -> None:
    """Upgrade, safe when many processes start at once (gunicorn workers, several hosts).

    One process migrates while the others wait for it, then find nothing left to do: without
    the lock, four workers on a fresh SQLite file all ran the first migration and three failed
    with "table already exists".
    """
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            # Held until this transaction ends, which also commits the migration itself.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"),
                               {"id": _ADVISORY_LOCK_ID})
            command.upgrade(_config(connection), revision)
        return
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or engine.url.query.get("uri"):
        upgrade(engine, revision)
        return
    with FileLock(f"{path}.migrate-lock", mode=0o600):
        if revision != "head" or current_revision(engine) != head_revision():
            upgrade(engine, revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Take the schema back to `revision` ("base" drops every comments_widget table)."""
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of the package."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def autogenerate(engine: sa.Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
