"""The schema comes from Alembic migrations, and they match the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from comments_widget import migrate
from comments_widget.db import create_engine
from comments_widget.models import Base


def table_names(engine: sa.Engine) -> set[str]:
    return {name for name in sa.inspect(engine).get_table_names()
            if name.startswith("comments_widget_")}


def test_upgrade_builds_every_table_and_downgrade_removes_them(database_url: str) -> None:
    engine = create_engine(database_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert table_names(engine) >= {"comments_widget_readers", "comments_widget_threads",
                                   "comments_widget_comments", "comments_widget_tokens"}
    migrate.downgrade(engine, "base")
    assert table_names(engine) == {"comments_widget_alembic_version"}
    engine.dispose()


def test_migrations_produce_exactly_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": migrate.VERSION_TABLE})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if not (d[0] == "remove_table" and d[1].name == migrate.VERSION_TABLE)]
    assert differences == []
    engine.dispose()


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()
