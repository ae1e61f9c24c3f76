"""Mounting the extension: defaults, start-up checks, and the same-origin host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from comments_widget import CommentsWidget
from comments_widget.config import DEFAULTS, ConfigError
from tests.conftest import SITE


def bare_app(tmp_path: Any, **config: Any) -> Flask:
    app = Flask("host", instance_path=str(tmp_path / "instance"))
    app.config.update({"SECRET_KEY": "s", "COMMENTS_WIDGET_ALLOWED_ORIGINS": [SITE],
                       "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off", **config})
    return app


def test_every_default_is_filled_in_and_documented(app: Flask) -> None:
    for key in DEFAULTS:
        assert key in app.config
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert [key for key in DEFAULTS if key not in readme] == []


def test_init_app_style_mounts_the_blueprint_under_the_prefix(tmp_path: Any) -> None:
    widget = CommentsWidget()
    app = bare_app(tmp_path, COMMENTS_WIDGET_URL_PREFIX="/talk")
    widget.init_app(app)
    with app.test_client().get("/talk/embed.js") as response:
        assert response.status_code == 200
    assert app.test_client().get("/comments/embed.js").status_code == 404
    assert "comments_widget" in app.extensions
    assert not hasattr(widget, "app")
    app.extensions["comments_widget"].engine.dispose()


def test_registering_twice_says_what_to_do(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="already registered"):
        CommentsWidget(app)


def test_embedded_sqlite_database_is_created_on_first_run(tmp_path: Any) -> None:
    app = bare_app(tmp_path)
    CommentsWidget(app)
    assert (tmp_path / "instance" / "comments_widget.sqlite3").exists()
    assert app.test_client().get(
        "/comments/api/v1/threads", query_string={"url": SITE + "/a"}).get_json() == {
        "thread": None, "comments": [], "next": None}
    app.extensions["comments_widget"].engine.dispose()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"COMMENTS_WIDGET_ALLOWED_ORIGINS": []}, "COMMENTS_WIDGET_ALLOWED_ORIGINS is empty"),
        ({"COMMENTS_WIDGET_ALLOWED_ORIGINS": ["news.example"]}, "is not an origin"),
        ({"COMMENTS_WIDGET_ALLOWED_ORIGINS": ["https://news.example/path"]}, "is not an origin"),
        ({"COMMENTS_WIDGET_URL_PREFIX": "comments"}, "COMMENTS_WIDGET_URL_PREFIX"),
        ({"COMMENTS_WIDGET_MAX_BODY_LENGTH": 0}, "COMMENTS_WIDGET_MAX_BODY_LENGTH"),
        ({"COMMENTS_WIDGET_MAX_DEPTH": -1}, "COMMENTS_WIDGET_MAX_DEPTH"),
        ({"COMMENTS_WIDGET_POST_RATE_LIMIT": "lots"}, "COMMENTS_WIDGET_POST_RATE_LIMIT"),
    ],
)
def test_misconfiguration_fails_at_start_naming_the_key(tmp_path: Any, config: dict,
                                                        message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CommentsWidget(bare_app(tmp_path, **config))


def test_origins_may_be_given_as_one_string(tmp_path: Any) -> None:
    app = bare_app(tmp_path, COMMENTS_WIDGET_ALLOWED_ORIGINS="https://a.example, HTTPS://B.example:443")
    CommentsWidget(app)
    assert app.config["COMMENTS_WIDGET_ALLOWED_ORIGINS"] == ["https://a.example",
                                                             "https://b.example"]
    app.extensions["comments_widget"].engine.dispose()


def test_host_routes_get_no_hooks_from_the_extension(tmp_path: Any) -> None:
    app = bare_app(tmp_path)
    app.add_url_rule("/hello", "hello", lambda: "hi")
    CommentsWidget(app)
    assert app.before_request_funcs.get(None, []) == []
    assert app.after_request_funcs.get(None, []) == []
    assert app.error_handler_spec.get(None, {}) == {}
    assert getattr(app, "login_manager", None) is None  # No LoginManager is installed.
    response = app.test_client().get("/hello", headers={"Origin": "https://evil.example"})
    assert response.get_data(as_text=True) == "hi"
    assert "Access-Control-Allow-Origin" not in response.headers
    app.extensions["comments_widget"].engine.dispose()


def test_same_origin_host_serves_articles_and_comments_together(database_url: str) -> None:
    from example_site.same_origin import create_app

    app = create_app({"COMMENTS_WIDGET_DATABASE_URL": database_url,
                      "COMMENTS_WIDGET_AUTO_MIGRATE": True,
                      "COMMENTS_WIDGET_ALLOWED_ORIGINS": "http://localhost"})
    client = app.test_client()
    article = client.get("/2023/09/putin-kim").get_data(as_text=True)
    assert '<script src="http://localhost/comments/embed.js" async></script>' in article
    assert 'data-comments-url="http://localhost/2023/09/putin-kim"' in article
    with client.get("/comments/embed.js") as embed:
        assert b"window.CommentsWidget" in embed.data
    assert client.get("/comments/api/v1/threads",
                      query_string={"url": "http://localhost/2023/09/putin-kim"}).get_json() == {
        "thread": None, "comments": [], "next": None}
    app.extensions["comments_widget"].engine.dispose()
