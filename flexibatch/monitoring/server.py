"""The HTTP side of `watch --metrics HOST:PORT`: `/metrics` in Prometheus' text format and
`/healthz` (200 `ok`, or 503 and the reason in one line), served from a thread of its own."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

from flexibatch.errors import ConfigError

StartResponse = Callable[..., Any]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes every few seconds: not logged
        return None


def address(text: str) -> tuple[str, int]:
    """HOST:PORT, such as 127.0.0.1:9464, [::1]:9464 or :9464 (every address); port 0 takes a free one."""
    found = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^:\[\]]*):([0-9]{1,5})", text.strip())
    if found is None or not 0 <= int(found.group(2)) < 65536:
        raise ValueError(f"--metrics takes HOST:PORT, such as 127.0.0.1:9464, not {text!r}")
    return found.group(1).strip("[]"), int(found.group(2))


class MonitoringServer:
    def __init__(
        self, where: tuple[str, int], registry: CollectorRegistry, health: Callable[[], tuple[bool, str]]
    ):
        metrics = make_wsgi_app(registry)

        def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            if path == "/metrics":
                return metrics(environ, start_response)  # type: ignore[no-any-return]
            if path == "/healthz":
                healthy, why = health()
                start_response(
                    "200 OK" if healthy else "503 Service Unavailable", [("Content-Type", "text/plain")]
                )
                return [why.encode("utf-8") + b"\n"]
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"/metrics or /healthz\n"]

        host, port = where
        try:
            self._server = make_server(
                host, port, app, server_class=_Server6 if ":" in host else _Server, handler_class=_Quiet
            )
        except OSError as exc:
            raise ConfigError(f"--metrics {host}:{port} cannot be served: {exc.strerror or exc}") from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="flexibatch-metrics", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def __enter__(self) -> MonitoringServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
