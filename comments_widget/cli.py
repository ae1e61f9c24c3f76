"""`flask comments-widget …`: database, admin and email commands for the host app."""

from __future__ import annotations

from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from comments_widget import migrate
from comments_widget.errors import WidgetError
from comments_widget.importing.commands import export_command, import_command
from comments_widget.mail import MailFailed
from comments_widget.models import Thread, utcnow
from comments_widget.services import (
    audit_chain,
    community,
    moderation_sla,
    readers,
    surge,
    webhooks,
)
from comments_widget.services.alerts import send_alerts
from comments_widget.services.announce import announce
from comments_widget.services.notify import send_digest
from comments_widget.services.policy import load_policy
from comments_widget.services.verification import purge_unverified
from comments_widget.state import current_state
from comments_widget.views import first_pages
from comments_widget.views.notifications import announce_rules, reader_links

comments_widget_cli = AppGroup("comments-widget", help="Manage comments_widget.")
db_cli = AppGroup("db", help="The comment database's schema.")
audit_cli = AppGroup("audit", help="The moderation audit log.")
pages_cli = AppGroup("pages", help="Threads' first pages, stored ready to send.")
comments_widget_cli.add_command(db_cli)
comments_widget_cli.add_command(audit_cli)
comments_widget_cli.add_command(pages_cli)
comments_widget_cli.add_command(import_command)
comments_widget_cli.add_command(export_command)


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


@comments_widget_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Admin", show_default=True, help="Display name of a new account.")
@click.option("--password", envvar="COMMENTS_WIDGET_ADMIN_PASSWORD",
              help="Password of a new account (asked for when the account is new and none is "
                   "given; also read from COMMENTS_WIDGET_ADMIN_PASSWORD).")
def create_admin(email: str, name: str, password: str | None) -> None:
    """Make EMAIL an admin, creating the account if there is none."""
    state = current_state()
    with state.session_factory() as session:
        existing = readers.find_reader_by_email(session, email)
        if password is None and (existing is None or not existing.password_hash):
            password = click.prompt("Password for the new account", hide_input=True,
                                    confirmation_prompt=True)
        try:
            reader, created = community.ensure_admin(session, email, name, password,
                                                     state.min_password_length)
        except WidgetError as error:
            raise click.ClickException(error.message) from error
        session.commit()
        click.echo(f"{'Created' if created else 'Promoted'} {reader.email} as an admin.")


@comments_widget_cli.command("notify-readers")
def notify_readers() -> None:
    """Send the reply and follow emails that wait now (run it from cron every few minutes)."""
    state = current_state()
    if state.mail is None:
        raise click.ClickException("Email is off: set COMMENTS_WIDGET_SMTP_HOST first.")
    if not current_app.config["COMMENTS_WIDGET_PUBLIC_URL"]:
        raise click.ClickException("Set COMMENTS_WIDGET_PUBLIC_URL so the emails can link to "
                                   "the unsubscribe page.")
    with current_app.test_request_context():
        links = reader_links()
    try:
        sent = announce(state.session_factory, state.mail, links, announce_rules())
    except MailFailed as error:
        raise click.ClickException(f"Could not send ({error}); the comments wait for the "
                                   "next run.") from error
    click.echo(f"Emailed {sent} reader{'s' if sent != 1 else ''} about new comments.")


@comments_widget_cli.command("notify-moderators")
def notify_moderators() -> None:
    """Email moderators now about every held comment not mailed yet (run it from cron)."""
    state = current_state()
    if state.mail is None:
        raise click.ClickException("Email is off: set COMMENTS_WIDGET_SMTP_HOST first.")
    if not state.mail.queue_url:
        raise click.ClickException("Set COMMENTS_WIDGET_PUBLIC_URL so the email can link to "
                                   "the queue.")
    with state.session_factory() as session:
        # The housekeeping a quiet night needs: shields lift, the target alert is raised.
        policy, now = load_policy(session), utcnow()
        lifted = surge.lift_quiet(session, policy, now)
        moderation_sla.check(session, policy, now)
        session.commit()
    try:
        sent = send_digest(state.session_factory, state.mail)
        alerted = send_alerts(state.session_factory, state.mail)
    except MailFailed as error:
        raise click.ClickException(f"Could not send the digest ({error}); the comments stay "
                                   "queued for the next one.") from error
    click.echo(f"Emailed moderators about {sent} held comment{'s' if sent != 1 else ''}"
               f" and {alerted} alert{'s' if alerted != 1 else ''}; lifted {lifted} quiet "
               f"surge shield{'s' if lifted != 1 else ''}.")


@comments_widget_cli.command("purge-unverified")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Age in days (default: COMMENTS_WIDGET_UNVERIFIED_MAX_AGE_DAYS).")
def purge_unverified_readers(days: int | None) -> None:
    """Delete reader accounts whose email address was never confirmed (run it from cron)."""
    state = current_state()
    days = days or current_app.config["COMMENTS_WIDGET_UNVERIFIED_MAX_AGE_DAYS"]
    with state.session_factory() as session:
        purged = purge_unverified(session, timedelta(days=days))
        session.commit()
    click.echo(f"Deleted {purged} account{'s' if purged != 1 else ''} never confirmed "
               f"within {days} days.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; name the first entry that was changed or removed.

    Exits 1 when the chain breaks. Keep the printed head somewhere else: removing the newest
    entries leaves a shorter chain that still verifies, but not with the same head."""
    with current_state().session_factory() as session:
        verdict = audit_chain.verify(session)
    if verdict.ok:
        click.echo(f"The audit log verifies: {verdict.checked} entries, head entry "
                   f"{verdict.head_id or 'none'} hash {verdict.head_hash}.")
        return
    click.echo(f"The audit log does NOT verify at entry {verdict.bad_id}: {verdict.problem}. "
               f"The {verdict.checked} entries before it verify (up to entry "
               f"{verdict.head_id or 'none'}, hash {verdict.head_hash}).", err=True)
    raise SystemExit(1)


@comments_widget_cli.command("deliver-webhooks")
@click.option("--now-plus", type=click.IntRange(min=0), default=0, hidden=True,
              help="Act as if this many seconds had passed (tests of the retry schedule).")
def deliver_webhooks(now_plus: int) -> None:
    """Send webhook deliveries that are due, retries included (run it from cron)."""
    moment = utcnow() + timedelta(seconds=now_plus)
    sent = webhooks.deliver_due(current_state().session_factory, moment)
    click.echo(f"Delivered {sent} webhook event{'s' if sent != 1 else ''}.")


@pages_cli.command("build")
def pages_build() -> None:
    """Store the first page of every thread that lacks a current one (after an import or an
    upgrade), so that no archive article's first read has to build it."""
    state = current_state()
    with state.session_factory() as session:
        policy = load_policy(session)
        total = session.scalar(sa.select(sa.func.count()).select_from(Thread)) or 0
    with click.progressbar(length=total, label="First pages", show_pos=True) as bar:
        stored = first_pages.build_missing(state.engine, policy, state.thread_page_size,
                                           utcnow(), progress=bar.update)
    click.echo(f"Stored {stored:,} first page{'s' if stored != 1 else ''} "
               f"({total - stored:,} of {total:,} threads were current).")
