"""`watch --metrics HOST:PORT` scraped while files arrive and while the inbox is missing, and
systemd's notifications received on a real datagram socket (SPEC 10, issue 22)."""

from __future__ import annotations

import json
import os
import signal
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from support.builders import dimona, dimona_in
from support.channel import SAMPLES
from support.cli import cli, flexibatch
from support.hostile import answer_names, state_facts, suffixed, wait_for
from support.postgres import Server

SENDER = "123456"


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[socket.socket]:
    """The datagram socket a service manager listens on (NOTIFY_SOCKET)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify.sock"))
        sock.settimeout(0.05)
        yield sock


def _messages(sock: socket.socket) -> list[str]:
    found = []
    while True:
        try:
            found += sock.recv(4096).decode().splitlines()
        except TimeoutError:
            return found


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, text = _get(port, "/metrics")
    assert status == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _port(root: Path) -> int | None:
    for line in (root / "flexibatch.log").read_text().splitlines():
        if line.startswith("{") and (entry := json.loads(line))["event"] == "serving metrics":
            return int(str(entry["address"]).rsplit(":", 1)[1])
    return None


def _serving(root: Path) -> int:
    """The port `watch --metrics 127.0.0.1:0` in `root` serves on, once it says so."""
    assert wait_for(lambda: _port(root) is not None, 30), (root / "flexibatch.log").read_text()
    port = _port(root)
    assert port is not None
    return port


def _drop(inbox: Path, seq: str, *forms: bytes, go: bool = True) -> None:
    (inbox / f"FI.DIMN.{SENDER}.20260624.{seq}.R.1.1.xml").write_bytes(dimona(*forms))
    if go:
        (inbox / f"GO.DIMN.{SENDER}.20260624.{seq}.R.1").write_bytes(b"")


def test_metrics_and_health_while_files_arrive_and_while_the_inbox_is_missing(
    tmp_path: Path, systemd: socket.socket
) -> None:
    root, inbox = tmp_path, tmp_path / "inbox" / SENDER
    inbox.mkdir(parents=True)
    assert flexibatch(root, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    watching = cli(
        root,
        "watch",
        "--metrics",
        "127.0.0.1:0",
        NOTIFY_SOCKET=str(root / "notify.sock"),
        WATCHDOG_USEC="400000",
        FLEXIBATCH_RESCAN="0.1",
    )
    try:
        port = _serving(root)
        assert wait_for(lambda: _get(port, "/healthz") == (200, "ok\n"), 30)
        # one declaration accepted, one refused (an INSZ whose check fails): PARTLY_REFUSED
        _drop(inbox, "00001", dimona_in(insz="93051822361"), dimona_in(insz="93051822362", reference="B"))
        assert wait_for((root / "outbox" / SENDER / f"GO.NOTI.{SENDER}.20260624.00001.R.DIMN").exists)
        _drop(inbox, "00002", dimona_in(insz="80111405125"), go=False)  # waits for its GO
        waiting = inbox / f"FI.DIMN.{SENDER}.20260624.00002.R.1.1.xml"
        os.utime(waiting, (waiting.stat().st_mtime - 120,) * 2)
        assert wait_for(lambda: _samples(port)[("flexibatch_oldest_waiting_seconds", ())] >= 120)

        seen = _samples(port)
        assert seen[("flexibatch_submissions_total", (("outcome", "PARTLY_REFUSED"),))] == 1
        assert seen[("flexibatch_submissions_total", (("outcome", "ACCEPTED"),))] == 0
        assert seen[("flexibatch_declarations_total", (("purpose", "DIMN"), ("result", "ACCEPTED")))] == 1
        assert seen[("flexibatch_declarations_total", (("purpose", "DIMN"), ("result", "REFUSED")))] == 1
        assert seen[("flexibatch_processing_seconds_count", ())] == 1
        assert seen[("flexibatch_submissions_waiting", ())] == 1
        assert seen[("flexibatch_last_successful_scan_timestamp_seconds", ())] > 0
        assert seen[("flexibatch_failures_total", ())] == 0

        (root / "inbox").rename(root / "inbox-gone")  # the inbox missing
        assert wait_for(lambda: _get(port, "/healthz")[0] == 503, 30)
        status, why = _get(port, "/healthz")
        assert status == 503 and "inbox" in why and "cannot be read" in why
        stalled = _samples(port)
        assert stalled[("flexibatch_scan_failures_total", ())] >= 1
        last_good = stalled[("flexibatch_last_successful_scan_timestamp_seconds", ())]
        assert wait_for(lambda: _samples(port)[("flexibatch_scan_failures_total", ())] >= 3)
        assert _samples(port)[("flexibatch_last_successful_scan_timestamp_seconds", ())] == last_good
        (root / "inbox-gone").rename(root / "inbox")
        assert wait_for(lambda: _get(port, "/healthz") == (200, "ok\n"), 30), "healthy again"
        assert _get(port, "/elsewhere")[0] == 404
    finally:
        watching.send_signal(signal.SIGTERM)
        assert watching.wait(timeout=60) == 0
    messages = _messages(systemd)
    assert messages[0] == "READY=1"
    assert messages.count("WATCHDOG=1") >= 2, messages
    assert "STOPPING=1" in messages
    log = (root / "flexibatch.log").read_text()
    assert "Traceback" not in log, "the missing inbox is one line per scan, no traceback"


def _conflicts(port: int, reason: str) -> float:
    return _samples(port)[("flexibatch_conflicts_total", (("reason", reason),))]


def test_a_conflict_on_postgresql_is_counted_and_the_submission_decided_again_once(
    tmp_path: Path, postgresql_server: Server
) -> None:
    """Another session holds the lock row of the submission's worker (as a worker deciding a long
    file for that worker would): the submission's transaction is not granted it within the busy
    timeout, is rolled back and decided again (docs/decisions.md 84), and each time is counted;
    once the lock is free it is answered, once."""
    root, inbox, insz = tmp_path, tmp_path / "inbox" / SENDER, "93051822361"
    inbox.mkdir(parents=True)
    url = postgresql_server.fresh_database()
    env = {"FLEXIBATCH_STATE": url}
    assert flexibatch(root, "refdata", "load", str(SAMPLES / "refdata"), **env).returncode == 0
    with psycopg.connect(url) as other:
        other.execute("INSERT INTO worker_locks VALUES ('R', %s)", (insz,))
        other.commit()
        other.execute("SELECT 1 FROM worker_locks WHERE env = 'R' AND worker = %s FOR UPDATE", (insz,))
        watching = cli(
            root,
            "watch",
            "--metrics",
            "127.0.0.1:0",
            FLEXIBATCH_RESCAN="0.1",
            FLEXIBATCH_BUSY_TIMEOUT="2",
            **env,
        )
        try:
            port = _serving(root)
            assert _conflicts(port, "lock_timeout") == 0
            _drop(inbox, "00001", dimona_in(insz=insz))
            assert wait_for(lambda: _conflicts(port, "lock_timeout") >= 1, 30), (
                root / "flexibatch.log"
            ).read_text()
            marker = root / "outbox" / SENDER / f"GO.NOTI.{SENDER}.20260624.00001.R.DIMN"
            assert not marker.exists(), "a lost race is no answer"
            other.rollback()  # the lock row free: the next attempt is granted it
            assert wait_for(marker.exists, 30), (root / "flexibatch.log").read_text()
            accepted = ("flexibatch_submissions_total", (("outcome", "ACCEPTED"),))
            assert wait_for(lambda: _samples(port)[accepted] == 1, 30), "counted once the round ends"
            seen = _samples(port)
        finally:
            watching.send_signal(signal.SIGTERM)
            assert watching.wait(timeout=60) == 0
    assert seen[("flexibatch_failures_total", ())] == 0, "decided again, not the submission's failure"
    assert seen[("flexibatch_conflicts_total", (("reason", "deadlock"),))] == 0
    assert not [name for name in answer_names(root / "outbox") if suffixed(name)], "answered once"
    facts = state_facts(url)
    assert facts.submissions == 1 and list(facts.periods.values()) == [1], "decided once"
    log = (root / "flexibatch.log").read_text()
    assert (
        log.count('"deciding again"') == seen[("flexibatch_conflicts_total", (("reason", "lock_timeout"),))]
    )


def test_health_is_503_while_the_store_does_not_answer(tmp_path: Path) -> None:
    root = tmp_path
    (root / "inbox").mkdir()
    assert flexibatch(root, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    watching = cli(root, "watch", "--metrics", "127.0.0.1:0", FLEXIBATCH_RESCAN="0.1")
    try:
        port = _serving(root)
        assert wait_for(lambda: _get(port, "/healthz") == (200, "ok\n"), 30)
        (root / "state.db").rename(root / "state-moved.db")  # what a reader opens by name is gone
        assert wait_for(lambda: _get(port, "/healthz")[0] == 503, 30)
        assert "store" in _get(port, "/healthz")[1]
    finally:
        watching.send_signal(signal.SIGTERM)
        watching.wait(timeout=60)


def test_metrics_on_an_address_that_cannot_be_served_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    assert flexibatch(tmp_path, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    for where in ("nowhere", "127.0.0.1:99999", "192.0.2.1:9464"):
        result = flexibatch(tmp_path, "watch", "--metrics", where)
        assert result.returncode == 2, (where, result.stderr)
        assert "Traceback" not in result.stderr
