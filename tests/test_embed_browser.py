"""The embed in real headless Chromium, on a news site whose comments live on another origin.

The article is served from http://127.0.0.1:<port> and the comment server from
http://localhost:<port>: two sites to the browser, with third-party cookies blocked.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from example_site.app import create_news_app
from tests.deployment import ARTICLE_PATH, Deployment, register_in_popup
from tests.live import Listener, screenshot, serve

pytestmark = pytest.mark.browser

LOGGED_OUT_BLOCK = ("Leave a comment", ["You need to login to leave a comment. Log-in"])


def block_text(compose: Any) -> tuple[str, list[str]]:
    """The compose block's heading and paragraphs, as a reader reads them."""
    return compose.locator("h3").inner_text(), compose.locator("p").all_inner_texts()


def test_third_party_cookies_are_blocked_in_the_test_browser(deployment: Deployment) -> None:
    d = deployment
    d.page.goto(d.comments + "/comments/login")
    d.page.evaluate("document.cookie = 'probe=1; SameSite=None; Secure; path=/'")
    assert "probe=1" in d.page.evaluate("document.cookie")  # First-party: allowed.
    d.page.goto(d.site + "/")
    # The API sets no frame-blocking headers, so the comment server can load as a third party.
    d.page.set_content(f"<iframe src='{d.comments}/comments/api/v1/me'></iframe>")
    d.page.frame_locator("iframe").get_by_text("reader").wait_for()
    assert "probe=1" not in d.page.frames[1].evaluate("document.cookie")  # Third-party: blocked.


def test_a_new_reader_sees_the_login_prompt_under_the_article(deployment: Deployment) -> None:
    compose = deployment.open_article()
    assert block_text(compose) == LOGGED_OUT_BLOCK
    link = deployment.page.get_by_role("link", name="Log-in")
    assert link.get_attribute("href").startswith(deployment.comments + "/comments/login?origin=")
    assert deployment.page.locator("#comments h2").inner_text() == "0 comments"
    screenshot(deployment.page.locator("#comments"), "embed-logged-out")
    screenshot(deployment.page, "article-logged-out")


def test_reader_registers_comments_replies_reloads_and_logs_out(deployment: Deployment) -> None:
    d = deployment
    compose = d.open_article()
    register_in_popup(d)
    compose.get_by_text("Logged in as Ada Reader.").wait_for()

    compose.get_by_label("Your comment").fill("A *historic* meeting, see [the report](https://news.example/r).")
    compose.get_by_role("button", name="Post comment").click()
    first = d.page.locator("#comments article").first
    first.get_by_text("A historic meeting").wait_for()
    assert first.locator("em").inner_text() == "historic"
    assert first.locator(".body a").get_attribute("rel") == "nofollow ugc noopener"

    first.get_by_role("button", name="Reply to Ada Reader").click()
    d.page.get_by_role("textbox", name="Reply to Ada Reader").fill("Replying to myself.")
    d.page.locator("#comments article form").get_by_role("button", name="Post comment").click()
    reply = d.page.locator("#comments ol ol article")
    reply.get_by_text("Replying to myself.").wait_for()
    assert d.page.locator("#comments h2").inner_text() == "2 comments"
    screenshot(d.page.locator("#comments"), "embed-logged-in")

    d.page.reload()
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    assert d.page.locator("#comments ol ol article").get_by_text("Replying to myself.").count() == 1

    compose.get_by_role("button", name="Log out").click()
    d.page.wait_for_function("() => !localStorage.length")
    assert block_text(compose) == LOGGED_OUT_BLOCK
    d.page.reload()
    compose.get_by_role("link", name="Log-in").wait_for()
    assert block_text(compose) == LOGGED_OUT_BLOCK


