"""Hosts of their own for the tests: a network namespace per host, joined to the root namespace
by a veth pair, so its only way to a server in the root namespace is that link (which a test may
cut: `ip link set ... down`). Everything made is removed at the end, even after a failure."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@dataclass(frozen=True)
class Host:
    """One namespace: its name, its end of the link, the root namespace's end, its address and
    the root end's."""

    namespace: str
    link: str
    root_end: str
    address: str
    gateway: str

    def command(self, *argv: str) -> list[str]:
        """`argv` run inside this host's namespace."""
        return ["ip", "netns", "exec", self.namespace, *argv]

    def cut(self) -> None:
        """The link down at the root namespace's end, as a switch between the hosts that dies: the
        host's own interface stays up, so what it sends is lost without an error, and each end
        finds the other gone only by its timeouts (decision 87)."""
        _ip("link", "set", self.root_end, "down")

    def mend(self) -> None:
        _ip("link", "set", self.root_end, "up")


def subnet_prefix() -> str:
    """`10.N`, N from this process's id: concurrent test runs on one machine use different nets."""
    return f"10.{100 + os.getpid() % 150}"


@contextlib.contextmanager
def hosts(count: int) -> Iterator[list[Host]]:
    """`count` hosts, host i on 10.N.i.2/24 with the root namespace at 10.N.i.1."""
    tag = f"fb{os.getpid() % 100000}"
    prefix = subnet_prefix()
    made: list[Host] = []
    try:
        for number in range(count):
            root_end = f"{tag}r{number}"
            host = Host(
                f"{tag}h{number}", f"{tag}w{number}", root_end, f"{prefix}.{number}.2", f"{prefix}.{number}.1"
            )
            _ip("netns", "add", host.namespace)
            made.append(host)
            _ip("link", "add", root_end, "type", "veth", "peer", "name", host.link)
            _ip("link", "set", host.link, "netns", host.namespace)
            _ip("addr", "add", f"{host.gateway}/24", "dev", root_end)
            _ip("link", "set", root_end, "up")
            _ip("netns", "exec", host.namespace, "ip", "addr", "add", f"{host.address}/24", "dev", host.link)
            _ip("netns", "exec", host.namespace, "ip", "link", "set", host.link, "up")
            _ip("netns", "exec", host.namespace, "ip", "link", "set", "lo", "up")
        yield made
    finally:
        for host in made:
            # Deleting the namespace deletes its end of the pair, and with it the root end.
            subprocess.run(["ip", "netns", "del", host.namespace], check=False, capture_output=True)
            subprocess.run(["ip", "link", "del", host.root_end], check=False, capture_output=True)
