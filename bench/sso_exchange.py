"""How fast a single sign-on payload becomes a token: signature, nonce record, reader upsert
and token issue, in-process on a fresh SQLite file (what a page view of a newly signed-in
reader costs the server once per browser).

    .venv/bin/python bench/sso_exchange.py [REQUESTS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from flask import Flask

from comments_widget import CommentsWidget
from comments_widget.services import sites
from comments_widget.sso import sign_payload

SITE = "https://news.example"


def main(requests: int) -> None:
    app = Flask("sso_bench", instance_path=tempfile.mkdtemp())
    app.config.update(SECRET_KEY=os.urandom(16).hex(), COMMENTS_WIDGET_ALLOWED_ORIGINS=[SITE],
                      COMMENTS_WIDGET_EMAIL_VERIFICATION="off",
                      COMMENTS_WIDGET_LOGIN_RATE_LIMIT="1000000/minute")
    CommentsWidget(app)
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        secret = sites.rotate_sso_secret(session, None, SITE, state.allowed_origins).sso_secret
        session.commit()
    client = app.test_client()
    latencies = []
    for i in range(requests):
        payload = sign_payload(secret, {"id": str(i % 50), "name": f"Reader {i % 50}",
                                        "exp": int(time.time()) + 60,
                                        "nonce": os.urandom(12).hex()})
        started = time.perf_counter()
        answer = client.post("/comments/api/v1/tokens/sso", json={"payload": payload},
                             headers={"Origin": SITE})
        latencies.append(time.perf_counter() - started)
        assert answer.status_code == 201, answer.get_json()
    latencies.sort()
    print(f"{requests} exchanges (50 readers, SQLite, in-process): "
          f"{requests / sum(latencies):.0f} req/s, p50 {latencies[requests // 2] * 1000:.1f} ms, "
          f"p99 {latencies[int(requests * 0.99) - 1] * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
