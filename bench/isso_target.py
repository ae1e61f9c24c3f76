"""Isso 0.14.0 as the comparison: its own venv, a config, and data seeded through its API."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import venv
from pathlib import Path

from harness import post_json

ISSO_VERSION = "0.14.0"
HOT_URI = "/hot"


def ensure_venv(directory: Path) -> Path:
    """A venv with Isso and gunicorn, made once and reused."""
    python = directory / "bin" / "python"
    if not python.exists():
        print(f"Installing Isso {ISSO_VERSION} into {directory} …", flush=True)
        venv.create(directory, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        f"isso=={ISSO_VERSION}", "gunicorn"], check=True)
    return python


def write_config(work: Path, site: str) -> Path:
    """Isso settings: its own database, moderation and the rate-limit guard off."""
    database = work / "isso.db"
    database.unlink(missing_ok=True)
    config = work / "isso.cfg"
    config.write_text(f"""[general]
dbpath = {database}
host = {site}/
[moderation]
enabled = false
[guard]
enabled = false
require-author = false
require-email = false
""")
    return config


def seed(base: str, hot_comments: int = 100, threads: int = 1000, per_thread: int = 5) -> None:
    """The hot thread and the small ones, written through Isso's API like real readers."""
    total = hot_comments + threads * per_thread
    done = 0
    for index in range(hot_comments):
        _new(base, HOT_URI, f"Hot thread comment {index} about the summit and its outcome.")
    done += hot_comments
    for thread in range(1, threads + 1):
        for index in range(per_thread):
            _new(base, f"/t/{thread}", f"Comment {index} on article {thread}.")
        done += per_thread
        if thread % 100 == 0:
            print(f"\r  isso seed {done}/{total}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def _new(base: str, uri: str, text: str) -> None:
    body = json.dumps({"text": text, "author": "Bench", "title": uri}).encode()
    status = post_json(f"{base}/new?uri={uri}", body)
    if status != 201:
        raise RuntimeError(f"Isso refused a seed comment: HTTP {status}")


def embed_gzipped_bytes(python: Path) -> int:
    """The gzipped size of Isso's embed.min.js, as shipped in its package."""
    located = subprocess.run(
        [str(python), "-c", "import isso, os; print(os.path.join(os.path.dirname(isso.__file__),"
         " 'js', 'embed.min.js'))"], capture_output=True, text=True, check=True).stdout.strip()
    return len(gzip.compress(Path(located).read_bytes(), compresslevel=9, mtime=0))
