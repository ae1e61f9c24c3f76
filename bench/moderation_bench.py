"""Server time per moderation decision and per queue page, on the 1M-comment database.

    .venv/bin/python bench/moderation_bench.py        # after bench/seed.py --schema (PostgreSQL)
    make bench-moderation

Logs a moderator in, then decides 300 pending comments one at a time the way the queue's
script does (a JSON post per key press), reading each answer's `Server-Timing`, loads the
pending queue and a full-text search, and finally undoes every decision so the database is
as it was. Prints p50/p99 of the app's own time (the browser and the network are not in it).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import seed  # noqa: E402

from comments_widget.models import Comment, Status  # noqa: E402
from comments_widget.server import create_app  # noqa: E402
from comments_widget.services import community  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
EMAIL, PASSWORD = "bench-moderator@example.org", "a long bench password"


def server_ms(response) -> float:  # noqa: ANN001
    return float(response.headers["Server-Timing"].removeprefix("app;dur="))


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"p50 {statistics.median(values):.1f} ms, p99 {p99:.1f} ms ({len(values)} requests)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", default="comments_widget_bench")
    parser.add_argument("--decisions", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({
            "COMMENTS_WIDGET_DATABASE_URL": seed.with_schema(POSTGRES, args.schema),
            "COMMENTS_WIDGET_ALLOWED_ORIGINS": seed.SITE, "COMMENTS_WIDGET_AUTO_MIGRATE": "true",
            "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off", "COMMENTS_WIDGET_SECRET_KEY": "bench",
            "COMMENTS_WIDGET_INSTANCE_PATH": instance})
        run(app, args.decisions)


def run(app, decisions: int) -> None:  # noqa: ANN001
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        total = session.scalar(sa.select(sa.func.count(Comment.id)))
        pending = list(session.scalars(sa.select(Comment.id).where(
            Comment.status == Status.PENDING).order_by(Comment.id.desc()).limit(decisions)))
        community.ensure_admin(session, EMAIL, "Bench Moderator", PASSWORD)
        session.commit()
    if len(pending) < decisions:
        raise SystemExit("Not enough pending comments: run bench/seed.py first.")
    client = app.test_client()
    login = client.get("/comments/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post("/comments/login", data={"csrf_token": token, "email": EMAIL,
                                         "password": PASSWORD})
    queue = client.get("/comments/admin/queue/pending")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      queue.get_data(as_text=True)).group(1)
    pages = [server_ms(client.get("/comments/admin/queue/pending")) for _ in range(20)]
    searches = [server_ms(client.get("/comments/admin/queue/approved",
                                     query_string={"q": word}))
                for word in ("casino", "summit", "vladivostok", "officials") * 5]
    decided, undo, started = [], [], time.perf_counter()
    for n, comment_id in enumerate(pending):
        answer = client.post("/comments/admin/comments/action", headers={
            "Accept": "application/json"}, data={"csrf_token": token,
                                                 "single": f"{'approve' if n % 2 else 'reject'}"
                                                           f":{comment_id}"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        decided.append(server_ms(answer))
        undo += answer.get_json()["undo"]
    wall = time.perf_counter() - started
    undone = []
    for entry in undo:
        answer = client.post("/comments/admin/comments/undo", headers={
            "Accept": "application/json"}, data={"csrf_token": token, "entries": entry})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        undone.append(server_ms(answer))
    dialect = state.engine.dialect.name
    print(f"moderation on {dialect}, {total:,} comments")
    print(f"  decision (one key):  {percentiles(decided)}; {decisions / wall:.0f} decisions/s "
          "one after another")
    print(f"  undo:                {percentiles(undone)}")
    print(f"  pending queue page:  {percentiles(pages)}")
    print(f"  full-text search:    {percentiles(searches)}")
    state.engine.dispose()


if __name__ == "__main__":
    main()
