"""systemd's notification protocol (`Type=notify`, `WatchdogSec=`), without a library: one
datagram per message on the AF_UNIX socket systemd names in NOTIFY_SOCKET (sd_notify(3)).

`READY=1` once `watch` serves, `WATCHDOG=1` at least twice per watchdog interval while the loop
lives (between scans, and after each batch of a long file), `STOPPING=1` on SIGTERM. Outside
systemd (no NOTIFY_SOCKET) every message is dropped.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping

import structlog

log = structlog.get_logger()


class Notifier:
    def __init__(self, address: str | None, watchdog_seconds: float | None) -> None:
        #: An abstract socket is written `@name` and addressed with a leading NUL byte.
        self._address = "\0" + address[1:] if address and address.startswith("@") else address
        self.watchdog_seconds = watchdog_seconds
        self._last_ping = 0.0
        self._warned = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], pid: int) -> Notifier:
        """What systemd set for this process: NOTIFY_SOCKET, and WATCHDOG_USEC when WATCHDOG_PID
        (if set) is this process."""
        usec = environ.get("WATCHDOG_USEC", "")
        ours = environ.get("WATCHDOG_PID", str(pid)) == str(pid)
        seconds = int(usec) / 1e6 if usec.isdigit() and int(usec) > 0 and ours else None
        return cls(environ.get("NOTIFY_SOCKET") or None, seconds)

    def send(self, message: str) -> None:
        if self._address is None:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(message.encode("utf-8"), self._address)
        except OSError as exc:
            if not self._warned:  # said once: the service manager is gone or misconfigured
                log.warning("systemd notification failed", socket=self._address, reason=str(exc))
                self._warned = True

    def ready(self) -> None:
        self.send("READY=1\nSTATUS=watching the inbox")

    def stopping(self) -> None:
        self.send("STOPPING=1\nSTATUS=finishing the submission in hand")

    def status(self, text: str) -> None:
        self.send(f"STATUS={text}")

    def ping(self) -> None:
        """WATCHDOG=1, at most four times per watchdog interval."""
        if self.watchdog_seconds is None:
            return
        now = time.monotonic()
        if now - self._last_ping >= self.watchdog_seconds / 4:
            self._last_ping = now
            self.send("WATCHDOG=1")
