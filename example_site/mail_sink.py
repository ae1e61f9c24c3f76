"""A local SMTP server for the demo that prints every email it receives, links included,
so that a password reset can be tried without a real mail server."""

from __future__ import annotations

import email.policy
import socket
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller


class PrintingHandler:
    """Prints each message's recipient, subject and plain-text body."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        print(f"\n── Email to {message['To']}: {message['Subject']}\n{text.strip()}\n──",
              flush=True)
        return "250 Message accepted"


def start_mail_sink() -> tuple[Controller, int]:
    """Start the sink on 127.0.0.1 and a free port; the caller stops it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(PrintingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
