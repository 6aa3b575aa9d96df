"""A local SMTP server for the reliability tests: aiosmtpd on 127.0.0.1 and a free port.

It records what it accepted (Message-ID, envelope, To, Subject, text body) in a thread-safe list and,
when given a directory, also as one ``.eml`` file per message, so a test in another process can read
it. Three modes, switchable while it runs:

* ``accept()`` — answer 250 to every message (the default);
* ``reject_first(n)`` — answer ``451 4.3.0`` (a temporary failure) to the next ``n`` messages, then
  accept;
* ``hold()`` — keep every message waiting in DATA, before any answer, until ``release()``. A held
  message counts as delivered only if its client is still connected when it is released: a client
  that died (SIGKILL) before the server said 250 did not hand the message over, exactly as with a
  real mail server, so it is recorded under ``dropped`` instead.

Run it on its own with ``python -m tests.integration.smtp --port N --directory D [--reject-first N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"


@dataclass(frozen=True)
class ReceivedMessage:
    message_id: str
    mail_from: str
    rcpt_tos: tuple[str, ...]
    to: str
    subject: str
    body: str
    raw: bytes = field(repr=False)


def parse_message(raw: bytes, *, mail_from: str = "", rcpt_tos=()) -> ReceivedMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    body = text.get_content() if text is not None else ""
    return ReceivedMessage(
        message_id=str(parsed.get("Message-ID", "")).strip(),
        mail_from=mail_from,
        rcpt_tos=tuple(rcpt_tos),
        to=str(parsed.get("To", "")),
        subject=" ".join(str(parsed.get("Subject", "")).split()),  # unfolded
        body=body,
        raw=raw,
    )


class _Handler:
    def __init__(self, server: SMTPServer):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        server = self.server
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        message = parse_message(raw, mail_from=envelope.mail_from or "", rcpt_tos=envelope.rcpt_tos)
        with server._lock:
            server._attempts.append(message)
            if server._reject_remaining > 0:
                server._reject_remaining -= 1
                server._rejected.append(message)
                return TEMPORARY_FAILURE
            holding = server._holding
            if holding:
                server._held += 1
        if holding:
            try:
                # aiosmtpd cancels this coroutine when the client's connection ends (EOF or reset).
                while not server._released.is_set():
                    await asyncio.sleep(0.02)
            except asyncio.CancelledError:
                server._drop(message)
                raise
            finally:
                with server._lock:
                    server._held -= 1
            transport = smtp.transport
            if transport is None or transport.is_closing() or smtp._reader.at_eof():
                server._drop(message)
                return "421 4.4.2 Connection lost before the message was accepted"
        server._deliver(message)
        return "250 2.0.0 OK: queued"


class SMTPServer:
    """``with SMTPServer() as smtp: ...`` — or ``start()`` / ``stop()``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int | None = None, directory: str | Path | None = None):
        from tests.support.processes import free_port

        self.host = host
        self.port = port or free_port()
        self.directory = Path(directory) if directory else None
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        self._attempts: list[ReceivedMessage] = []
        self._rejected: list[ReceivedMessage] = []
        self._dropped: list[ReceivedMessage] = []
        self._reject_remaining = 0
        self._holding = False
        self._held = 0
        self._released = threading.Event()
        self._controller = Controller(_Handler(self), hostname=host, port=self.port, ready_timeout=10)

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> SMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._released.set()  # let a held handler finish so the loop can stop
        try:
            self._controller.stop()
        except (AssertionError, RuntimeError):  # not started, or stopped already
            pass

    def __enter__(self) -> SMTPServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- modes -------------------------------------------------------------------------------------

    def accept(self) -> None:
        with self._lock:
            self._reject_remaining = 0
            self._holding = False
        self._released.set()

    def reject_first(self, count: int) -> None:
        """Answer 451 to the next ``count`` messages, then accept."""
        with self._lock:
            self._reject_remaining = count
            self._holding = False
        self._released.set()

    def hold(self) -> None:
        """Keep every message waiting in DATA (no answer) until ``release()``."""
        with self._lock:
            self._holding = True
        self._released.clear()

    def release(self) -> None:
        """Answer the held messages (250 if their client is still there) and accept from now on."""
        self.accept()

    # --- what happened -----------------------------------------------------------------------------

    def _deliver(self, message: ReceivedMessage) -> None:
        with self._lock:
            self._messages.append(message)
            number = len(self._messages)
        if self.directory:
            target = self.directory / f"{number:06d}.eml"
            partial = target.with_suffix(".part")
            partial.write_bytes(message.raw)
            partial.replace(target)

    def _drop(self, message: ReceivedMessage) -> None:
        with self._lock:
            self._dropped.append(message)

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Delivered: answered 250 while the client was connected."""
        with self._lock:
            return list(self._messages)

    @property
    def attempts(self) -> list[ReceivedMessage]:
        """Every message that reached the end of DATA, whatever the answer."""
        with self._lock:
            return list(self._attempts)

    @property
    def rejected(self) -> list[ReceivedMessage]:
        with self._lock:
            return list(self._rejected)

    @property
    def dropped(self) -> list[ReceivedMessage]:
        """Held messages whose client went away before the server answered."""
        with self._lock:
            return list(self._dropped)

    @property
    def held(self) -> int:
        """Messages waiting in DATA right now."""
        with self._lock:
            return self._held

    def message_id_counts(self) -> Counter:
        return Counter(m.message_id for m in self.messages)

    def wait_for(self, count: int, *, timeout: float) -> list[ReceivedMessage]:
        """Wait until at least ``count`` messages were delivered; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages
            if len(messages) >= count:
                return messages
            time.sleep(0.05)
        raise AssertionError(
            f"timed out after {timeout:.0f}s waiting for {count} message(s) at the SMTP server; "
            f"delivered {len(self.messages)}, attempts {len(self.attempts)}, rejected {len(self.rejected)}, "
            f"dropped {len(self.dropped)}"
        )


def read_directory(directory: str | Path) -> list[ReceivedMessage]:
    """The messages a server with ``directory`` delivered (for a test in another process)."""
    return [parse_message(path.read_bytes()) for path in sorted(Path(directory).glob("*.eml"))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--directory", required=True)
    parser.add_argument("--reject-first", type=int, default=0)
    options = parser.parse_args(argv)
    server = SMTPServer(host=options.host, port=options.port, directory=options.directory)
    if options.reject_first:
        server.reject_first(options.reject_first)
    with server:
        print(f"SMTP server on {options.host}:{options.port}, messages in {options.directory}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
