"""The dashboard in real Chromium, beside the embed on the cross-origin example site."""

from __future__ import annotations

from typing import Any

import pytest

from comments_widget.models import Status
from comments_widget.page_meta import fetch_page_meta
from comments_widget.services import community, policy
from comments_widget.services.comments import PostingRules, ThreadRef, post_comment
from tests.conftest import PASSWORD, create_reader
from tests.deployment import Deployment, deployment_policy, register_in_popup
from tests.live import screenshot

pytestmark = pytest.mark.browser


def state(d: Deployment) -> Any:
    return d.comment_app.extensions["comments_widget"]


def moderator_page(d: Deployment, width: int = 1100) -> Any:
    """A second person, in their own browser profile, logged in to the dashboard."""
    with state(d).session_factory() as session:
        community.ensure_admin(session, "editor@example.org", "Editor", PASSWORD)
        session.commit()
    page = d.browsers.profile("moderator", viewport={"width": width, "height": 900}).new_page()
    page.goto(d.comments + "/comments/admin/")
    assert "/comments/login" in page.url
    page.get_by_label("Email").fill("editor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Overview").wait_for()
    return page


def article_url(d: Deployment) -> str:
    return d.site + "/2023/09/putin-kim"


def seed_comment(d: Deployment, body: str, status: Status = Status.APPROVED) -> int:
    """A comment by another reader, written straight through the service."""
    with state(d).session_factory() as session:
        author = create_reader(session, "Grace", "grace@example.org")
        ref = ThreadRef(article_url(d), article_url(d))
        # The title comes from the live example article, as it does for a real first comment.
        comment = post_comment(session, author=author, ref=ref, body=body, parent_id=None,
                               rules=PostingRules(1000, 3), policy=policy.Policy(),
                               page_meta=fetch_page_meta)
        comment.status = status
        session.commit()
        return comment.id


def test_moderator_approves_a_held_comment_and_the_reader_then_sees_it(
    deployment: Deployment,
) -> None:
    d = deployment
    with state(d).session_factory() as session:
        policy.save_policy(session, deployment_policy(premoderation="all"))
        session.commit()
    state(d).settings.invalidate()
    compose = d.open_article()
    register_in_popup(d)
    compose.get_by_label("Your comment").fill("Held until a moderator looks.")
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article").get_by_text("Awaiting moderation").wait_for()
    d.page.reload()
    d.page.locator("#comments h2").get_by_text("0 comments").wait_for()

    mod = moderator_page(d)
    mod.get_by_role("link", name="Queues").click()
    item = mod.locator(".item").filter(has_text="Held until a moderator looks.")
    item.get_by_text("pre-moderation: all comments").wait_for()
    screenshot(mod, "dashboard-queue-pending")
    item.get_by_role("button", name="Approve", exact=True).click()
    mod.get_by_text("Approved 1 comment.").wait_for()
    assert mod.locator(".item").count() == 0

    d.page.reload()
    d.page.locator("#comments article").get_by_text("Held until a moderator looks.").wait_for()
    assert d.page.locator("#comments h2").inner_text() == "1 comment"


def test_keyboard_shortcuts_approve_the_focused_comment(deployment: Deployment) -> None:
    d = deployment
    seed_comment(d, "Approve me by keyboard.", Status.PENDING)
    mod = moderator_page(d)
    mod.goto(d.comments + "/comments/admin/queue/pending")
    mod.keyboard.press("j")
    mod.keyboard.press("a")
    mod.get_by_text("Approved 1 comment.").wait_for()


def test_reader_reports_a_comment_and_it_reaches_the_reported_queue(deployment: Deployment) -> None:
    d = deployment
    seed_comment(d, "An insulting remark.")
    d.open_article()
    register_in_popup(d)
    article = d.page.locator("#comments article").filter(has_text="An insulting remark.")
    article.get_by_role("button", name="Report").click()
    d.page.get_by_label("Why are you reporting this comment?").select_option("abuse")
    d.page.get_by_label("What is wrong?").fill("Name-calling")
    d.page.get_by_role("button", name="Send report").click()
    d.page.get_by_text("Thank you. A moderator will take a look.").wait_for()
    screenshot(d.page.locator("#comments"), "embed-reported")

    mod = moderator_page(d)
    mod.goto(d.comments + "/comments/admin/queue/reported")
    item = mod.locator(".item").filter(has_text="An insulting remark.")
    item.get_by_text("1 report: abuse: Name-calling").wait_for()
    screenshot(mod, "dashboard-queue-reported")


def test_closed_thread_tells_readers_in_the_embed(deployment: Deployment) -> None:
    d = deployment
    seed_comment(d, "Last word.")
    mod = moderator_page(d)
    mod.get_by_role("link", name="Threads").click()
    mod.get_by_role("link", name="The Putin and Kim Delegation").click()
    mod.get_by_role("button", name="Close comments").click()
    mod.get_by_text("Comments are closed on").wait_for()
    compose = d.open_article()
    compose.get_by_text("Comments are closed.").wait_for()
    assert compose.get_by_role("link", name="Log-in").count() == 0


@pytest.mark.parametrize("width", [1100, 390])
def test_every_dashboard_page_renders_for_a_person(deployment: Deployment, width: int) -> None:
    d = deployment
    held = seed_comment(d, "Visit my casino for [free money](https://spam.example).",
                        Status.PENDING)
    with state(d).session_factory() as session:
        policy.save_policy(session, deployment_policy(banned_words=("casino",)))
        session.commit()
    state(d).settings.invalidate()
    mod = moderator_page(d, width)
    errors: list[str] = []
    mod.on("pageerror", lambda error: errors.append(str(error)))
    suffix = "" if width > 600 else "-phone"
    pages = [("/comments/admin/", "Overview", "overview"),
             ("/comments/admin/queue/pending", None, "queue"),
             ("/comments/admin/threads", "Threads", "threads"),
             ("/comments/admin/readers", "Readers", "readers"),
             ("/comments/admin/readers/1", "Grace", "reader"),
             ("/comments/admin/audit", "Audit log", "audit"),
             ("/comments/admin/policy", "Moderation policy", "policy"),
             ("/comments/admin/sites", "Sites", "sites")]
    for path, heading, name in pages:
        mod.goto(d.comments + path)
        if heading:
            mod.get_by_role("heading", name=heading, exact=True).wait_for()
        else:
            mod.locator(f"#item-{held}").wait_for()
        screenshot(mod, f"dashboard-{name}{suffix}")
    assert errors == []
