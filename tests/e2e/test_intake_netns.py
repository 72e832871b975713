"""Decide workers as separate hosts (docs/decisions.md, decision 89): each in a network namespace
of its own, reaching the PostgreSQL state of the intake host only over its veth link. The worker
deciding the big submission has its link cut mid-batch: the server ends its session, its
transaction dies, another worker decides the submission, and the cut-off worker never commits it,
not even once its link is back. Every submission is answered exactly once, as one SQLite `run`
answers them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from support.cli import cli, cli_env
from support.hostile import answered, drop_files, installed, wait_for
from support.intake import assert_like_calm, calm_run, log_events, stop, stream_with_big
from support.netns import Host, hosts, subnet_prefix
from support.network import free_port
from support.postgres import Listen, networked_server

WORKERS = 3
SUBMISSIONS = 40
SEED = 20261209
FORMS = 4000
#: Small batches: the big submission is decided in many, each logged (its progress), so "mid-batch"
#: is seen in the log.
SETTINGS = "batch_size = 100\n"
#: Seconds a silent peer lives (decision 87): short, so the test does not wait half a minute.
PEER_TIMEOUT = "3"


def _mid_batch(roots: list[Path]) -> tuple[int, str] | None:
    """The worker deciding the big submission, and its ticket, once it logged a batch of it."""
    for number, root in enumerate(roots):
        for event in log_events(root):
            if event.get("event") == "deciding" and int(event.get("declarations", 0)) < FORMS:
                return number, str(event["ticket"])
    return None


def _decided(roots: list[Path], ticket: str) -> list[int]:
    """Which workers logged deciding `ticket` after its commit."""
    return [
        number
        for number, root in enumerate(roots)
        for event in log_events(root)
        if event.get("event") == "submission decided for the intake" and event.get("ticket") == ticket
    ]


def _lost_session(root: Path) -> bool:
    """Whether a worker logged its transaction lost with its session, or the state unreachable."""
    said = ("deciding again", "deciding failed: trying again at each rescan")
    return any(e.get("event") in said and "the state" in str(e.get("reason")) for e in log_events(root))


def _connected_from(url: str, address: str) -> bool:
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'flexibatch' AND client_addr = %s",
            (address,),
        ).fetchone()
    return row is not None and int(str(row[0])) > 0


def _tail(root: Path) -> str:
    return (root / "flexibatch.log").read_text(errors="replace")[-3000:]


def _worker(host: Host, root: Path, url: str, name: str) -> subprocess.Popen[bytes]:
    root.mkdir()
    env = {
        **cli_env(root),
        "FLEXIBATCH_STATE": url,
        "FLEXIBATCH_CONFIG": str(root.parent / "settings.toml"),
        "FLEXIBATCH_INBOX": "",
        "FLEXIBATCH_OUTBOX": "",
    }
    with (root / "flexibatch.log").open("ab") as log:
        argv = host.command(sys.executable, "-m", "flexibatch", "decide", "--name", name)
        return subprocess.Popen(argv, env=env, cwd=root, stdout=log, stderr=log)


@pytest.mark.slow
def test_a_worker_host_cut_off_mid_batch_leaves_nothing_doubled_nothing_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEXIBATCH_SETTLE", "0")
    monkeypatch.setenv("FLEXIBATCH_RESCAN", "0.1")
    monkeypatch.setenv("FLEXIBATCH_PEER_TIMEOUT", PEER_TIMEOUT)
    monkeypatch.setenv("FLEXIBATCH_BUSY_TIMEOUT", "5")
    (tmp_path / "settings.toml").write_text(SETTINGS)
    monkeypatch.setenv("FLEXIBATCH_CONFIG", str(tmp_path / "settings.toml"))
    stream = stream_with_big(SUBMISSIONS, SEED, FORMS)
    calm, remote = tmp_path / "calm", tmp_path / "intake-host"
    calm_run(calm, stream)
    port = free_port()
    with hosts(WORKERS) as machines:
        listen = Listen(tuple(m.gateway for m in machines), port, f"{subnet_prefix()}.0.0/16")
        with networked_server(listen) as server:
            url = server.fresh_database(migrated=False)
            installed(remote, FLEXIBATCH_STATE=url)
            database = url.split("?")[0].rsplit("/", 1)[1]
            roots = [tmp_path / f"worker-host-{n}" for n in range(WORKERS)]
            processes = [
                _worker(m, root, f"postgresql://postgres@{m.gateway}:{port}/{database}", f"w{n}")
                for n, (m, root) in enumerate(zip(machines, roots, strict=True))
            ]
            processes.append(cli(remote, "watch", "--role", "intake", FLEXIBATCH_STATE=url))
            try:
                for files in stream:
                    drop_files(remote / "inbox", files)
                assert wait_for(lambda: _mid_batch(roots) is not None, 120), "a worker takes the big one"
                found = _mid_batch(roots)
                assert found is not None
                victim, big = found
                machines[victim].cut()
                assert wait_for(lambda: answered(remote / "outbox") >= len(stream), 240), "every one answered"
                assert _decided(roots, big) and victim not in _decided(roots, big), (
                    "another worker decided it"
                )
                machines[victim].mend()
                # Back on the network, the cut-off worker finds its session gone, and is connected again.
                assert wait_for(lambda: _lost_session(roots[victim]), 60), _tail(roots[victim])
                assert wait_for(lambda: _connected_from(url, machines[victim].address), 60), _tail(
                    roots[victim]
                )
            finally:
                codes = stop(processes)
            assert codes == [0] * (WORKERS + 1), [(r / "flexibatch.log").read_text()[-2000:] for r in roots]
            assert len(_decided(roots, big)) == 1, "the big submission was committed once"
            assert_like_calm(calm, remote, url, stream)
