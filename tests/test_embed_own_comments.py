"""A reader's own comments in the embed (issue #9, items 1, 4 and 5): edit and delete within the
edit window, the "edited" mark everyone sees, what a held comment says, and a half-typed
comment that survives a reload. Real Chromium, two origins, third-party cookies blocked."""

from __future__ import annotations

from typing import Any

import pytest

from comments_widget.services.policy import Policy, save_policy
from tests.deployment import Deployment, logged_in
from tests.live import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def post_comment(d: Deployment, compose: Any, text: str, shown: str | None = None) -> Any:
    compose.get_by_label("Your comment").fill(text)
    compose.get_by_role("button", name="Post comment").click()
    article = d.page.locator("#comments article", has_text=shown or text)
    article.wait_for()
    return d.page.locator(f"#{article.get_attribute('id')}")  # Found again while edited.


def test_an_author_edits_their_comment_and_everyone_sees_it_was_edited(
        deployment: Deployment) -> None:
    d = deployment
    compose = logged_in(d)
    article = post_comment(d, compose, "A *historic* meeting, in Vladivostok.",
                           "A historic meeting, in Vladivostok.")
    article.get_by_role("button", name="Edit").click()
    editor = article.get_by_label("Edit your comment")
    assert editor.evaluate("el => el === el.getRootNode().activeElement")
    assert editor.input_value() == "A *historic* meeting, in Vladivostok."  # The Markdown.
    editor.fill("Changed my mind")
    editor.press("Escape")  # Cancels: nothing sent, the text as it was, focus on Edit.
    article.get_by_text("A historic meeting, in Vladivostok.").wait_for()
    assert article.get_by_role("button", name="Edit").evaluate(
        "el => el === el.getRootNode().activeElement")

    article.get_by_role("button", name="Edit").click()
    article.get_by_label("Edit your comment").fill("A *historic* meeting, in the Far East.")
    article.get_by_role("button", name="Save").click()
    article.get_by_text("A historic meeting, in the Far East.").wait_for()
    assert article.locator(".meta .tag").inner_text() == "edited"
    screenshot(d.page.locator("#comments"), "embed-edited")

    other = d.browsers.profile("stranger").new_page()
    other.goto(d.site + "/2023/09/putin-kim")
    theirs = other.locator("#comments article", has_text="in the Far East")
    theirs.wait_for()
    assert theirs.locator(".meta .tag").inner_text() == "edited"
    assert "Edited" in theirs.locator(".meta .tag").get_attribute("title")
    assert theirs.get_by_role("button", name="Edit").count() == 0


def test_delete_asks_once_and_a_comment_with_replies_stays_a_placeholder(
        deployment: Deployment) -> None:
    d = deployment
    compose = logged_in(d)
    first = post_comment(d, compose, "The first one, to be answered.")
    post_comment(d, compose, "The second one, alone.")
    first.get_by_role("button", name="Reply to Ada Reader").click()
    d.page.get_by_role("textbox", name="Reply to Ada Reader").fill("An answer to the first.")
    d.page.locator("#comments article form").get_by_role("button", name="Post comment").click()
    d.page.locator("#comments ol ol article").get_by_text("An answer to the first.").wait_for()
    assert d.page.locator("#comments h2").inner_text() == "3 comments"

    dialogs: list[str] = []

    def dismiss_then_accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        if len(dialogs) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    d.page.on("dialog", dismiss_then_accept)
    alone = d.page.locator("#comments article", has_text="The second one, alone.")
    alone.get_by_role("button", name="Delete").click()  # Dismissed: nothing happens.
    assert alone.count() == 1 and len(dialogs) == 1
    alone.get_by_role("button", name="Delete").click()
    alone.wait_for(state="detached")
    assert dialogs[0] == "Delete this comment? This cannot be undone."

    first.get_by_role("button", name="Delete").click()
    d.page.locator("#comments article.deleted").get_by_text("Comment deleted").wait_for()
    assert d.page.locator("#comments ol ol article").get_by_text(
        "An answer to the first.").count() == 1
    assert d.page.locator("#comments h2").inner_text() == "1 comment"
    d.page.reload()
    d.page.locator("#comments article.deleted").wait_for()
    assert d.page.locator("#comments h2").inner_text() == "1 comment"


def test_a_held_comment_says_it_awaits_moderation(deployment: Deployment) -> None:
    d = deployment
    state = d.comment_app.extensions["comments_widget"]
    with state.session_factory() as session:
        save_policy(session, Policy(premoderation="all"))
        session.commit()
    state.settings.invalidate()
    compose = logged_in(d)
    article = post_comment(d, compose, "Held for a moderator.")
    assert article.locator(".tag").inner_text() == "Awaiting moderation"
    compose.locator(".status").get_by_text("Your comment is awaiting moderation.").wait_for()
    assert "was posted" not in compose.locator(".status").inner_text()


def test_a_half_typed_comment_survives_a_reload_and_goes_once_posted(
        deployment: Deployment) -> None:
    d = deployment
    compose = logged_in(d)
    compose.get_by_label("Your comment").fill("Half a thought about the summit")
    d.page.reload()
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    assert compose.get_by_label("Your comment").input_value() == \
        "Half a thought about the summit"
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article", has_text="Half a thought").wait_for()
    d.page.reload()
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    assert compose.get_by_label("Your comment").input_value() == ""


def test_english_pages_load_no_language_file_and_german_ones_one(
        deployment: Deployment) -> None:
    d = deployment
    requested: list[str] = []
    d.page.on("request", lambda request: requested.append(request.url))
    d.open_article()
    d.page.get_by_role("link", name="Log-in").wait_for()
    assert not [url for url in requested if "/comments/lang/" in url]
    d.page.evaluate("""() => { const el = document.getElementById("comments");
        el.setAttribute("data-comments-lang", "de"); CommentsWidget.render(el); }""")
    d.page.get_by_role("link", name="Anmelden").wait_for()
    assert d.page.locator("#comments h3").inner_text() == "Kommentar schreiben"
    assert [url for url in requested if "/comments/lang/" in url] == [
        d.comments + "/comments/lang/de.json"]
