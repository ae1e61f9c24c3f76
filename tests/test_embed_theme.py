"""The embed fits the page it is drawn on (issue #9, item 8): light or dark from the page's own
background whatever the OS prefers, `data-comments-theme` to override, the site's brand through
CSS custom properties, and page styles (even `!important` on `*`) kept out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.deployment import ARTICLE_PATH, Deployment
from tests.live import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DARK_TEXT, LIGHT_TEXT = "rgb(28, 29, 31)", "rgb(232, 233, 235)"


def redraw(d: Deployment, css: str = "", **attributes: str) -> Any:
    """The article with `css` added to the page and the embed drawn again."""
    d.open_article()
    d.page.get_by_role("link", name="Log-in").wait_for()
    if css:
        d.page.add_style_tag(content=css)
    d.page.evaluate("""attributes => { const el = document.getElementById("comments");
        for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
        CommentsWidget.render(el); }""", attributes)
    d.page.get_by_role("link", name="Log-in").wait_for()
    return d.page.locator("#comments")


def inside(d: Deployment, selector: str, prop: str) -> str:
    return d.page.evaluate("""([selector, prop]) => getComputedStyle(document.getElementById(
        "comments").shadowRoot.querySelector(selector))[prop]""", [selector, prop])


def test_a_light_only_site_stays_readable_with_the_os_in_dark_mode(
        deployment: Deployment) -> None:
    d = deployment
    d.page.emulate_media(color_scheme="dark")
    embed = redraw(d, "body { background: #fff !important; color: #111 !important }")
    assert embed.get_attribute("data-theme") == "light"
    assert inside(d, "h2", "color") == DARK_TEXT
    screenshot(embed, "theme-light-site-dark-os")


def test_a_dark_site_gets_light_text_with_the_os_in_light_mode(deployment: Deployment) -> None:
    d = deployment
    d.page.emulate_media(color_scheme="light")
    embed = redraw(d, "body { background: #121212 !important; color: #eee !important }")
    assert embed.get_attribute("data-theme") == "dark"
    assert inside(d, "h2", "color") == LIGHT_TEXT
    screenshot(embed, "theme-dark-site-light-os")


def test_a_site_stylesheet_that_arrives_after_the_embed_still_sets_its_theme(
        deployment: Deployment) -> None:
    """The script tag is async, so the embed can be drawn before the site's stylesheet applies
    (the dark-mode race a CI run once met): it reads the page again once the page has loaded."""
    d = deployment
    d.page.emulate_media(color_scheme="dark")
    held: list[Any] = []
    d.page.route("**/static/site.css", lambda route: held.append(route))
    d.page.goto(d.site + ARTICLE_PATH, wait_until="commit")
    embed = d.page.locator("#comments")
    d.page.get_by_role("link", name="Log-in").wait_for()
    assert embed.get_attribute("data-theme") == "light", "drawn before the stylesheet applied"
    held[0].continue_()
    d.page.wait_for_load_state("load")
    expect(embed).to_have_attribute("data-theme", "dark")
    assert inside(d, "h2", "color") == LIGHT_TEXT
    screenshot(embed, "theme-dark-site-stylesheet-late")


def test_the_embed_follows_a_site_whose_background_follows_the_os(
        deployment: Deployment) -> None:
    d = deployment
    d.page.emulate_media(color_scheme="light")
    embed = redraw(d)
    assert embed.get_attribute("data-theme") == "light"
    d.page.emulate_media(color_scheme="dark")
    expect(embed).to_have_attribute("data-theme", "dark")
    assert inside(d, "h2", "color") == LIGHT_TEXT
    d.page.emulate_media(color_scheme="light")
    expect(embed).to_have_attribute("data-theme", "light")


@pytest.mark.parametrize(("theme", "os", "text"), [
    ("light", "dark", DARK_TEXT), ("dark", "light", LIGHT_TEXT),
    ("auto", "dark", LIGHT_TEXT), ("auto", "light", DARK_TEXT)])
def test_the_site_can_choose(deployment: Deployment, theme: str, os: str, text: str) -> None:
    d = deployment
    d.page.emulate_media(color_scheme=os)  # type: ignore[arg-type]
    redraw(d, **{"data-comments-theme": theme})
    assert inside(d, "h2", "color") == text


def test_brand_properties_apply_and_page_styles_stay_out(deployment: Deployment) -> None:
    d = deployment
    redraw(d, """* { font-family: "Comic Sans MS", cursive !important; color: red !important }
        #comments { --comments-accent: rgb(170, 0, 51); --comments-radius: 0px }""")
    assert inside(d, "a", "color") == "rgb(170, 0, 51)"
    assert "Comic" not in inside(d, "h2", "fontFamily")
    assert inside(d, "h2", "color") == DARK_TEXT
    redraw(d, '#comments { --comments-font: Georgia, serif }')
    assert inside(d, "h2", "fontFamily").startswith("Georgia")
