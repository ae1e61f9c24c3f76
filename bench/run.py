"""The benchmark, one command: comments_widget against Isso 0.14.0 and a bare-Flask ceiling.

    make bench-load                          # both databases, 1M comments, Isso, the ceiling
    .venv/bin/python bench/run.py --databases sqlite --duration 5 --comments 100000

For each database: seed 10k comments and measure a thread page, then seed 1,000,000 comments
over 100,000 threads (one hot thread of 2,000) and measure the hot thread's first page, a cold
thread, the 304 path, counts for 20 URLs and authenticated concurrent POSTs (then check that
the database holds exactly as many new comments as there were 201 answers). Every server runs
under gunicorn with 2 sync workers on 127.0.0.1 and is loaded by wrk. Prints one table.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import isso_target  # noqa: E402
import seed  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from embed_size import EMBED_FILES, gzipped_size  # noqa: E402
from harness import ROOT, Result, fetch, gunicorn, wait_until_up, wrk  # noqa: E402

from comments_widget.db import create_engine  # noqa: E402
from comments_widget.models import Reader  # noqa: E402
from comments_widget.services.readers import issue_token  # noqa: E402

WORK = ROOT / "bench" / ".work"
API = "/comments/api/v1"
PYTHON = Path(sys.executable)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


def database_url(kind: str, size: str = "") -> str:
    """The bench database of `kind` (sqlite, postgres); `size` "10k" names the small one."""
    suffix = f"_{size}" if size else ""
    if kind == "sqlite":
        return f"sqlite:///{WORK / f'bench{suffix}.sqlite3'}"
    return seed.with_schema(POSTGRES, f"comments_widget_bench{suffix}")


def fresh_database_url(kind: str, size: str = "") -> str:
    if kind == "sqlite":
        (WORK / f"bench{'_' + size if size else ''}.sqlite3").unlink(missing_ok=True)
    return database_url(kind, size)


def tokens(url: str, count: int = 50) -> list[str]:
    """Bearer tokens of `count` seeded readers, so the POSTs come from many people."""
    engine = create_engine(url)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        readers = session.scalars(sa.select(Reader).order_by(Reader.id).limit(count)).all()
        issued = [issue_token(session, reader, timedelta(days=1)) for reader in readers]
        session.commit()
    engine.dispose()
    return issued


def comment_total(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        total = connection.exec_driver_sql("SELECT count(*) FROM comments_widget_comments").scalar()
    engine.dispose()
    return total


def ours_env(url: str) -> dict[str, str]:
    return {"COMMENTS_WIDGET_DATABASE_URL": url, "COMMENTS_WIDGET_ALLOWED_ORIGINS": seed.SITE,
            "COMMENTS_WIDGET_SECRET_KEY": secrets.token_hex(16),
            "COMMENTS_WIDGET_AUTO_MIGRATE": "false",
            "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off",
            "COMMENTS_WIDGET_POST_RATE_LIMIT": "100000000/minute",
            "COMMENTS_WIDGET_INSTANCE_PATH": str(WORK / "instance")}


def thread_url(base: str, article: str) -> str:
    return f"{base}{API}/threads?url={quote(article, safe='')}"


@dataclass
class Prepared:
    """A seeded database pair (10k and full size) and tokens of 50 of its readers."""

    small: str
    full: str
    tokens: list[str]


def prepare_ours(kind: str, args: argparse.Namespace) -> Prepared:
    """Seed 10,000 comments, then the full data set, each in its own database (or, with
    --reuse-seed, use the ones an earlier run seeded, if they hold that many comments)."""
    if args.reuse_seed and _seeded(database_url(kind, "10k"), 10_000) \
            and _seeded(database_url(kind), args.comments):
        print(f"\n== comments_widget on {kind}: reusing the seeded databases", flush=True)
        return Prepared(database_url(kind, "10k"), database_url(kind),
                        tokens(database_url(kind)))
    print(f"\n== comments_widget on {kind}: seeding 10,000 comments", flush=True)
    small = fresh_database_url(kind, "10k")
    seed.seed(small, 10_000, 1_000, args.hot)
    print(f"== comments_widget on {kind}: seeding {args.comments:,} comments", flush=True)
    full = fresh_database_url(kind)
    seed.seed(full, args.comments, args.threads, args.hot)
    return Prepared(small, full, tokens(full))


def _seeded(url: str, comments: int) -> bool:
    try:
        return comment_total(url) >= comments
    except sa.exc.SQLAlchemyError:
        return False


def _cold(name: str, base: str, args: argparse.Namespace, threads: int, suffix: str = ""
          ) -> Result:
    return wrk(name, base, args.duration, args.connections, "random_get.lua", env={
        "BENCH_PREFIX": f"{API}/threads?url=" + quote(f"{seed.SITE}/article/", safe=""),
        "BENCH_SUFFIX": suffix, "BENCH_COUNT": str(threads - 1)})


def _post(name: str, base: str, url: str, issued: list[str], args: argparse.Namespace
          ) -> Result:
    before = comment_total(url)
    posted = wrk(name, base, args.duration, args.connections, "post.lua", env={
        "BENCH_PATH": f"{API}/comments", "BENCH_URL_PREFIX": f"{seed.SITE}/article/",
        "BENCH_COUNT": str(args.threads - 1), "BENCH_STYLE": "ours",
        "BENCH_TOKENS": ",".join(issued)}, warmup=False)
    created = int(posted.extra.split()[1])
    stored = comment_total(url) - before
    return Result(posted.name, posted.requests_per_second, posted.p50_ms, posted.p99_ms,
                  posted.non_2xx, _write_check(created, stored))


def measure_ours(kind: str, prepared: Prepared, args: argparse.Namespace
                 ) -> tuple[list[Result], dict[str, int]]:
    """Every scenario against one database; returns the results and each answer's size."""
    results: list[Result] = []
    with gunicorn(PYTHON, "comments_widget.server:create_app()", ours_env(prepared.small),
                  log=WORK / "ours.log") as base:
        wait_until_up(f"{base}{API}/me")
        results.append(wrk(f"{kind} hot page @10k", thread_url(base, seed.HOT_URL),
                           args.duration, args.connections))
        results.append(_cold(f"{kind} cold thread @10k", base, args, 1_000))
    with gunicorn(PYTHON, "comments_widget.server:create_app()", ours_env(prepared.full),
                  log=WORK / "ours.log") as base:
        wait_until_up(f"{base}{API}/me")
        hot = thread_url(base, seed.HOT_URL)
        status, headers, body = fetch(hot)
        assert status == 200, status
        counts = f"{base}{API}/counts?" + "&".join(
            "url=" + quote(seed.cold_url(i), safe="") for i in range(1, 21))
        sizes = {"hot page": len(body),
                 "cold thread": len(fetch(thread_url(base, seed.cold_url(7)))[2]),
                 "304": 0, "counts x20": len(fetch(counts)[2])}
        results.append(wrk(f"{kind} hot page", hot, args.duration, args.connections))
        results.append(_cold(f"{kind} cold thread", base, args, args.threads))
        results.append(wrk(f"{kind} hot page best", hot + "&sort=best", args.duration,
                           args.connections))
        results.append(_cold(f"{kind} cold thread best", base, args, args.threads, "&sort=best"))
        results.append(wrk(f"{kind} 304", hot, args.duration, args.connections,
                           headers={"If-None-Match": headers["ETag"]}))
        results.append(wrk(f"{kind} counts x20", counts, args.duration, args.connections))
        results.append(_post(f"{kind} POST", base, prepared.full, prepared.tokens, args))
    return results, sizes


