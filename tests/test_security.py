"""The endpoint under attack: SERVICE never reaches a host off the allowlist, one client cannot starve the
others, slow and oversized requests are shed, and cache keys cannot collide.

Every test talks to real servers on 127.0.0.1 (or other loopback addresses, which all reach them) and a
real trap socket that records every connection made to it.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from server.engine import procfs
from server.engine.failures import QueryFailure
from server.engine.isolation import probe
from server.engine.jobs import QueryJob
from server.engine.pool import WorkerFactory, WorkerLanes
from server.engine.querytext import inspect
from server.rdf.namespaces import PREFIXES
from server.settings import Settings
from server.store.builds import ENGINE_DIR, current_build
from server.web.caching import key_digest

from .support import Listener

TIMEOUT = 30
JSON = "application/sparql-results+json"
#: The result limit of the jobs sent to the workers directly (the default of max_result_bytes).
LIMIT = Settings().max_result_bytes
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def trap() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()


def adversarial(target: str) -> list[str]:
    """Queries that call `target` in forms a lexer may miss; each evaluates its SERVICE if the engine runs it."""
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ service<{target}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICESILENT<{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE SiLeNt <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?o {{ 1 }} ?s ?p ?o . ?s ?q 1SERVICE<{target}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p true SERVICE<{target}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p trueSERVICE<{target}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p 1.5e3SERVICE<{target}> {{ ?a ?b ?c }} }}",
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a\\' SERVICE <{target}> {{ ?a ?b ?c }} }} #'",
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a\\# . SERVICE <{target}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ # \\\\u000A '''\n SERVICE <{target}> {{ ?a ?b ?c }} }} # '''",
        f"SELECT * WHERE {{ # \\u000A '''\n SERVICE <{target}> {{ ?a ?b ?c }} }} # '''",
        "SELECT * WHERE { SERVICE <" + target.replace("/sparql", "\\u002Fsparql") + "> { ?a ?b ?c } }",
        f"PREFIX t: <{target.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE t:sparql {{ ?a ?b ?c }} }}",
        f"BASE <{target.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?a ?b ?c }} }}",
        f'SELECT * WHERE {{ ?s ?p "x" SERVICE <{target}> {{ ?a ?b ?c }} }}',
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }} }} }}",
        f"ASK {{ SERVICE <{target}> {{ ?a ?b ?c }} }}",
        f"CONSTRUCT {{ ?a ?b ?c }} WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{target}> {{ ?a ?b ?c }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{target}> {{ ?a ?b ?c }} }} }}",
    ]


@pytest.mark.parametrize("index", range(len(adversarial("http://127.0.0.1:9/sparql"))))
def test_the_lexer_finds_every_service_call_of_the_corpus(index: int) -> None:
    """Each adversarial form is read as a call to the trap (or refused as unresolvable), never missed."""
    target = "http://127.0.0.1:9/sparql"
    facts = inspect(adversarial(target)[index], PREFIXES)
    assert facts.services, "the SERVICE call was not found"
    assert all(found in (target, None) for found in facts.services), facts.services


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s rdfs:label 'Service' }",
        "SELECT * WHERE { ?s ?p ?o . FILTER(?o = 'SERV\\u0049CE') }",
    ],
)
def test_mentions_of_service_that_are_not_calls_are_counted(text: str) -> None:
    facts = inspect(text, PREFIXES)
    assert facts.services == ()
    assert facts.unexplained_mentions


def test_a_query_without_service_has_no_unexplained_mentions() -> None:
    assert not inspect("SELECT * WHERE { ?s ?p ?o } LIMIT 1", PREFIXES).unexplained_mentions


@pytest.fixture(scope="module", params=["namespace", "lexical"])
def isolated_server(request: pytest.FixtureRequest, start_server) -> tuple[str, str]:
    """A server in each isolation mode (namespace only where this host allows it), and the mode."""
    if request.param == "namespace" and probe() is not None:
        pytest.skip(f"this host refuses network namespaces: {probe()}")
    server = start_server(service_isolation=request.param, workers="2", query_timeout_s="10")
    health = requests.get(f"{server.url}/-/health", timeout=TIMEOUT).json()
    expected = "network-namespace" if request.param == "namespace" else "lexical"
    assert health["service_isolation"] == expected
    return server.url, request.param


@pytest.mark.parametrize("index", range(len(adversarial("http://127.0.0.1:9/sparql"))))
def test_no_adversarial_query_reaches_the_trap(isolated_server: tuple[str, str], trap: Listener, index: int) -> None:
    """Every form of the corpus is refused (403, or 400 where the engine rejects it) and nothing connects."""
    url, _ = isolated_server
    query = adversarial(trap.url)[index]
    response = requests.post(f"{url}/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=TIMEOUT)
    time.sleep(0.05)
    assert trap.connections == 0, f"the query reached the trap: {query!r} -> {response.status_code}"
    assert response.status_code in (400, 403), response.text[:300]
    if response.status_code == 403:
        assert response.json()["type"] == "service_not_allowed"


def test_an_allowlisted_call_reaches_its_endpoint(start_server, trap: Listener) -> None:
    """The trap really records calls: with the trap on the allowlist, the same query gets through to it."""
    server = start_server(service_allowlist=trap.url)
    query = f"SELECT * WHERE {{ SERVICE <{trap.url}> {{ ?s ?p ?o }} }}"
    response = requests.post(f"{server.url}/sparql", data={"query": query}, timeout=TIMEOUT)
    assert trap.connections >= 1
    assert response.status_code == 502 and response.json()["type"] == "service_failed"


def test_service_mentioned_in_a_string_is_refused_only_without_isolation(isolated_server: tuple[str, str]) -> None:
    """Fail closed: without network isolation a query that writes SERVICE outside a checked call is 403."""
    url, mode = isolated_server
    query = "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, 'Service')) } LIMIT 1"
    response = requests.post(f"{url}/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=TIMEOUT)
    if mode == "namespace":
        assert response.status_code == 200, response.text[:300]
    else:
        assert response.status_code == 403 and response.json()["type"] == "service_not_allowed"


@pytest.mark.parametrize("relative", ["sparql", "", "/sparql", "../sparql"])
def test_a_relative_service_iri_without_base_is_refused_though_queries_now_have_a_base(
    isolated_server: tuple[str, str], relative: str
) -> None:
    """Relative IRIs of a query resolve against the endpoint's address; a relative SERVICE endpoint would so
    call back into this server (or wherever the base points): it stays unresolvable, and refused, in each mode."""
    url, _ = isolated_server
    query = f"SELECT * WHERE {{ SERVICE <{relative}> {{ ?s ?p ?o }} }}"
    response = requests.post(f"{url}/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=TIMEOUT)
    assert response.status_code == 403 and response.json()["type"] == "service_not_allowed", response.text[:300]


@pytest.fixture(scope="module")
def lanes(built_store_dir: Path) -> Iterator[WorkerLanes]:
    """The embedded engine itself, with isolated workers (skipped where the host refuses the isolation)."""
    if probe() is not None:
        pytest.skip(f"this host refuses network namespaces: {probe()}")
    factory = WorkerFactory(str(current_build(built_store_dir) / ENGINE_DIR), 2048)
    engine = WorkerLanes(factory, {"query": 1, "service": 1, "page": 1}, isolation="network-namespace")
    yield engine
    engine.close()


@pytest.mark.parametrize("lane", ["query", "page"])
def test_a_call_the_lexer_missed_fails_inside_an_isolated_worker(lanes: WorkerLanes, trap: Listener, lane: str) -> None:
    """Defence in depth: a SERVICE call that reached a worker without network connects nowhere."""
    job = QueryJob(f"SELECT * WHERE {{ SERVICE <{trap.url}> {{ ?s ?p ?o }} }}", JSON, LIMIT, lane=lane)
    with pytest.raises(QueryFailure) as failure:
        lanes.run(job, 10)
    assert failure.value.kind == "blocked", failure.value.message
    assert trap.connections == 0


def test_the_service_lane_keeps_the_network(lanes: WorkerLanes, trap: Listener) -> None:
    job = QueryJob(
        f"SELECT * WHERE {{ SERVICE <{trap.url}> {{ ?s ?p ?o }} }}", JSON, LIMIT, lane="service", calls_service=True
    )
    with pytest.raises(QueryFailure) as failure:
        lanes.run(job, 10)
    assert failure.value.kind == "remote"
    assert trap.connections >= 1


# --------------------------------------------------------------------------------------------------
# Fair sharing
# --------------------------------------------------------------------------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def request_from(
    source: str, port: int, method: str, path: str, body: str | None, headers: dict, timeout: float
) -> tuple[int, float]:
    """One request from a given loopback address; (status, seconds), status 0 when the client gave up."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except (OSError, http.client.HTTPException):
        return 0, time.monotonic() - started
    finally:
        connection.close()


