"""Readers in the dashboard: ban, unban, roles, and the first admin."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Comment, Reader, Role, Status
from tests.conftest import PASSWORD, bearer, create_reader, csrf_token, post, stored


def reader_page(reader: Reader) -> str:
    return f"/comments/admin/readers/{reader.id}"


def role_of(session: Session, reader: Reader) -> Role:
    return {r.id: r.role for r in stored(session, Reader)}[reader.id]


def ban(client: FlaskClient, reader: Reader, **fields: Any):
    data = {"csrf_token": csrf_token(client, reader_page(reader)), "reason": "trolling",
            **fields}
    return client.post(f"{reader_page(reader)}/ban", data=data, follow_redirects=True)


def test_readers_list_searches_and_counts_comments(client: FlaskClient, mod_client: FlaskClient,
                                                   auth: dict, reader: Reader,
                                                   session: Session) -> None:
    create_reader(session, "Grace")
    post(client, auth, body="one")
    post(client, auth, body="two")
    html = mod_client.get("/comments/admin/readers", query_string={"q": "ada"}).get_data(
        as_text=True)
    assert "ada@example.org" in html and "grace@example.org" not in html
    assert "<td>2</td>" in html


def test_ban_revokes_tokens_and_refuses_posts_with_a_message(
    app: Flask, client: FlaskClient, mod_client: FlaskClient, reader: Reader, auth: dict,
    session: Session, moderator: Reader
) -> None:
    until = date.today() + timedelta(days=7)
    page = ban(mod_client, reader, until=until.isoformat()).get_data(as_text=True)
    assert "Ada is banned." in page
    me = client.get("/comments/api/v1/me", headers=auth)
    assert (me.status_code, me.get_json()["error"]) == (403, "banned")
    assert me.get_json()["message"].startswith(
        f"You have been banned from commenting until {until:%d %B %Y}. Reason: trolling")
    refused = post(client, auth, body="let me in")
    assert (refused.status_code, refused.get_json()["error"]) == (403, "banned")
    assert "Reason: trolling" in refused.get_json()["message"]
    assert stored(session, Comment) == []
    [entry] = stored(session, AuditEntry)
    assert (entry.action, entry.actor_id, entry.target_id) == ("ban", moderator.id, reader.id)


def test_ban_can_hide_all_their_comments(client: FlaskClient, mod_client: FlaskClient,
                                         reader: Reader, auth: dict, session: Session) -> None:
    post(client, auth, body="one")
    post(client, auth, body="two")
    page = ban(mod_client, reader, hide_comments="y").get_data(as_text=True)
    assert "and 2 comments hidden" in page
    assert {c.status for c in stored(session, Comment)} == {Status.REJECTED}


def test_expired_ban_lets_the_reader_post_again(client: FlaskClient, reader: Reader,
                                                session: Session) -> None:
    from comments_widget.models import utcnow

    stored_reader = session.merge(reader)
    stored_reader.banned_at = utcnow() - timedelta(days=10)
    stored_reader.banned_until = utcnow() - timedelta(days=1)
    session.commit()
    assert post(client, bearer(session, stored_reader), body="back").status_code == 201


def test_bad_ban_input_is_a_form_error(mod_client: FlaskClient, reader: Reader,
                                       session: Session) -> None:
    missing = mod_client.post(f"{reader_page(reader)}/ban", data={
        "csrf_token": csrf_token(mod_client, reader_page(reader)), "reason": ""})
    assert missing.status_code == 400 and "This field is required." in missing.get_data(
        as_text=True)
    past = ban(mod_client, reader, until="2001-01-01").get_data(as_text=True)
    assert "must be in the future" in past
    assert {r.id: r.banned_at for r in stored(session, Reader)}[reader.id] is None


def test_unban(client: FlaskClient, mod_client: FlaskClient, reader: Reader,
               session: Session) -> None:
    ban(mod_client, reader)
    page = mod_client.post(f"{reader_page(reader)}/unban", data={
        "csrf_token": csrf_token(mod_client, reader_page(reader))}, follow_redirects=True)
    assert "Ada may comment again." in page.get_data(as_text=True)
    assert post(client, bearer(session, session.merge(reader)), body="hi").status_code == 201


def test_admins_promote_and_demote_moderators(admin_client: FlaskClient, reader: Reader,
                                              session: Session) -> None:
    def set_role(role: str) -> str:
        return admin_client.post(f"{reader_page(reader)}/role", data={
            "csrf_token": csrf_token(admin_client, reader_page(reader)), "role": role},
            follow_redirects=True).get_data(as_text=True)

    assert "Ada is now moderator." in set_role("moderator")
    assert role_of(session, reader) == Role.MODERATOR
    set_role("reader")
    assert role_of(session, reader) == Role.READER
    assert [(e.before, e.after) for e in stored(session, AuditEntry)] == [
        ("reader", "moderator"), ("moderator", "reader")]


def test_moderators_cannot_change_roles(mod_client: FlaskClient, reader: Reader,
                                        session: Session) -> None:
    page = mod_client.post(f"{reader_page(reader)}/role", data={
        "csrf_token": csrf_token(mod_client, reader_page(reader)), "role": "admin"},
        follow_redirects=True).get_data(as_text=True)
    assert "Only admins can change roles." in page
    assert role_of(session, reader) == Role.READER


def test_the_last_admin_cannot_step_down(admin_client: FlaskClient, admin_user: Reader,
                                         session: Session) -> None:
    page = admin_client.post(f"{reader_page(admin_user)}/role", data={
        "csrf_token": csrf_token(admin_client, reader_page(admin_user)), "role": "reader"},
        follow_redirects=True).get_data(as_text=True)
    assert "This is the last admin" in page
    assert role_of(session, admin_user) == Role.ADMIN


def test_create_admin_command_creates_or_promotes(app: Flask, reader: Reader,
                                                  session: Session) -> None:
    runner = app.test_cli_runner()
    promoted = runner.invoke(args=["comments-widget", "create-admin", reader.email])
    assert promoted.exit_code == 0 and "Promoted ada@example.org as an admin." in promoted.output
    created = runner.invoke(args=["comments-widget", "create-admin", "chief@example.org",
                                  "--name", "Chief"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert created.exit_code == 0 and "Created chief@example.org" in created.output
    assert {r.email: r.role for r in stored(session, Reader)} == {
        "ada@example.org": Role.ADMIN, "chief@example.org": Role.ADMIN}


def test_create_admin_refuses_a_short_password(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["comments-widget", "create-admin",
                                                "x@example.org", "--password", "short"])
    assert result.exit_code != 0 and "Passwords need at least 8 characters." in result.output
    assert stored(session, Reader) == []


def test_standalone_server_makes_the_admin_from_the_environment(tmp_path: Any,
                                                                database_url: str) -> None:
    from comments_widget.server import create_app

    app = create_app({"COMMENTS_WIDGET_ALLOWED_ORIGINS": "https://news.example",
                      "COMMENTS_WIDGET_DATABASE_URL": database_url,
                      "COMMENTS_WIDGET_AUTO_MIGRATE": "true",
                      "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off",
                      "COMMENTS_WIDGET_INSTANCE_PATH": str(tmp_path),
                      "COMMENTS_WIDGET_ADMIN_EMAIL": "root@example.org",
                      "COMMENTS_WIDGET_ADMIN_PASSWORD": PASSWORD})
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        assert [(r.email, r.role) for r in stored(session, Reader)] == [
            ("root@example.org", Role.ADMIN)]
    state.engine.dispose()
