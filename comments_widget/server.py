"""The stand-alone comment server for sites that are not Flask, configured by environment.

    COMMENTS_WIDGET_ALLOWED_ORIGINS=https://news.example comments-widget serve
    flask --app comments_widget.server run
    gunicorn -w 4 'comments_widget.server:create_app()'
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for
from flask.cli import ScriptInfo

from comments_widget import CommentsWidget
from comments_widget.cli import comments_widget_cli
from comments_widget.config import DEFAULTS, ConfigError
from comments_widget.errors import WidgetError
from comments_widget.services import community

SECRET_KEY_FILE = "secret_key"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _coerce(key: str, raw: str) -> Any:
    default = DEFAULTS[key]
    if isinstance(default, bool) or key in ("COMMENTS_WIDGET_AUTO_MIGRATE",
                                            "COMMENTS_WIDGET_SMTP_STARTTLS"):
        if raw.lower() not in _TRUE | _FALSE:
            raise ConfigError(f"{key} must be true or false, got {raw!r}")
        return raw.lower() in _TRUE
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as error:
            raise ConfigError(f"{key} must be a whole number, got {raw!r}") from error
    return raw


def config_from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Every COMMENTS_WIDGET_* setting present in the environment, typed like its default."""
    return {key: _coerce(key, environ[key]) for key in DEFAULTS if environ.get(key)}


def _secret_key(environ: Mapping[str, str], instance_path: str) -> str:
    # A key kept beside the database survives restarts (readers stay logged in) without ever
    # being in the repository; production sets COMMENTS_WIDGET_SECRET_KEY for all processes.
    if environ.get("COMMENTS_WIDGET_SECRET_KEY"):
        return environ["COMMENTS_WIDGET_SECRET_KEY"]
    path = Path(instance_path) / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _ensure_admin(app: Flask, email: str, password: str | None) -> None:
    # The first admin of a server that has no shell to run `create-admin` in (a container).
    state = app.extensions["comments_widget"]
    with state.session_factory() as session:
        try:
            community.ensure_admin(session, email, "Admin", password, state.min_password_length)
        except WidgetError as error:
            raise ConfigError(f"COMMENTS_WIDGET_ADMIN_EMAIL: {error.message}") from error
        session.commit()


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """A Flask app that only serves comments_widget, configured from `environ`."""
    environ = os.environ if environ is None else environ
    instance_path = environ.get("COMMENTS_WIDGET_INSTANCE_PATH") or os.path.abspath("instance")
    app = Flask("comments_widget.server", instance_path=instance_path)
    app.config.update(config_from_environment(environ))
    app.config["SECRET_KEY"] = _secret_key(environ, instance_path)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if environ.get("COMMENTS_WIDGET_SECURE_COOKIES", "").lower() in _TRUE:
        app.config["SESSION_COOKIE_SECURE"] = True
    CommentsWidget(app)
    if environ.get("COMMENTS_WIDGET_ADMIN_EMAIL"):
        _ensure_admin(app, environ["COMMENTS_WIDGET_ADMIN_EMAIL"],
                      environ.get("COMMENTS_WIDGET_ADMIN_PASSWORD"))
    prefix = app.config["COMMENTS_WIDGET_URL_PREFIX"]
    app.add_url_rule("/", "index", lambda: redirect(url_for("comments_widget.pages.login")))
    app.logger.info("comments_widget serving under %s", prefix)
    return app


MANAGEMENT_COMMANDS = ("audit", "create-admin", "db", "deliver-webhooks", "export", "import",
                       "notify-moderators", "notify-readers", "pages", "purge-unverified")


def main(argv: list[str] | None = None) -> None:
    """`comments-widget serve`, and every `flask comments-widget …` command (create-admin, db,
    notify-moderators) run against the stand-alone server's configuration."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="comments-widget", description=__doc__.splitlines()[0],
        epilog=f"Also: {', '.join(MANAGEMENT_COMMANDS)} (comments-widget COMMAND --help).")
    if args and args[0] in MANAGEMENT_COMMANDS:
        try:
            app = create_app()
        except ConfigError as error:
            parser.exit(2, f"comments-widget: configuration error: {error}\n")
        comments_widget_cli.main(args=args, prog_name="comments-widget",
                                 obj=ScriptInfo(create_app=lambda: app))
        return
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the comment server (development server)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5001)
    options = parser.parse_args(args)
    try:
        app = create_app()
    except ConfigError as error:
        parser.exit(2, f"comments-widget: configuration error: {error}\n")
    app.run(host=options.host, port=options.port, threaded=True)
