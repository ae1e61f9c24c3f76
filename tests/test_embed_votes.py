"""Votes, sorting and avatars in the embed (issue #9, items 2 and 9): real Chromium, two
origins, third-party cookies blocked."""

from __future__ import annotations

import pytest

from tests.deployment import Deployment, api_reader, logged_in
from tests.live import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def seed_thread(d: Deployment) -> dict[str, int]:
    """Three readers' comments, oldest first; the middle one has the most votes."""
    people = {name: api_reader(d, name) for name in ("Ann", "Ben", "Cy")}
    ids = {name: people[name].write(body) for name, body in (
        ("Ann", "Oldest and plain."), ("Ben", "Middle and liked."), ("Cy", "Newest of all."))}
    for voter in ("Ann", "Cy"):
        people[voter].vote(ids["Ben"])
    return ids


def order(d: Deployment) -> list[str]:
    bodies = d.page.locator("#comments article .body").all_inner_texts()
    return [text.split(".")[0] for text in bodies]


def choose(d: Deployment, label: str, first: str) -> None:
    d.page.get_by_label("Sort by").select_option(label=label)
    d.page.locator("#comments li").first.get_by_text(first).wait_for()


def test_readers_sort_by_newest_or_best_and_the_choice_is_remembered(
        deployment: Deployment) -> None:
    d = deployment
    seed_thread(d)
    d.open_article()
    d.page.locator("#comments article").nth(2).wait_for()
    assert order(d) == ["Oldest and plain", "Middle and liked", "Newest of all"]
    choose(d, "Newest", "Newest of all")
    assert order(d) == ["Newest of all", "Middle and liked", "Oldest and plain"]
    assert d.page.get_by_label("Sort by").evaluate("el => el === el.getRootNode().activeElement")
    d.page.reload()
    d.page.locator("#comments article").nth(2).wait_for()
    assert order(d) == ["Newest of all", "Middle and liked", "Oldest and plain"]
    choose(d, "Best", "Middle and liked")
    assert order(d)[0] == "Middle and liked"
    # A logged-out reader sees the tally but has no button to press.
    liked = d.page.locator("#comments article", has_text="Middle and liked")
    assert liked.locator(".votes").inner_text().replace("\n", " ").startswith("▲ 2")
    assert liked.locator("button.vote").count() == 0


def test_a_reader_votes_up_sees_it_after_a_reload_and_takes_it_back(
        deployment: Deployment) -> None:
    d = deployment
    seed_thread(d)
    logged_in(d)
    oldest = d.page.locator("#comments article", has_text="Oldest and plain")
    button = oldest.get_by_role("button", name="0 up votes")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    pressed = oldest.get_by_role("button", name="1 up votes")
    pressed.wait_for()
    assert pressed.get_attribute("aria-pressed") == "true"
    assert pressed.evaluate("el => el === el.getRootNode().activeElement")  # focus stays
    screenshot(d.page.locator("#comments"), "embed-votes")
    d.page.reload()
    pressed = d.page.locator("#comments article", has_text="Oldest and plain").get_by_role(
        "button", name="1 up votes")
    pressed.wait_for()
    assert pressed.get_attribute("aria-pressed") == "true"  # from the private payload
    pressed.click()
    back = d.page.locator("#comments article", has_text="Oldest and plain").get_by_role(
        "button", name="0 up votes")
    back.wait_for()
    assert back.get_attribute("aria-pressed") == "false"


def test_every_comment_has_our_identicon_and_no_third_party_is_asked(
        deployment: Deployment) -> None:
    d = deployment
    ids = seed_thread(d)
    requested: list[str] = []
    d.page.on("request", lambda request: requested.append(request.url))
    d.open_article()
    d.page.locator("#comments article").nth(2).wait_for()
    avatars = d.page.locator("#comments article img.av")
    assert avatars.count() == 3
    sources = [avatars.nth(i).get_attribute("src") for i in range(3)]
    assert sources[0].startswith(d.comments + "/comments/avatars/") and sources[0].endswith(".svg")
    assert len(set(sources)) == 3
    avatars.nth(2).evaluate("img => img.decode()")
    assert all(avatars.nth(i).evaluate("img => img.naturalWidth") > 0 for i in range(3))
    assert avatars.nth(0).get_attribute("alt") == ""  # the name beside it says who
    hosts = {url.split("/")[2] for url in requested}
    assert hosts <= {d.site.split("/")[2], d.comments.split("/")[2]}, hosts
    assert ids  # three readers, three different pictures




def test_a_reader_follows_the_article_and_asks_for_reply_emails_from_the_embed(
        deployment: Deployment) -> None:
    d = deployment
    seed_thread(d)
    compose = logged_in(d)
    follow = compose.get_by_role("button", name="Follow this article")
    replies = compose.get_by_role("button", name="Email me replies")
    assert follow.get_attribute("aria-pressed") == "false"
    assert replies.get_attribute("aria-pressed") == "false"  # the site's default: off
    follow.click()
    following = compose.get_by_role("button", name="✓ Follow this article")
    following.wait_for()
    assert following.get_attribute("aria-pressed") == "true"
    assert following.evaluate("el => el === el.getRootNode().activeElement")
    replies.click()
    compose.get_by_role("button", name="✓ Email me replies").wait_for()
    d.page.reload()
    compose.get_by_role("button", name="✓ Follow this article").wait_for()  # stored
    assert compose.get_by_role("button", name="✓ Email me replies").get_attribute(
        "aria-pressed") == "true"
    compose.get_by_role("button", name="✓ Follow this article").click()
    compose.get_by_role("button", name="Follow this article", exact=True).wait_for()


def test_the_first_comment_on_an_article_can_be_followed_at_once(
        deployment: Deployment) -> None:
    d = deployment
    compose = logged_in(d)
    assert compose.get_by_role("button", name="Follow this article").count() == 0  # no thread
    compose.get_by_label("Your comment").fill("The very first comment.")
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article", has_text="The very first comment.").wait_for()
    compose.get_by_role("button", name="Follow this article").click()
    compose.get_by_role("button", name="✓ Follow this article").wait_for()
