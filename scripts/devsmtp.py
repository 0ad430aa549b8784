"""A development SMTP server: keeps every message it receives as an .eml file, sends nothing on.

``python -m scripts.devsmtp [--port N] [--dir D]`` (``make run`` starts it through
scripts.devstack). Messages land in ``<data_dir>/mailbox/`` as ``<time>-<id>.eml``, with the
envelope recipients in an ``X-Envelope-To`` header; the app shows them at ``/admin/mailbox``.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller

from core.config import load_settings

READY_LINE = "devsmtp listening"


def mailbox_dir() -> Path:
    """Returns the directory the development mailbox keeps its messages in."""
    return load_settings().data_dir / "mailbox"


class MailboxHandler:
    """Writes each accepted message to its own file, atomically (the app may be reading)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        header = f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        content = envelope.original_content or envelope.content
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(header + content)
        os.replace(tmp, self.directory / name)
        return "250 Message accepted for the development mailbox"


def main() -> None:
    """Runs the server until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("LIANDONG_SMTP_PORT", "8025"))
    )
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    directory = args.dir or mailbox_dir()
    controller = Controller(MailboxHandler(directory), hostname=args.host, port=args.port)
    controller.start()
    print(f"{READY_LINE} on {args.host}:{args.port}, keeping mail in {directory}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
