"""Live updates (issue #9, item 7): while the tab is visible the embed asks whether the thread
changed (a conditional request) and offers new comments behind a button, without moving what
the reader is reading or typing; a hidden tab asks nothing. Real Chromium, two origins."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deployment import Deployment, api_reader, logged_in
from tests.live import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
API = "/comments/api/v1"


def other_reader(d: Deployment) -> Any:
    """A function posting as Ben through the API (another reader somewhere else)."""
    return api_reader(d, "Ben").write


def watch_every_second(d: Deployment) -> None:
    d.page.evaluate("""() => { const host = document.querySelector('#comments');
        host.setAttribute('data-comments-live', '1'); CommentsWidget.render(host); }""")


def test_new_comments_wait_behind_a_button_while_the_reader_types(
        deployment: Deployment) -> None:
    d = deployment
    ben = other_reader(d)
    first = ben("Ben was here first.")
    logged_in(d)
    watch_every_second(d)
    d.page.locator("#comments").get_by_text("Ben was here first.").wait_for()
    box = d.page.locator("#comments").get_by_label("Your comment")
    box.fill("Half a thought")
    box.focus()
    ben("A new top-level comment.")
    ben("And a reply to the first.", first)
    button = d.page.locator("#comments").get_by_role("button", name="2 new comments: show")
    button.wait_for(timeout=10_000)
    # Nothing moved: not drawn yet, and the reader's text and focus are where they were.
    assert d.page.locator("#comments").get_by_text("A new top-level comment.").count() == 0
    assert box.input_value() == "Half a thought"
    assert box.evaluate("el => el === el.getRootNode().activeElement")
    assert d.page.locator("#comments [aria-live=polite]").first.inner_text() == \
        "2 new comments: show"
    screenshot(d.page.locator("#comments"), "embed-live-new")
    button.click()
    d.page.locator("#comments").get_by_text("A new top-level comment.").wait_for()
    reply = d.page.locator("#comments ol ol article", has_text="And a reply to the first.")
    reply.wait_for()
    assert d.page.locator("#comments h2").inner_text() == "3 comments"
    assert d.page.locator("#comments").get_by_label("Your comment").input_value() == \
        "Half a thought"  # the draft survived the redraw


def test_a_hidden_tab_asks_nothing_and_catches_up_when_shown(deployment: Deployment) -> None:
    d = deployment
    ben = other_reader(d)
    ben("Before the tab was hidden.")
    d.open_article()
    watch_every_second(d)
    d.page.locator("#comments").get_by_text("Before the tab was hidden.").wait_for()
    d.page.evaluate("""() => { window.__hidden = true;
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => window.__hidden});
        document.dispatchEvent(new Event('visibilitychange')); }""")
    asked: list[str] = []
    d.page.on("request", lambda request: asked.append(request.url)
              if "/api/v1/threads?" in request.url else None)
    ben("Written while nobody looked.")
    d.page.wait_for_timeout(3000)
    assert asked == []
    d.page.evaluate("() => { window.__hidden = false; "
                    "document.dispatchEvent(new Event('visibilitychange')); }")
    d.page.locator("#comments").get_by_role("button", name="1 new comment: show").wait_for()
    assert len(asked) >= 1


def test_an_unchanged_thread_costs_a_304(deployment: Deployment) -> None:
    d = deployment
    ben = other_reader(d)
    ben("Nothing else will happen.")
    polls: list[Any] = []
    d.page.on("requestfinished", lambda request: polls.append(request)
              if "/api/v1/threads?" in request.url else None)
    d.open_article()
    watch_every_second(d)
    d.page.wait_for_timeout(3500)
    revalidated = [r for r in polls if r.all_headers().get("if-none-match")]
    assert len(revalidated) >= 2, [r.all_headers() for r in polls]
    # Over the network a revalidation answers no body at all (the server said 304).
    assert all(r.sizes()["responseBodySize"] == 0 for r in revalidated)
    assert d.page.locator("#comments button.more").count() == 0
