"""Rate limits: counted per identity, shared through Redis between processes."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest

from comments_widget.config import ConfigError
from comments_widget.errors import RateLimited
from comments_widget.ratelimit import RateLimiter

REDIS_URL = os.environ.get("COMMENTS_WIDGET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_limit_counts_each_identity_apart() -> None:
    limiter = RateLimiter(None)
    limiter.hit("2/hour", "login", "10.0.0.1")
    limiter.hit("2/hour", "login", "10.0.0.1")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("2/hour", "login", "10.0.0.1")
    assert 1 <= refused.value.retry_after <= 3600
    limiter.hit("2/hour", "login", "10.0.0.2")


def test_unparseable_rule_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="COMMENTS_WIDGET_LOGIN_RATE_LIMIT"):
        RateLimiter.check_rule("COMMENTS_WIDGET_LOGIN_RATE_LIMIT", "ten per minute")


def redis_limiter() -> RateLimiter:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # Reported as a skip or, in CI, a failure.
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required in CI: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return RateLimiter(REDIS_URL)


def test_two_processes_sharing_redis_share_one_limit() -> None:
    first, second = redis_limiter(), RateLimiter(REDIS_URL)
    identity = uuid.uuid4().hex
    first.hit("3/day", "post", identity)
    second.hit("3/day", "post", identity)
    first.hit("3/day", "post", identity)
    with pytest.raises(RateLimited):
        second.hit("3/day", "post", identity)


def test_app_processes_sharing_redis_share_the_posting_limit(make_app: Any) -> None:
    from tests.conftest import bearer, create_reader, post

    redis_limiter()
    config = {"COMMENTS_WIDGET_REDIS_URL": REDIS_URL,
              "COMMENTS_WIDGET_POST_RATE_LIMIT": "2/day",
              "COMMENTS_WIDGET_RATE_LIMIT_NAMESPACE": f"test-{uuid.uuid4().hex}"}
    first, second = make_app(**config), make_app(**config)  # Two "processes", one database.
    with first.extensions["comments_widget"].session_factory() as session:
        headers = bearer(session, create_reader(session))
    answers = [post(app.test_client(), headers, body=str(i)).status_code
               for i, app in enumerate([first, second, first])]
    assert answers == [201, 201, 429]