def measure_behind_nginx(prepared: Prepared, args: argparse.Namespace) -> list[Result]:
    """PostgreSQL behind the documented nginx configuration (deploy/nginx): the hot page and
    a cold thread through its cache, the share of a 30-second spike on one thread that reached
    the app, and two app hosts (one worker each, sharing PostgreSQL and Redis) behind it."""
    from tests.nginx import Nginx

    results: list[Result] = []
    with gunicorn(PYTHON, "comments_widget.server:create_app()", ours_env(prepared.full),
                  log=WORK / "ours.log") as base:
        wait_until_up(f"{base}{API}/me")
        server = Nginx(WORK / "nginx", [base])
        try:
            hot = thread_url(server.url, seed.HOT_URL)
            # The spike first, on an empty cache: every request that reached the app counts.
            spike = wrk("nginx 30 s spike on one thread", hot, args.spike, args.connections,
                        warmup=False)
            lines = [line for line in server.log_lines() if "hot-story" in line]
            reached = sum(1 for line in lines if line.split()[1] != "-")
            results.append(Result(spike.name, spike.requests_per_second, spike.p50_ms,
                                  spike.p99_ms, spike.non_2xx,
                                  f"reached the app: {reached} of {len(lines):,} "
                                  f"({100 * reached / max(len(lines), 1):.3f}%)"))
            results.append(wrk("nginx hot page", hot, args.duration, args.connections))
            results.append(_cold("nginx cold thread", server.url, args, args.threads))
        finally:
            server.stop()
    hosts_env = {**ours_env(prepared.full), "COMMENTS_WIDGET_REDIS_URL": REDIS,
                 "COMMENTS_WIDGET_TRUSTED_PROXY_HOPS": "1"}
    with gunicorn(PYTHON, "comments_widget.server:create_app()", hosts_env, workers=1,
                  log=WORK / "ours.log") as first, \
            gunicorn(PYTHON, "comments_widget.server:create_app()", hosts_env, workers=1,
                     log=WORK / "ours.log") as second:
        wait_until_up(f"{first}{API}/me")
        wait_until_up(f"{second}{API}/me")
        server = Nginx(WORK / "nginx-2", [first, second])
        try:
            results.append(_cold("nginx 2 hosts cold thread", server.url, args, args.threads))
            results.append(_post("nginx 2 hosts POST", server.url, prepared.full,
                                 prepared.tokens, args))
        finally:
            server.stop()
    return results


