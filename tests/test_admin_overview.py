"""The overview page: volumes, backlog and the 30-day chart."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.admin.chart import comments_per_day_svg
from comments_widget.models import Comment, Status, utcnow
from comments_widget.services.stats import overview
from tests.conftest import post, stored


def test_overview_counts_by_age_and_backlog(client: FlaskClient, auth: dict, session: Session,
                                            admin_client: FlaskClient) -> None:
    ids = [post(client, auth, body=f"c{i}").get_json()["id"] for i in range(4)]
    comments = {c.id: c for c in stored(session, Comment)}
    comments[ids[0]].created_at = utcnow() - timedelta(days=3)
    comments[ids[1]].created_at = utcnow() - timedelta(days=20)
    comments[ids[2]].status = Status.PENDING
    session.commit()
    numbers = overview(session, utcnow())
    assert (numbers.today, numbers.last_7_days, numbers.last_30_days, numbers.pending) == (
        2, 3, 4, 1)
    assert len(numbers.per_day) == 30 and numbers.per_day[-1][1] == 2
    html = admin_client.get("/comments/admin/").get_data(as_text=True)
    assert re.search(r'<span class="n">1</span> pending', html)
    assert "<svg" in html and 'aria-label="Comments per day, last 30 days: 4 in all"' in html


def test_chart_draws_one_labelled_bar_per_day() -> None:
    from datetime import date

    days = [(date(2026, 11, d), n) for d, n in [(1, 0), (2, 5), (3, 10)]]
    svg = str(comments_per_day_svg(days))
    assert svg.count("<rect") == 3
    assert "<title>03 Nov: 10 comments</title>" in svg
    assert "peak 10" in svg
