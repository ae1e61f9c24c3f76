"""The queue at newsroom pace, in real Chromium: one key per decision, undo, ranges, context.

Every key press is counted; the mouse is never used. Server time per decision is read from
the `Server-Timing` header of each decision's response and printed (`-s` shows it).
"""

from __future__ import annotations

import statistics
from typing import Any

import pytest
import sqlalchemy as sa

from comments_widget.models import AuditEntry, Comment, Reader, Status, Thread, utcnow
from comments_widget.services import hold_reasons
from comments_widget.services.hold_reasons import HoldReason
from tests.conftest import create_reader
from tests.deployment import Deployment
from tests.live import screenshot
from tests.test_admin_browser import moderator_page, seed_comment, state

pytestmark = pytest.mark.browser

QUEUE = "/comments/admin/queue/pending"
# What a moderator decides, by what the comment says.
DECISION_KEY = {"Buy": "s", "idiot": "r", "fine": "a", "delete": "d"}
EXPECTED = {"s": Status.SPAM, "r": Status.REJECTED, "a": Status.APPROVED, "d": Status.DELETED}


def body_for(n: int) -> str:
    kinds = ["A fine point about the summit, number {n}.", "Buy cheap watches {n} now",
             "You are an idiot, reader {n}.", "A fine reply, number {n}.",
             "Please delete my duplicate {n}."]
    return kinds[n % len(kinds)].format(n=n)


def key_for(text: str) -> str:
    return next(key for word, key in DECISION_KEY.items() if word in text)


def seed_pending(d: Deployment, count: int, authors: int = 10,
                 threads: int = 3) -> dict[int, str]:
    """`count` held comments by `authors` readers over `threads` articles; some are replies to
    an approved comment. Returns {id: body}."""
    bodies: dict[int, str] = {}
    with state(d).session_factory() as session:
        people = [create_reader(session, f"Reader {i}", f"reader{i}@example.org")
                  for i in range(authors)]
        articles = []
        for t in range(threads):
            thread = Thread(key=f"{d.site}/2023/09/story-{t}", url=f"{d.site}/2023/09/story-{t}",
                            title=f"Story number {t}")
            session.add(thread)
            session.flush()
            parent = Comment(thread_id=thread.id, author_id=people[0].id, depth=0,
                             body_source="The parent says hello.",
                             body_html="<p>The parent says hello.</p>", status=Status.APPROVED)
            session.add(parent)
            session.flush()
            parent.root_id = parent.id
            articles.append((thread, parent))
        for n in range(count):
            thread, parent = articles[n % threads]
            reply = n % 5 == 3
            comment = Comment(
                thread_id=thread.id, author_id=people[n % authors].id,
                parent_id=parent.id if reply else None, root_id=parent.id if reply else None,
                depth=1 if reply else 0, body_source=body_for(n),
                body_html=f"<p>{body_for(n)}</p>", status=Status.PENDING,
                hold_reasons=hold_reasons.dumps([HoldReason(hold_reasons.PREMODERATION)]))
            session.add(comment)
            session.flush()
            if not reply:
                comment.root_id = comment.id
            bodies[comment.id] = body_for(n)
        session.commit()
    return bodies


def statuses(d: Deployment, ids: list[int]) -> dict[int, Status]:
    with state(d).session_factory() as session:
        return dict(session.execute(sa.select(Comment.id, Comment.status)
                                    .where(Comment.id.in_(ids))).all())


class KeyCounter:
    """Presses keys on a page and counts them; records the server time of each decision."""

    def __init__(self, page: Any) -> None:
        self.page, self.presses, self.server_ms = page, 0, []
        page.on("response", self._timing)

    def _timing(self, response: Any) -> None:
        if response.url.endswith("/comments/admin/comments/action"):
            timing = response.headers.get("server-timing", "")
            if timing.startswith("app;dur="):
                self.server_ms.append(float(timing.removeprefix("app;dur=")))

    def press(self, key: str) -> None:
        self.presses += 1
        self.page.keyboard.press(key)


