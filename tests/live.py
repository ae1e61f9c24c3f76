"""Real servers and a real browser for end-to-end tests: loopback only, stopped by their test."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = os.environ.get("COMMENTS_WIDGET_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
# Chromium's own setting "Block third-party cookies", as a privacy-minded reader would have it.
BLOCK_THIRD_PARTY_COOKIES = {"profile": {"cookie_controls_mode": 1,
                                         "block_third_party_cookies": True}}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


class Listener:
    """A free loopback port that is ours from the moment it is chosen: bound and listening.

    Picking a port by binding to 0, closing and binding again races every other process on the
    machine (CI once lost a port that way). A server handed this socket, or a child process
    handed its file descriptor, cannot lose the port; connections made before the server
    starts wait in the backlog instead of being refused.
    """

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(128)
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def fileno(self) -> int:
        return self.socket.fileno()

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port where every connection is refused for the whole block (bound by us, never
    listening): a mail server that is down, and no other process can start one there."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@contextmanager
def serve(app: Any, listener: Listener | None = None) -> Iterator[BaseWSGIServer]:
    """Run a WSGI app in a thread on `listener` (or a new one) for the duration of the block."""
    listener = listener or Listener()
    server = make_server("127.0.0.1", listener.port, app, threaded=True, fd=listener.fileno())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        listener.close()


def require_chromium() -> None:
    """Skip without Chromium on a developer machine; fail in CI, where it must be there."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


class Browsers:
    """One reader's Chromium profile, plus fresh profiles for other people on demand."""

    def __init__(self, playwright: Any, base_dir: Path) -> None:
        self._playwright = playwright
        self._base_dir = base_dir
        self._contexts: list[Any] = []

    def profile(self, name: str, **options: Any) -> Any:
        """A new headless Chromium profile with third-party cookies blocked."""
        user_data_dir = self._base_dir / name
        (user_data_dir / "Default").mkdir(parents=True, exist_ok=True)
        (user_data_dir / "Default" / "Preferences").write_text(
            json.dumps(BLOCK_THIRD_PARTY_COOKIES))
        options.setdefault("viewport", {"width": 1000, "height": 900})
        context = self._playwright.chromium.launch_persistent_context(
            str(user_data_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            **options,
        )
        context.set_default_timeout(15_000)
        self._contexts.append(context)
        return context

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@contextmanager
def browsers(base_dir: Path) -> Iterator[Browsers]:
    """Start Playwright; every profile opened through it is closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        opened = Browsers(playwright, base_dir)
        try:
            yield opened
        finally:
            opened.close()


def screenshot(target: Any, name: str) -> Path:
    """Save a screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    target.screenshot(path=str(path))
    return path
