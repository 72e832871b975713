"""sd_notify over a real datagram socket: a path, an abstract name, and no socket at all."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from flexibatch.monitoring.systemd import Notifier


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        yield sock


def test_ready_watchdog_and_stopping_reach_a_socket_named_by_its_path(
    tmp_path: Path, listening: socket.socket
) -> None:
    listening.bind(str(tmp_path / "notify"))
    notifier = Notifier.from_environment(
        {"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "60000000"}, pid=1234
    )
    notifier.ready()
    notifier.ping()
    notifier.ping()  # within a quarter of the interval: not sent again
    notifier.stopping()
    received = [listening.recv(1024).decode() for _ in range(3)]
    assert received[0].splitlines()[0] == "READY=1"
    assert received[1] == "WATCHDOG=1"
    assert received[2].splitlines()[0] == "STOPPING=1"


def test_an_abstract_socket_is_addressed_by_its_name(listening: socket.socket) -> None:
    name = f"flexibatch-test-{id(listening)}"
    listening.bind("\0" + name)
    Notifier.from_environment({"NOTIFY_SOCKET": "@" + name}, pid=1).ready()
    assert listening.recv(1024).decode().startswith("READY=1")


def test_the_watchdog_of_another_process_is_not_ours(tmp_path: Path) -> None:
    notifier = Notifier.from_environment(
        {"NOTIFY_SOCKET": str(tmp_path / "n"), "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}, pid=2
    )
    assert notifier.watchdog_seconds is None
    outside = Notifier.from_environment({}, pid=2)
    assert outside.watchdog_seconds is None
    outside.ready()  # outside systemd: nothing to send, nothing raised
