"""The wheel ships static/ and templates/: a plain install serves the embed and every page."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

CHECK = """
import comments_widget, flask
assert "site-packages" in comments_widget.__file__, comments_widget.__file__
app = flask.Flask("host", instance_path={instance!r})
app.config.update(SECRET_KEY="s", COMMENTS_WIDGET_ALLOWED_ORIGINS=["https://news.example"],
                  COMMENTS_WIDGET_EMAIL_VERIFICATION="off")
comments_widget.CommentsWidget(app)
client = app.test_client()
with client.get("/comments/embed.js") as embed:
    assert embed.status_code == 200 and b"window.CommentsWidget" in embed.data
login = client.get("/comments/login")
assert login.status_code == 200 and b"Log in to comment" in login.data
with client.get("/comments/static/pages.css") as css:
    assert css.status_code == 200
print("installed wheel serves the embed and the login page")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    [built] = out.glob("comments_widget-*.whl")
    return built


def test_wheel_contains_the_top_level_static_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("comments_widget/static/embed.js", "comments_widget/static/handoff.js",
                 "comments_widget/templates/comments_widget/login.html",
                 "comments_widget/migrations/versions/0001_initial.py"):
        assert path in names
    assert not any(name.startswith(("tests/", "example_site/")) for name in names)


def test_wheel_installed_in_a_fresh_venv_serves_embed_and_login(wheel: Path,
                                                                tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    result = subprocess.run([str(python), "-c", CHECK.format(instance=str(tmp_path / "inst"))],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "installed wheel serves the embed and the login page" in result.stdout
