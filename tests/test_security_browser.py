"""What a reader sees of bans, logouts and outages, in real headless Chromium with
third-party cookies blocked (the embed on one origin, the comment server on another)."""

from __future__ import annotations

import email.policy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from comments_widget.models import Reader
from comments_widget.services import community
from tests.conftest import create_reader
from tests.deployment import Deployment, register_in_popup
from tests.live import screenshot
from tests.smtp import delivered

pytestmark = pytest.mark.browser


def widget_state(d: Deployment):  # noqa: ANN201
    return d.comment_app.extensions["comments_widget"]


def open_login_popup(d: Deployment, compose: Any) -> Any:
    """Click the embed's Log-in and return the popup it opens."""
    with d.page.expect_popup() as popup_info:
        compose.get_by_role("link", name="Log-in").click()
    return popup_info.value


def emailed_link(maildir: Path, path: str) -> str:
    """The link to `path` (e.g. "/comments/reset/") in the one email delivered so far."""
    [raw] = delivered(maildir, 1)
    text = message_from_bytes(bytes(raw), policy=email.policy.default).get_body(
        ("plain",)).get_content()
    return re.search(rf"(http://\S+{re.escape(path)}\S+)", text).group(1)


def test_a_banned_reader_is_told_why_at_once(deployment: Deployment) -> None:
    d = deployment
    compose = d.open_article()
    register_in_popup(d)
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    with widget_state(d).session_factory() as session:
        admin = create_reader(session, "Boss", "boss@example.org")
        reader = session.scalar(sa.select(Reader).where(Reader.email == "ada@example.org"))
        community.ban(session, admin, reader, "posting spam links", None, False)
        session.commit()
    d.page.reload()
    compose = d.page.locator("#comments .compose")
    compose.get_by_text("You have been banned from commenting. Reason: posting spam links") \
        .wait_for()
    assert "expired" not in compose.inner_text()
    assert compose.get_by_role("link", name="Log-in").is_visible()
    screenshot(d.page.locator("#comments"), "embed-banned")


def test_logging_out_in_the_embed_ends_the_popups_login_too(deployment: Deployment) -> None:
    d = deployment
    compose = d.open_article()
    register_in_popup(d)
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    compose.get_by_role("button", name="Log out").click()
    compose.get_by_role("link", name="Log-in").wait_for()
    # The next person at this computer clicks Log-in: a login form, not "Continue as Ada".
    popup = open_login_popup(d, compose)
    popup.wait_for_load_state()
    assert popup.get_by_role("button", name="Log in").is_visible()
    assert "Continue as" not in popup.content()
    screenshot(popup, "popup-after-logout")
    popup.close()


@contextmanager
def database_locked(d: Deployment) -> Iterator[None]:
    """Another connection holds the comment tables, as a stuck migration or a runaway query
    would: writes wait, then time out (SQLite's busy timeout, PostgreSQL's statement timeout)."""
    engine = widget_state(d).engine
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            connection.begin()
            connection.execute(sa.text("LOCK TABLE comments_widget_comments "
                                       "IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()


def test_a_database_fault_says_comments_are_temporarily_unavailable(
    deployment: Deployment,
) -> None:
    d = deployment
    compose = d.open_article()
    register_in_popup(d)
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    compose.get_by_label("Your comment").fill("Written while the database is stuck")
    with database_locked(d):
        compose.get_by_role("button", name="Post comment").click()
        compose.get_by_text("Comments are temporarily unavailable. Please try again in a "
                            "moment.").wait_for(timeout=30_000)
    screenshot(d.page.locator("#comments"), "embed-unavailable")
    # Nothing typed is lost: the reader posts again once the database answers.
    assert compose.get_by_label("Your comment").input_value() == \
        "Written while the database is stuck"
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article").get_by_text("Written while the database is stuck") \
        .wait_for()


def test_listing_pages_count_threads_keyed_by_the_sites_own_id(deployment: Deployment) -> None:
    from comments_widget.page_meta import no_page_meta
    from comments_widget.services import policy
    from comments_widget.services.comments import PostingRules, ThreadRef, post_comment
    from comments_widget.views.http import explicit_key

    d = deployment
    with widget_state(d).session_factory() as session:
        author = create_reader(session, "Grace", "grace@example.org")
        article = d.site + "/2023/09/putin-kim"
        ref = ThreadRef(key=explicit_key(d.site, "article-42"), url=article)
        for text in ("one", "two", "three"):
            post_comment(session, author=author, ref=ref, body=text, parent_id=None,
                         rules=PostingRules(1000, 3), policy=policy.Policy(),
                         page_meta=no_page_meta)
        session.commit()
    d.page.goto(d.site + "/")
    d.page.evaluate("""() => {
        for (const id of ["article-42", "article-43"]) {
            const a = document.createElement("a");
            a.setAttribute("data-comments-count-id", id);
            a.textContent = "Comments";
            document.body.appendChild(a);
        }
        window.CommentsWidget.counts();
    }""")
    d.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-comments-count-id]')]"
        ".every(a => a.textContent !== 'Comments')")
    texts = d.page.locator("[data-comments-count-id]").all_inner_texts()
    assert texts == ["3 comments", "0 comments"]


