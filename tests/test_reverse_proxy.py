"""Behind a real reverse proxy (Debian's HAProxy): the endpoint names its public address, never a forged one.

HAProxy terminates the public side on a free port of 127.0.0.1 and forwards to `govsocial serve`, writing
`X-Forwarded-For`, `X-Forwarded-Host` and `X-Forwarded-Proto` (as a TLS-terminating proxy would say `https`).
The server trusts one proxy (`GOVSOCIAL_TRUSTED_PROXIES=1`) or has a fixed `GOVSOCIAL_PUBLIC_URL`. What a client
sends itself, a forged `Host` or `X-Forwarded-*` header, must never become part of what we describe.
`make test` installs HAProxy (target `clients`); the module is skipped only where it is missing.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph
import pytest
import requests

from .support import free_port, stop_process

HAPROXY = shutil.which("haproxy")
pytestmark = pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (`make test` installs it)")

SD_ENDPOINT = "http://www.w3.org/ns/sparql-service-description#endpoint"
VOID_ENDPOINT = "http://rdfs.org/ns/void#sparqlEndpoint"
VOID_DUMP = "http://rdfs.org/ns/void#dataDump"
RELATIVE = "SELECT ?s WHERE { BIND(<s> AS ?s) }"

CONFIG = """
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend public
    bind 127.0.0.1:{port}
    option forwardfor
    http-request set-header X-Forwarded-Proto https
    http-request set-header X-Forwarded-Host %[req.hdr(host)]
    default_backend kg

backend kg
    server kg 127.0.0.1:{backend}
"""


class Proxy:
    """HAProxy in the foreground on a free port, in front of one backend."""

    def __init__(self, backend_url: str, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = folder / f"haproxy-{self.port}.cfg"
        config.write_text(CONFIG.format(port=self.port, backend=backend_url.rsplit(":", 1)[1]), encoding="utf-8")
        self.process = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy did not start: {self.process.stdout.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("haproxy did not open its port within 10 s")

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture(scope="module")
def proxied(start_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(proxy URL, backend URL): a server that trusts one proxy, and HAProxy in front of it."""
    backend = start_server(trusted_proxies="1").url
    proxy = Proxy(backend, tmp_path_factory.mktemp("haproxy"))
    yield proxy.url, backend
    proxy.stop()


