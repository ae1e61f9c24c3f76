"""Featured comments (editors' picks, several per thread) and the Staff badge."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import AuditEntry, Reader, Status
from tests.conftest import ARTICLE, bearer, csrf_token, make_staff, post, set_status, stored
from tests.deployment import Deployment
from tests.live import screenshot

API = "/comments/api/v1"
QUEUE = "/comments/admin/queue/approved"


def feature(client: FlaskClient, comment_id: int, on: bool = True) -> str:
    return client.post(f"/comments/admin/comments/{comment_id}/feature", data={
        "csrf_token": csrf_token(client, QUEUE), "featured": "on" if on else "off",
        "next": QUEUE}, follow_redirects=True).get_data(as_text=True)


def thread(client: FlaskClient, sort: str = "oldest") -> dict[str, Any]:
    return client.get(f"{API}/threads", query_string={"url": ARTICLE, "sort": sort}).get_json()


def test_editors_feature_several_comments_and_readers_can_view_just_those(
    client: FlaskClient, auth: dict, admin_client: FlaskClient, session: Session
) -> None:
    ids = [post(client, auth, body=f"comment {i}").get_json()["id"] for i in range(4)]
    reply = post(client, auth, body="a reply", parent_id=ids[1]).get_json()["id"]
    assert f"Comment {ids[1]} is featured." in feature(admin_client, ids[1])
    feature(admin_client, ids[3])
    page = thread(client)
    assert page["thread"]["featured_count"] == 2
    assert [c["featured"] for c in page["comments"]] == [False, True, False, True]
    picks = thread(client, "featured")
    assert [c["id"] for c in picks["comments"]] == [ids[3], ids[1]]
    assert [r["id"] for r in picks["comments"][1]["replies"]] == [reply]

    assert "Only visible top-level comments can be featured." in feature(admin_client, reply)
    set_status(session, ids[0], Status.PENDING)
    assert "Only visible top-level comments can be featured." in feature(admin_client, ids[0])
    assert "is no longer featured" in feature(admin_client, ids[3], on=False)
    assert thread(client)["thread"]["featured_count"] == 1
    assert [(e.action, e.target_id) for e in stored(session, AuditEntry)] == [
        ("feature", ids[1]), ("feature", ids[3]), ("unfeature", ids[3])]


def test_a_featured_comment_that_is_rejected_leaves_the_picks(
    client: FlaskClient, auth: dict, admin_client: FlaskClient
) -> None:
    comment_id = post(client, auth, body="great point").get_json()["id"]
    feature(admin_client, comment_id)
    admin_client.post("/comments/admin/comments/action", data={
        "csrf_token": csrf_token(admin_client, QUEUE), "single": f"reject:{comment_id}"},
        headers={"Accept": "application/json"})
    assert thread(client)["thread"]["featured_count"] == 0
    assert thread(client, "featured")["comments"] == []


def test_comments_by_moderators_and_admins_carry_the_staff_badge(
    client: FlaskClient, auth: dict, session: Session
) -> None:
    moderator = make_staff(session, "Morgan", "moderator")
    staff_auth = bearer(session, session.merge(moderator))
    post(client, auth, body="from a reader")
    post(client, staff_auth, body="from the desk")
    comments = thread(client)["comments"]
    assert [(c["html"], c["author"]["staff"]) for c in comments] == [
        ("<p>from a reader</p>", False), ("<p>from the desk</p>", True)]


def test_readers_cannot_feature(client: FlaskClient, auth: dict, session: Session) -> None:
    comment_id = post(client, auth, body="mine").get_json()["id"]
    answer = client.post(f"/comments/admin/comments/{comment_id}/feature",
                         data={"featured": "on"}, headers=auth)
    assert answer.status_code in (302, 403)
    assert thread(client)["thread"]["featured_count"] == 0


@pytest.mark.browser
def test_the_embed_offers_the_featured_view_and_shows_both_badges(
    deployment: Deployment,
) -> None:
    from tests.test_admin_browser import state
    from tests.test_embed_live import other_reader

    d = deployment
    ben = other_reader(d)
    first = ben("An ordinary comment.")
    picked = ben("The editors liked this one.")
    with state(d).session_factory() as session:
        morgan = make_staff(session, "Morgan", "moderator")
        from comments_widget.services import featured
        featured.feature(session, session.get(Reader, morgan.id), picked, True)
        session.commit()
    d.open_article()
    article = d.page.locator(f"#comments #comment-{picked}")
    article.get_by_text("Featured").wait_for()
    d.page.locator("#comments").get_by_label("Sort by").select_option("featured")
    d.page.locator(f"#comments #comment-{first}").wait_for(state="detached")
    d.page.locator(f"#comments #comment-{picked}").wait_for()
    assert d.page.locator("#comments article").count() == 1
    screenshot(d.page.locator("#comments"), "embed-featured")
