"""Hard limits: a runaway query is stopped at query_timeout_s and its CPU is freed, an oversized result is
an error of its own, a query that exhausts a worker's memory costs only that worker, and nothing takes
the server down.

The CPU claims are measured, not assumed: the server's query workers are its child processes, found
in /proc by their parent pid, and their CPU time (utime + stime) is read from /proc/<pid>/stat.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from server.engine import procfs

from .support import Http, assert_error
from .support import health as support_health

TIMEOUT = 90
QUERY_TIMEOUT_S = 2.0
MAX_RESULT_BYTES = 20000

#: Queries that run far longer than two seconds on our data (about 3,300 triples).
RUNAWAYS = {
    "cross-product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "property-path": "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:q>|^!<urn:q>)* ?b }",
    "path-join": "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:p>|!<urn:q>)*/(<urn:p>|!<urn:q>)* ?b }",
}
CROSS_PRODUCT = RUNAWAYS["cross-product"]
#: Ten million rows to sort: more than a worker limited to 1500 MiB can hold.
MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


def unique(query: str) -> str:
    """The query with a unique comment, so no answer cache can serve it: it must reach a worker."""
    return f"{query}\n# {uuid.uuid4()}"


def run(server_url: str, query: str, accept: str = "application/sparql-results+json", **kwargs) -> requests.Response:
    """GET a query (the form a browser link has)."""
    return requests.get(
        f"{server_url}/sparql", params={"query": query}, headers={"Accept": accept}, timeout=TIMEOUT, **kwargs
    )


def health(server_url: str) -> dict:
    return support_health(Http(server_url))


def wait_for_workers(server_url: str, workers: int, seconds: float = 15) -> dict:
    """Poll /-/health until `workers` workers are alive again (replacements start in the background)."""
    deadline = time.monotonic() + seconds
    while True:
        state = health(server_url)
        if state["workers"] == workers or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def children(parent: int) -> dict[int, float]:
    """The descendants of `parent` (children, and the workers the store process forks) and their CPU seconds."""
    table = {pid: process for pid, process in procfs.processes().items() if process.alive}
    return {pid: table[pid].cpu_seconds for pid in procfs.descendants(parent, table)}


def query_workers(parent: int) -> set[int]:
    """The pids of the server's query workers: spawned children that have no children of their own (the
    store process holding the data in memory has the workers as children; the resource tracker is no spawn)."""
    processes = {pid: process for pid, process in procfs.processes().items() if process.alive}
    spawned = set()
    for pid, process in processes.items():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        grandparent = processes[process.ppid].ppid if process.ppid in processes else 0
        if b"spawn_main" in command and parent in (process.ppid, grandparent):
            spawned.add(pid)
    parents = {processes[pid].ppid for pid in spawned}
    return {pid for pid in spawned if pid not in parents}


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    process = procfs.stat(pid)
    return process is not None and process.alive


class Background:
    """Run one request in a thread, remembering when its answer arrived."""

    def __init__(self, target) -> None:
        self.response: requests.Response | None = None
        self.finished_at: float | None = None
        self.started_at = time.monotonic()

        def work() -> None:
            self.response = target()
            self.finished_at = time.monotonic()

        self.thread = threading.Thread(target=work, daemon=True)
        self.thread.start()

    def join(self) -> requests.Response:
        self.thread.join(TIMEOUT)
        assert self.response is not None
        return self.response


@pytest.fixture(scope="module", params=["memory", "disk"])
def timeout_server(start_server, request):
    """A server that stops queries after two seconds, with two workers: forked from the store held in memory,
    or spawned on the store on disk."""
    return start_server(
        query_timeout_s=str(QUERY_TIMEOUT_S), workers="2", memory_store=str(request.param == "memory").lower()
    )


@pytest.fixture(scope="module")
def result_server(start_server):
    """A server whose results may be at most 20,000 bytes."""
    return start_server(max_result_bytes=str(MAX_RESULT_BYTES), workers="2")


@pytest.fixture(scope="module")
def memory_server(start_server):
    """A server whose workers may use 1500 MiB each, with time enough to run out of it."""
    return start_server(worker_memory_mb="1500", query_timeout_s="60", workers="2")


# --------------------------------------------------------------------------------------------------
# The time limit
# --------------------------------------------------------------------------------------------------


def test_health_says_where_queries_run(timeout_server) -> None:
    """/-/health names the engine: the store held in memory and shared by forked workers, or read on disk."""
    settings = requests.get(f"{timeout_server.url}/-/settings", timeout=TIMEOUT).json()
    assert health(timeout_server.url)["engine"] == ("memory" if settings["memory_store"] else "disk")


@pytest.mark.parametrize("name", list(RUNAWAYS))
def test_runaway_query_is_stopped_at_the_timeout(timeout_server, name: str) -> None:
    """A pathological query answers 503 limit_reached (limit query_timeout_s) after the limit, within 2 s of it."""
    started = time.monotonic()
    response = run(timeout_server.url, unique(RUNAWAYS[name]))
    elapsed = time.monotonic() - started
    body = assert_error(response, 503, "limit_reached")
    assert body["limit"] == "query_timeout_s"
    assert body["query_timeout_s"] == QUERY_TIMEOUT_S
    assert QUERY_TIMEOUT_S - 0.1 <= elapsed <= QUERY_TIMEOUT_S + 2


def test_simple_query_answers_quickly_while_a_runaway_runs(timeout_server) -> None:
    """While one worker burns on a runaway, a simple query sent meanwhile is answered by another, at once."""
    assert wait_for_workers(timeout_server.url, 2)["workers"] == 2  # replacements of earlier runaways are up
    runaway = Background(lambda: run(timeout_server.url, unique(CROSS_PRODUCT)))
    try:
        time.sleep(0.5)
        started = time.monotonic()
        response = run(timeout_server.url, unique("ASK { institution:dresden gs:ags ?ags }"))
        answered_at = time.monotonic()
    finally:
        runaway.join()  # never leave the runaway to a later test
    assert response.status_code == 200, response.text[:300]
    assert response.json()["boolean"] is True
    assert answered_at - started < 1.0
    assert runaway.response is not None and runaway.response.status_code == 503
    assert runaway.finished_at is not None and answered_at < runaway.finished_at


def test_worker_cpu_returns_to_idle_and_the_worker_is_replaced(timeout_server) -> None:
    """The runaway's worker burns CPU until the limit; by the 503 it is killed (its pid gone), a replacement
    brings /-/health back to the configured number of workers, and from 1.5 s after the 503 the CPU time of
    all the server's children stops growing (two samples 0.5 s apart)."""
    pid = timeout_server.process.pid
    settings = requests.get(f"{timeout_server.url}/-/settings", timeout=TIMEOUT).json()
    configured = settings["workers"]
    before = wait_for_workers(timeout_server.url, configured)
    workers_before = query_workers(pid)
    # every lane has its processes: /sparql's workers, those for allowlisted SERVICE calls, the pages'
    assert len(workers_before) == configured + settings["service_workers"] + settings["page_workers"]

    runaway = Background(lambda: run(timeout_server.url, unique(CROSS_PRODUCT)))
    try:
        time.sleep(0.3)
        first = children(pid)
        time.sleep(1.0)
        second = children(pid)
    finally:
        runaway.join()
    growth = {child: second.get(child, 0.0) - cpu for child, cpu in first.items()}
    busy = max(growth, key=growth.__getitem__)
    assert busy in workers_before
    assert growth[busy] >= 0.15, f"the runaway's worker should be burning CPU: {growth}"

    assert_error(runaway.join(), 503, "limit_reached")
    assert runaway.finished_at is not None
    assert not alive(busy), "the runaway's worker must be killed by the time the 503 is sent"

    after = wait_for_workers(timeout_server.url, configured)  # the replacement's start-up costs CPU too
    assert after["workers"] == configured
    assert after["workers_replaced"] == before["workers_replaced"] + 1
    time.sleep(max(0.0, runaway.finished_at + 1.5 - time.monotonic()))
    settled = children(pid)
    time.sleep(0.5)
    later = children(pid)
    assert sum(later.values()) - sum(settled.values()) < 0.05, f"children still burn CPU: {settled} -> {later}"

    workers_after = query_workers(pid)
    assert len(workers_after) == len(workers_before)
    assert busy not in workers_after and workers_after - workers_before