def test_a_hundred_pending_comments_are_cleared_with_one_key_each(deployment: Deployment) -> None:
    d = deployment
    bodies = seed_pending(d, 100)
    mod = moderator_page(d)
    clicks: list[str] = []
    mod.goto(d.comments + QUEUE)
    mod.evaluate("document.addEventListener('click',"
                 " () => { window.__clicks = (window.__clicks || 0) + 1; }, true)")
    keys = KeyCounter(mod)
    decided: dict[int, str] = {}
    for _ in range(110):
        focused = mod.locator(".item.focused")
        if mod.locator(".empty").is_visible():
            break
        focused.wait_for()
        comment_id = int(focused.get_attribute("data-id"))
        assert comment_id not in decided, "a decided comment came back into the list"
        key = key_for(focused.locator(".body").inner_text())
        decided[comment_id] = key
        keys.press(key)
        mod.wait_for_function(
            "id => !document.getElementById('item-' + id)", arg=comment_id)
    mod.get_by_text("The queue is clear.").wait_for()
    # The tab's count goes down as each decision is confirmed by the server.
    mod.wait_for_function("() => document.querySelector("
                          "'.tabs [aria-current=\"page\"] .count').textContent === '0'")
    clicks.append(str(mod.evaluate("window.__clicks || 0")))

    assert keys.presses <= 110 and len(decided) == 100
    assert clicks == ["0"]
    final = statuses(d, list(bodies))
    assert final == {cid: EXPECTED[key_for(body)] for cid, body in bodies.items()}
    with state(d).session_factory() as session:
        audited = session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.target_type == "comment", AuditEntry.target_id.in_(list(bodies))))
    assert audited == 100
    mod.wait_for_timeout(300)  # the last responses' headers
    timings = sorted(keys.server_ms)
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"\n[queue] 100 comments cleared with {keys.presses} key presses, 0 clicks; "
          f"server time per decision p50 {p50:.1f} ms, p99 {p99:.1f} ms "
          f"({len(timings)} decisions, {state(d).engine.dialect.name})")


def test_the_banner_offers_undo_and_does_not_move_the_list(deployment: Deployment) -> None:
    d = deployment
    bodies = seed_pending(d, 6)
    newest, second = sorted(bodies, reverse=True)[:2]
    mod = moderator_page(d)
    mod.goto(d.comments + QUEUE)
    top_before = mod.locator(".item").first.bounding_box()["y"]
    mod.keyboard.press("r")
    mod.wait_for_function("id => !document.getElementById('item-' + id)", arg=newest)
    banner = mod.locator("#decision-banner")
    banner.get_by_text("Rejected 1 comment.").wait_for()
    assert banner.get_by_role("button", name="Undo").is_visible()
    # The next comment takes the place of the decided one: nothing pushed it down.
    assert mod.locator(".item.focused").get_attribute("data-id") == str(second)
    assert mod.locator(".item.focused").bounding_box()["y"] == top_before
    screenshot(mod, "dashboard-queue-banner")
    assert statuses(d, [newest])[newest] == Status.REJECTED

    mod.keyboard.press("u")
    mod.locator(f"#item-{newest}.focused").wait_for()
    banner.get_by_text("Undone: 1 comment put back.").wait_for()
    assert statuses(d, [newest])[newest] == Status.PENDING
    with state(d).session_factory() as session:
        actions = list(session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.target_id == newest, AuditEntry.target_type == "comment")
            .order_by(AuditEntry.id)))
    assert actions == ["reject", "undo"]
    assert mod.locator('.tabs [aria-current="page"] .count').inner_text() == "6"


def test_shift_j_selects_a_range_and_one_key_decides_it(deployment: Deployment) -> None:
    d = deployment
    bodies = seed_pending(d, 8)
    ordered = sorted(bodies, reverse=True)
    mod = moderator_page(d)
    mod.goto(d.comments + QUEUE)
    mod.keyboard.press("j")  # start at the second comment
    mod.keyboard.press("Shift+J")
    mod.keyboard.press("Shift+J")  # second, third and fourth are selected
    assert mod.locator('input[name="ids"]:checked').count() == 3
    mod.keyboard.press("s")
    mod.locator("#decision-banner").get_by_text("Marked as spam 3 comments.").wait_for()
    final = statuses(d, ordered)
    assert [final[i] for i in ordered] == [Status.PENDING, Status.SPAM, Status.SPAM,
                                          Status.SPAM] + [Status.PENDING] * 4