@pytest.fixture(scope="module")
def limited(start_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A proxy in front of a server that allows one query per client at a time, with a short time limit."""
    backend = start_server(trusted_proxies="1", client_queries="1", query_timeout_s="4").url
    proxy = Proxy(backend, tmp_path_factory.mktemp("haproxy-limited"))
    yield proxy.url
    proxy.stop()


@pytest.fixture(scope="module")
def pinned(start_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A proxy in front of a server with a fixed public URL (and a trusted proxy): the setting wins."""
    backend = start_server(trusted_proxies="1", public_url="https://data.example.org/").url
    proxy = Proxy(backend, tmp_path_factory.mktemp("haproxy-pinned"))
    yield proxy.url
    proxy.stop()


def objects(url: str, path: str, predicate: str, **headers: str) -> set[str]:
    """The objects of `predicate` in the RDF description at `path`, asked for as Turtle."""
    response = requests.get(url + path, headers={"Accept": "text/turtle", **headers}, timeout=30)
    assert response.status_code == 200, response.text
    triples = pyoxigraph.parse(response.content, pyoxigraph.RdfFormat.TURTLE)
    return {quad.object.value for quad in triples if quad.predicate.value == predicate}


def resolved(url: str, **headers: str) -> str:
    """What `<s>` in a query without BASE resolves to, asked through `url`."""
    response = requests.get(
        f"{url}/sparql", params={"query": RELATIVE}, headers={"Accept": "text/csv", **headers}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.text.splitlines()[1]


def test_through_the_proxy_every_self_reference_names_the_public_address(proxied: tuple[str, str]) -> None:
    """The Service Description, VoID, the dumps, relative IRIs and the reconciliation manifest all name the
    address the client used at the proxy, with the proxy's scheme, not the backend's."""
    proxy, _ = proxied
    host = {"Host": "kg.example.org"}
    assert objects(proxy, "/sparql", SD_ENDPOINT, **host) == {"https://kg.example.org/sparql"}
    assert objects(proxy, "/.well-known/void", VOID_ENDPOINT, **host) == {"https://kg.example.org/sparql"}
    dumps = objects(proxy, "/.well-known/void", VOID_DUMP, **host)
    assert dumps and all(dump.startswith("https://kg.example.org/dumps/") for dump in dumps)
    assert resolved(proxy, **host) == "https://kg.example.org/s"
    manifest = requests.get(f"{proxy}/reconcile", headers=host, timeout=30).json()
    assert manifest["view"]["url"] == "https://kg.example.org/id/{{id}}"


def test_an_answer_for_one_public_name_is_not_served_for_another(proxied: tuple[str, str]) -> None:
    """The base is part of the cached answer's key: the same query under two names gives two answers."""
    proxy, _ = proxied
    assert resolved(proxy, Host="kg.example.org") == "https://kg.example.org/s"
    assert resolved(proxy, Host="mirror.example.net") == "https://mirror.example.net/s"
    assert resolved(proxy, Host="kg.example.org") == "https://kg.example.org/s"


def test_forwarded_headers_a_client_sends_through_the_proxy_are_not_the_ones_read(proxied: tuple[str, str]) -> None:
    """HAProxy replaces X-Forwarded-Host and -Proto and appends to X-Forwarded-For: the server reads the value
    at the trusted proxy's position, so a client's own headers change nothing."""
    proxy, _ = proxied
    forged = {"Host": "kg.example.org", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "gopher"}
    assert objects(proxy, "/sparql", SD_ENDPOINT, **forged) == {"https://kg.example.org/sparql"}
    assert resolved(proxy, **forged) == "https://kg.example.org/s"


def test_a_host_that_is_no_host_name_is_never_written_into_iris(proxied: tuple[str, str]) -> None:
    """A Host the proxy passes on but that no IRI may hold falls back to the server's own address."""
    proxy, backend = proxied
    assert resolved(proxy, Host="evil.example>") == f"{backend}/s"


def test_without_the_proxy_the_servers_own_address_is_used(start_server) -> None:
    """A server that trusts no proxy ignores X-Forwarded-* and the Host header alike."""
    backend = start_server().url
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    assert objects(backend, "/sparql", SD_ENDPOINT, **forged) == {f"{backend}/sparql"}
    assert resolved(backend, **forged) == f"{backend}/s"


def test_a_public_url_setting_wins_over_what_the_proxy_forwards(pinned: str) -> None:
    """With GOVSOCIAL_PUBLIC_URL set, the forwarded host is not used: one public name, whatever the Host."""
    forged = {"Host": "evil.example"}
    assert objects(pinned, "/sparql", SD_ENDPOINT, **forged) == {"https://data.example.org/sparql"}
    assert objects(pinned, "/.well-known/void", VOID_ENDPOINT, **forged) == {"https://data.example.org/sparql"}
    assert resolved(pinned, **forged) == "https://data.example.org/s"


def ask_from(proxy: str, source: str, query: str, **headers: str) -> int:
    """The status of a query sent from the loopback address `source`, as another machine's client would."""
    host, port = proxy.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    try:
        path = "/sparql?" + urlencode({"query": query})
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json", **headers})
        return connection.getresponse().status
    finally:
        connection.close()


def test_each_client_behind_the_proxy_is_held_to_its_own_limit(limited: str) -> None:
    """Behind the proxy the client is the address HAProxy wrote into X-Forwarded-For: while one client's query
    runs, another client is answered, and the first client cannot pose as a third one with a header of its own."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    statuses: list[int] = []
    running = threading.Thread(target=lambda: statuses.append(ask_from(limited, "127.0.0.1", slow)))
    running.start()
    try:
        time.sleep(1.0)  # the slow query holds the client's one place
        # two different queries: an answer from the result cache is never held to a client's limit
        assert ask_from(limited, "127.0.0.2", "ASK { FILTER(2 > 1) }") == 200
        assert ask_from(limited, "127.0.0.1", "ASK { FILTER(3 > 1) }", **{"X-Forwarded-For": "10.9.9.9"}) == 429
    finally:
        running.join(timeout=30)
    assert statuses == [503]  # the slow query reached its time limit
