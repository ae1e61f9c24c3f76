"""The server-rendered thread in the article (issue #9, item 12): without JavaScript a reader
and a search engine see the approved comments; with it, the embed takes the element over and
the thread is drawn once. Real Chromium, two origins, the example site including the HTML."""

from __future__ import annotations

import pytest

from tests.deployment import ARTICLE_PATH, Deployment
from tests.live import screenshot
from tests.test_embed_live import other_reader

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_without_javascript_the_article_still_shows_its_comments(
        deployment: Deployment) -> None:
    d = deployment
    ben = other_reader(d)
    first = ben("Readable without **JavaScript**.")
    ben("A reply, also readable.", first)
    page = d.browsers.profile("no-js", java_script_enabled=False).new_page()
    page.goto(d.site + ARTICLE_PATH)
    thread = page.locator("#comments section.comments-widget-thread")
    assert thread.is_visible()
    assert thread.locator("h2").inner_text() == "2 comments"
    assert thread.locator("[itemtype='https://schema.org/Comment']").count() == 2
    thread.get_by_text("Readable without JavaScript.").wait_for()
    assert thread.locator("strong").inner_text() == "JavaScript"
    screenshot(thread, "server-rendered-no-js")


def test_the_embed_takes_over_and_draws_the_thread_once(deployment: Deployment) -> None:
    d = deployment
    ben = other_reader(d)
    ben("Drawn exactly once.")
    d.open_article()
    d.page.locator("#comments article").first.wait_for()
    # The HTML the article came with (for search engines and readers without JavaScript) …
    assert "comments-widget-thread" in d.page.evaluate(
        "fetch(location.href).then(r => r.text())")
    # … gave way to the embed: one copy, the interactive one.
    assert d.page.locator("#comments > section.comments-widget-thread").count() == 0
    shown = [el for el in d.page.get_by_text("Drawn exactly once.").all() if el.is_visible()]
    assert len(shown) == 1
    assert d.page.locator("#comments .acts").count() == 1  # the embed's own, interactive copy
