"""A real SMTP server process for mail tests: aiosmtpd delivering into a Maildir."""

from __future__ import annotations

import asyncio
import mailbox
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import Listener, refused_port


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """aiosmtpd on 127.0.0.1, delivering into a Maildir; stopped after the test."""
    listener, maildir = Listener(), tmp_path / "maildir"
    log = (tmp_path / "aiosmtpd.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.smtp", str(listener.fileno()), str(maildir)],
        stdout=log, stderr=subprocess.STDOUT, pass_fds=[listener.fileno()],
        cwd=Path(__file__).resolve().parent.parent)
    listener.close()  # The child holds the port now.
    try:
        # The first connection waits in the backlog until the server greets it.
        smtplib.SMTP("127.0.0.1", listener.port, timeout=15).quit()
    except (OSError, smtplib.SMTPException) as error:
        process.kill()
        process.wait(timeout=10)
        log.close()
        pytest.fail(f"aiosmtpd did not start ({error}): {(tmp_path / 'aiosmtpd.log').read_text()}")
    try:
        yield listener.port, maildir
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def mail_server_down() -> Iterator[int]:
    """The port of a mail server that is down: every connection is refused."""
    with refused_port() as port:
        yield port


def serve_smtp_forever(fd: int, maildir: str) -> None:
    """aiosmtpd's Mailbox handler on an inherited listening socket (the child of smtp_server)."""
    from aiosmtpd.handlers import Mailbox
    from aiosmtpd.smtp import SMTP

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(
            lambda: SMTP(Mailbox(maildir), hostname="localhost"), sock=socket.socket(fileno=fd))
        await server.serve_forever()

    asyncio.run(main())


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


if __name__ == "__main__":
    serve_smtp_forever(int(sys.argv[1]), sys.argv[2])
