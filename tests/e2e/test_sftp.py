"""Issue 20: SFTP intake with a real OpenSSH server, deployed by the recipe docs/operations.md gives.

Two sender accounts with key authentication, each chrooted by `internal-sftp` into its own
root-owned folder holding `upload/` (its inbox folder) and `download/` (its outbox folder). One
uploads with OpenSSH's `sftp -b` the way WinSCP does (`.filepart`, rename, then the GO), the other
with paramiko; `flexibatch watch`, run as the unit file says under its own account, answers; each
fetches its answers back and can reach nothing else.
"""

from __future__ import annotations

import grp
import io
import json
import os
import pwd
import secrets
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from support.builders import dimona, dimona_in
from support.channel import SAMPLES
from support.sftp_host import SftpHost

A, B = "123456", "654321"
A_KEY = "123456.20260624.00001.R"
B_KEY = "654321.20260624.00001.R"


@pytest.fixture(scope="module")
def host() -> Iterator[SftpHost]:
    deployed = SftpHost(Path("/srv") / f"flexibatch-e2e-{secrets.token_hex(3)}")
    try:
        deployed.deploy()
        deployed.start_sshd()
        deployed.start_watch()
        yield deployed
    finally:
        deployed.remove()


def _winscp_upload(host: SftpHost, sender: str, files: list[Path]) -> None:
    """What WinSCP does: each file under `<name>.filepart`, renamed once complete; the GO last."""
    lines = []
    for file in files:
        if file.name.startswith("GO."):
            lines.append(f'put "{file}" "{file.name}"')
        else:
            lines += [f'put "{file}" "{file.name}.filepart"', f'rename "{file.name}.filepart" "{file.name}"']
    host.sftp_batch(sender, "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def uploaded(host: SftpHost) -> dict[str, list[str]]:
    """A's sample submission through `sftp -b`, B's two-part one through paramiko, both answered:
    the names of each sender's answers in its outbox folder."""
    samples = SAMPLES / "inbox"
    _winscp_upload(host, A, [samples / A / f"FI.DIMN.{A_KEY}.1.1.xml", samples / A / f"GO.DIMN.{A_KEY}.1"])
    with host.paramiko(B) as sftp:
        for part in (1, 2):
            name = f"FI.DIMN.{B_KEY}.2.{part}.xml"
            sftp.put(str(samples / B / name), f"{name}.filepart")
            sftp.rename(f"{name}.filepart", name)
        sftp.putfo(_empty(), f"GO.DIMN.{B_KEY}.2")
    for sender, key in ((A, A_KEY), (B, B_KEY)):
        host.answered(sender, f"FO.ACRF.{key}.DIMN")
        host.answered(sender, f"FO.NOTI.{key}.DIMN")
    return {sender: sorted(p.name for p in (host.data / "outbox" / sender).iterdir()) for sender in (A, B)}


def _empty() -> io.BytesIO:
    return io.BytesIO(b"")


def test_a_winscp_style_upload_is_answered_and_its_answers_fetched_back_with_sftp(
    host: SftpHost, uploaded: dict[str, list[str]]
) -> None:
    fetched = host.root / "clients" / A / "fetched"
    fetched.mkdir()
    host.sftp_batch(A, f'lcd "{fetched}"\ncd /download\nmget *\n')
    outbox = host.data / "outbox" / A
    assert sorted(p.name for p in fetched.iterdir()) == uploaded[A]
    assert {n: (fetched / n).read_bytes() for n in uploaded[A]} == {
        n: (outbox / n).read_bytes() for n in uploaded[A]
    }
    assert b"<ResultCode>1</ResultCode>" in (fetched / f"FO.ACRF.{A_KEY}.DIMN").read_bytes()
    # The file the channel decided is the one the sender's account uploaded.
    (archived,) = (host.data / "state.work" / "archive").glob(f"*/*/FI.DIMN.{A_KEY}.1.1.xml")
    assert archived.stat().st_uid == _uid(host.account(A))
    assert archived.read_bytes() == (SAMPLES / "inbox" / A / archived.name).read_bytes()


def test_a_paramiko_upload_is_answered_and_its_answers_fetched_back(
    host: SftpHost, uploaded: dict[str, list[str]]
) -> None:
    with host.paramiko(B) as sftp:
        listed = sorted(sftp.listdir("/download"))
        fetched = {}
        for name in listed:
            with sftp.open(f"/download/{name}", "rb") as remote:
                fetched[name] = remote.read()
    outbox = host.data / "outbox" / B
    assert listed == uploaded[B]
    assert {f"FO.ACRF.{B_KEY}.DIMN", f"FO.NOTI.{B_KEY}.DIMN", f"FO.NOTI.{B_KEY}.DIMN.csv"} <= set(listed)
    assert fetched == {name: (outbox / name).read_bytes() for name in listed}


def test_each_sender_reaches_its_own_folders_and_nothing_else(
    host: SftpHost, uploaded: dict[str, list[str]]
) -> None:
    for me, other in ((A, B), (B, A)):
        with host.paramiko(me) as sftp:
            assert sorted(sftp.listdir("/")) == ["download", "upload"]
            assert sorted(sftp.listdir("/..")) == ["download", "upload"]  # the chroot's top is its /
            assert sorted(sftp.listdir("/download")) == uploaded[me]
            for elsewhere in (
                f"/download/{uploaded[other][0]}",  # the other's answer, by its name
                str(host.data / "outbox" / other / uploaded[other][0]),  # by its real path
                str(host.chroot(other) / "download"),
                "/etc/passwd",
                "/../../etc/passwd",
            ):
                with pytest.raises(FileNotFoundError):
                    sftp.stat(elsewhere)
            with pytest.raises(PermissionError):
                sftp.putfo(_empty(), "/download/FO.ACRF.forged")  # answers are the processor's
            with pytest.raises(PermissionError):
                sftp.mkdir("/elsewhere")  # the chroot itself is root's
    # The other's folders, seen from the host: not even listable by the account.
    other_outbox = host.data / "outbox" / B
    denied = subprocess.run(
        ["setpriv", f"--reuid={host.account(A)}", f"--regid={host.account(A)}", "--init-groups", "ls", other_outbox],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert denied.returncode != 0 and "Permission denied" in denied.stderr


def test_the_modes_in_a_chroot(host: SftpHost, uploaded: dict[str, list[str]]) -> None:
    chroot = host.chroot(A)
    for folder in (chroot, *chroot.parents):  # OpenSSH's rule, all the way up
        info = folder.stat()
        assert (folder, info.st_uid, info.st_mode & 0o022) == (folder, 0, 0)
    group = _gid(host.account(A))
    service = _uid(host.vars["SERVICE_USER"])
    upload, download = (chroot / "upload").stat(), (chroot / "download").stat()
    assert (upload.st_uid, upload.st_gid, stat.S_IMODE(upload.st_mode)) == (service, group, 0o2770)
    assert (download.st_uid, download.st_gid, stat.S_IMODE(download.st_mode)) == (service, group, 0o2750)
    for name in uploaded[A]:
        answer = (chroot / "download" / name).stat()
        assert (name, answer.st_gid, stat.S_IMODE(answer.st_mode)) == (name, group, 0o640)
    assert stat.S_IMODE((host.data / "state.db").stat().st_mode) == 0o600
    for path in (host.data / "state.work").rglob("*"):
        if path.is_dir():
            assert (path, stat.S_IMODE(path.stat().st_mode)) == (path, 0o700)


KILLED = """
import sys, paramiko
port, account, key, known, name = sys.argv[1:]
client = paramiko.SSHClient()
client.load_host_keys(known)
client.connect("127.0.0.1", int(port), account, key_filename=key, look_for_keys=False, allow_agent=False)
remote = client.open_sftp().open(name + ".filepart", "wb")
remote.write(open(name, "rb").read()[:4000])  # the local file of that name, cut short
remote.flush()
print("half", flush=True)
sys.stdin.read()
"""


def test_a_client_killed_mid_upload_leaves_nothing_processed(
    host: SftpHost, uploaded: dict[str, list[str]]
) -> None:
    name = "FI.DIMN.123456.20260624.00090.R.1.1.xml"
    source = host.root / "clients" / A / name
    source.write_bytes((SAMPLES / "inbox" / A / f"FI.DIMN.{A_KEY}.1.1.xml").read_bytes())
    with subprocess.Popen(
        [sys.executable, "-c", KILLED, str(host.port), host.account(A), str(host.key(A)), str(host.known_hosts), name],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=source.parent,
    ) as client:  # fmt: skip
        assert client.stdout is not None and client.stdout.readline() == b"half\n"
        client.send_signal(signal.SIGKILL)
    # Another submission of the same sender is answered after it: watch has looked since.
    later = host.root / "clients" / A / "later"
    later.mkdir()
    for part in ("FI.DIMN.123456.20260624.00091.R.1.1.xml", "GO.DIMN.123456.20260624.00091.R.1"):
        (later / part).write_bytes(source.read_bytes() if part.startswith("FI") else b"")
    _winscp_upload(host, A, sorted(later.iterdir()))
    host.answered(A, "FO.ACRF.123456.20260624.00091.R.DIMN")

    partial = host.data / "inbox" / A / f"{name}.filepart"
    assert partial.stat().st_size == 4000  # left as the client left it
    assert not list((host.data / "outbox" / A).glob("*00090*"))
    status = json.loads(host.as_service("status", "--json", FLEXIBATCH_SETTLE="0").stdout)
    assert not [s for s in status["submissions"] if "00090" in s["file"]]
    assert {"entry": f"{A}/{name}.filepart", "kind": "UPLOAD_IN_PROGRESS"}.items() <= next(
        i for i in status["ignored"] if "00090" in i["entry"]
    ).items()


def test_a_sender_subfolder_is_shown_to_the_operator_and_said_once(
    host: SftpHost, uploaded: dict[str, list[str]]
) -> None:
    files = host.root / "clients" / B / "sub"
    files.mkdir()
    (files / "GO.DIMN.654321.20260624.00093.R.1").write_bytes(b"")
    host.sftp_batch(B, f'mkdir in\nput "{files}/GO.DIMN.654321.20260624.00093.R.1" in/\n')
    status = json.loads(host.as_service("status", "--json").stdout)
    assert [(i["entry"], i["kind"]) for i in status["ignored"] if i["folder"] == B] == [
        (f"{B}/in/", "SUBFOLDER")
    ]
    # Two more answered submissions: watch has rescanned since, and says the subfolder only once.
    for seq in ("00094", "00095"):
        for part in (f"FI.DIMN.654321.20260624.{seq}.R.1.1.xml", f"GO.DIMN.654321.20260624.{seq}.R.1"):
            (files / part).write_bytes(b"" if part.startswith("GO") else _one_declaration())
        _winscp_upload(
            host,
            B,
            [
                files / f"FI.DIMN.654321.20260624.{seq}.R.1.1.xml",
                files / f"GO.DIMN.654321.20260624.{seq}.R.1",
            ],
        )
        host.answered(B, f"FO.ACRF.654321.20260624.{seq}.R.DIMN")
    log = [
        json.loads(line)
        for line in (host.root / "watch.log").read_text().splitlines()
        if line.startswith("{")
    ]
    said = [line for line in log if line["event"] == "inbox entry ignored" and line["entry"] == f"{B}/in/"]
    assert len(said) == 1 and said[0]["kind"] == "SUBFOLDER"


def _one_declaration() -> bytes:
    return dimona(dimona_in(insz="93051822361"))


def _uid(name: str) -> int:
    return pwd.getpwnam(name).pw_uid


def _gid(name: str) -> int:
    return grp.getgrnam(name).gr_gid


@pytest.mark.parametrize(
    "name",
    [
        "flexibatch-watch.service",
        # an instance of the PostgreSQL workers' template, as `systemctl enable` names it
        "flexibatch-worker@9471.service",
    ],
)
def test_the_installed_unit_is_one_systemd_accepts(host: SftpHost, name: str) -> None:
    unit = host.root / "etc" / "systemd" / name
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert (checked.returncode, checked.stderr) == (0, "")


def test_a_sender_group_the_service_is_not_a_member_of_fails_the_submission_and_publishes_nothing(
    host: SftpHost,
) -> None:
    """As the service account (root may give any group): a sender whose group was made by hand,
    without `add-sender`, so the account never joined it."""
    place = host.root / "var" / "alone"
    group = f"{host.vars['ACCOUNT_PREFIX']}222222"
    subprocess.run(["groupadd", group], check=True)
    try:
        service = host.vars["SERVICE_USER"]
        for folder in (place, place / "inbox", place / "inbox" / "222222"):
            folder.mkdir()
            os.chown(folder, _uid(service), _gid(service))
        for name in ("FI.DIMN.222222.20260623.0000A.T.1.1", "GO.DIMN.222222.20260623.0000A.T.1"):
            (place / "inbox" / "222222" / name).write_bytes((SAMPLES / "inbox" / name).read_bytes())
        env = {
            "FLEXIBATCH_STATE": str(place / "state.db"),
            "FLEXIBATCH_INBOX": str(place / "inbox"),
            "FLEXIBATCH_OUTBOX": str(place / "outbox"),
        }
        host.as_service("refdata", "load", str(host.root / "refdata"), **env)
        with pytest.raises(subprocess.CalledProcessError) as failed:
            host.as_service("run", **env)
        assert failed.value.returncode == 1
        status = json.loads(host.as_service("status", "--json", **env).stdout)
        (failure,) = status["failed"]
        assert f"cannot be given the group {group}" in failure["reason"]
        assert "must own it and be a member of that group" in failure["reason"]
        assert not [p for p in (place / "outbox").rglob("*") if p.is_file()]
    finally:
        subprocess.run(["groupdel", group], check=True)


def test_a_sender_added_then_removed_leaves_its_folders_and_nothing_else(host: SftpHost) -> None:
    sender = "222222"
    key = host.key(sender)
    key.parent.mkdir(parents=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    host.script("add-sender", sender, f"{key}.pub")
    (host.data / "inbox" / sender / "note.txt").write_text("kept")
    with host.paramiko(sender) as sftp:
        assert sorted(sftp.listdir("/")) == ["download", "upload"]

    host.script("remove-sender", sender)

    mounts = Path("/proc/mounts").read_text()
    fstab = Path(host.vars["FSTAB"]).read_text()
    assert str(host.chroot(sender)) not in mounts and str(host.chroot(sender)) not in fstab
    assert str(host.chroot(A)) in fstab  # the other senders' lines stay
    assert not host.chroot(sender).exists()
    assert subprocess.run(["id", host.account(sender)], capture_output=True, check=False).returncode != 0
    assert (host.data / "inbox" / sender / "note.txt").read_text() == "kept"
    with pytest.raises(paramiko.AuthenticationException), host.paramiko(sender):
        pass
