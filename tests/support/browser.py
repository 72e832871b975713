"""Real headless Chromium (Debian's `chromium`), driven through its DevTools protocol over a pipe.

`--remote-debugging-pipe` reads commands on the child's fd 3 and writes answers and events on its
fd 4, each a JSON message ending in NUL: no port, no websocket library. A `Page` collects what a
user's browser would complain about: console messages of level error or warning, uncaught
exceptions, log entries, and every request, so a test can hold a page to "no console error and
nothing fetched from the network".
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

#: As root Chromium needs --no-sandbox; the rest keeps a test run from reaching out on its own.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-pipe",
)
#: How long one answer may take before the test fails (a deadline, not a sleep).
TIMEOUT = 60.0


def chromium() -> str:
    found = shutil.which("chromium")
    assert found, "chromium is missing: .ci/run installs it (apt-get install chromium)"
    return found


class Browser:
    """One Chromium with a fresh profile under `root`, closed by `close()`."""

    def __init__(self, root: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()
        # Out of the way of 3 and 4, which the child's ends are moved onto.
        child_in = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(answers_write, fcntl.F_DUPFD, 10)
        os.close(commands_read)
        os.close(answers_write)

        def onto_3_and_4() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.log = (root / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={root / 'profile'}",
                "--enable-logging=stderr",
                "about:blank",
            ],
            stdout=self.log,
            stderr=self.log,
            pass_fds=(3, 4),
            preexec_fn=onto_3_and_4,  # noqa: PLW1509 - only dup2, before exec
        )
        os.close(child_in)
        os.close(child_out)
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """One command and its result (AssertionError on a protocol error)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive()
            if answer.get("id") == self._next_id:
                assert "error" not in answer, (method, answer["error"])
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        """The first event `method` of this session not waited for yet, taken out of `events`."""
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            self.events.append(self._receive())

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            assert left > 0, "chromium did not answer in time"
            ready, _, _ = select.select([self._answers], [], [], left)
            if ready:
                chunk = os.read(self._answers, 1 << 20)
                assert chunk, f"chromium exited: {self.process.poll()}"
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def open(self, url: str, width: int = 1280, height: int = 900) -> Page:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        page = Page(self, session)
        page.go(url)
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except AssertionError:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        os.close(self._commands)
        os.close(self._answers)
        self.log.close()


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def go(self, url: str) -> None:
        self.browser.send("Page.navigate", self.session, url=url)
        self.browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression: str) -> Any:
        result = self.browser.send(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.browser.send(
            "Page.captureScreenshot", self.session, format="png", captureBeyondViewport=True
        )
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def complaints(self) -> list[str]:
        """What the console and the log said at level warning or error, and uncaught exceptions."""
        said = []
        for event in self.browser.events:
            method, params = event.get("method"), event.get("params", {})
            if event.get("sessionId") != self.session:
                continue
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                said.append(f"console {params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                said.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
                said.append(f"log {params['entry']['level']}: {params['entry'].get('text')}")
            elif method == "Network.loadingFailed":
                said.append(f"failed to load: {params.get('errorText')}")
        return said

    def requests(self) -> list[str]:
        """The URL of every request the page made."""
        return [
            event["params"]["request"]["url"]
            for event in self.browser.events
            if event.get("sessionId") == self.session and event.get("method") == "Network.requestWillBeSent"
        ]
