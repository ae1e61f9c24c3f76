"""Links to one comment in the embed (issue #9, item 3): article#comment-N opens the page it is
on, marks and focuses it; every comment has a Link action that copies its address; a reply
says whom it answers, with a link up. Real Chromium, two origins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deployment import ARTICLE_PATH, Deployment, api_reader, deploy, logged_in
from tests.live import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
API = "/comments/api/v1"


@pytest.fixture
def small_pages(database_url: str, tmp_path: Path) -> Iterator[Deployment]:
    """A deployment that shows three top-level comments a page, so links reach far pages."""
    with deploy(database_url, tmp_path, COMMENTS_WIDGET_THREAD_PAGE_SIZE="3") as d:
        yield d


def seed(d: Deployment) -> dict[str, int]:
    """Ann's seven top-level comments, and Ben's reply to the last one (page three)."""
    ann, ben = api_reader(d, "Ann"), api_reader(d, "Ben")
    ids = {f"top {i}": ann.write(f"Top-level number {i}.") for i in range(7)}
    ids["reply"] = ben.write("Ben answers the seventh.", ids["top 6"])
    return ids


def test_a_link_to_a_reply_on_page_three_opens_it_marked_and_focused(
        small_pages: Deployment) -> None:
    d = small_pages
    ids = seed(d)
    d.page.goto(f"{d.site}{ARTICLE_PATH}#comment-{ids['reply']}")
    target = d.page.locator(f"#comments #comment-{ids['reply']}")
    target.wait_for()
    d.page.wait_for_function(
        "id => { const el = document.querySelector('#comments').shadowRoot"
        ".getElementById(id); return el && el.classList.contains('hl'); }",
        arg=f"comment-{ids['reply']}")
    assert target.evaluate("el => el === el.getRootNode().activeElement")
    assert d.page.locator("#comments").get_by_text("Top-level number 0.").count() == 0
    screenshot(d.page.locator("#comments"), "embed-permalink")
    # The reply says whom it answers; its link goes up to that comment.
    up = target.get_by_role("link", name="in reply to Ann")
    up.click()
    parent = d.page.locator(f"#comments #comment-{ids['top 6']}")
    assert parent.evaluate("el => el.classList.contains('hl') && "
                           "el === el.getRootNode().activeElement")
    d.page.locator("#comments").get_by_role("button", name="Show the first comments").click()
    d.page.locator("#comments").get_by_text("Top-level number 0.").wait_for()


def test_the_link_action_copies_the_comments_address(small_pages: Deployment) -> None:
    d = small_pages
    ids = seed(d)
    d.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=d.site)
    d.open_article()
    first = d.page.locator(f"#comments #comment-{ids['top 0']}")
    first.get_by_role("link", name="Link").click()
    first.get_by_text("Link copied").wait_for()
    expected = f"{d.site}{ARTICLE_PATH}#comment-{ids['top 0']}"
    assert d.page.evaluate("navigator.clipboard.readText()") == expected
    assert d.page.url == expected
    # The copied address, opened by another reader, marks the same comment.
    other = d.browsers.profile("friend").new_page()
    other.goto(expected)
    other.locator(f"#comments #comment-{ids['top 0']}.hl").wait_for()


def test_what_a_reader_types_survives_load_more_a_reply_a_redraw_and_logging_in_again(
        small_pages: Deployment) -> None:
    """Issue #9, item 5: drafts of the comment and of a reply are kept (sessionStorage)."""
    d = small_pages
    seed(d)
    logged_in(d)
    comments = d.page.locator("#comments")
    comments.get_by_label("Your comment").fill("My half-written comment")
    comments.locator("article").first.get_by_role("button", name="Reply to Ann").click()
    comments.get_by_role("textbox", name="Reply to Ann").fill("My half-written reply")
    comments.get_by_role("button", name="Load more comments").click()
    comments.get_by_text("Top-level number 3.").wait_for()
    assert comments.get_by_role("textbox", name="Reply to Ann").input_value() == \
        "My half-written reply"
    comments.locator("article form").get_by_role("button", name="Cancel").click()
    assert comments.get_by_label("Your comment").input_value() == "My half-written comment"
    d.page.evaluate("CommentsWidget.render(document.getElementById('comments'))")
    comments.get_by_text("Logged in as Ada Reader.").wait_for()
    assert comments.get_by_label("Your comment").input_value() == "My half-written comment"
    comments.locator("article").first.get_by_role("button", name="Reply to Ann").click()
    assert comments.get_by_role("textbox", name="Reply to Ann").input_value() == \
        "My half-written reply"
    comments.locator("article form").get_by_role("button", name="Cancel").click()
    # Logged out and back in through the popup: still there.
    comments.get_by_role("button", name="Log out").click()
    with d.page.expect_popup() as popup_info:
        comments.get_by_role("link", name="Log-in").click()
    popup = popup_info.value
    popup.get_by_label("Email").fill("ada@example.org")
    popup.get_by_label("Password").fill("a long enough password")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Log in").click()
    comments.get_by_text("Logged in as Ada Reader.").wait_for()
    assert comments.get_by_label("Your comment").input_value() == "My half-written comment"
