"""The audit log is a hash chain: `audit verify` names the first entry changed or removed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from comments_widget import migrate
from comments_widget.db import create_engine
from comments_widget.models import AuditEntry, Comment, Reader, Status, Thread, utcnow
from comments_widget.services import audit, audit_chain, community, moderation, personal_data
from comments_widget.services.policy import Policy
from comments_widget.state import WidgetState
from tests.conftest import create_reader, make_staff

TABLE = "comments_widget_audit_log"


def seed_decisions(session: Session, actor: Reader, count: int = 5) -> list[int]:
    """`count` comments, each rejected and restored: 2 × count entries."""
    author = create_reader(session, "Author", "author@example.org")
    thread = Thread(key="https://news.example/a", url="https://news.example/a")
    session.add(thread)
    session.flush()
    comments = [Comment(thread_id=thread.id, author_id=author.id, body_source=f"c{i}",
                        body_html=f"<p>c{i}</p>") for i in range(count)]
    session.add_all(comments)
    session.flush()
    for comment in comments:
        moderation.apply_action(session, actor, "reject", [comment.id])
        moderation.apply_action(session, actor, "restore", [comment.id])
    session.commit()
    return list(session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.id)))


def run_verify(runner: FlaskCliRunner) -> Any:
    return runner.invoke(args=["comments-widget", "audit", "verify"])


def tamper(state: WidgetState, sql: str, **values: object) -> None:
    with state.engine.begin() as connection:
        connection.execute(sa.text(sql), values)


def test_an_untouched_log_verifies_and_prints_its_head(
    runner: FlaskCliRunner, session: Session, admin_user: Reader
) -> None:
    ids = seed_decisions(session, admin_user)
    result = run_verify(runner)
    head = session.get(AuditEntry, ids[-1]).entry_hash
    assert result.exit_code == 0, result.output
    assert f"verifies: {len(ids)} entries, head entry {ids[-1]} hash {head}." in result.output
    assert len({session.get(AuditEntry, i).entry_hash for i in ids}) == len(ids)


@pytest.mark.parametrize(("change", "problem"), [
    (f"UPDATE {TABLE} SET after = 'approved' WHERE id = :id",
     "what it says (actor, before, after or detail) was changed"),
    (f"UPDATE {TABLE} SET detail = '' WHERE id = :id",
     "what it says (actor, before, after or detail) was changed"),
    (f"UPDATE {TABLE} SET action = 'approve' WHERE id = :id", "does not follow"),
    (f"UPDATE {TABLE} SET target_id = target_id + 1 WHERE id = :id", "does not follow"),
    (f"UPDATE {TABLE} SET created_at = :when WHERE id = :id", "does not follow"),
    (f"UPDATE {TABLE} SET actor_id = :other WHERE id = :id", "its actor was changed"),
    (f"UPDATE {TABLE} SET entry_hash = '' WHERE id = :id", "carries no hash"),
])
def test_changing_one_row_in_sql_fails_verification_at_that_row(
    runner: FlaskCliRunner, session: Session, state: WidgetState, admin_user: Reader,
    moderator: Reader, change: str, problem: str
) -> None:
    ids = seed_decisions(session, admin_user)
    victim = ids[4]
    tamper(state, change, id=victim, when=utcnow(), other=moderator.id)
    result = run_verify(runner)
    assert result.exit_code == 1
    assert f"does NOT verify at entry {victim}:" in result.output
    assert problem in result.output
    assert f"The 4 entries before it verify (up to entry {ids[3]}" in result.output


def test_removing_an_entry_fails_verification_at_the_one_after_it(
    runner: FlaskCliRunner, session: Session, state: WidgetState, admin_user: Reader
) -> None:
    ids = seed_decisions(session, admin_user)
    tamper(state, f"DELETE FROM {TABLE} WHERE id = :id", id=ids[5])
    verdict = audit_chain.verify(session)
    assert (verdict.bad_id, verdict.checked) == (ids[6], 5)
    assert "an entry before it was removed" in verdict.problem
    # Re-hashing the next entry by hand does not help: the one after it breaks instead.
    tamper(state, f"DELETE FROM {TABLE} WHERE id >= :id", id=ids[6])
    assert audit_chain.verify(session).ok  # the tail is gone: only the printed head shows it
    assert audit_chain.verify(session).head_id == ids[4]


def test_erasing_a_reader_blanks_entries_about_them_and_the_log_still_verifies(
    runner: FlaskCliRunner, session: Session, state: WidgetState, admin_user: Reader
) -> None:
    troll = create_reader(session, "Troll", "troll@example.org")
    community.ban(session, admin_user, troll, "abuse of other readers", None, False)
    session.commit()
    [ban] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "ban")).all()
    assert "abuse" in ban.detail or "banned" in ban.after
    personal_data.erase(session, troll, admin_user, Policy())
    session.commit()
    session.refresh(ban)
    assert (ban.before, ban.after, ban.detail) == ("", "", "")
    assert run_verify(runner).exit_code == 0
    # The same blanking without an erasure behind it is tampering.
    other = create_reader(session, "Other", "other@example.org")
    community.ban(session, admin_user, other, "spam", None, False)
    session.commit()
    tamper(state, f"UPDATE {TABLE} SET before = '', after = '', detail = '' "
                  "WHERE action = 'ban' AND target_id = :id", id=other.id)
    assert "was changed" in audit_chain.verify(session).problem


def test_deleting_an_actors_account_keeps_the_chain(
    session: Session, state: WidgetState, admin_user: Reader
) -> None:
    colleague = make_staff(session, "Temp", "moderator")
    seed_decisions(session, colleague, count=2)
    session.execute(sa.delete(Reader).where(Reader.id == colleague.id))
    session.commit()
    assert session.scalars(sa.select(AuditEntry.actor_id)).all() == [None] * 4
    assert audit_chain.verify(session).ok


def test_writers_at_the_same_time_never_fork_the_chain(
    state: WidgetState, session: Session, admin_user: Reader, moderator: Reader
) -> None:
    seed_decisions(session, admin_user, count=1)
    errors: list[BaseException] = []

    def write(actor_id: int) -> None:
        try:
            for i in range(15):
                with state.session_factory() as own:
                    audit.record(own, own.get(Reader, actor_id), "test", "thing", i)
                    own.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=write, args=(who,))
               for who in (admin_user.id, moderator.id, admin_user.id)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    verdict = audit_chain.verify(session)
    assert verdict.ok and verdict.checked == 2 + 45, verdict


def test_upgrading_chains_the_entries_already_there(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine, "0011_imports")
    with engine.begin() as connection:
        for i in range(3):
            connection.execute(sa.text(
                f"INSERT INTO {TABLE} (action, target_type, target_id, before, after, detail,"
                " created_at) VALUES ('close', 'thread', :i, 'open', 'closed', '', :now)"),
                {"i": i, "now": utcnow()})
    migrate.upgrade(engine)
    with Session(engine) as session:
        verdict = audit_chain.verify(session)
        assert verdict.ok and verdict.checked == 3
        hashes = session.scalars(sa.select(AuditEntry.entry_hash)).all()
        assert all(len(value) == 64 for value in hashes)
    engine.dispose()


def test_a_status_change_still_shows_who_and_what(session: Session, admin_user: Reader) -> None:
    seed_decisions(session, admin_user, count=1)
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).first()
    assert (entry.actor_ref, entry.action, entry.before, entry.after) == (
        admin_user.id, "reject", Status.APPROVED.value, Status.REJECTED.value)