def test_hostile_comment_bodies_render_as_inert_text(deployment: Deployment) -> None:
    d = deployment
    d.open_article()
    hostile_name = '<img src=x onerror=alert(5)>Mallory'
    register_in_popup(d, hostile_name, "mallory@example.org")
    dialogs: list[str] = []
    d.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    hostile = ('<img src=x onerror=alert(1)><script>alert(2)</script> '
               '[click](javascript:alert(3)) <svg onload=alert(4)>')
    d.page.get_by_label("Your comment").fill(hostile)
    d.page.get_by_role("button", name="Post comment").click()
    body = d.page.locator("#comments article .body").first
    body.get_by_text("<script>alert(2)</script>", exact=False).wait_for()
    d.page.reload()
    body.wait_for()
    assert body.locator("img, script, svg").count() == 0
    assert body.locator("a").count() == 0
    author = d.page.locator("#comments article .meta b").first
    assert author.inner_text() == hostile_name  # Shown as text, never parsed.
    # The only pictures are our identicons, next to the names.
    assert d.page.locator("#comments img:not(.av)").count() == 0
    assert all("/comments/avatars/" in src for src in d.page.locator(
        "#comments img.av").evaluate_all("imgs => imgs.map(i => i.src)"))
    assert dialogs == []


def test_errors_are_explained_in_words(deployment: Deployment) -> None:
    d = deployment
    d.open_article()
    register_in_popup(d)
    d.page.get_by_role("button", name="Post comment").click()
    d.page.get_by_role("alert").get_by_text("Write something before posting.").wait_for()
    d.page.evaluate("localStorage.setItem(Object.keys(localStorage)[0], 'revoked-token')")
    d.page.get_by_label("Your comment").fill("with a dead token")
    d.page.get_by_role("button", name="Post comment").click()
    d.page.get_by_text("Your login has expired. Please log in again.").wait_for()
    assert d.page.get_by_role("link", name="Log-in").is_visible()


def test_front_page_shows_comment_counts(deployment: Deployment) -> None:
    d = deployment
    d.open_article()
    register_in_popup(d)
    for text in ("one", "two"):
        d.page.get_by_label("Your comment").fill(text)
        d.page.get_by_role("button", name="Post comment").click()
        d.page.locator("#comments article .body").get_by_text(text, exact=True).wait_for()
    d.page.goto(d.site + "/")
    counts = d.page.locator("[data-comments-count]")
    d.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-comments-count]')]"
        ".every(a => /comment/.test(a.textContent) && a.textContent !== 'Comments')")
    assert counts.all_inner_texts() == ["2 comments", "0 comments", "0 comments"]
    screenshot(d.page, "front-page-counts")


def test_a_page_on_a_site_that_is_not_allowed_gets_a_clear_error(deployment: Deployment) -> None:
    d = deployment
    foreign = Listener()
    with serve(create_news_app(d.comments), foreign):
        d.page.goto(foreign.url + ARTICLE_PATH)
        alert = d.page.locator("#comments").get_by_role("alert")
        alert.wait_for()
        assert re.match(r"Comments could not be loaded\.", alert.inner_text())


def test_a_big_thread_arrives_in_pages_with_load_more(deployment: Deployment) -> None:
    from comments_widget.services.comments import PostingRules, ThreadRef, post_comment
    from comments_widget.services.policy import Policy
    from tests.conftest import create_reader

    d = deployment
    url = d.site + ARTICLE_PATH
    with d.comment_app.extensions["comments_widget"].session_factory() as session:
        author = create_reader(session, "Prolific")
        for i in range(60):
            post_comment(session, author=author, ref=ThreadRef(url, url), body=f"Comment {i}",
                         parent_id=None, rules=PostingRules(100, 3), policy=Policy())
        session.commit()
    d.open_article()
    d.page.locator("#comments h2").get_by_text("60 comments").wait_for()
    assert d.page.locator("#comments article").count() == 50
    d.page.get_by_role("button", name="Load more comments").click()
    d.page.locator("#comments article").nth(59).wait_for()
    assert d.page.locator("#comments article").count() == 60
    assert d.page.get_by_role("button", name="Load more comments").count() == 0


def test_after_the_article_storage_is_purged_one_click_logs_the_reader_back_in(
    deployment: Deployment,
) -> None:
    d = deployment
    compose = d.open_article()
    register_in_popup(d)
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    # Safari's seven-day purge: the article's localStorage (our token) is gone, the comment
    # server's own first-party session is not.
    d.page.evaluate("() => window.localStorage.clear()")
    d.page.reload()
    compose = d.page.locator("#comments .compose")
    compose.get_by_role("link", name="Log-in").wait_for()
    with d.page.expect_popup() as popup_info:
        compose.get_by_role("link", name="Log-in").click()
    popup = popup_info.value
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Continue as Ada Reader").click()
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
