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
        # Besides the version table, the full-text search objects are the database's own, not
        # the models' (migration 0016): SQLite's FTS5 table and its shadow tables.
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if not (d[0] == "remove_table" and (
                           d[1].name == migrate.VERSION_TABLE
                           or d[1].name.startswith("comments_widget_search")))
                       and not (d[0] == "remove_index"
                                and d[1].name == "ix_comments_widget_comments_search")]
    assert differences == []
    engine.dispose()


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_upgrading_existing_data_backfills_roots_and_counts(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine, "0002_moderation")
    now = "2026-01-01 00:00:00+00:00"
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO comments_widget_readers (id, email, display_name, password_hash, role,"
            " created_at, ban_reason) VALUES (1, 'a@b.example', 'A', 'x', 'reader', :now, '')"),
            {"now": now})
        connection.execute(sa.text(
            "INSERT INTO comments_widget_threads (id, key, url, title, created_at) "
            "VALUES (1, 'k', 'https://news.example/a', '', :now)"), {"now": now})
        for comment_id, parent_id in [(1, None), (2, 1), (3, 2), (4, None)]:
            connection.execute(sa.text(
                "INSERT INTO comments_widget_comments (id, thread_id, parent_id, author_id, depth,"
                " body_source, body_html, status, created_at, updated_at, hold_reasons,"
                " needs_review, hidden_by_flags) VALUES (:id, 1, :parent, 1, 0, 'b', '<p>b</p>',"
                " 'approved', :now, :now, '[]', false, false)"),
                {"id": comment_id, "parent": parent_id, "now": now})
    migrate.upgrade(engine)
    with engine.connect() as connection:
        roots = dict(connection.execute(sa.text(
            "SELECT id, root_id FROM comments_widget_comments ORDER BY id")).all())
        versions = connection.execute(sa.text(
            "SELECT version, comment_count FROM comments_widget_threads")).all()
    assert roots == {1: 1, 2: 1, 3: 1, 4: 4}
    assert [tuple(row) for row in versions] == [(0, 4)]
    engine.dispose()


def test_upgrading_gives_every_reader_a_session_id_and_scopes_explicit_ids(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine, "0004_comment_counts")
    now = "2026-01-01 00:00:00+00:00"
    with engine.begin() as connection:
        for reader_id in (1, 2):
            connection.execute(sa.text(
                "INSERT INTO comments_widget_readers (id, email, display_name, password_hash,"
                " role, created_at, ban_reason) VALUES (:id, :email, 'A', 'x', 'reader', :now,"
                " '')"), {"id": reader_id, "email": f"{reader_id}@b.example", "now": now})
        for thread_id, key, url in [(1, "article-42", "https://news.example/a"),
                                    (2, "https://news.example/b", "https://news.example/b")]:
            connection.execute(sa.text(
                "INSERT INTO comments_widget_threads (id, key, url, title, created_at) "
                "VALUES (:id, :key, :url, '', :now)"),
                {"id": thread_id, "key": key, "url": url, "now": now})
    migrate.upgrade(engine)
    with engine.connect() as connection:
        session_ids = connection.execute(sa.text(
            "SELECT session_id FROM comments_widget_readers")).scalars().all()
        keys = connection.execute(sa.text(
            "SELECT key FROM comments_widget_threads ORDER BY id")).scalars().all()
    assert len(set(session_ids)) == 2 and all(len(s) >= 32 for s in session_ids)
    assert keys == ["id:https://news.example article-42", "https://news.example/b"]
    migrate.downgrade(engine, "0004_comment_counts")
    with engine.connect() as connection:
        keys = connection.execute(sa.text(
            "SELECT key FROM comments_widget_threads ORDER BY id")).scalars().all()
    assert keys == ["article-42", "https://news.example/b"]
    engine.dispose()
