"""A host deployed as docs/operations.md says, by the shipped `deploy/flexibatch-sftp`, with a real
OpenSSH server on a loopback port and `flexibatch watch` run from the shipped systemd unit's command
line as its service account (or PostgreSQL workers from the template unit's, `start_worker`). Everything lies under a fresh folder of /srv (a chroot must be
root-owned all the way up, never under a world-writable /tmp) and is removed afterwards, accounts
and mounts included."""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

from flexibatch.channel.names import marker_name
from support.channel import ROOT, SAMPLES
from support.network import free_port

SCRIPT = ROOT / "deploy" / "flexibatch-sftp"
WATCH_UNIT = "flexibatch-watch.service"
#: The template of PostgreSQL workers, its instance the port of its metrics.
WORKER_UNIT = "flexibatch-worker@.service"
SENDERS = ("123456", "654321")
NOW = "2026-06-24T11:50:00"

#: The main sshd_config laid out as Debian's: the drop-in folder read first, the global settings
#: after it (a Match block in a drop-in ends with its file).
SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {root}/ssh_host_ed25519_key
PidFile {root}/sshd.pid
Include {sshd_conf}
UsePAM no
PermitRootLogin no
KbdInteractiveAuthentication no
PasswordAuthentication no
AuthorizedKeysFile none
X11Forwarding yes
PrintMotd no
LogLevel VERBOSE
Subsystem sftp /usr/lib/openssh/sftp-server
"""


def _run(
    *args: str | Path, env: dict[str, str] | None = None, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=True, timeout=180, env=env, cwd=cwd
    )


def _service_umask() -> None:
    os.umask(0o077)  # the unit's UMask=


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 180.0) -> None:
    """Until `condition()` holds: waiting for the server or the service to do something, not for time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class SftpHost:
    root: Path
    tag: str = field(default_factory=lambda: f"fb{secrets.token_hex(3)}")
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.vars = {
            "SFTP_ROOT": str(self.root / "srv"),
            "DATA_DIR": str(self.root / "var"),
            "ETC_DIR": str(self.root / "etc"),
            "SSHD_CONF": str(self.root / "etc" / "sshd_config.d" / "flexibatch.conf"),
            "UNIT_DIR": str(self.root / "etc" / "systemd"),
            "FSTAB": str(self.root / "etc" / "fstab"),
            "SERVICE_USER": f"{self.tag}svc",
            "SENDERS_GROUP": f"{self.tag}-senders",
            "ACCOUNT_PREFIX": f"{self.tag}s",
            "FLEXIBATCH_BIN": str(self.root / "bin" / "flexibatch"),
        }
        self.data = self.root / "var"
        self.known_hosts = self.root / "known_hosts"

    # the recipe ---------------------------------------------------------------------------------

    def script(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return _run("bash", SCRIPT, *args, env={**os.environ, **self.vars})

    def account(self, sender: str) -> str:
        return f"{self.vars['ACCOUNT_PREFIX']}{sender}"

    def chroot(self, sender: str) -> Path:
        return self.root / "srv" / "sftp" / self.account(sender)

    def key(self, sender: str) -> Path:
        return self.root / "clients" / sender / "id_ed25519"

    def _install_flexibatch(self) -> None:
        """This checkout's flexibatch where the service account can run it: this Python's own folder
        may be private to root (/root/.pyenv), so it is bind-mounted read-only into the host's
        folder, and `bin/flexibatch` runs it with this environment's site folder."""
        python = self.root / "python"
        python.mkdir()
        _run("mount", "--bind", "-o", "ro", sys.base_prefix, python)
        packages = sysconfig.get_path("purelib")  # a site folder: its .pth files (an editable install) count
        start = f"import site, sys; site.addsitedir({packages!r}); from flexibatch.cli import main; sys.exit(main())"
        command = self.root / "bin" / "flexibatch"
        command.parent.mkdir()
        command.write_text(
            "#!/bin/sh\n"
            f"LD_LIBRARY_PATH={python}/lib exec {python}/bin/python{sys.version_info.major}.{sys.version_info.minor} "
            f'-c {shlex.quote(start)} "$@"\n'
        )
        command.chmod(0o755)

    def deploy(self) -> None:
        self.root.mkdir(mode=0o755)
        self._install_flexibatch()
        self.script("setup")
        for sender in SENDERS:
            self.key(sender).parent.mkdir(parents=True)
            _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.key(sender))
            self.script("add-sender", sender, f"{self.key(sender)}.pub")
        shutil.copytree(SAMPLES / "refdata", self.root / "refdata")
        self.as_service("refdata", "load", str(self.root / "refdata"))

    # the processes ------------------------------------------------------------------------------

    def start_sshd(self) -> None:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.root / "ssh_host_ed25519_key")
        config = self.root / "sshd_config"
        config.write_text(
            SSHD_CONFIG.format(port=self.port, root=self.root, sshd_conf=self.vars["SSHD_CONF"])
        )
        _run("/usr/sbin/sshd", "-t", "-f", config)
        public = (self.root / "ssh_host_ed25519_key.pub").read_text().split()
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {public[0]} {public[1]}\n")
        with (self.root / "sshd.log").open("ab") as log:
            self.processes.append(
                subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stdout=log, stderr=log)
            )
        _wait_for(self._listening, "sshd to listen")

    def _listening(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def unit(self, name: str = WATCH_UNIT) -> dict[str, list[str]]:
        """An installed systemd unit's settings, each key with its values in order."""
        settings: dict[str, list[str]] = {}
        for line in (self.root / "etc" / "systemd" / name).read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                settings.setdefault(key.strip(), []).append(value.strip())
        return settings

    def _service_command(
        self, args: list[str], env: dict[str, str], unit_name: str = WATCH_UNIT
    ) -> list[str]:
        """`args` as the unit runs them: its account, its Environment= and its EnvironmentFile=
        (KEY=VALUE lines, read as systemd reads them before it changes to the account)."""
        unit = self.unit(unit_name)
        environment = dict(item.split("=", 1) for value in unit["Environment"] for item in shlex.split(value))
        for file in unit.get("EnvironmentFile", []):
            lines = Path(file).read_text().splitlines()
            environment |= dict(
                line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")
            )
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("FLEXIBATCH_", "PG"))}
        assignments = [f"{k}={v}" for k, v in {**clean, **environment, "FLEXIBATCH_NOW": NOW, **env}.items()]
        (user,) = unit["User"]
        return [
            "setpriv",
            f"--reuid={user}",
            f"--regid={user}",
            "--init-groups",
            "--",
            "env",
            "-i",
            *assignments,
            *args,
        ]

    def _start(self, unit_name: str, instance: str, log: Path) -> subprocess.Popen[bytes]:
        """The unit's ExecStart, `%i` its instance, as the unit says, with its umask."""
        (exec_start,) = self.unit(unit_name)["ExecStart"]
        args = shlex.split(exec_start.replace("%i", instance))
        command = self._service_command(args, {"FLEXIBATCH_RESCAN": "0.2"}, unit_name)
        with log.open("ab") as output:
            umask = _service_umask  # the tests start services before any thread of theirs
            process = subprocess.Popen(command, stdout=output, stderr=output, cwd="/", preexec_fn=umask)  # noqa: PLW1509
        self.processes.append(process)
        return process

    def start_watch(self) -> None:
        """`flexibatch watch` as the service's unit says."""
        self._start(WATCH_UNIT, "", self.root / "watch.log")

    def start_worker(self, instance: str) -> subprocess.Popen[bytes]:
        """One PostgreSQL worker as `flexibatch-worker@INSTANCE.service` says, logging to worker-INSTANCE.log."""
        return self._start(WORKER_UNIT, instance, self.root / f"worker-{instance}.log")

    def as_service(
        self, *args: str, unit_name: str = WATCH_UNIT, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """A `flexibatch` command as the service account, with the environment of a unit (the
        installed settings file; a worker's state and passfile)."""
        return _run(*self._service_command([self.vars["FLEXIBATCH_BIN"], *args], env, unit_name), cwd="/")

    # the clients --------------------------------------------------------------------------------

    def sftp_batch(
        self, sender: str, commands: str, *, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """OpenSSH's `sftp -b` as the sender's account: a failed command ends the batch, non-zero."""
        batch = self.root / "clients" / sender / "batch"
        batch.write_text(commands)
        result = subprocess.run(
            [
                "sftp", "-F", "/dev/null", "-b", str(batch), "-i", str(self.key(sender)), "-P", str(self.port),
                "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", f"{self.account(sender)}@127.0.0.1",
            ],
            capture_output=True, text=True, timeout=60, check=False, cwd=batch.parent,
        )  # fmt: skip
        if check:
            assert result.returncode == 0, (result.stdout, result.stderr)
        return result

    @contextlib.contextmanager
    def paramiko(self, sender: str) -> Iterator[paramiko.SFTPClient]:
        client = paramiko.SSHClient()
        client.load_host_keys(str(self.known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect(
            "127.0.0.1", self.port, self.account(sender), key_filename=str(self.key(sender)),
            look_for_keys=False, allow_agent=False, timeout=30,
        )  # fmt: skip
        try:
            yield client.open_sftp()
        finally:
            client.close()

    # waiting and cleaning up --------------------------------------------------------------------

    def answered(self, sender: str, name: str) -> Path:
        """Wait until `watch` put the answer `name` (and its GO marker) in the sender's outbox folder."""
        answer = self.data / "outbox" / sender / name
        try:
            _wait_for((answer.parent / marker_name(name)).exists, f"{sender}/{name}")
        except AssertionError as late:
            said = "".join(
                f"{log.name} said:\n{log.read_text()[-3000:]}\n" for log in self.root.glob("*.log")
            )
            raise AssertionError(f"{late}; {said}") from None
        return answer

    def remove(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        chroots = self.root / "srv" / "sftp"
        prefix = self.vars["ACCOUNT_PREFIX"]
        added = {p.name.removeprefix(prefix) for p in chroots.iterdir()} if chroots.is_dir() else set()
        senders = sorted(added | set(SENDERS))  # a test's own sender too, when it failed half-way
        for sender in senders:
            with contextlib.suppress(subprocess.CalledProcessError):
                self.script("remove-sender", sender)
        leftover_accounts = [["userdel", self.account(s)] for s in senders] + [
            ["groupdel", self.account(s)] for s in senders
        ]
        for command in [
            *leftover_accounts,  # what a failed removal left
            ["userdel", self.vars["SERVICE_USER"]],
            ["groupdel", self.vars["SENDERS_GROUP"]],
        ]:
            subprocess.run(command, capture_output=True, check=False)
        leftovers = [self.chroot(sender) / folder for sender in senders for folder in ("upload", "download")]
        for mount in [*leftovers, self.root / "python"]:
            subprocess.run(["umount", str(mount)], capture_output=True, check=False)
        mounted = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
        if not any(Path(point).is_relative_to(self.root) for point in mounted):  # never through a mount
            shutil.rmtree(self.root)
