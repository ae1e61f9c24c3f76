"""axe-core finds no WCAG 2.2 AA violation in the embed, in every state a reader meets it
(issue #9, item 11): logged out and in, replying, editing, reporting, on a dark site, and on a
light-only site with the OS in dark mode."""

from __future__ import annotations

from typing import Any

import pytest

from comments_widget.models import Status
from tests.axe import violations
from tests.deployment import Deployment, register_in_popup

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def logged_in_with_a_comment(d: Deployment) -> Any:
    compose = d.open_article()
    register_in_popup(d)
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    compose.get_by_label("Your comment").fill("Checked by axe.")
    compose.get_by_role("button", name="Post comment").click()
    article = d.page.locator("#comments article", has_text="Checked by axe.")
    article.wait_for()
    return d.page.locator(f"#{article.get_attribute('id')}")


@pytest.mark.parametrize("os", ["light", "dark"])
def test_the_logged_out_embed_has_no_violations(deployment: Deployment, os: str) -> None:
    deployment.page.emulate_media(color_scheme=os)  # type: ignore[arg-type]
    deployment.open_article()
    deployment.page.get_by_role("link", name="Log-in").wait_for()
    assert violations(deployment.page) == []


def test_a_light_only_site_in_dark_mode_has_no_violations(deployment: Deployment) -> None:
    d = deployment
    d.page.emulate_media(color_scheme="dark")
    d.open_article()
    d.page.add_style_tag(content="body { background: #fff !important; color: #111 !important }")
    d.page.evaluate("() => CommentsWidget.render(document.getElementById('comments'))")
    d.page.get_by_role("link", name="Log-in").wait_for()
    assert violations(d.page) == []


def test_every_state_of_a_logged_in_reader_has_no_violations(deployment: Deployment) -> None:
    d = deployment
    article = logged_in_with_a_comment(d)
    assert violations(d.page) == [], "logged in"
    article.get_by_role("button", name="Edit").click()
    article.get_by_label("Edit your comment").wait_for()
    assert violations(d.page) == [], "editing"
    article.get_by_label("Edit your comment").press("Escape")
    article.get_by_role("button", name="Reply to Ada Reader").click()
    d.page.get_by_role("textbox", name="Reply to Ada Reader").wait_for()
    assert violations(d.page) == [], "replying"


def test_reporting_has_no_violations(deployment: Deployment) -> None:
    d = deployment
    logged_in_with_a_comment(d)
    other = d.browsers.profile("reporter").new_page()
    other.goto(d.site + "/2023/09/putin-kim")
    register_in_popup(d, "Grace", "grace@example.org", page=other)
    other.locator("#comments .compose").get_by_text("Logged in as Grace.").wait_for()
    other.get_by_role("button", name="Report").click()
    other.get_by_label("Why are you reporting this comment?").wait_for()
    assert violations(other) == []
    other.get_by_role("button", name="Send report").click()
    other.locator("#comments").get_by_text("Thank you. A moderator will take a look.").wait_for()
    assert other.evaluate(FOCUSED) == "Thank you. A moderator will take a look."


def test_axe_does_look_inside_the_embeds_shadow_root(deployment: Deployment) -> None:
    """The check can fail: a low-contrast line drawn into the shadow root is found."""
    d = deployment
    d.open_article()
    d.page.get_by_role("link", name="Log-in").wait_for()
    d.page.evaluate("""() => { const p = document.createElement("p");
        p.textContent = "faint"; p.style.color = "#eeeeee";
        document.getElementById("comments").shadowRoot.querySelector("section").append(p); }""")
    found = violations(d.page)
    assert found and all(v.startswith("color-contrast:") for v in found)


@pytest.mark.parametrize("os", ["light", "dark"])
def test_every_dashboard_page_has_no_violations(deployment: Deployment, os: str) -> None:
    from comments_widget.services import community
    from tests.conftest import PASSWORD
    from tests.test_admin_browser import seed_comment, state

    d = deployment
    held = seed_comment(d, "Held for the queue.", Status.PENDING)
    with state(d).session_factory() as session:
        community.ensure_admin(session, "editor@example.org", "Editor", PASSWORD)
        session.commit()
    # The dashboard's CSP forbids inline scripts; the browser lets axe in anyway.
    page = d.browsers.profile("moderator", bypass_csp=True,
                              color_scheme=os).new_page()  # type: ignore[arg-type]
    page.goto(d.comments + "/comments/login")
    page.get_by_label("Email").fill("editor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/comments/account")
    pages = ["/", "/queue/pending", "/queue/reported", "/queue/approved", "/queue/rejected",
             "/queue/spam", "/readers", "/threads", "/audit", "/policy", "/sites"]
    found = {}
    for path in pages:
        page.goto(f"{d.comments}/comments/admin{path}")
        page.locator("h1").first.wait_for()
        found[path] = violations(page, "body")
    reader_link = page.goto(f"{d.comments}/comments/admin/readers")
    assert reader_link is not None
    page.locator("table a").first.click()
    page.locator("h1").first.wait_for()
    found["reader"] = violations(page, "body")
    page.goto(f"{d.comments}/comments/admin/threads")
    page.locator("table a").first.click()
    page.locator("h1").first.wait_for()
    found["thread"] = violations(page, "body")
    assert {path: found_here for path, found_here in found.items() if found_here} == {}
    assert held


FOCUSED = """() => { const root = document.getElementById("comments").shadowRoot;
    const el = root.activeElement; return el ? (el.id || el.textContent.trim()) : null; }"""


def test_focus_stays_where_the_reader_is(deployment: Deployment) -> None:
    d = deployment
    article = logged_in_with_a_comment(d)
    assert d.page.evaluate(FOCUSED) == article.get_attribute("id")  # After posting.
    article.get_by_role("button", name="Reply to Ada Reader").click()
    d.page.locator("#comments article form").get_by_role("button", name="Cancel").click()
    assert d.page.evaluate(FOCUSED) == "Reply"
    d.page.locator("#comments .compose").get_by_role("button", name="Log out").click()
    d.page.get_by_role("link", name="Log-in").wait_for()
    assert d.page.evaluate(FOCUSED) == "Log-in"


def test_the_popup_pages_focus_their_first_field(deployment: Deployment) -> None:
    d = deployment
    d.open_article()
    with d.page.expect_popup() as popup_info:
        d.page.get_by_role("link", name="Log-in").click()
    popup = popup_info.value
    popup.get_by_label("Email").wait_for()
    assert popup.evaluate("() => document.activeElement.id") == "email"
    popup.get_by_role("link", name="Create an account").click()
    popup.get_by_label("Display name").wait_for()
    assert popup.evaluate("() => document.activeElement.id") == "display_name"