def test_a_brigade_is_answered_from_one_item(deployment: Deployment) -> None:
    d = deployment
    bodies = seed_pending(d, 9, authors=2, threads=3)
    mod = moderator_page(d)
    mod.goto(d.comments + QUEUE)
    focused_id = int(mod.locator(".item.focused").get_attribute("data-id"))
    with state(d).session_factory() as session:
        anchor = session.get(Comment, focused_id)
        author_id, thread_id = anchor.author_id, anchor.thread_id
        by_author = set(session.scalars(sa.select(Comment.id).where(
            Comment.author_id == author_id, Comment.status == Status.PENDING)))
    mod.keyboard.press("Shift+A")
    mod.locator("#decision-banner").get_by_text(f"Approved {len(by_author)} comments.").wait_for()
    final = statuses(d, list(bodies))
    assert {i for i, s in final.items() if s == Status.APPROVED} == by_author

    # The oldest comment left in one thread: reject it and everything after it there.
    with state(d).session_factory() as session:
        oldest = session.scalar(sa.select(sa.func.min(Comment.id)).where(
            Comment.thread_id == thread_id, Comment.status == Status.PENDING))
        since = session.get(Comment, oldest).created_at
        in_thread = set(session.scalars(sa.select(Comment.id).where(
            Comment.thread_id == thread_id, Comment.created_at >= since,
            Comment.status.in_([Status.PENDING, Status.APPROVED]))))
    mod.locator(f"#item-{oldest}").click()  # the moderator points at it (focus only)
    mod.keyboard.press("Shift+R")
    mod.locator("#decision-banner").get_by_text(f"Rejected {len(in_thread)} comment").wait_for()
    after = statuses(d, list(in_thread))
    assert set(after.values()) == {Status.REJECTED}


def test_each_item_shows_the_parent_the_article_and_the_authors_record(
    deployment: Deployment,
) -> None:
    d = deployment
    bodies = seed_pending(d, 10)
    reply_id = next(i for i, body in bodies.items() if "A fine reply" in body)
    with state(d).session_factory() as session:
        author_id = session.get(Comment, reply_id).author_id
        author = session.get(Reader, author_id)
        author.created_at = utcnow().replace(year=utcnow().year - 2)
        session.commit()
    mod = moderator_page(d)
    mod.goto(d.comments + QUEUE)
    item = mod.locator(f"#item-{reply_id}")
    assert "In reply to Reader 0:" in item.locator(".parent").inner_text()
    assert "The parent says hello." in item.locator(".parent").inner_text()
    assert item.get_by_role("link", name="Story number").first.is_visible()
    summary = item.locator("details.history summary").inner_text()
    assert "(2 years)" in summary and "own account" in summary
    assert "0 approved" in summary and "0 earlier bans" in summary
    item.locator("details.history summary").click()
    assert item.locator(".recent li").count() >= 1
    screenshot(mod, "dashboard-queue-1100")

    narrow = mod
    narrow.set_viewport_size({"width": 390, "height": 900})
    narrow.goto(d.comments + QUEUE)
    narrow.locator(".item").first.wait_for()
    width = narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue scrolls sideways at 390 px ({width} px wide)"
    screenshot(narrow, "dashboard-queue-390")


def test_e_edits_the_text_and_readers_see_edited_by_a_moderator(deployment: Deployment) -> None:
    d = deployment
    comment_id = seed_comment(d, "Call me at 555-0100, everyone.")
    mod = moderator_page(d)
    mod.goto(d.comments + "/comments/admin/queue/approved")
    mod.locator(f"#item-{comment_id}.focused").wait_for()
    mod.keyboard.press("e")
    box = mod.locator(f"#edit-body-{comment_id}")
    assert mod.evaluate("document.activeElement.id") == f"edit-body-{comment_id}"
    box.press("Control+A")
    mod.keyboard.type("Call me, everyone.")
    mod.keyboard.press("Tab")
    mod.keyboard.press("Enter")
    mod.get_by_text(f"Comment {comment_id} edited").wait_for()
    mod.locator(f"#item-{comment_id} details.revisions summary").click()
    assert "Call me at 555-0100, everyone." in mod.locator(
        f"#item-{comment_id} .old-text").inner_text()
    screenshot(mod, "dashboard-queue-revisions")

    d.open_article()
    article = d.page.locator(f"#comments #comment-{comment_id}")
    article.get_by_text("edited by a moderator").wait_for()
    assert "Call me, everyone." in article.inner_text()
    assert "555-0100" not in article.inner_text()