def post_from(
    source: str, port: int, query: str, timeout: float = 10, headers: dict | None = None
) -> tuple[int, float]:
    body = urlencode({"query": query})
    return request_from(
        source, port, "POST", "/sparql", body, {"Content-Type": FORM, "Accept": JSON, **(headers or {})}, timeout
    )


def get_from(source: str, port: int, path: str, timeout: float = 5) -> tuple[int, float]:
    return request_from(source, port, "GET", path, None, {}, timeout)


@contextmanager
def runaway_client(port: int, source: str, concurrency: int, headers_of=None) -> Iterator[list[int]]:
    """`concurrency` threads that keep runaway queries in flight from one address until the block ends."""
    statuses: list[int] = []
    stop = threading.Event()

    def loop(number: int) -> None:
        while not stop.is_set():
            headers = headers_of(number) if headers_of else None
            status, _ = post_from(source, port, RUNAWAY + f" # {number}", timeout=30, headers=headers)
            statuses.append(status)
            stop.wait(0.1)

    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)  # the runaways take their workers first
        yield statuses
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=40)


@pytest.fixture(scope="module")
def fair_server(start_server):
    return start_server(query_timeout_s="15", prewarm_examples="false")


@pytest.mark.slow
def test_one_client_with_eight_runaways_does_not_starve_another(fair_server) -> None:
    """Client A keeps 8 runaway queries in flight; B's cheap queries (every 0.5 s) and /-/health still answer."""
    port = fair_server.port
    cheap, health = [], []
    with runaway_client(port, "127.0.0.2", 8) as attacker:
        for number in range(20):
            cheap.append(post_from("127.0.0.3", port, f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 1 # {number}"))
            health.append(get_from("127.0.0.4", port, "/-/health"))
            time.sleep(0.5)
    fast = [status == 200 and seconds < 2 for status, seconds in cheap]
    assert sum(fast) / len(fast) >= 0.95, cheap
    assert all(status == 200 and seconds < 1 for status, seconds in health), health
    assert 429 in attacker, "the attacker was never told to slow down"


@pytest.mark.slow
def test_a_client_over_its_share_gets_429_with_retry_after(fair_server) -> None:
    port = fair_server.port
    with runaway_client(port, "127.0.0.7", 2):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=("127.0.0.7", 0))
        connection.request("POST", "/sparql", urlencode({"query": RUNAWAY + " # extra"}), {"Content-Type": FORM})
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
    assert response.status == 429
    assert response.getheader("Retry-After", "").isdigit()
    assert body["type"] == "too_many_requests" and body["client_queries"] == 2


@pytest.mark.slow
def test_x_forwarded_for_does_not_buy_a_bigger_share_without_trusted_proxies(fair_server) -> None:
    """A client cannot pose as many by writing X-Forwarded-For itself."""
    port = fair_server.port
    with runaway_client(port, "127.0.0.8", 6, headers_of=lambda n: {"X-Forwarded-For": f"10.9.9.{n}"}) as statuses:
        time.sleep(2)
    assert statuses.count(429) >= 4, statuses


# --------------------------------------------------------------------------------------------------
# Slow and oversized requests
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded_server(start_server):
    return start_server(read_timeout_s="3", client_connections="16")


def _open_slow(port: int, source: str, count: int) -> list[socket.socket]:
    opened = []
    for _ in range(count):
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
            connection.sendall(b"GET /-/health HTTP/1.1\r\nHost: x\r\n")
            opened.append(connection)
        except OSError:
            pass
    return opened


def test_three_hundred_slow_connections_do_not_take_the_server_down(guarded_server) -> None:
    """300 connections trickling header bytes, from one address and from 150 others: /-/health stays fast."""
    port = guarded_server.port
    slow = _open_slow(port, "127.0.0.9", 150)
    for number in range(150):
        slow += _open_slow(port, f"127.0.1.{number + 1}", 1)
    try:
        probes = []
        for round_ in range(8):
            for connection in slow:
                with suppress(OSError):
                    connection.send(b"X")
            probes.append(get_from("127.0.0.10", port, "/-/health"))
            time.sleep(0.5 if round_ else 0)
        assert all(status == 200 and seconds < 2 for status, seconds in probes), probes
    finally:
        for connection in slow:
            connection.close()


def test_a_connection_that_never_finishes_its_headers_is_closed(guarded_server) -> None:
    (connection,) = _open_slow(guarded_server.port, "127.0.0.11", 1)
    started = time.monotonic()
    connection.settimeout(15)
    try:
        while time.monotonic() - started < 12:
            connection.send(b"X")  # one byte a second keeps an idle timeout from firing, not the read deadline
            ready = connection.recv(1024) if _readable(connection, 1) else None
            if ready is not None:
                break
    except OSError:
        pass
    finally:
        connection.close()
    assert time.monotonic() - started < 10, "the trickling connection was not closed by the read deadline"


def _readable(connection: socket.socket, seconds: float) -> bool:
    import select

    return bool(select.select([connection], [], [], seconds)[0])


def test_a_client_cannot_open_more_connections_than_its_cap(guarded_server) -> None:
    slow = _open_slow(guarded_server.port, "127.0.0.12", 40)
    try:
        time.sleep(0.5)
        alive = 0
        for connection in slow:
            connection.setblocking(False)
            try:
                alive += connection.recv(1) != b""
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        assert alive <= 16, alive
        assert get_from("127.0.0.13", guarded_server.port, "/-/health")[0] == 200
    finally:
        for connection in slow:
            connection.close()


def _server_temp_files(pid: int) -> int:
    """Bytes in deleted temporary files the server process holds open (where waitress spools bodies)."""
    total = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if "(deleted)" in target or target.startswith("/tmp/"):
            with suppress(OSError):
                total += os.stat(fd).st_size
    return total


def test_a_huge_content_length_is_refused_before_the_body_is_sent(guarded_server) -> None:
    """413 in our shape arrives while the client has sent only its headers; nothing is spooled to disk."""
    with socket.create_connection(("127.0.0.1", guarded_server.port), timeout=10) as connection:
        connection.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100000000\r\n\r\n"
        )
        answer = b""  # read before sending a byte of the body: the refusal must come first
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b" 413 " in head.partition(b"\r\n")[0]
    assert json.loads(body)["type"] == "query_too_large"
    assert _server_temp_files(guarded_server.process.pid) < 1_000_000


