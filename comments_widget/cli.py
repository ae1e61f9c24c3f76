"""`flask comments-widget …`: database commands for the app the extension is mounted on."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from comments_widget import migrate
from comments_widget.state import current_state

comments_widget_cli = AppGroup("comments-widget", help="Manage comments_widget.")
db_cli = AppGroup("db", help="The comment database's schema.")
comments_widget_cli.add_command(db_cli)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply schema migrations up to REVISION (default: the newest)."""
    engine = current_state().engine
    migrate.upgrade(engine, revision)
    click.echo(f"Database {engine.url.render_as_string(hide_password=True)} is at revision "
               f"{migrate.current_revision(engine)}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION ("base" removes every comments_widget table)."""
    engine = current_state().engine
    migrate.downgrade(engine, revision)
    click.echo(f"Database is at revision {migrate.current_revision(engine) or 'base'}.")


@db_cli.command("current")
def db_current() -> None:
    """Show the revision the database is at and the newest one available."""
    engine = current_state().engine
    current, head = migrate.current_revision(engine), migrate.head_revision()
    state = "up to date" if current == head else "needs `flask comments-widget db upgrade`"
    click.echo(f"current: {current or 'none'}; newest: {head} ({state})")
