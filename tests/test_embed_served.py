"""What readers download: the readable embed, minified by the server, inside the budget."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (ROOT / "static" / "embed.js").read_text(encoding="utf-8")
BUDGET_BYTES = 10 * 1024


def test_the_embed_is_served_minified_and_within_ten_kilobytes_gzipped(
        client: FlaskClient) -> None:
    served = client.get("/comments/embed.js")
    assert served.mimetype == "text/javascript"
    assert "/* comments_widget embed" not in served.text  # comments stripped
    assert len(served.data) < len(SOURCE.encode()) * 0.85
    assert "window.CommentsWidget" in served.text
    assert len(gzip.compress(served.data, compresslevel=9)) <= BUDGET_BYTES


def test_the_minified_embed_is_still_valid_javascript(client: FlaskClient, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Node.js is required in CI")
        pytest.skip("Node.js is not installed (.ci/run installs it)")
    script = tmp_path / "embed.min.js"
    script.write_bytes(client.get("/comments/embed.js").data)
    checked = subprocess.run([node, "--check", str(script)], capture_output=True, text=True,
                             timeout=30)
    assert checked.returncode == 0, checked.stderr


def test_a_browser_revalidating_the_embed_gets_a_304(client: FlaskClient) -> None:
    first = client.get("/comments/embed.js")
    assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
    again = client.get("/comments/embed.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_readable_embed_is_there_for_debugging(client: FlaskClient) -> None:
    with client.get("/comments/embed.src.js") as readable:
        assert readable.mimetype == "text/javascript"
        assert readable.text == SOURCE