@pytest.mark.slow
def test_waiting_for_a_worker_has_its_own_budget(start_server) -> None:
    """With one worker held by a runaway, a query waits at most worker_wait_s and gets 503 naming the
    workers; with a longer wait it is answered once the runaway is stopped, its run time untouched."""
    quiet = {"prewarm_examples": "false"}  # nothing else may hold the one worker
    server = start_server(workers="1", query_timeout_s="3", worker_wait_s="0.5", **quiet)
    runaway = Background(lambda: run(server.url, unique(CROSS_PRODUCT)))
    try:
        time.sleep(0.3)
        started = time.monotonic()
        response = run(server.url, unique("ASK { institution:dresden ?p ?o }"))
        elapsed = time.monotonic() - started
    finally:
        runaway.join()
    body = assert_error(response, 503, "limit_reached")
    assert body["limit"] == "workers" and body["workers"] == 1 and body["worker_wait_s"] == 0.5
    assert 0.4 <= elapsed < 2.0, "the wait for a worker, not the query limit, must end it"
    assert_error(runaway.join(), 503, "limit_reached")

    patient = start_server(workers="1", query_timeout_s="2", worker_wait_s="10", **quiet)
    runaway = Background(lambda: run(patient.url, unique(CROSS_PRODUCT)))
    try:
        time.sleep(0.3)
        waiting = run(patient.url, unique("ASK { institution:dresden ?p ?o }"))
    finally:
        runaway.join()
    assert waiting.status_code == 200, waiting.text[:300]
    assert waiting.json()["boolean"] is True
    assert_error(runaway.join(), 503, "limit_reached")


