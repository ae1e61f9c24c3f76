"""A real SMTP server process for mail tests: aiosmtpd delivering into a Maildir."""

from __future__ import annotations

import mailbox
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import free_port


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """aiosmtpd on 127.0.0.1, delivering into a Maildir; stopped after the test."""
    port, maildir = free_port(), tmp_path / "maildir"
    log = (tmp_path / "aiosmtpd.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait(timeout=10)
        log.close()
        pytest.fail(f"aiosmtpd did not start: {(tmp_path / 'aiosmtpd.log').read_text()}")
    try:
        yield port, maildir
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def delivered(maildir: Path, count: int, timeout: float = 10) -> list[Any]:
    """Messages in the Maildir once `count` have arrived (bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if maildir.exists():
            messages = list(mailbox.Maildir(str(maildir)))
            if len(messages) >= count:
                return messages
        time.sleep(0.1)
    return list(mailbox.Maildir(str(maildir))) if maildir.exists() else []


def mail_app(make_app: Any, port: int, **extra: Any) -> Any:
    """An app that sends its mail to the test SMTP server on `port`."""
    return make_app(COMMENTS_WIDGET_SMTP_HOST="127.0.0.1", COMMENTS_WIDGET_SMTP_PORT=port,
                    COMMENTS_WIDGET_MAIL_SENDER="comments@news.example", **extra)
