"""`flask comments-widget db …` on the host app."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner

from comments_widget import migrate


def test_db_current_reports_up_to_date(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["comments-widget", "db", "current"])
    assert result.exit_code == 0
    head = migrate.head_revision()
    assert f"current: {head}; newest: {head} (up to date)" in result.output


def test_db_upgrade_builds_the_schema_when_auto_migrate_is_off(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_AUTO_MIGRATE=False)
    engine = app.extensions["comments_widget"].engine
    assert migrate.current_revision(engine) is None
    stale = app.test_cli_runner().invoke(args=["comments-widget", "db", "current"])
    assert "needs `flask comments-widget db upgrade`" in stale.output
    result = app.test_cli_runner().invoke(args=["comments-widget", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"is at revision {migrate.head_revision()}" in result.output
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_db_downgrade_to_base_removes_the_schema(runner: FlaskCliRunner, app: Any) -> None:
    result = runner.invoke(args=["comments-widget", "db", "downgrade", "base"])
    assert result.exit_code == 0
    assert "Database is at revision base." in result.output
    assert migrate.current_revision(app.extensions["comments_widget"].engine) is None
