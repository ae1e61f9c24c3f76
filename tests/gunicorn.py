"""Real gunicorn running the stand-alone server, for start-up and crash tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

from tests.conftest import SITE
from tests.live import Listener


class Gunicorn:
    """`gunicorn -w N 'comments_widget.server:create_app()'` on 127.0.0.1 and a free port."""

    def __init__(self, folder: Path, database_url: str, workers: int,
                 settings: dict[str, str] | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        listener = Listener()
        self.port, self.url = listener.port, listener.url
        self.log = folder / "gunicorn.log"
        env = {**os.environ, "COMMENTS_WIDGET_ALLOWED_ORIGINS": SITE,
               "COMMENTS_WIDGET_DATABASE_URL": database_url,
               "COMMENTS_WIDGET_AUTO_MIGRATE": "true",
               "COMMENTS_WIDGET_EMAIL_VERIFICATION": "off",
               "COMMENTS_WIDGET_SECRET_KEY": "crash-test-secret",
               "COMMENTS_WIDGET_POST_RATE_LIMIT": "100000/minute",
               "COMMENTS_WIDGET_INSTANCE_PATH": str(folder / "instance"), **(settings or {})}
        with self.log.open("ab") as log:
            # gunicorn serves the inherited socket (fd://), so the port cannot be lost.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
                 f"fd://{listener.fileno()}", "--graceful-timeout", "2",
                 "comments_widget.server:create_app()"],
                env=env, stdout=log, stderr=log, cwd=folder, start_new_session=True,
                pass_fds=[listener.fileno()])
        listener.close()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_ready(self, workers: int, timeout: float = 60) -> None:
        """Every worker booted and the API answers; AssertionError with the log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log_text()}"
            try:
                with urllib.request.urlopen(f"{self.url}/comments/api/v1/me", timeout=2):
                    pass
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
                continue
            if self.log_text().count("Booting worker with pid") >= workers:
                return
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not get ready:\n{self.log_text()}")

    def worker_pids(self) -> list[int]:
        """The master's children (the workers), from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_everything(self) -> None:
        """SIGKILL the master and every worker at once, as a crash or an OOM kill would."""
        pids = self.worker_pids()
        for pid in [self.process.pid, *pids]:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop gracefully (or kill after 10 s) and reap the whole process group."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