def test_a_reader_who_forgot_their_password_resets_it_and_is_logged_in_on_the_article(
    mail_deployment: Deployment, smtp_server: tuple,
) -> None:
    d = mail_deployment
    with widget_state(d).session_factory() as session:
        create_reader(session, "Ada Reader", "ada@example.org")
    compose = d.open_article()
    popup = open_login_popup(d, compose)
    popup.get_by_role("link", name="Forgot password?").click()
    popup.get_by_label("Email").fill("ada@example.org")
    popup.get_by_role("button", name="Send me a link").click()
    popup.get_by_text("Check your email").wait_for()
    screenshot(popup, "popup-reset-sent")
    link = emailed_link(smtp_server[1], "/comments/reset/")
    mail_tab = d.context.new_page()  # The reader opens the email's link in a new tab.
    mail_tab.goto(link)
    mail_tab.get_by_label("New password", exact=True).fill("my brand new passphrase")
    mail_tab.get_by_label("New password again").fill("my brand new passphrase")
    with popup.expect_event("close"):
        mail_tab.get_by_role("button", name="Set password").click()
    mail_tab.get_by_text("You are logged in.").wait_for()
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    screenshot(d.page.locator("#comments"), "embed-after-reset")


def test_a_new_reader_confirms_their_address_and_is_logged_in_on_the_article(
    verifying_deployment: Deployment, smtp_server: tuple,
) -> None:
    d = verifying_deployment
    compose = d.open_article()
    popup = open_login_popup(d, compose)
    popup.get_by_role("link", name="Create an account").click()
    popup.get_by_label("Display name").fill("Nadia Newcomer")
    popup.get_by_label("Email").fill("nadia@example.org")
    popup.get_by_label("Password").fill("a long enough password")
    popup.get_by_role("button", name="Create account").click()
    popup.get_by_text("Check your email").wait_for()
    screenshot(popup, "popup-check-email")
    link = emailed_link(smtp_server[1], "/comments/verify/")
    mail_tab = d.context.new_page()
    with popup.expect_event("close"):
        mail_tab.goto(link)
    compose.get_by_text("Logged in as Nadia Newcomer.").wait_for()
    assert "Confirm your email address" not in compose.inner_text()
    compose.get_by_label("Your comment").fill("Glad to be here")
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article .body").get_by_text("Glad to be here").wait_for()
    assert "Awaiting moderation" not in d.page.locator("#comments article").first.inner_text()


def test_a_reader_logs_in_with_an_emailed_link_instead_of_a_password(
    mail_deployment: Deployment, smtp_server: tuple,
) -> None:
    d = mail_deployment
    with widget_state(d).session_factory() as session:
        create_reader(session, "Ada Reader", "ada@example.org")
    compose = d.open_article()
    popup = open_login_popup(d, compose)
    popup.get_by_role("link", name="Email me a login link instead").click()
    popup.get_by_label("Email").fill("ada@example.org")
    popup.get_by_role("button", name="Email me a login link").click()
    popup.get_by_text("Check your email").wait_for()
    link = emailed_link(smtp_server[1], "/comments/login/link/")
    with popup.expect_event("close"):
        d.context.new_page().goto(link)
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
