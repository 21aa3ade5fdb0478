"""A remote engine that misbehaves on purpose: the front end fails loudly, never answers or caches a wrong body.

The stand-in engine is a small HTTP server in this process in front of a real `oxigraph serve-read-only` on a
copy of the build. By default it forwards each query there; a test switches it to one misbehaviour at a time:
a 200 whose body is cut, a body shorter than its Content-Length, a row cap, an HTML page, each error status,
a dataset of another build. Each test sends its own query, so no answer comes from the result cache.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests

from server.store.builds import DUMPS_DIR, current_build

from .support import oxigraph_server

TIMEOUT = 30


class StandIn:
    """The misbehaving engine: forwards to `upstream` unless `mode` says otherwise."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.mode = "forward"
        self.seen: list[dict[str, list[str]]] = []  # the form fields of each query received
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                standin.seen.append(parse_qs(body.decode("utf-8")))
                standin.answer(self, body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        request = urllib.request.Request(
            self.upstream,
            data=body,
            headers={"Content-Type": handler.headers["Content-Type"], "Accept": handler.headers["Accept"]},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", "text/plain"), error.read()

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        mode = self.mode
        query = parse_qs(body.decode("utf-8")).get("query", [""])[0]
        if mode == "other-version" and "versionInfo" in query:
            return _send(handler, 200, "application/sparql-results+json", b'{"head":{},"boolean":false}')
        if mode in ("forward", "other-version"):
            return _send(handler, *self.forward(handler, body))
        _, content_type, payload = self.forward(handler, body)
        if mode == "cut":  # a 200 whose body stops in the middle, as an engine that fails while it streams
            return _send(handler, 200, content_type, payload[: len(payload) // 2] + b"\nError: SERVICE failed")
        if mode == "short":  # the connection closes before the Content-Length is reached
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload) + 1000))
            handler.end_headers()
            handler.wfile.write(payload[: len(payload) // 2])
            handler.close_connection = True
            return None
        if mode == "drop-row" and content_type.startswith("application/sparql-results+json"):
            answer = json.loads(payload)  # one row fewer: the engine's property paths or caps lose rows
            if answer.get("results", {}).get("bindings"):
                answer["results"]["bindings"].pop()
            return _send(handler, 200, content_type, json.dumps(answer).encode())
        if mode == "row-cap":
            return _send(handler, 200, content_type, payload, {"X-SPARQL-MaxRows": "10000"})
        if mode == "html":
            return _send(handler, 200, "text/html", b"<html><body>Maintenance</body></html>")
        if mode.isdigit():
            return _send(handler, int(mode), "text/plain", f"engine says {mode}".encode())
        if mode == "500-time-limit":  # as Virtuoso answers a query past its MaxQueryExecutionTime
            return _send(handler, 500, "text/plain", b"Virtuoso S1T00 Error SR171: Transaction timed out")
        raise AssertionError(f"unknown mode {mode}")

    def close(self) -> None:
        self.server.shutdown()


def _send(
    handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes, headers: dict | None = None
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture(scope="module")
def standin(replica: str) -> Iterator[StandIn]:
    engine = StandIn(replica)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def front(start_server, standin: StandIn) -> str:
    """Our server in front of the stand-in, with a result cache (so a wrong answer would be served twice)."""
    url = start_server(engine_url=standin.url, query_timeout_s="10").url
    wait_for_health(url, 200)
    return url


@pytest.fixture(autouse=True)
def forward_again(standin: StandIn) -> Iterator[None]:
    yield
    standin.mode = "forward"


def wait_for_health(url: str, status: int, seconds: float = 60) -> dict:
    """Poll /-/health until it answers `status` (the engine check runs in the background at start)."""
    deadline = time.monotonic() + seconds
    while True:
        response = requests.get(f"{url}/-/health", timeout=TIMEOUT)
        if response.status_code == status or time.monotonic() > deadline:
            assert response.status_code == status, response.text
            return response.json()
        time.sleep(0.2)


def ask(url: str, query: str, accept: str = "application/sparql-results+json") -> requests.Response:
    return requests.get(f"{url}/sparql", params={"query": query}, headers={"Accept": accept}, timeout=TIMEOUT)


LABELS = "SELECT ?l WHERE {{ ?x rdfs:label ?l }} LIMIT {}"


def test_an_engine_holding_the_build_is_healthy_and_answers(front: str) -> None:
    """The start check ran every recorded example through the engine and found them equal."""
    health = wait_for_health(front, 200)
    assert health["ok"] is True and health["engine_check"]["ok"] is True
    assert health["engine_check"]["examples_checked"] >= 10
    response = ask(front, LABELS.format(3))
    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 3


@pytest.mark.parametrize(
    ("mode", "accept", "words"),
    [
        ("cut", "application/sparql-results+json", "cut or malformed"),
        ("cut", "text/csv", "cut or malformed"),  # CSV cannot show a cut: the engine's JSON is checked instead
        ("short", "application/sparql-results+json", "ended its answer early"),
        ("row-cap", "application/sparql-results+json", "row limit"),
        ("html", "text/csv", "not a SPARQL result format"),
    ],
)
def test_a_cut_or_wrong_200_is_a_502_and_never_cached(
    front: str, standin: StandIn, mode: str, accept: str, words: str
) -> None:
    """A body that is cut, shorter than announced, capped or no result at all is 502 engine_failed with the
    engine's words; asked again once the engine is well, the same query gets the whole answer, not a cached cut."""
    query = LABELS.format(40 + len(mode) + len(accept))
    standin.mode = mode
    failed = ask(front, query, accept)
    assert failed.status_code == 502, failed.text
    assert failed.json()["type"] == "engine_failed" and words in failed.json()["error"]
    standin.mode = "forward"
    again = ask(front, query, accept)
    assert again.status_code == 200 and again.headers["X-Cache"] == "miss"


@pytest.mark.parametrize(
    ("status", "answered", "kind"),
    [
        ("500", 502, "engine_failed"),
        ("502", 502, "engine_failed"),
        ("403", 502, "engine_failed"),
        ("406", 502, "engine_failed"),
        ("415", 502, "engine_failed"),
        ("408", 503, "limit_reached"),
        ("503", 503, "limit_reached"),
    ],
)
def test_engine_statuses_are_mapped_to_what_they_mean(
    front: str, standin: StandIn, status: str, answered: int, kind: str
) -> None:
    """An engine's error status is said as what it means to the client, with the engine's words; never all 503."""
    standin.mode = status
    response = ask(front, LABELS.format(100 + int(status)))
    assert response.status_code == answered, response.text
    assert response.json()["type"] == kind and f"engine says {status}" in response.json()["error"]


def test_an_engines_own_time_limit_is_a_limit_reached_even_as_a_500(front: str, standin: StandIn) -> None:
    """An engine that answers its time limit with a 500 and words saying so is a 503 limit_reached for the
    client, as our own limit is: the query is too costly, the engine is not broken."""
    standin.mode = "500-time-limit"
    response = ask(front, LABELS.format(977))
    assert response.status_code == 503, response.text
    assert response.json()["type"] == "limit_reached" and "timed out" in response.json()["error"]


def test_an_engine_of_another_build_makes_health_503_with_the_reason(front: str, standin: StandIn) -> None:
    """The version is asked again at most every few seconds: an engine reloaded with another build takes the
    front end out of a balancer's rotation, and back once the engine holds ours again."""
    standin.mode = "other-version"
    health = wait_for_health(front, 503, seconds=20)
    assert health["ok"] is False and "does not hold this build" in health["engine_check"]["reasons"][0]
    standin.mode = "forward"
    wait_for_health(front, 200, seconds=20)


def test_an_engine_that_answers_an_example_otherwise_is_named_unhealthy(start_server, standin: StandIn) -> None:
    """Started in front of an engine that loses rows, the front end never becomes healthy, and names each example
    that answered otherwise with its row counts."""
    standin.mode = "drop-row"
    url = start_server(engine_url=standin.url, query_timeout_s="10").url
    health = wait_for_health(url, 503)
    deadline = time.monotonic() + 60
    while "checking" in health["engine_check"]["reasons"][0] and time.monotonic() < deadline:
        time.sleep(0.5)
        health = requests.get(f"{url}/-/health", timeout=TIMEOUT).json()
    reasons = health["engine_check"]["reasons"]
    assert len(reasons) >= 10 and all(reason.startswith("example ") for reason in reasons), reasons
    assert any(re.search(r"answers (\d+) rows on the engine where the build answered (\d+)$", r) for r in reasons)


def test_a_vendor_pragma_is_refused_and_never_forwarded(front: str, standin: StandIn) -> None:
    """Virtuoso's `define` would change how the engine evaluates: it is not SPARQL, and the engine never sees it."""
    before = len(standin.seen)
    response = ask(front, "define input:inference 'x' SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert response.status_code == 400 and "vendor pragma" in response.json()["error"]
    assert len(standin.seen) == before


@pytest.fixture(scope="module")
def named_only(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An engine loaded from the N-Quads dump: the named graphs only, its default graph empty."""
    dump = current_build(built_store_dir) / DUMPS_DIR / "govsocial.nq.gz"
    plain = tmp_path_factory.mktemp("dump") / "govsocial.nq"
    import gzip

    plain.write_bytes(gzip.decompress(dump.read_bytes()))
    with oxigraph_server(tmp_path_factory.mktemp("named") / "oxigraph", load=plain) as url:
        yield url


def test_an_engine_holding_only_the_named_graphs_gets_them_as_the_dataset(start_server, named_only: str) -> None:
    """With GOVSOCIAL_ENGINE_DATASET=named each query names the build's graphs: the examples answer as the build
    did (health 200), and a query of its own FROM is left as it is."""
    url = start_server(engine_url=named_only, engine_dataset="named", query_timeout_s="20").url
    health = wait_for_health(url, 200, seconds=120)
    assert health["engine_check"]["examples_checked"] >= 10
    count = ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s a gs:Departure }").json()
    assert int(count["results"]["bindings"][0]["n"]["value"]) > 50
    own = ask(
        url, "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/govsocial/graph/ontology> WHERE { ?s a gs:Departure }"
    )
    assert json.loads(own.content)["results"]["bindings"][0]["n"]["value"] == "0"
