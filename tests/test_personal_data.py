"""A reader's own data: claiming imported comments, downloading everything, erasing the account
(by the reader, or by an admin at their request)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import (
    AuditEntry,
    AuthToken,
    Comment,
    ExternalIdentity,
    Flag,
    Follow,
    ImportedRecord,
    Reader,
    Vote,
    utcnow,
)
from comments_widget.services import readers
from comments_widget.services.policy import load_policy, save_policy
from tests.conftest import ARTICLE, PASSWORD, bearer, create_reader, login, make_staff, post, stored
from tests.test_account import ACCOUNT, submit
from tests.test_import import EXPORTS, import_export

THREADS = "/comments/api/v1/threads"


def ada_with_history(app: Flask, session: Session, verified: bool = True) -> Reader:
    """The Disqus history imported, and Ada registering with the address she used there."""
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    ada = create_reader(session, "Ada", email="ADA@example.org")
    if verified:
        ada.email_verified_at = utcnow()
    session.commit()
    return ada


def logged_in(app: Flask, reader: Reader) -> FlaskClient:
    browser = app.test_client()
    login(browser, reader.email)
    return browser


def authors(app: Flask) -> list[str]:
    payload = app.test_client().get(THREADS, query_string={"url": ARTICLE}).get_json()

    def walk(tree: list[dict[str, Any]]) -> list[str]:
        return [name for c in tree for name in [c["author"]["name"], *walk(c["replies"])]]

    return walk(payload["comments"])


# -- claiming ---------------------------------------------------------------------------------


def test_a_reader_with_a_confirmed_address_claims_the_comments_they_wrote_before(
        app: Flask, session: Session) -> None:
    ada = ada_with_history(app, session)
    token = bearer(session, ada)
    me = "/comments/api/v1/me"
    assert app.test_client().get(me, headers=token).get_json()["reader"]["claimable"] is True
    browser = logged_in(app, ada)
    page = browser.get(ACCOUNT).get_data(as_text=True)
    assert "Your comments from before" in page and "(4 in all)" in page
    assert authors(app).count("Ada Lovelace") == 2
    done = submit(browser, "claim", "claim").get_data(as_text=True)
    assert "Your comments from before are linked to your account (4 in all)." in done
    assert "Your comments from before</h2>" not in done  # Nothing more to offer.
    names = authors(app)
    assert "Ada Lovelace" not in names and names.count("Ada") == 2
    mine = session.scalars(sa.select(Comment).where(Comment.author_id == ada.id)).all()
    assert len(mine) == 4
    assert app.test_client().get(me, headers=token).get_json()["reader"]["claimable"] is False
    # The imported author is gone, and importing the export again credits Ada directly.
    assert session.scalar(sa.select(sa.func.count()).where(
        Reader.display_name == "Ada Lovelace")) == 0
    again = import_export(app, "disqus", EXPORTS / "disqus.xml")
    assert again.authors_created == 0 and again.stored == 0
    entry = stored(session, AuditEntry)[-1]
    assert (entry.action, entry.actor_id, entry.detail) == ("claim", ada.id,
                                                            "4 imported comments")


def test_an_unconfirmed_address_is_offered_nothing_to_take(app: Flask, session: Session) -> None:
    ada = ada_with_history(app, session, verified=False)
    browser = logged_in(app, ada)
    page = browser.get(ACCOUNT).get_data(as_text=True)
    assert "Confirm your email address first" in page
    assert "Yes, they are mine" not in page
    # Posting the form anyway (a CSRF token from another form) changes nothing.
    token = page.split('name="everywhere-csrf_token" type="hidden" value="')[1].split('"')[0]
    refused = browser.post(f"{ACCOUNT}/claim", data={"claim-csrf_token": token})
    assert refused.status_code == 400
    assert session.scalar(sa.select(sa.func.count()).where(Comment.author_id == ada.id)) == 0


def test_someone_elses_address_claims_nothing(app: Flask, session: Session) -> None:
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    bob = create_reader(session, "Bob")
    bob.email_verified_at = utcnow()
    session.commit()
    page = logged_in(app, bob).get(ACCOUNT).get_data(as_text=True)
    assert "Your comments from before" not in page


# -- downloading ------------------------------------------------------------------------------


def test_a_reader_downloads_everything_we_hold_about_them(app: Flask, session: Session,
                                                          client: FlaskClient) -> None:
    ada = create_reader(session, "Ada")
    bob = create_reader(session, "Bob")
    ada_auth, bob_auth = bearer(session, ada), bearer(session, bob)
    mine = post(client, ada_auth, body="My *own* words").get_json()
    theirs = post(client, bob_auth, body="Bob's words").get_json()
    client.put(f"/comments/api/v1/comments/{theirs['id']}/vote", json={"value": 1},
               headers=ada_auth)
    client.post(f"/comments/api/v1/comments/{theirs['id']}/flag",
                json={"reason": "off_topic", "text": "not about Kim"}, headers=ada_auth)
    client.put("/comments/api/v1/threads/follow", json={"url": ARTICLE}, headers=ada_auth)
    answer = logged_in(app, ada).get(f"{ACCOUNT}/data.json")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["Cache-Control"] == "no-store"
    data = json.loads(answer.get_data(as_text=True))
    assert data["profile"]["email"] == "ada@example.org"
    assert data["profile"]["display_name"] == "Ada"
    assert [(c["id"], c["text"], c["article_url"], c["status"]) for c in data["comments"]] == [
        (mine["id"], "My *own* words", ARTICLE, "approved")]
    assert data["votes"] == [{"comment_id": theirs["id"], "article_url": ARTICLE, "value": 1,
                              "created_at": data["votes"][0]["created_at"]}]
    assert [(r["reason"], r["text"]) for r in data["reports"]] == [("off_topic",
                                                                    "not about Kim")]
    assert [f["article_url"] for f in data["following"]] == [ARTICLE]
    text = answer.get_data(as_text=True)
    assert "Bob's words" not in text and "bob@example.org" not in text
    assert ada.password_hash not in text


def test_downloading_needs_a_login(client: FlaskClient) -> None:
    answer = client.get(f"{ACCOUNT}/data.json")
    assert answer.status_code == 302 and "/comments/login" in answer.location


# -- erasing ----------------------------------------------------------------------------------


def busy_reader(app: Flask, session: Session, client: FlaskClient) -> tuple[Reader, dict]:
    """Ada with a comment replied to, a vote, a report, a follow, a token and an identity."""
    ada, bob = create_reader(session, "Ada"), create_reader(session, "Bob")
    session.add(ExternalIdentity(reader_id=ada.id, provider="signin:https://id.example",
                                 subject="ada-1", email="ada@id.example"))
    session.commit()
    ada_auth, bob_auth = bearer(session, ada), bearer(session, bob)
    first = post(client, ada_auth, body="Ada's words").get_json()
    post(client, bob_auth, body="Bob replies", parent_id=first["id"])
    theirs = post(client, bob_auth, body="Bob's own").get_json()
    client.put(f"/comments/api/v1/comments/{theirs['id']}/vote", json={"value": 1},
               headers=ada_auth)
    client.post(f"/comments/api/v1/comments/{theirs['id']}/flag", json={"reason": "spam"},
                headers=ada_auth)
    client.put("/comments/api/v1/threads/follow", json={"url": ARTICLE}, headers=ada_auth)
    return ada, ada_auth


def erase_form(browser: FlaskClient, **fields: str) -> Any:
    return submit(browser, "delete", "erase", **fields)


def everything_about(session: Session, reader_id: int) -> dict[str, int]:
    session.commit()
    return {model.__tablename__: session.scalar(
        sa.select(sa.func.count()).select_from(model).where(model.reader_id == reader_id))
        for model in (Vote, Flag, Follow, AuthToken, ExternalIdentity)}


def test_a_reader_erases_their_account_and_their_comments_stay_anonymised(
        app: Flask, session: Session, client: FlaskClient) -> None:
    ada, ada_auth = busy_reader(app, session, client)
    browser = logged_in(app, ada)
    page = erase_form(browser, password=PASSWORD, sure="y")
    assert page.status_code == 200
    assert "Your account is deleted" in page.get_data(as_text=True)
    assert everything_about(session, ada.id) == dict.fromkeys(
        ["comments_widget_votes", "comments_widget_flags", "comments_widget_follows",
         "comments_widget_tokens", "comments_widget_identities"], 0)
    erased = session.get(Reader, ada.id)
    session.refresh(erased)
    assert (erased.display_name, erased.email, erased.password_hash) == (
        "Deleted account", None, "")
    assert erased.erased_at is not None
    payload = client.get(THREADS, query_string={"url": ARTICLE}).get_json()
    top = payload["comments"]
    assert [c["author"]["name"] for c in top] == ["Deleted account", "Bob"]
    assert top[0]["html"] == "<p>Ada's words</p>"
    assert top[0]["replies"][0]["html"] == "<p>Bob replies</p>"
    assert top[1]["up"] == 0  # Ada's vote went with her.
    # Nobody can be Ada any more: the old token, the old browser, the old password.
    assert client.get("/comments/api/v1/me", headers=ada_auth).get_json().get("reader") is None
    assert browser.get(ACCOUNT).status_code == 302
    with pytest.raises(Exception, match="not right|Wrong|incorrect|password"):
        readers.authenticate(session, "ada@example.org", PASSWORD)
    entry = stored(session, AuditEntry)[-1]
    assert (entry.action, entry.target_id, entry.after, entry.detail) == (
        "erase", ada.id, "anonymise", "1 comment")
    assert "ada@example.org" not in repr([(e.before, e.after, e.detail)
                                          for e in stored(session, AuditEntry)])


def test_with_the_delete_policy_the_comments_lose_their_text_and_replies_stay(
        app: Flask, session: Session, client: FlaskClient) -> None:
    save_policy(session, replace(load_policy(session), erased_comments="delete"))
    session.commit()
    ada, _ = busy_reader(app, session, client)
    erase_form(logged_in(app, ada), password=PASSWORD, sure="y")
    session.commit()
    comment = session.scalars(sa.select(Comment).where(Comment.author_id == ada.id)).one()
    assert (comment.status.value, comment.body_source, comment.body_html) == ("deleted", "", "")
    top = client.get(THREADS, query_string={"url": ARTICLE}).get_json()["comments"]
    assert top[0]["status"] == "deleted" and "Ada's words" not in json.dumps(top)
    assert top[0]["replies"][0]["html"] == "<p>Bob replies</p>"


@pytest.mark.parametrize(("fields", "message"), [
    ({"password": "wrong password", "sure": "y"}, "Your password is not right."),
    ({"password": PASSWORD}, "Tick the box to confirm."),
])
def test_erasing_needs_the_password_and_a_tick_and_nothing_changes_otherwise(
        app: Flask, session: Session, client: FlaskClient, fields: dict[str, str],
        message: str) -> None:
    ada, _ = busy_reader(app, session, client)
    before = everything_about(session, ada.id)
    page = erase_form(logged_in(app, ada), **fields)
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert everything_about(session, ada.id) == before
    session.refresh(ada)
    assert ada.erased_at is None and ada.email == "ada@example.org"


def test_an_admin_erases_a_reader_at_their_request(app: Flask, session: Session,
                                                   client: FlaskClient) -> None:
    ada, _ = busy_reader(app, session, client)
    admin = make_staff(session, "Root", "admin")
    dashboard = logged_in(app, admin)
    detail = f"/comments/admin/readers/{ada.id}"
    page = dashboard.get(detail).get_data(as_text=True)
    assert page.count("Erase this account") == 1 and "<title>Ada" in page
    token = page.split('id="csrf_token" name="csrf_token" type="hidden" value="')[1].split('"')[0]
    refused = dashboard.post(f"{detail}/erase", data={"csrf_token": token})
    assert refused.status_code == 400 and "Tick the box to confirm." in refused.get_data(
        as_text=True)
    done = dashboard.post(f"{detail}/erase", data={"csrf_token": token, "requested": "y"},
                          follow_redirects=True).get_data(as_text=True)
    assert "The account is erased; its 1 comments are kept, anonymised." in done
    assert "This account was erased on" in done
    session.refresh(ada)
    assert ada.erased_at is not None and ada.email is None
    entry = stored(session, AuditEntry)[-1]
    assert (entry.action, entry.actor_id, entry.target_id) == ("erase", admin.id, ada.id)


def test_moderators_cannot_erase_and_admins_cannot_erase_admins(app: Flask,
                                                                session: Session) -> None:
    from comments_widget.errors import WidgetError
    from comments_widget.services.personal_data import erase_for_reader

    ada = create_reader(session, "Ada")
    moderator = make_staff(session, "Mo", "moderator")
    admin, other_admin = make_staff(session, "Root", "admin"), make_staff(session, "Su", "admin")
    policy = load_policy(session)
    for actor, target in ((moderator, ada), (admin, other_admin), (admin, admin)):
        with pytest.raises(WidgetError):
            erase_for_reader(session, actor, target, policy)
    session.rollback()
    assert all(r.erased_at is None for r in stored(session, Reader))


def test_an_erased_reader_is_left_out_of_a_later_import(app: Flask, session: Session) -> None:
    ada = ada_with_history(app, session)
    submit(logged_in(app, ada), "claim", "claim")
    erase_form(logged_in(app, ada), password=PASSWORD, sure="y")
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(ImportedRecord).where(
        ImportedRecord.kind == "author", ImportedRecord.target_id == ada.id)) == 0
    again = import_export(app, "disqus", EXPORTS / "disqus.xml")
    assert again.stored == 0  # Her comments were imported once and are not brought back.