def measure_isso(args: argparse.Namespace, first_run: bool) -> tuple[list[Result], int]:
    python = isso_target.ensure_venv(ROOT / "bench" / ".isso-venv")
    config = (isso_target.write_config(WORK, seed.SITE) if first_run
              else WORK / "isso.cfg")  # later runs reuse the seeded database
    print("\n== Isso 0.14.0 on SQLite: 100-comment hot thread, 1,000 threads of 5", flush=True)
    results: list[Result] = []
    with gunicorn(python, "isso.run:application", {"ISSO_SETTINGS": str(config)},
                  log=WORK / "isso.log", cwd=WORK) as base:
        wait_until_up(f"{base}/info")
        if first_run:
            isso_target.seed(base)
        hot = f"{base}/?uri={quote(isso_target.HOT_URI, safe='')}"
        results.append(wrk("isso hot page", hot, args.duration, args.connections))
        results.append(wrk("isso cold thread", base, args.duration, args.connections,
                           "random_get.lua",
                           env={"BENCH_PREFIX": "/?uri=%2Ft%2F", "BENCH_COUNT": "1000"}))
        results.append(wrk("isso 304 (no ETag: full answer)", hot, args.duration,
                           args.connections, headers={"If-None-Match": '"any"'}))
        body = json.dumps([f"/t/{i}" for i in range(1, 21)])
        results.append(wrk("isso counts x20", f"{base}/count", args.duration, args.connections,
                           "fixed_post.lua", env={"BENCH_BODY": body}))
        before = _isso_total(WORK / "isso.db")
        posted = wrk("isso POST", base, args.duration, args.connections, "post.lua", env={
            "BENCH_PATH": "/new?uri=", "BENCH_URL_PREFIX": "%2Ft%2F", "BENCH_COUNT": "1000",
            "BENCH_STYLE": "isso"}, warmup=False)
        created = int(posted.extra.split()[1])
        stored = _isso_total(WORK / "isso.db") - before
        results.append(Result(posted.name, posted.requests_per_second, posted.p50_ms,
                              posted.p99_ms, posted.non_2xx, _write_check(created, stored)))
    return results, isso_target.embed_gzipped_bytes(python)


def _write_check(created: int, stored: int) -> str:
    # wrk stops mid-flight: a request the server completed after wrk stopped listening is
    # stored without its 201 being counted. Lost writes are the opposite case.
    in_flight = max(stored - created, 0)
    return (f"201s {created}, stored {stored}, lost {max(created - stored, 0)}"
            + (f" ({in_flight} answered after wrk stopped)" if in_flight else ""))


