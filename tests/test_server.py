"""The stand-alone server, configured by environment variables."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from comments_widget import migrate
from comments_widget.config import ConfigError
from comments_widget.server import config_from_environment, create_app
from tests.conftest import SITE


def environ(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    return {"COMMENTS_WIDGET_ALLOWED_ORIGINS": SITE,
            "COMMENTS_WIDGET_DATABASE_URL": database_url,
            "COMMENTS_WIDGET_AUTO_MIGRATE": "true",
            "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off",
            "COMMENTS_WIDGET_INSTANCE_PATH": str(tmp_path / "data"), **extra}


def test_environment_values_are_typed_like_their_defaults() -> None:
    config = config_from_environment({"COMMENTS_WIDGET_MAX_BODY_LENGTH": "500",
                                      "COMMENTS_WIDGET_AUTO_MIGRATE": "no",
                                      "COMMENTS_WIDGET_ALLOWED_ORIGINS": "https://a.example",
                                      "UNRELATED": "x"})
    assert config == {"COMMENTS_WIDGET_MAX_BODY_LENGTH": 500,
                      "COMMENTS_WIDGET_AUTO_MIGRATE": False,
                      "COMMENTS_WIDGET_ALLOWED_ORIGINS": "https://a.example"}


def test_bad_environment_values_name_the_variable() -> None:
    with pytest.raises(ConfigError, match="COMMENTS_WIDGET_MAX_DEPTH"):
        config_from_environment({"COMMENTS_WIDGET_MAX_DEPTH": "deep"})


def test_server_keeps_a_private_secret_key_across_restarts(tmp_path: Path,
                                                           database_url: str) -> None:
    first = create_app(environ(tmp_path, database_url))
    second = create_app(environ(tmp_path, database_url))
    key_file = tmp_path / "data" / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    for app in (first, second):
        app.extensions["comments_widget"].engine.dispose()


def test_secret_key_from_the_environment_wins(tmp_path: Path, database_url: str) -> None:
    app = create_app(environ(tmp_path, database_url, COMMENTS_WIDGET_SECRET_KEY="from-env"))
    assert app.secret_key == "from-env"
    assert not (tmp_path / "data" / "secret_key").exists()
    app.extensions["comments_widget"].engine.dispose()


def test_server_serves_the_embed_and_the_login_page(tmp_path: Path, database_url: str) -> None:
    app = create_app(environ(tmp_path, database_url))
    client = app.test_client()
    with client.get("/comments/embed.js") as embed:
        assert embed.mimetype == "text/javascript"
        assert "public" in embed.headers["Cache-Control"]
    assert "Log in to comment" in client.get("/comments/login").get_data(as_text=True)
    assert client.get("/").headers["Location"] == "/comments/login"
    app.extensions["comments_widget"].engine.dispose()


def test_command_line_reports_missing_configuration(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTS_WIDGET_")}
    env["COMMENTS_WIDGET_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "comments_widget", "serve"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "COMMENTS_WIDGET_ALLOWED_ORIGINS is empty" in result.stderr


def test_command_line_migrates_the_database(tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, **environ(tmp_path, database_url, COMMENTS_WIDGET_AUTO_MIGRATE="false")}
    result = subprocess.run([sys.executable, "-m", "comments_widget", "db", "upgrade"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    head = migrate.head_revision()
    assert f"is at revision {head}." in result.stdout
    current = subprocess.run([sys.executable, "-m", "comments_widget", "db", "current"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert f"current: {head}; newest: {head} (up to date)" in current.stdout


COMMAND = str(Path(sys.executable).parent / "comments-widget")  # As pip installs it.


def test_create_admin_works_as_the_readme_prints_it(tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, **environ(tmp_path, database_url),
           "COMMENTS_WIDGET_ADMIN_PASSWORD": "a long admin passphrase"}
    result = subprocess.run([COMMAND, "create-admin", "editor@news.example"],
                            env=env, capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Created editor@news.example as an admin." in result.stdout
    again = subprocess.run([COMMAND, "create-admin", "editor@news.example"],
                           env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert "Promoted editor@news.example as an admin." in again.stdout