def test_a_chunked_body_is_refused_once_its_running_size_passes_the_limit(guarded_server) -> None:
    with socket.create_connection(("127.0.0.1", guarded_server.port), timeout=10) as connection:
        connection.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        answer = b""
        sent = 0
        for _ in range(100):
            try:
                connection.sendall(b"10000\r\n" + b"x" * 0x10000 + b"\r\n")
                sent += 0x10000
            except OSError:
                break
            if _readable(connection, 0.01):
                answer = connection.recv(65536)
                break
    assert b" 413 " in answer.partition(b"\r\n")[0], answer[:200]
    assert sent <= 1_000_000


# --------------------------------------------------------------------------------------------------
# Cache keys, dead workers
# --------------------------------------------------------------------------------------------------


def test_cache_key_parts_are_unambiguous() -> None:
    assert key_digest("a\0b", "c") != key_digest("a", "b\0c")
    assert key_digest("ab", "") != key_digest("a", "b")


def test_a_nul_in_a_comment_does_not_collide_with_a_protocol_dataset(server_url: str) -> None:
    """`Q + NUL + G` without a dataset and `Q` with default-graph-uri=G are different requests."""
    graph = "https://w3id.org/govsocial/graph/ontology"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } #"
    first = requests.post(f"{server_url}/sparql", data={"query": query + "\0" + graph}, timeout=TIMEOUT)
    second = requests.post(f"{server_url}/sparql", data={"query": query, "default-graph-uri": graph}, timeout=TIMEOUT)
    assert first.status_code == second.status_code == 200
    assert second.headers["X-Cache"] == "miss"
    assert first.headers["ETag"] != second.headers["ETag"]
    assert first.json() != second.json()


def test_workers_of_a_dead_store_process_are_never_handed_out(start_server) -> None:
    """After the process holding the store dies, queries are answered again, not refused at once."""
    server = start_server(workers="2", prewarm_examples="false")
    table = procfs.processes()
    for child in [pid for pid, process in table.items() if process.ppid == server.process.pid]:
        if procfs.descendants(child, table):  # the holder is the child with children of its own: the workers
            os.kill(child, signal.SIGKILL)
    time.sleep(0.5)
    response = requests.post(
        f"{server.url}/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON}, timeout=60
    )
    assert response.status_code == 200, response.text[:300]
