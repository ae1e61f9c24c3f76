"""Fill a comments_widget database with a realistic data set, in bulk, with a progress bar.

    .venv/bin/python bench/seed.py sqlite:///bench/.work/bench.sqlite3 --comments 1000000
    .venv/bin/python bench/seed.py postgresql+psycopg://postgres@127.0.0.1/test --comments 1000000

The schema is dropped and rebuilt by the migrations first. The data set: one hot thread of
--hot comments (a fifth top-level, each with four replies), the rest spread over --threads
threads (about one comment in three a reply), 10,000 readers, 1% of comments pending review.
Then every thread's first page is stored, as a running site has them once each thread has been
read since its last change (`comments-widget pages build` does the same after an import).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from tqdm import tqdm
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comments_widget import migrate  # noqa: E402
from comments_widget.db import create_engine  # noqa: E402
from comments_widget.models import Base, Thread  # noqa: E402
from comments_widget.services.votes import wilson_lower_bound  # noqa: E402

SITE = "http://127.0.0.1:8001"
HOT_URL = f"{SITE}/2023/09/hot-story"
READERS = 10_000
BENCH_PASSWORD = "bench-password"
START = datetime(2025, 1, 1, tzinfo=UTC)
WORDS = [
    "the",
    "summit",
    "talks",
    "ended",
    "without",
    "a",
    "statement",
    "but",
    "officials",
    "said",
    "progress",
    "was",
    "made",
    "on",
    "trade",
    "space",
    "cooperation",
    "and",
    "sanctions",
    "while",
    "analysts",
    "urged",
    "caution",
    "about",
    "promises",
    "made",
    "in",
    "public",
]

COMMENT_COLUMNS = (
    "id",
    "thread_id",
    "parent_id",
    "root_id",
    "author_id",
    "depth",
    "body_source",
    "body_html",
    "status",
    "created_at",
    "updated_at",
    "hold_reasons",
    "needs_review",
    "hidden_by_flags",
    "upvotes",
    "downvotes",
    "rank",
    "announced_at",
)


def cold_url(index: int) -> str:
    """The URL of the index-th ordinary article (1-based)."""
    return f"{SITE}/article/{index}"


def _body(rng: random.Random) -> tuple[str, str]:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))).capitalize() + "."
    return text, f"<p>{text}</p>"


def _comments(total: int, threads: int, hot: int, seed: int) -> Iterator[tuple]:
    """Rows in id order; ids, parents and roots are decided here, so no round-trips."""
    rng = random.Random(seed)
    next_id = 1
    moment = START

    def row(thread_id: int, parent: tuple[int, int] | None, depth: int) -> tuple:
        nonlocal next_id, moment
        comment_id = next_id
        next_id += 1
        moment += timedelta(seconds=1)
        source, html = _body(rng)
        status = "pending" if rng.random() < 0.01 else "approved"
        root = parent[1] if parent else comment_id
        # Votes as on a real thread: most comments have few, some many ("best" must sort them).
        up = int(rng.paretovariate(1.2)) - 1
        down = int(up * rng.random() * 0.5)
        return (
            comment_id,
            thread_id,
            parent[0] if parent else None,
            root,
            rng.randint(1, READERS),
            depth,
            source,
            html,
            status,
            moment,
            moment,
            "[]",
            False,
            False,
            up,
            down,
            wilson_lower_bound(up, down),
            moment,  # already announced: the benchmark sends no reply emails
        )

    # The hot thread: id 1, a fifth of its comments top-level, four replies under each.
    for _ in range(hot // 5):
        top = row(1, None, 0)
        yield top
        for _ in range(4):
            yield row(1, (top[0], top[0]), 1)
    remaining = total - (hot // 5) * 5
    for index in range(remaining):
        thread_id = 2 + index % (threads - 1)
        first_of_thread = index < threads - 1
        if first_of_thread or rng.random() < 0.66:
            yield row(thread_id, None, 0)
        else:
            # A reply to the thread's first comment, whose id is known from the layout.
            first_id = (hot // 5) * 5 + 1 + (thread_id - 2)
            yield row(thread_id, (first_id, first_id), 1)


def _threads(threads: int) -> Iterator[tuple]:
    yield (1, HOT_URL, HOT_URL, "The hot story", START, 0)
    for index in range(1, threads):
        url = cold_url(index)
        yield (index + 1, url, url, f"Article {index}", START, 0)


def _readers() -> Iterator[tuple]:
    password_hash = generate_password_hash(BENCH_PASSWORD)
    for index in range(1, READERS + 1):
        yield (
            index,
            f"reader{index}@bench.example",
            f"Reader {index}",
            password_hash,
            "reader",
            START,
            "",
        )


def _insert(
    engine: sa.Engine,
    table: str,
    columns: tuple[str, ...],
    rows: Iterator[tuple],
    total: int,
    label: str,
) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        progress = tqdm(total=total, desc=label, unit=" rows", unit_scale=True)
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    progress.update(1)
        else:
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            batch: list[tuple] = []
            for row in rows:
                batch.append(
                    tuple(
                        v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v
                        for v in row
                    )
                )
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    progress.update(len(batch))
                    batch.clear()
            cursor.executemany(sql, batch)
            progress.update(len(batch))
        progress.close()
        raw.commit()
    finally:
        raw.close()


def with_schema(database_url: str, schema: str) -> str:
    """A PostgreSQL URL whose connections work in `schema`, created if missing."""
    admin = sa.create_engine(database_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    admin.dispose()
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options=-csearch_path%3D{schema}"


def seed(database_url: str, comments: int, threads: int, hot: int, seed_value: int = 7) -> None:
    """Rebuild the schema and fill it."""
    engine = create_engine(database_url, statement_timeout=3600)  # bulk COPY takes a while
    # Start from nothing, whatever an older version of the schema left behind.
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {migrate.VERSION_TABLE}"))
    migrate.upgrade(engine)
    _insert(
        engine,
        "comments_widget_readers",
        ("id", "email", "display_name", "password_hash", "role", "created_at", "ban_reason"),
        _readers(),
        READERS,
        "readers",
    )
    _insert(
        engine,
        "comments_widget_threads",
        ("id", "key", "url", "title", "created_at", "version"),
        _threads(threads),
        threads,
        "threads",
    )
    _insert(
        engine,
        "comments_widget_comments",
        COMMENT_COLUMNS,
        _comments(comments, threads, hot, seed_value),
        comments,
        "comments",
    )
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in ("readers", "threads", "comments"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('comments_widget_{table}', 'id'), "
                    f"(SELECT max(id) FROM comments_widget_{table}))"
                )
        connection.exec_driver_sql("ANALYZE")
    _store_first_pages(engine)
    engine.dispose()


def _store_first_pages(engine: sa.Engine) -> None:
    # What the app holds once each thread has been read after its last change (a site that
    # has been running; `comments-widget pages build` after an import): every first page
    # stored ready to send (comments_widget/views/first_pages.py).
    from sqlalchemy.orm import Session

    from comments_widget.config import DEFAULTS
    from comments_widget.models import utcnow
    from comments_widget.services.policy import load_policy
    from comments_widget.views import first_pages

    with Session(engine) as session:
        policy = load_policy(session)
        total = session.scalar(sa.select(sa.func.count()).select_from(Thread)) or 0
    with tqdm(total=total, desc="first pages", unit=" threads", unit_scale=True) as bar:
        first_pages.build_missing(engine, policy, DEFAULTS["COMMENTS_WIDGET_THREAD_PAGE_SIZE"],
                                  utcnow(), progress=bar.update)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--hot", type=int, default=2_000)
    parser.add_argument("--schema", help="PostgreSQL only: seed into this schema")
    args = parser.parse_args()
    url = with_schema(args.database_url, args.schema) if args.schema else args.database_url
    seed(url, args.comments, args.threads, args.hot)


if __name__ == "__main__":
    main()
