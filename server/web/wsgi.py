"""Run the app under waitress, a production WSGI server, guarded against slow and greedy connections.

Waitress reads requests on one event loop and hands complete ones to its threads, so a slow client never
holds a thread; but by itself it lets a connection trickle its headers for as long as it likes, accepts
any number of connections from one address until its global limit (after which nobody gets in), and
spools large bodies to a temporary file before the application can refuse them. The guarded server
closes a connection that has not sent its whole request within `read_timeout_s`, refuses connections
beyond `client_connections` per address, and refuses a body above the limit as soon as its
Content-Length (or the running size of a chunked body) says so, before any of it is stored.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections import Counter
from types import FrameType
from typing import Any

from flask import Flask
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask

from server.settings import Settings
from server.web.runtime import runtime_of
from server.web.security_headers import SECURITY_HEADERS

#: The error type of each status the HTTP server answers itself, in the application's JSON shape.
_ERROR_TYPES = {400: "bad_request", 413: "query_too_large", 431: "headers_too_large"}


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)  # unwinds waitress so the query workers are closed on the way out


class _TimedParser(HTTPRequestParser):
    """A request being read, with the time its first byte arrived."""

    def __init__(self, adj: Any):
        super().__init__(adj)
        self.started = time.monotonic()


class _JsonErrorTask(ErrorTask):
    """The HTTP server's own refusals (malformed HTTP, body or headers too large) in the application's shape."""

    def execute(self) -> None:
        error = self.request.error
        body = json.dumps(
            {
                "ok": False,
                "error": f"{error.reason}: {error.body}",
                "status": error.code,
                "type": _ERROR_TYPES.get(error.code, "bad_request"),
            }
        ).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        headers = [("Content-Type", "application/json"), *SECURITY_HEADERS.items()]
        headers += getattr(self.channel.server, "error_headers", [])
        self.response_headers.extend(headers)
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _GuardedChannel(HTTPChannel):
    """A connection that the server counts per client address while it is open."""

    parser_class = _TimedParser
    error_task_class = _JsonErrorTask

    def __init__(self, server: GuardedServer, sock: Any, addr: Any, adj: Any, map: Any = None):
        self.client_host = addr[0]  # before the base class registers the channel (add_channel)
        super().__init__(server, sock, addr, adj, map)

    def add_channel(self, map: Any = None) -> None:
        super().add_channel(map)
        self.server.per_host[self.client_host] += 1

    def del_channel(self, map: Any = None) -> None:
        registered = self._fileno in self.server.active_channels
        super().del_channel(map)
        if registered:
            self.server.per_host[self.client_host] -= 1
            if self.server.per_host[self.client_host] <= 0:
                del self.server.per_host[self.client_host]


class GuardedServer(TcpWSGIServer):
    """Waitress's TCP server with a deadline for reading a request and a connection cap per client."""

    channel_class = _GuardedChannel
    read_timeout: float = 10.0
    error_headers: list[tuple[str, str]] = []  # noqa: RUF012 - set per instance by make_server
    client_connections: int = 0
    refused_connections = 0
    closed_slow = 0
    per_host: Counter[str]  # open connections per client address, kept by the channels

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
        except OSError:
            return
        if accepted is None:
            return
        conn, addr = accepted
        if self.client_connections and self.per_host[addr[0]] >= self.client_connections:
            self.refused_connections += 1
            conn.close()  # refused before a byte is read: the client has enough connections open
            return
        try:
            self.set_socket_options(conn)
        except OSError:
            conn.close()
            return
        self.channel_class(self, conn, self.fix_addr(addr), self.adj, map=self._map)

    def maintenance(self, now: float) -> None:
        """Close idle connections (waitress), and those still sending a request after `read_timeout`."""
        super().maintenance(now)
        deadline = time.monotonic() - self.read_timeout
        for channel in list(self.active_channels.values()):
            request = channel.request
            if request is not None and not request.completed and request.started < deadline and not channel.will_close:
                channel.will_close = True
                self.closed_slow += 1


def make_server(app: Flask, settings: Settings, *, port: int | None = None) -> GuardedServer:
    """The guarded HTTP server for an app, listening but not yet serving."""
    body_limit = app.config["MAX_CONTENT_LENGTH"]
    adjustments = Adjustments(
        host=settings.host,
        port=settings.port if port is None else port,
        threads=settings.request_threads,
        ident="govsocial",
        connection_limit=settings.max_connections,
        max_request_body_size=body_limit + 1,  # waitress refuses at >=, so a body of the limit passes
        inbuf_overflow=max(body_limit + 1, 512 * 1024),  # an accepted body stays in memory, never on disk
        cleanup_interval=1,
        channel_timeout=max(settings.read_timeout_s, 30),
        asyncore_use_poll=True,  # select() stops at 1024 descriptors
        # waitress drops every X-Forwarded-* header unless told otherwise: right with no proxy in front (none can
        # then be believed), but behind trusted proxies the app reads them at the proxies' position itself
        # (ProxyFix for the client, server.web.public_address for scheme and host)
        clear_untrusted_proxy_headers=not settings.trusted_proxies,
    )
    server = GuardedServer(app, map={}, adj=adjustments)
    server.read_timeout = settings.read_timeout_s
    server.per_host = Counter()
    server.error_headers = [("Access-Control-Allow-Origin", "*")] if settings.cors else []
    server.client_connections = 0 if settings.trusted_proxies else settings.client_connections
    return server


def serve(app: Flask, settings: Settings) -> None:
    """Serve until interrupted; prints the address so a user knows where to point their client."""
    signal.signal(signal.SIGTERM, _exit_on_term)
    server = make_server(app, settings)
    print(f"GovSocial KG: SPARQL endpoint at http://{settings.host}:{settings.port}/sparql", flush=True)
    try:
        server.run()
    finally:
        runtime_of(app).close()
