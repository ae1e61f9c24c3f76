"""The embed's spam traps in real Chromium: a field nobody sees or reaches, and the time from
the first key press to Post."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from comments_widget.models import Comment, Status
from comments_widget.services import hold_reasons, spam
from comments_widget.services.policy import save_policy
from tests.deployment import Deployment, deployment_policy, logged_in

pytestmark = pytest.mark.browser


def newest(d: Deployment) -> Comment:
    with d.comment_app.extensions["comments_widget"].session_factory() as session:
        return session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()


def test_the_trap_field_is_never_seen_or_reached_and_people_leave_it_empty(
    deployment: Deployment,
) -> None:
    d = deployment
    compose = logged_in(d)
    trap = compose.locator('input[name="website"]')
    assert trap.count() == 1 and trap.bounding_box()["x"] < -1000  # drawn far off-screen
    compose.get_by_label("Your comment").click()
    d.page.keyboard.press("Tab")  # from the text box, Tab reaches Post, never the trap
    focused = d.page.evaluate("document.querySelector('#comments').shadowRoot"
                              "? document.querySelector('#comments').shadowRoot.activeElement"
                              ".textContent : document.activeElement.textContent")
    assert focused == "Post comment"
    compose.get_by_label("Your comment").fill("A person wrote this.")
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article").get_by_text("A person wrote this.").wait_for()
    assert newest(d).status == Status.APPROVED


def test_a_comment_posted_a_blink_after_the_first_key_waits_and_a_typed_one_does_not(
    deployment: Deployment,
) -> None:
    d = deployment
    with d.comment_app.extensions["comments_widget"].session_factory() as session:
        save_policy(session, deployment_policy(min_seconds_to_post=2))
        session.commit()
    d.comment_app.extensions["comments_widget"].settings.invalidate()
    compose = logged_in(d)
    box = compose.get_by_label("Your comment")
    box.fill("Pasted and sent at once.")
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article").get_by_text("Awaiting moderation").wait_for()
    held = newest(d)
    assert held.status == Status.PENDING
    [reason] = hold_reasons.loads(held.hold_reasons)
    assert reason.kind == spam.TOO_FAST

    box = compose.get_by_label("Your comment")
    box.press_sequentially("Typed by a person, ", delay=40)
    d.page.wait_for_timeout(2100)
    box.press_sequentially("slowly.", delay=40)
    compose.get_by_role("button", name="Post comment").click()
    d.page.locator("#comments article").get_by_text("Typed by a person, slowly.").wait_for()
    assert newest(d).status == Status.APPROVED