def _isso_total(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM comments").fetchone()[0]


def measure_ceilings(sizes: dict[str, int], args: argparse.Namespace) -> dict[str, Result]:
    """Bare Flask answering a fixed JSON payload of each size our answers had."""
    ceilings: dict[str, Result] = {}
    for kind, size in sizes.items():
        size = max(size, 16)
        with gunicorn(PYTHON, "bench.ceiling_app:app", {"CEILING_BYTES": str(size)},
                      log=WORK / "ceiling.log") as base:
            wait_until_up(base + "/")
            ceilings[kind] = wrk(f"bare Flask, {size:,} B ({kind})", base + "/",
                                 args.duration, args.connections)
    return ceilings


Figures = dict[str, dict[str, float]]  # scenario -> req/s, p99 ms, vs Isso, vs ceiling


def report(ours: dict[str, list[Result]], isso: list[Result], ceilings: dict[str, Result],
           isso_embed: int, behind_nginx: list[Result]) -> tuple[str, Figures]:
    """The table (requests/s, p50, p99, ratios to Isso and to the ceiling of each size), and
    the same figures by scenario, for the spread over runs."""
    by_kind = {"hot page": 0, "cold thread": 1, "304": 2, "counts x20": 3, "POST": 4}
    header = (f"{'scenario':<36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs Isso':>9}"
              f"{'vs ceiling':>12}  notes")
    lines = [header, "-" * 110]
    figures: Figures = {}

    def line(result: Result, vs_isso: float | None, vs_ceiling: float | None) -> str:
        figures[result.name] = {"req/s": result.requests_per_second, "p99 ms": result.p99_ms}
        if vs_isso is not None:
            figures[result.name]["vs Isso"] = vs_isso
        if vs_ceiling is not None:
            figures[result.name]["vs ceiling %"] = vs_ceiling
        notes = result.extra + (f" non-2xx {result.non_2xx}" if result.non_2xx else "")
        return (f"{result.name:<36}{result.requests_per_second:>9.0f}{result.p50_ms:>9.2f}"
                f"{result.p99_ms:>9.2f}"
                f"{f'{vs_isso:.1f}x' if vs_isso is not None else '':>9}"
                f"{f'{vs_ceiling:.0f}%' if vs_ceiling is not None else '':>12}  {notes}")

    for results in ours.values():
        for result in results:
            kind = result.name.split(" ", 1)[1]
            isso_rps = (isso[by_kind[kind]].requests_per_second
                        if isso and kind in by_kind else None)
            ceiling = ceilings.get(kind)
            lines.append(line(
                result, result.requests_per_second / isso_rps if isso_rps else None,
                100 * result.requests_per_second / ceiling.requests_per_second
                if ceiling else None))
        kind = results[0].name.split(" ")[0]
        hot_ratio = results[2].p99_ms / results[0].p99_ms
        cold_ratio = results[3].p99_ms / results[1].p99_ms
        figures[f"{kind} p99 at full size / at 10k, hot page"] = {"ratio": hot_ratio}
        figures[f"{kind} p99 at full size / at 10k, cold thread"] = {"ratio": cold_ratio}
        lines.append(f"{kind}: p99 at full size / p99 at 10k comments: hot page "
                     f"{hot_ratio:.2f}x, cold thread {cold_ratio:.2f}x")
        lines.append("")
    if behind_nginx:
        lines.append("PostgreSQL behind nginx (deploy/nginx), 2 workers; then 2 hosts of 1 "
                     "worker each:")
        lines += [line(result, None, None) for result in behind_nginx]
        lines.append("")
    for result in isso:
        lines.append(line(result, None, None))
    for result in ceilings.values():
        lines.append(line(result, None, 100.0))
    ours_embed = sum(gzipped_size(path, minify=True)[1] for path in EMBED_FILES)
    lines.append(f"\nembed, gzipped: comments_widget {ours_embed:,} B"
                 + (f"; Isso embed.min.js {isso_embed:,} B" if isso_embed else ""))
    return "\n".join(lines), figures


def spread(runs: list[Figures]) -> str:
    """Each figure's lowest and highest value over the runs."""
    lines = [f"{'scenario':<48}{'measure':<14}{'lowest':>10}{'highest':>10}", "-" * 82]
    for name in runs[0]:
        for measure in runs[0][name]:
            values = [run[name][measure] for run in runs if measure in run.get(name, {})]
            low, high = min(values), max(values)
            digits = 2 if measure in ("ratio", "vs Isso") else 0
            lines.append(f"{name:<48}{measure:<14}{low:>10.{digits}f}{high:>10.{digits}f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--hot", type=int, default=2_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--spike", type=int, default=30,
                        help="seconds of the one-thread spike through nginx")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3,
                        help="measure every scenario this many times (seeded once)")
    parser.add_argument("--without-isso", action="store_true",
                        help="measure only comments_widget (no Isso, no bare-Flask ceiling)")
    parser.add_argument("--reuse-seed", action="store_true",
                        help="use the databases an earlier run seeded (if they are full)")
    parser.add_argument("--without-nginx", action="store_true",
                        help="skip the scenarios behind nginx")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    kinds = args.databases.split(",")
    prepared = {kind: prepare_ours(kind, args) for kind in kinds}
    tables, runs = [], []
    for run in range(args.runs):
        print(f"\n=== run {run + 1} of {args.runs}", flush=True)
        ours: dict[str, list[Result]] = {}
        sizes: dict[str, int] = {}
        for kind in kinds:
            ours[kind], sizes = measure_ours(kind, prepared[kind], args)
        behind_nginx = (measure_behind_nginx(prepared["postgres"], args)
                        if "postgres" in kinds and not args.without_nginx else [])
        isso, isso_embed, ceilings = [], 0, {}
        if not args.without_isso:
            isso, isso_embed = measure_isso(args, first_run=run == 0)
            ceilings = measure_ceilings(sizes, args)
        table, figures = report(ours, isso, ceilings, isso_embed, behind_nginx)
        print(f"\nrun {run + 1}\n{table}", flush=True)
        tables.append(f"run {run + 1}\n{table}")
        runs.append(figures)
    output = "\n\n".join(tables) + f"\n\nspread over {len(runs)} runs\n{spread(runs)}"
    print("\n" + output)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "latest.txt").write_text(output + "\n")


if __name__ == "__main__":
    main()
