"""A news site with its own accounts (example_site/with_accounts.py), in Chromium with
third-party cookies blocked: its readers comment without a second login, through the Flask
bridge (same origin) and through single sign-on (the comment server on another origin)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from comments_widget.models import AuthToken
from comments_widget.server import create_app as create_comment_server
from comments_widget.services.policy import save_policy
from comments_widget.sso import sign_payload
from example_site.with_accounts import create_app, turn_on_sso
from tests.deployment import deployment_policy
from tests.live import Listener, browsers, require_chromium, screenshot, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTICLE_PATH = "/2023/09/putin-kim"
PASSWORD = "subscriber password 1"


@dataclass
class Site:
    origin: str
    page: Any
    engine: sa.Engine
    secret: str = ""

    def open_article(self) -> Any:
        self.page.goto(self.origin + ARTICLE_PATH)
        return self.page.locator("#comments .compose")

    def log_in_on_the_site(self, email: str = "ada@news.example") -> None:
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()

    def tokens(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(AuthToken))


def posting_at_machine_speed(app: Any) -> None:
    """These tests post a comment milliseconds after filling it in (deployment_policy)."""
    with app.extensions["comments_widget"].session_factory() as session:
        save_policy(session, deployment_policy())
        session.commit()


@pytest.fixture
def bridged_site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    """The site with the comments mounted in it (the bridge), on one origin."""
    require_chromium()
    listener = Listener()
    origin = listener.url
    app = create_app(PASSWORD, config={
        "COMMENTS_WIDGET_ALLOWED_ORIGINS": origin, "COMMENTS_WIDGET_DATABASE_URL": database_url,
        "COMMENTS_WIDGET_AUTO_MIGRATE": True})
    posting_at_machine_speed(app)
    engine = app.extensions["comments_widget"].engine
    with serve(app, listener), browsers(tmp_path / "profiles") as opened:
        page = opened.profile("reader").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield Site(origin, page, engine)
        assert errors == []
    engine.dispose()


@pytest.fixture
def sso_site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    """The site on one origin, the comment server on another with single sign-on on."""
    require_chromium()
    with Listener() as site_listener, Listener() as comments_listener:
        origin, comments = site_listener.url, f"http://localhost:{comments_listener.port}"
        comment_app = create_comment_server({
            "COMMENTS_WIDGET_ALLOWED_ORIGINS": origin, "COMMENTS_WIDGET_DATABASE_URL": database_url,
            "COMMENTS_WIDGET_AUTO_MIGRATE": "true", "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off",
            "COMMENTS_WIDGET_INSTANCE_PATH": str(tmp_path / "instance")})
        secret = turn_on_sso(comment_app, origin)
        posting_at_machine_speed(comment_app)
        engine = comment_app.extensions["comments_widget"].engine
        with serve(comment_app, comments_listener), \
                serve(create_app(PASSWORD, sso=(comments, secret)), site_listener), \
                browsers(tmp_path / "profiles") as opened:
            page = opened.profile("reader").new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield Site(origin, page, engine, secret)
            assert errors == []
        engine.dispose()


def comment_and_see_it(site: Site, compose: Any, text: str) -> None:
    compose.get_by_label("Your comment").fill(text)
    compose.get_by_role("button", name="Post comment").click()
    site.page.locator("#comments article").get_by_text(text).wait_for()


def test_the_sites_reader_comments_through_the_bridge(bridged_site: Site) -> None:
    site = bridged_site
    compose = site.open_article()
    login = site.page.get_by_role("link", name="Log-in")
    assert login.get_attribute("href") == "/login?next=" + \
        (site.origin + ARTICLE_PATH).replace(":", "%3A").replace("/", "%2F")
    with site.page.expect_navigation():
        login.click()  # The site's own login page, not our popup.
    assert site.page.url.startswith(site.origin + "/login")
    site.log_in_on_the_site()
    site.page.wait_for_url(site.origin + ARTICLE_PATH)
    compose.get_by_text("Logged in as Ada Subscriber.").wait_for()
    assert compose.get_by_role("link", name="Your account").count() == 0
    comment_and_see_it(site, compose, "Bridged in from the newspaper's own account.")
    assert site.tokens() == 0  # Same origin: the site's session, no token at all.
    screenshot(site.page.locator("#comments"), "bridge-logged-in")

    compose.get_by_role("button", name="Log out").click()
    site.page.wait_for_url(site.origin + ARTICLE_PATH)
    site.page.get_by_role("link", name="Log-in").wait_for()
    assert site.page.locator("header .account").inner_text() == "Log in"


def test_the_sites_reader_is_signed_in_to_the_other_origin_without_a_popup(
        sso_site: Site) -> None:
    site = sso_site
    popups: list[Any] = []
    site.page.on("popup", lambda popup: popups.append(popup))
    compose = site.open_article()
    login = site.page.get_by_role("link", name="Log-in")
    assert login.get_attribute("href").startswith(site.origin + "/login?next=")
    login.click()
    site.log_in_on_the_site()
    site.page.wait_for_url(site.origin + ARTICLE_PATH)
    compose.get_by_text("Logged in as Ada Subscriber.").wait_for()
    assert popups == []  # Our login popup never opened.
    comment_and_see_it(site, compose, "Signed in by the site, posted on another origin.")
    screenshot(site.page.locator("#comments"), "sso-logged-in")

    site.page.reload()  # A new payload on every page view; the token already held is kept.
    compose.get_by_text("Logged in as Ada Subscriber.").wait_for()
    assert site.tokens() == 1

    compose.get_by_role("button", name="Log out").click()  # Ends ours, then the site's.
    site.page.wait_for_url(site.origin + ARTICLE_PATH)
    site.page.get_by_role("link", name="Log-in").wait_for()
    assert site.page.locator("header .account").inner_text() == "Log in"
    assert site.page.evaluate("() => localStorage.length") == 0


def test_logging_out_on_the_site_forgets_the_comment_login(sso_site: Site) -> None:
    site = sso_site
    site.page.goto(site.origin + "/login")
    site.log_in_on_the_site()
    compose = site.open_article()
    compose.get_by_text("Logged in as Ada Subscriber.").wait_for()
    site.page.goto(site.origin + "/logout")  # The site's own link, not the embed's.
    compose = site.open_article()
    site.page.get_by_role("link", name="Log-in").wait_for()
    assert site.page.evaluate("() => localStorage.length") == 0


def test_a_single_page_site_signs_in_and_out_from_script(sso_site: Site) -> None:
    site = sso_site
    compose = site.open_article()
    site.page.get_by_role("link", name="Log-in").wait_for()
    payload = sign_payload(site.secret, {"id": 99, "name": "Single-Page Sam", "exp":
                                         int(time.time()) + 60, "nonce": secrets.token_hex(16)})
    site.page.evaluate("payload => CommentsWidget.login(payload)", payload)
    compose.get_by_text("Logged in as Single-Page Sam.").wait_for()
    site.page.evaluate("() => CommentsWidget.logout()")
    site.page.get_by_role("link", name="Log-in").wait_for()
    # The same payload again is a replay: refused, and said so in the embed.
    site.page.evaluate("payload => CommentsWidget.login(payload)", payload)
    compose.get_by_text("This sign-in was already used.").wait_for()
    assert compose.get_by_role("link", name="Log-in").count() == 1


def test_the_sites_named_author_carries_the_author_badge(sso_site: Site) -> None:
    site = sso_site
    compose = site.open_article()
    site.page.get_by_role("link", name="Log-in").click()
    site.log_in_on_the_site("grace@news.example")  # the example article's author
    site.page.wait_for_url(site.origin + ARTICLE_PATH)
    comment_and_see_it(site, compose, "I wrote this one; ask away.")
    site.page.reload()  # the embed has handed the site's signed authors over by now
    article = site.page.locator("#comments article").filter(has_text="I wrote this one")
    article.get_by_text("Author", exact=True).wait_for()
    screenshot(site.page.locator("#comments"), "embed-author-badge")
