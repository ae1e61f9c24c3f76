"""Our own export (docs/export-format.md) and `import native`: a lossless round trip."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from comments_widget.models import AuditEntry, Comment, ExternalIdentity, Reader, Thread
from comments_widget.services import audit_chain, moderation, readers, threads
from tests.conftest import ARTICLE, SITE, bearer, create_reader, fresh_database, make_staff, post
from tests.test_import import EXPORTS, import_export, snapshot

OTHER = "https://other.example"


def two_sites(make_app: Any, **config: Any) -> Flask:
    return make_app(COMMENTS_WIDGET_ALLOWED_ORIGINS=[SITE, OTHER], **config)


def busy_site(app: Flask) -> None:
    """A site with everything an export holds: imported history, readers who post, reply,
    vote, report and follow, an SSO identity, a moderator's decisions in the audit log, and a
    second site that --site leaves out."""
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    client = app.test_client()
    with app.extensions["comments_widget"].session_factory() as db:
        ada, bob = create_reader(db, "Ada"), create_reader(db, "Bob")
        morgan = make_staff(db, "Morgan", "moderator")
        db.add(ExternalIdentity(reader_id=bob.id, provider=f"site:{SITE}", subject="u-42",
                                email="bob@site.example"))
        db.commit()
        ada_auth, bob_auth = bearer(db, ada), bearer(db, bob)
        morgan_id = morgan.id
    answer = post(client, ada_auth, body="Hello *world* — ünïcødé 🙂")
    assert answer.status_code == 201, answer.get_json()
    first = answer.get_json()["id"]
    post(client, bob_auth, body="A reply", parent_id=first)
    other = post(client, bob_auth, body="On the other site",
                 url=f"{OTHER}/story").get_json()["id"]
    assert client.put(f"/comments/api/v1/comments/{first}/vote", json={"value": 1},
                      headers=bob_auth).status_code == 200
    assert client.post(f"/comments/api/v1/comments/{first}/flag", json={"reason": "spam"},
                       headers=bob_auth).status_code in (200, 201)
    assert client.put("/comments/api/v1/threads/follow", json={"url": ARTICLE},
                      headers=bob_auth).status_code in (200, 204)
    with app.extensions["comments_widget"].session_factory() as db:
        moderation.apply_action(db, db.get(Reader, morgan_id), "reject", [other])
        db.commit()


def export(app: Flask, path: Path, *extra: str) -> str:
    result = app.test_cli_runner().invoke(args=["comments-widget", "export", str(path), *extra])
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def restore(app: Flask, path: Path) -> Any:
    return app.test_cli_runner().invoke(args=["comments-widget", "import", "native", str(path)])


@pytest.fixture
def other_database(tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as the test's (dropped afterwards)."""
    folder = tmp_path / "other"
    folder.mkdir()
    with fresh_database(folder) as url:
        yield url


def test_export_then_restore_then_export_gives_the_same_file(
        make_app: Any, tmp_path: Path, other_database: str) -> None:
    app = two_sites(make_app)
    busy_site(app)
    first = export(app, tmp_path / "first.jsonl")
    target = two_sites(make_app, COMMENTS_WIDGET_DATABASE_URL=other_database)
    restored = restore(target, tmp_path / "first.jsonl")
    assert restored.exit_code == 0, restored.output
    assert export(target, tmp_path / "second.jsonl") == first
    kinds = [json.loads(line)["type"] for line in first.splitlines()]
    assert kinds[0] == "header"
    for kind in ("reader", "identity", "thread", "comment", "vote", "follow", "flag", "audit",
                 "origin"):
        assert kind in kinds, kind
    # The audit log's hash chain came along and still verifies, untouched.
    with target.extensions["comments_widget"].session_factory() as db:
        assert audit_chain.verify(db).ok and not db.scalar(sa.select(AuditEntry).where(
            AuditEntry.action == "audit_rechained"))
    # The origins came along: the old Disqus export imports nothing twice after the move.
    assert import_export(target, "disqus", EXPORTS / "disqus.xml").stored == 0
    # The restored site works: its payload is right and new comments get new ids.
    payload = target.test_client().get("/comments/api/v1/threads",
                                       query_string={"url": ARTICLE}).get_json()
    original = app.test_client().get("/comments/api/v1/threads",
                                     query_string={"url": ARTICLE}).get_json()
    assert payload["comments"] == original["comments"]
    assert payload["thread"]["comment_count"] == original["thread"]["comment_count"]
    with target.extensions["comments_widget"].session_factory() as db:
        newcomer = create_reader(db, "Newcomer")
        auth = bearer(db, newcomer)
        highest = db.scalar(sa.select(sa.func.max(Comment.id)))
    answer = post(target.test_client(), auth, body="After the move")
    assert answer.status_code == 201 and answer.get_json()["id"] > highest


def test_the_export_holds_no_password_hash_or_session(make_app: Any, tmp_path: Path) -> None:
    app = two_sites(make_app)
    busy_site(app)
    text = export(app, tmp_path / "out.jsonl")
    with app.extensions["comments_widget"].session_factory() as db:
        secrets = [value for reader in db.scalars(sa.select(Reader))
                   for value in (reader.password_hash, reader.session_id) if value]
    assert secrets and not any(secret in text for secret in secrets)
    assert "password" not in text and "session_id" not in text


