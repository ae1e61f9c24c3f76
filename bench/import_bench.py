"""Importing a big Disqus export: comments per second and peak memory, SQLite and PostgreSQL.

    make bench-import                      # 1,000,000 comments (about 10 minutes a database)
    .venv/bin/python bench/import_bench.py --comments 100000 --databases sqlite

Generates a Disqus XML export (cached in bench/.work/), then runs the real command,
`python -m comments_widget import disqus FILE --site …`, into an empty database, sampling the
resident memory of the import process and its worker processes from /proc twice a second.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
SITE = "https://news.example"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "comments_widget_import_bench"
WORDS = ("summit", "Kim", "Putin", "sanctions", "rail", "Vladivostok", "talks", "arms",
         "analysis", "history", "Pyongyang", "Moscow", "the", "and", "of", "a", "is", "Grüße",
         "東京", "indeed", "however", "because")


def generate(path: Path, comments: int, seed: int = 7) -> None:
    """A Disqus export: one thread per 20 comments, a third of them replies, one author per
    ten comments, HTML bodies with paragraphs, emphasis and links."""
    rng = random.Random(seed)
    threads = max(1, comments // 20)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                  'xmlns:dsq="http://disqus.com/disqus-internals">\n')
        for t in range(threads):
            out.write(f'<thread dsq:id="t{t}"><id/><forum>bench</forum>'
                      f"<link>{SITE}/article/{t}</link><title>Article {t}</title>"
                      "<createdAt>2020-01-01T00:00:00Z</createdAt><isClosed>false</isClosed>"
                      "<isDeleted>false</isDeleted></thread>\n")
        recent: dict[int, list[int]] = {}
        for c in range(comments):
            t = rng.randrange(threads)
            siblings = recent.setdefault(t, [])
            parent = rng.choice(siblings) if siblings and rng.random() < 0.33 else None
            siblings.append(c)
            if len(siblings) > 8:
                siblings.pop(0)
            author = rng.randrange(max(1, comments // 10))
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
            body = (f"<p>{escape(words)}</p><p>See <a href=\"https://example.org/{c}\">this"
                    f"</a>, <b>really</b>.</p>")
            out.write(
                f'<post dsq:id="p{c}"><id/><message><![CDATA[{body}]]></message>'
                f"<createdAt>2021-{1 + c % 12:02d}-{1 + c % 28:02d}T{c % 24:02d}:00:00Z"
                f"</createdAt><isDeleted>{'true' if c % 97 == 0 else 'false'}</isDeleted>"
                f"<isSpam>{'true' if c % 89 == 0 else 'false'}</isSpam>"
                f"<author><email>reader{author}@example.org</email><name>Reader {author}</name>"
                f"<isAnonymous>false</isAnonymous><username>r{author}</username></author>"
                f'<thread dsq:id="t{t}"/>'
                + (f'<parent dsq:id="p{parent}"/>' if parent is not None else "")
                + "</post>\n")
        out.write("</disqus>\n")


def _rss_kib(pid: int, field: str = "RssAnon") -> int:
    """Resident memory of a process: private (RssAnon: the heap, what grows if anything leaks)
    or file-backed (RssFile: libraries and SQLite's memory-mapped database file, which the
    kernel can drop at any time)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except FileNotFoundError:
        return []


def database(kind: str) -> str:
    if kind == "sqlite":
        path = WORK / "import-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = sa.create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
        connection.exec_driver_sql(f'CREATE SCHEMA "{SCHEMA}"')
    admin.dispose()
    return f"{POSTGRES}?options=-csearch_path%3D{SCHEMA}"


def run(kind: str, export: Path, comments: int, workers: int) -> dict[str, float]:
    url = database(kind)
    env = {**os.environ, "COMMENTS_WIDGET_DATABASE_URL": url,
           "COMMENTS_WIDGET_ALLOWED_ORIGINS": SITE,
           "COMMENTS_WIDGET_SECRET_KEY": secrets.token_hex(16),
           "COMMENTS_WIDGET_AUTO_MIGRATE": "true",
           "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off",
           "COMMENTS_WIDGET_INSTANCE_PATH": str(WORK / "instance")}
    log = WORK / f"import-{kind}.log"
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "comments_widget", "import", "disqus", str(export),
             "--site", SITE, "--workers", str(workers)], env=env, stdout=out,
            stderr=subprocess.STDOUT, cwd=ROOT)
        peak_main = peak_total = peak_file = 0
        while process.poll() is None:
            main = _rss_kib(process.pid)
            total = main + sum(_rss_kib(child) for child in _children(process.pid))
            peak_main, peak_total = max(peak_main, main), max(peak_total, total)
            peak_file = max(peak_file, _rss_kib(process.pid, "RssFile"))
            time.sleep(0.5)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"the import failed; see {log}")
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT count(*) FROM comments_widget_comments").scalar_one()
    engine.dispose()
    return {"seconds": seconds, "stored": stored, "rate": comments / seconds,
            "peak_main_mb": peak_main / 1024, "peak_total_mb": peak_total / 1024,
            "peak_file_mb": peak_file / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    export = WORK / f"disqus-{args.comments}.xml"
    if not export.exists():
        print(f"Generating a {args.comments:,}-comment Disqus export …", flush=True)
        partial = export.with_suffix(".partial")
        generate(partial, args.comments)
        partial.replace(export)
    print(f"{export.name}: {export.stat().st_size / 1e6:,.0f} MB; {args.workers} workers, "
          f"{os.cpu_count()} cores", flush=True)
    print("Memory is resident and private (RssAnon): the import process, then with its "
          "workers; file-mapped (libraries, SQLite's mmap) apart.")
    print(f"{'database':<10} {'comments/s':>11} {'time':>9} {'stored':>10} "
          f"{'import':>8} {'+ workers':>10} {'file-mapped':>12}")
    for kind in args.databases.split(","):
        result = run(kind, export, args.comments, args.workers)
        print(f"{kind:<10} {result['rate']:>11,.0f} {result['seconds']:>8,.0f}s "
              f"{result['stored']:>10,} {result['peak_main_mb']:>5,.0f} MB "
              f"{result['peak_total_mb']:>7,.0f} MB {result['peak_file_mb']:>9,.0f} MB",
              flush=True)


if __name__ == "__main__":
    main()
