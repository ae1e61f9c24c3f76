"""Print PostgreSQL's plan for each hot query, on the benchmark's seeded data.

    .venv/bin/python bench/explain.py            # after bench/run.py (or bench/seed.py --schema)

The queries are captured from the real service functions (not copied here), then run again
under EXPLAIN (ANALYZE, BUFFERS), so what is shown is what the app sends.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import seed  # noqa: E402

from comments_widget import migrate  # noqa: E402
from comments_widget.db import create_engine  # noqa: E402
from comments_widget.services import moderation, reading  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def captured(engine: sa.Engine, work: Callable[[Session], object]) -> list[tuple[str, object]]:
    """The (SQL, parameters) pairs a piece of service code sends."""
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            work(session)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statements


def explain(engine: sa.Engine, title: str, work: Callable[[Session], object]) -> None:
    for statement, parameters in captured(engine, work):
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
        finally:
            raw.close()
        print(f"== {title}\n{statement.strip()}\n{plan}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", default="comments_widget_bench")
    args = parser.parse_args()
    engine = create_engine(seed.with_schema(POSTGRES, args.schema))
    migrate.upgrade(engine)  # a database seeded before the newest migration (the search index)
    with Session(engine) as session:
        hot = reading.thread_summary(session, seed.HOT_URL)
        cold = reading.thread_summary(session, seed.cold_url(4242))
    if hot is None or cold is None:
        raise SystemExit("No benchmark data: run bench/run.py or bench/seed.py first.")
    explain(engine, "thread summary (by key)", lambda s: reading.thread_summary(s, seed.HOT_URL))
    explain(engine, "hot thread, first page", lambda s: reading.thread_page(s, hot, None, 50))
    explain(engine, "hot thread, a later page",
            lambda s: reading.thread_page(s, hot, 2000, 50))
    explain(engine, "hot thread, first page, best", lambda s: reading.thread_page(
        s, hot, None, 50, "best"))
    explain(engine, "hot thread, a later page, best", lambda s: reading.thread_page(
        s, hot, 2000, 50, "best"))
    explain(engine, "hot thread, a later page, newest", lambda s: reading.thread_page(
        s, hot, 1000, 50, "newest"))
    explain(engine, "cold thread page", lambda s: reading.thread_page(s, cold, None, 50))
    explain(engine, "counts for 20 URLs", lambda s: reading.comment_counts(
        s, [seed.cold_url(i) for i in range(1, 21)]))
    explain(engine, "pending queue, first page", lambda s: moderation.queue_page(
        s, "pending", moderation.QueueFilter()))
    explain(engine, "approved queue, a deep page", lambda s: moderation.queue_page(
        s, "approved", moderation.QueueFilter(), before_id=500_000))
    explain(engine, "reported queue", lambda s: moderation.queue_page(
        s, "reported", moderation.QueueFilter()))
    explain(engine, "approved queue, full-text search for a rare word", lambda s:
            moderation.queue_page(s, "approved", moderation.QueueFilter(search="casino")))
    explain(engine, "approved queue, full-text search for a common word", lambda s:
            moderation.queue_page(s, "approved", moderation.QueueFilter(search="summit")))
    engine.dispose()


if __name__ == "__main__":
    main()
