"""A news site with its own reader accounts (Flask-Login), brought to the comments two ways.

    python -m example_site.with_accounts          # bridge: comments mounted in this app
    python -m example_site.with_accounts --sso    # single sign-on: comment server elsewhere

Bridge (same origin): `CommentsWidget(app, current_author=…)` maps the site's logged-in user
to a comment author; the embed's Log-in and Log out go to the site's own pages.

Single sign-on (another origin): the comment server runs on its own origin with single sign-on
turned on for this site; every article page carries the logged-in user signed with the site's
secret (`data-comments-sso`), and the embed trades it for a comment login, no popup.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.serving import make_server
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from comments_widget import Author, CommentsWidget
from comments_widget.sso import sign_payload
from example_site.app import create_news_app


@dataclass
class SiteUser:
    """One of the newspaper's own accounts (a real site keeps them in its database)."""

    id: int
    email: str
    name: str
    password_hash: str
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return str(self.id)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def demo_users(password: str) -> dict[str, SiteUser]:
    """The newspaper's subscribers; every one has `password` in this demo."""
    hashed = generate_password_hash(password)
    people = [(1, "ada@news.example", "Ada Subscriber"), (2, "grace@news.example", "Grace H.")]
    return {email: SiteUser(user_id, email, name, hashed) for user_id, email, name in people}


def comment_author() -> Author | None:
    """The bridge: the site's logged-in user as a comment author (None: nobody)."""
    if not current_user.is_authenticated:
        return None
    return Author(id=current_user.id, name=current_user.name, email=current_user.email)


def create_app(password: str, sso: tuple[str, str] | None = None,
               config: dict[str, Any] | None = None) -> Flask:
    """The site. `sso` = (comment server URL, the site's secret) for single sign-on; without
    it the comments are mounted here, on the same origin, through the bridge."""
    app = create_news_app(comments_server=sso[0] if sso else None)
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    users = demo_users(password)
    by_id = {str(user.id): user for user in users.values()}

    login_manager = LoginManager(app)  # The site's own Flask-Login, untouched by the comments.
    login_manager.login_view = "login"
    login_manager.user_loader(by_id.get)

    @app.context_processor
    def account_bar() -> dict[str, Any]:
        extra: dict[str, Any] = {"account": current_user if current_user.is_authenticated
                                 else None}
        if sso is not None:
            extra["comments_sso"] = sign_reader(sso[1]) if current_user.is_authenticated else ""
            extra["comments_authors"] = lambda url: sign_authors(sso[1], url)
        return extra

    @app.route("/login", methods=["GET", "POST"])
    def login() -> str | Response:
        form = LoginForm()
        error = None
        if form.validate_on_submit():
            user = users.get(form.email.data.strip().lower())
            if user and check_password_hash(user.password_hash, form.password.data):
                login_user(user)
                return redirect(_local(request.args.get("next")))
            error = "That email and password do not match an account."
        return render_template("login.html", form=form, error=error,
                               demo_email="ada@news.example", demo_password=password)

    @app.get("/logout")
    def logout() -> Response:
        logout_user()
        return redirect(_local(request.args.get("next") or request.referrer))

    if sso is None:
        app.config["COMMENTS_WIDGET_ALLOWED_ORIGINS"] = os.environ.get(
            "COMMENTS_WIDGET_ALLOWED_ORIGINS", "http://127.0.0.1:5000")
        # The site's readers are known to it already; the comment server sends no email here.
        app.config["COMMENTS_WIDGET_EMAIL_VERIFICATION"] = "off"
        app.config.update(config or {})
        CommentsWidget(app, current_author=comment_author,
                       login_url="/login?next={next}", logout_url="/logout")
    return app


def sign_reader(secret: str) -> str:
    """This page view's single sign-on payload for the logged-in user (docs/accounts.md)."""
    return sign_payload(secret, {
        "id": current_user.id, "name": current_user.name, "email": current_user.email,
        "exp": int(time.time()) + 300, "nonce": secrets.token_urlsafe(24)})


ARTICLE_AUTHORS = ["2"]  # Grace H. wrote the example article: her comments get "Author"


def sign_authors(secret: str, article_url: str) -> str:
    """The article's authors for the embed's `data-comments-authors` (docs/moderation.md)."""
    return sign_payload(secret, {"url": article_url, "authors": ARTICLE_AUTHORS})


def _local(target: str | None) -> str:
    """Only paths on this site (or a full URL on it) are followed after login: no open
    redirect."""
    if target and target.startswith(request.host_url):
        target = "/" + target[len(request.host_url):]
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("front_page")
    return target


def turn_on_sso(comment_app: Flask, site_origin: str) -> str:
    """What an admin does in the dashboard's Sites page: single sign-on on for the site, and
    the secret to give it (an existing one is kept across restarts)."""
    from comments_widget.services import sites

    state = comment_app.extensions["comments_widget"]
    with state.session_factory() as session:
        site = sites.site_for(session, site_origin)
        if site is None or not site.sso_secret:
            site = sites.rotate_sso_secret(session, None, site_origin, state.allowed_origins)
        sites.set_login_pages(session, None, site_origin,
                              f"{site_origin}/login?next={{next}}", f"{site_origin}/logout",
                              state.allowed_origins)
        secret = site.sso_secret
        session.commit()
    state.settings.invalidate()
    return secret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sso", action="store_true",
                        help="run the comment server on its own origin and sign readers in")
    parser.add_argument("--site-port", type=int, default=5000)
    parser.add_argument("--comments-port", type=int, default=5001)
    # Its own data: single sign-on set up here must not change the plain demo's site.
    parser.add_argument("--instance", default=str(Path("instance", "with_accounts").resolve()))
    args = parser.parse_args()
    Path(args.instance).mkdir(parents=True, exist_ok=True, mode=0o700)
    password = secrets.token_urlsafe(9)
    site_origin = f"http://127.0.0.1:{args.site_port}"
    servers = []
    if args.sso:
        from comments_widget.server import create_app as create_comment_server

        comments_origin = f"http://localhost:{args.comments_port}"
        comment_app = create_comment_server({
            **os.environ, "COMMENTS_WIDGET_ALLOWED_ORIGINS": site_origin,
            "COMMENTS_WIDGET_INSTANCE_PATH": args.instance,
            "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off"})
        secret = turn_on_sso(comment_app, site_origin)
        servers.append(make_server("127.0.0.1", args.comments_port, comment_app, threaded=True))
        site = create_app(password, sso=(comments_origin, secret))
        print(f"Comment server: {comments_origin}  (single sign-on on for {site_origin})")
    else:
        site = create_app(password, config={
            "COMMENTS_WIDGET_ALLOWED_ORIGINS": site_origin,
            "COMMENTS_WIDGET_DATABASE_URL": os.environ.get("COMMENTS_WIDGET_DATABASE_URL") or
            f"sqlite:///{Path(args.instance) / 'with_accounts.sqlite3'}"})
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"News site:      {site_origin}/  — log in as ada@news.example / {password}")
    print("Press Ctrl+C to stop.")
    with contextlib.suppress(KeyboardInterrupt):
        make_server("127.0.0.1", args.site_port, site, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