# --------------------------------------------------------------------------------------------------
# The result size limit
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+xml"),
        ("SELECT * WHERE { ?s ?p ?o }", "text/csv"),
        ("SELECT * WHERE { ?s ?p ?o }", "text/tab-separated-values"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/ld+json"),
    ],
    ids=["json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld"],
)
def test_result_above_max_result_bytes_is_422_never_a_cut_body(result_server, query: str, accept: str) -> None:
    """Selecting everything with a 20,000-byte limit is a 422 result_too_large error, complete JSON, in every
    format: never a 200 with the answer cut off."""
    response = run(result_server.url, query, accept=accept)
    body = assert_error(response, 422, "result_too_large")
    assert body["limit"] == "max_result_bytes"
    assert body["max_result_bytes"] == MAX_RESULT_BYTES
    assert int(response.headers["Content-Length"]) == len(response.content)


def test_result_limit_is_exact(server_url: str, result_server) -> None:
    """An answer of at most 20,000 bytes comes back whole, byte for byte as without the limit; one row more
    (past 20,000 bytes) is 422. The row count at the boundary is found on a server without the limit."""
    template = (
        "SELECT ?s ?p ?o WHERE {{ GRAPH <https://w3id.org/govsocial/graph/curated> {{ ?s ?p ?o }} }} "
        "ORDER BY ?s ?p ?o LIMIT {}"
    )

    def size(rows: int) -> int:
        return len(run(server_url, template.format(rows), accept="text/csv").content)

    low, high = 1, 2000
    assert size(low) <= MAX_RESULT_BYTES < size(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if size(middle) <= MAX_RESULT_BYTES else (low, middle)

    whole = run(result_server.url, template.format(low), accept="text/csv")
    assert whole.status_code == 200
    assert whole.content == run(server_url, template.format(low), accept="text/csv").content
    assert len(whole.content) <= MAX_RESULT_BYTES
    assert_error(run(result_server.url, template.format(high), accept="text/csv"), 422, "result_too_large")


def test_search_and_browsing_do_not_depend_on_the_result_limit(result_server) -> None:
    """Search and the browse pages read the build's label index, not a query result: with results capped at
    20,000 bytes they still answer (at scale, building the index from a query once failed with a 500)."""
    hits = requests.get(f"{result_server.url}/-/search", params={"q": "Dresden"}, timeout=TIMEOUT)
    assert hits.status_code == 200 and hits.json()["results"][0]["iri"].endswith("/org/dresden")
    listing = requests.get(f"{result_server.url}/id/org/", headers={"Accept": "text/html"}, timeout=TIMEOUT)
    assert listing.status_code == 200 and "Dresden" in listing.text


# --------------------------------------------------------------------------------------------------
# The memory limit
# --------------------------------------------------------------------------------------------------


def test_query_exhausting_worker_memory_is_503_and_the_worker_is_replaced(memory_server) -> None:
    """A query that needs more than worker_memory_mb kills only its worker: 503 limit_reached naming
    worker_memory_mb, a replacement starts, and the server goes on answering."""
    before = wait_for_workers(memory_server.url, 2)
    started = time.monotonic()
    response = run(memory_server.url, unique(MEMORY_HOG))
    elapsed = time.monotonic() - started
    body = assert_error(response, 503, "limit_reached")
    assert body["limit"] == "worker_memory_mb"
    assert elapsed < 60, "the memory limit, not the time limit, must stop it"
    after = wait_for_workers(memory_server.url, 2)
    assert after["workers"] == 2
    assert after["workers_replaced"] == before["workers_replaced"] + 1
    answer = run(memory_server.url, unique("ASK { institution:dresden ?p ?o }"))
    assert answer.status_code == 200 and answer.json()["boolean"] is True


# --------------------------------------------------------------------------------------------------
# Work done before the query reaches a worker
# --------------------------------------------------------------------------------------------------


def test_large_junk_query_is_refused_within_the_time_limit(start_server) -> None:
    """A 60 kB query text (under the 64 kB default max_query_bytes) is answered within query_timeout_s + 2 s:
    the lexical checks in the web process must not be a way around the time limit."""
    server = start_server(query_timeout_s=str(QUERY_TIMEOUT_S))
    try:
        response = requests.post(
            f"{server.url}/sparql",
            data=("a." * 30_000).encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
            timeout=QUERY_TIMEOUT_S + 2,
        )
        assert response.status_code == 400
    finally:
        # The web thread may still be busy with the text; end the process now rather than wait for it.
        server.process.kill()
        server.process.wait(timeout=10)


# --------------------------------------------------------------------------------------------------
# After all of the above
# --------------------------------------------------------------------------------------------------


def test_no_request_took_a_server_down(timeout_server, result_server, memory_server) -> None:
    """Every server used above is still running, healthy, with all its workers, and answers a query."""
    for server in (timeout_server, result_server, memory_server):
        assert server.process.poll() is None
        state = wait_for_workers(server.url, 2)
        assert state["ok"] is True and state["workers"] == 2
        answer = run(server.url, unique("ASK { institution:dresden ?p ?o }"))
        assert answer.status_code == 200 and answer.json()["boolean"] is True
