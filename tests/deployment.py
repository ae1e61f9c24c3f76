"""A live deployment for browser tests: the example news site and the comment server on two
origins, and Chromium profiles with third-party cookies blocked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from comments_widget.server import create_app as create_comment_server
from comments_widget.services import readers
from comments_widget.services.policy import Policy, save_policy
from example_site.app import create_news_app
from tests.live import Listener, browsers, require_chromium, serve

ARTICLE_PATH = "/2023/09/putin-kim"


@dataclass
class Deployment:
    site: str
    comments: str
    page: Any
    context: Any
    browsers: Any
    comment_app: Any

    def open_article(self) -> Any:
        self.page.goto(self.site + ARTICLE_PATH)
        return self.page.locator("#comments .compose")


@pytest.fixture
def deployment(database_url: str, tmp_path: Path) -> Iterator[Deployment]:
    with deploy(database_url, tmp_path) as d:
        yield d


@pytest.fixture
def mail_deployment(database_url: str, tmp_path: Path,
                    smtp_server: tuple[int, Path]) -> Iterator[Deployment]:
    """A deployment whose comment server sends its mail to the test SMTP server (and offers
    login links)."""
    with deploy(database_url, tmp_path, COMMENTS_WIDGET_SMTP_HOST="127.0.0.1",
                COMMENTS_WIDGET_SMTP_PORT=str(smtp_server[0]),
                COMMENTS_WIDGET_LOGIN_LINKS="true") as d:
        yield d


@pytest.fixture
def verifying_deployment(database_url: str, tmp_path: Path,
                         smtp_server: tuple[int, Path]) -> Iterator[Deployment]:
    """As mail_deployment, with the default COMMENTS_WIDGET_EMAIL_VERIFICATION=before_posting."""
    with deploy(database_url, tmp_path, COMMENTS_WIDGET_SMTP_HOST="127.0.0.1",
                COMMENTS_WIDGET_SMTP_PORT=str(smtp_server[0]),
                COMMENTS_WIDGET_EMAIL_VERIFICATION="before_posting") as d:
        yield d


def deployment_policy(**changes: Any) -> Policy:
    """The default policy, but for the time-to-submit heuristic: a test fills a comment and
    posts it in milliseconds, which that heuristic holds as a script's. The tests of that
    heuristic (test_spam_browser.py) set it back."""
    return Policy(**{"min_seconds_to_post": 0, **changes})


@contextmanager
def deploy(database_url: str, tmp_path: Path, **extra_env: str) -> Iterator[Deployment]:
    """The example news site and the comment server on two origins, and a reader's browser."""
    require_chromium()
    with Listener() as site_listener, Listener() as comments_listener:
        site, comments = site_listener.url, f"http://localhost:{comments_listener.port}"
        comment_app = create_comment_server({
            "COMMENTS_WIDGET_ALLOWED_ORIGINS": site,
            "COMMENTS_WIDGET_DATABASE_URL": database_url,
            "COMMENTS_WIDGET_AUTO_MIGRATE": "true",
            "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off",
            "COMMENTS_WIDGET_INSTANCE_PATH": str(tmp_path / "instance"),
            **extra_env,
        })
        with comment_app.extensions["comments_widget"].session_factory() as session:
            save_policy(session, deployment_policy())
            session.commit()
        with serve(comment_app, comments_listener), \
                serve(create_news_app(comments), site_listener), \
                browsers(tmp_path / "profiles") as opened:
            context = opened.profile("reader")
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield Deployment(site=site, comments=comments, page=page, context=context,
                             browsers=opened, comment_app=comment_app)
            assert errors == [], f"uncaught errors on the page: {errors}"
        comment_app.extensions["comments_widget"].engine.dispose()


def register_in_popup(d: Deployment, name: str = "Ada Reader",
                      email: str = "ada@example.org", page: Any = None) -> None:
    """Register a new reader through the embed's popup, from the reader's page or `page`."""
    page = page or d.page
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name="Log-in").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.startswith(d.comments + "/comments/login")
    popup.get_by_role("link", name="Create an account").click()
    popup.get_by_label("Display name").fill(name)
    popup.get_by_label("Email").fill(email)
    popup.get_by_label("Password").fill("a long enough password")
    # Listen before clicking: the popup may close before a later wait could start.
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Create account").click()


def logged_in(d: Deployment) -> Any:
    """The article, with a new reader (Ada Reader) registered through the popup; its compose
    block."""
    compose = d.open_article()
    register_in_popup(d)
    compose.get_by_text("Logged in as Ada Reader.").wait_for()
    return compose


@dataclass
class ApiReader:
    """Another reader, somewhere else, acting through the API of the live comment server."""

    d: Deployment
    headers: dict[str, str]

    def write(self, body: str, parent: int | None = None) -> int:
        """Post on the article; the new comment's id."""
        answer = self.d.comment_app.test_client().post(
            "/comments/api/v1/comments", headers=self.headers,
            json={"url": self.d.site + ARTICLE_PATH, "body": body, "parent_id": parent})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    def vote(self, comment_id: int, value: int = 1) -> dict[str, int]:
        answer = self.d.comment_app.test_client().put(
            f"/comments/api/v1/comments/{comment_id}/vote", headers=self.headers,
            json={"value": value})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()


def api_reader(d: Deployment, name: str) -> ApiReader:
    """A registered reader called `name` with a token, straight in the database."""
    state = d.comment_app.extensions["comments_widget"]
    with state.session_factory() as session:
        reader = readers.register_reader(session, email=f"{name.lower()}@example.org",
                                         display_name=name, password="a long enough password",
                                         min_password_length=8)
        session.flush()
        token = readers.issue_token(session, reader, timedelta(days=1))
        session.commit()
    return ApiReader(d, {"Authorization": f"Bearer {token}"})
