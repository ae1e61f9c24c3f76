"""Where one request's time goes: the app called in-process, no server, no network client.

    .venv/bin/python bench/profile_request.py sqlite:///bench/.work/bench.sqlite3 cold
    .venv/bin/python bench/profile_request.py postgresql+psycopg://postgres@127.0.0.1/test \
        --schema comments_widget_bench post --profile

Scenarios match `make bench-load` (hot, cold, 304, counts, post) on a database seeded by
bench/seed.py. Prints microseconds per request (mean, p50 and p99 of the app's own time) and,
with --profile, the functions that take it (cProfile; PROFILE_SORT=cumulative to sort by total
time, PROFILE_LINES=N for more lines, PROFILE_CALLEES=<function name> for what one function calls).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import seed  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

API = "/comments/api/v1"


def _app(url: str):
    from comments_widget.server import create_app

    return create_app({"COMMENTS_WIDGET_DATABASE_URL": url,
                       "COMMENTS_WIDGET_ALLOWED_ORIGINS": seed.SITE,
                       "COMMENTS_WIDGET_SECRET_KEY": secrets.token_hex(16),
                       "COMMENTS_WIDGET_AUTO_MIGRATE": "false",
                       "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off",
                       "COMMENTS_WIDGET_POST_RATE_LIMIT": "100000000/minute",
                       "COMMENTS_WIDGET_INSTANCE_PATH": str(seed_work())})


def seed_work() -> Path:
    return Path(__file__).resolve().parent / ".work" / "instance"


def _threads(article: str, extra: str = "") -> str:
    return f"{API}/threads?url={quote(article, safe='')}{extra}"


def requests_for(scenario: str, app, url: str, threads: int) -> Callable[[int], dict]:
    """A function giving the WSGI environ of the i-th request of a scenario."""
    rng = random.Random(3)

    def environ(path: str, **kwargs) -> dict:
        return EnvironBuilder(path=path, base_url="http://127.0.0.1:1", **kwargs).get_environ()

    if scenario == "hot":
        return lambda i: environ(_threads(seed.HOT_URL))
    if scenario == "cold":
        return lambda i: environ(_threads(seed.cold_url(rng.randrange(1, threads))))
    if scenario == "304":
        etag = _call(app, environ(_threads(seed.HOT_URL)))[1]["ETag"]
        return lambda i: environ(_threads(seed.HOT_URL), headers={"If-None-Match": etag})
    if scenario == "counts":
        query = "&".join("url=" + quote(seed.cold_url(i), safe="") for i in range(1, 21))
        return lambda i: environ(f"{API}/counts?{query}")
    if scenario == "post":
        from run import tokens

        issued = tokens(url)
        return lambda i: environ(
            f"{API}/comments", method="POST",
            headers={"Authorization": f"Bearer {issued[i % len(issued)]}"},
            json={"url": seed.cold_url(rng.randrange(1, threads)),
                  "body": f"A reply to the story, number {i}, with **some** words."})
    raise SystemExit(f"unknown scenario {scenario}")


def _call(app, environ: dict) -> tuple[str, dict, bytes]:
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("scenario", choices=["hot", "cold", "304", "counts", "post"])
    parser.add_argument("--schema")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = seed.with_schema(args.database_url, args.schema) if args.schema else args.database_url
    seed_work().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("COMMENTS_WIDGET_SECRET_KEY", secrets.token_hex(16))
    app = _app(url)
    make = requests_for(args.scenario, app, url, args.threads)
    environs = [make(i) for i in range(args.requests)]
    for environ in environs[: args.requests // 10]:  # warm the process
        _call(app, dict(environ, **{"wsgi.input": io.BytesIO(environ["wsgi.input"].getvalue())}))
    durations = []
    profiler = cProfile.Profile() if args.profile else None
    statuses: dict[str, int] = {}
    for environ in environs[args.requests // 10:]:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        status = _call(app, environ)[0]
        if profiler:
            profiler.disable()
        durations.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
    durations.sort()
    mean = sum(durations) / len(durations)
    print(f"{args.scenario}: {len(durations)} requests, mean {mean * 1e6:.0f} us, "
          f"p50 {durations[len(durations) // 2] * 1e6:.0f} us, "
          f"p99 {durations[int(len(durations) * 0.99)] * 1e6:.0f} us; {statuses}")
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "35")))
        if os.environ.get("PROFILE_CALLEES"):
            stats.print_callees(os.environ["PROFILE_CALLEES"])


if __name__ == "__main__":
    main()