def test_site_limits_the_export_to_that_sites_articles(make_app: Any, tmp_path: Path) -> None:
    app = two_sites(make_app)
    busy_site(app)
    lines = [json.loads(line) for line in
             export(app, tmp_path / "out.jsonl", "--site", SITE).splitlines()]
    keys = {line["key"] for line in lines if line["type"] == "thread"}
    assert keys == {ARTICLE, f"{SITE}/2023/10/relative-link"}
    bodies = {line["body_source"] for line in lines if line["type"] == "comment"}
    assert "On the other site" not in bodies and "A reply" in bodies
    assert not [line for line in lines if line["type"] == "audit"]  # on the other site


def test_restoring_into_a_database_with_comments_is_refused_and_changes_nothing(
        make_app: Any, tmp_path: Path) -> None:
    app = two_sites(make_app)
    busy_site(app)
    export(app, tmp_path / "out.jsonl")
    before = snapshot(app)
    result = restore(app, tmp_path / "out.jsonl")
    assert result.exit_code == 1
    assert "restores into a database with no comments" in result.output
    assert snapshot(app) == before


def test_a_restore_that_fails_leaves_nothing_behind_and_can_run_again(
        make_app: Any, tmp_path: Path, other_database: str) -> None:
    app = two_sites(make_app)
    busy_site(app)
    good = export(app, tmp_path / "out.jsonl")
    broken = tmp_path / "broken.jsonl"
    lines = good.splitlines()
    broken.write_text("\n".join(lines[:-3] + ["{not json"]) + "\n", encoding="utf-8")
    target = two_sites(make_app, COMMENTS_WIDGET_DATABASE_URL=other_database)
    empty = snapshot(target)
    failed = restore(target, broken)
    assert failed.exit_code == 1 and f"line {len(lines) - 2} is not JSON" in failed.output
    assert snapshot(target) == empty
    assert restore(target, tmp_path / "out.jsonl").exit_code == 0
    assert export(target, tmp_path / "again.jsonl") == good


def test_a_hostile_body_in_an_export_is_sanitised_on_restore(
        make_app: Any, tmp_path: Path, other_database: str) -> None:
    app = two_sites(make_app)
    busy_site(app)
    text = export(app, tmp_path / "out.jsonl")
    hostile = text.replace('"body_source":"A reply"',
                           '"body_source":"<script>alert(1)</script>[x](javascript:alert(2))"')
    assert hostile != text
    (tmp_path / "hostile.jsonl").write_text(hostile, encoding="utf-8")
    target = two_sites(make_app, COMMENTS_WIDGET_DATABASE_URL=other_database)
    assert restore(target, tmp_path / "hostile.jsonl").exit_code == 0
    with target.extensions["comments_widget"].session_factory() as db:
        html = "".join(db.scalars(sa.select(Comment.body_html)))
    assert "<script" not in html and "javascript:" not in html.replace(
        "[x](javascript:alert(2))", "")


def test_after_a_restore_the_admin_sets_a_password_from_the_command_line(
        make_app: Any, tmp_path: Path, other_database: str) -> None:
    app = two_sites(make_app)
    busy_site(app)
    export(app, tmp_path / "out.jsonl")
    target = two_sites(make_app, COMMENTS_WIDGET_DATABASE_URL=other_database)
    assert restore(target, tmp_path / "out.jsonl").exit_code == 0
    runner = target.test_cli_runner()
    result = runner.invoke(args=["comments-widget", "create-admin", "morgan@example.org",
                                 "--password", "a new long password"])
    assert result.exit_code == 0, result.output
    with target.extensions["comments_widget"].session_factory() as db:
        morgan = readers.authenticate(db, "morgan@example.org", "a new long password")
        assert morgan.role.value == "admin"
        ada = readers.find_reader_by_email(db, "ada@example.org")
        assert ada is not None and ada.password_hash == ""  # Readers use "Forgot it?".


def test_one_sites_restore_chains_its_audit_entries_again_and_says_so(
        make_app: Any, tmp_path: Path, other_database: str) -> None:
    app = two_sites(make_app)
    busy_site(app)
    with app.extensions["comments_widget"].session_factory() as db:
        thread = db.scalars(sa.select(Thread).where(Thread.url == ARTICLE)).one()  # open
        threads.close(db, db.scalars(sa.select(Reader).where(Reader.role == "moderator")).one(),
                      thread)
        db.commit()
    # It holds the close, not the rejection on the other site that the chain went through.
    export(app, tmp_path / "site.jsonl", "--site", SITE)
    target = two_sites(make_app, COMMENTS_WIDGET_DATABASE_URL=other_database)
    assert restore(target, tmp_path / "site.jsonl").exit_code == 0
    with target.extensions["comments_widget"].session_factory() as db:
        assert audit_chain.verify(db).ok
        note = db.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "audit_rechained")).one()
        assert note.detail == (f"1 entries restored from site.jsonl, one site's export "
                               f"({SITE}), were chained again")
