"""The front end on a remote engine: `oxigraph serve-read-only` on a copy of the build answers for us."""

from __future__ import annotations

import re
import time

import pyoxigraph
import pytest
import requests

from server.engine.remote import shift_lines_back, with_prologue

from .support import free_port


@pytest.fixture(scope="module")
def front(start_server, replica: str) -> str:
    """Our server with GOVSOCIAL_ENGINE_URL pointing at the replica."""
    return start_server(engine_url=replica, query_timeout_s="3", max_result_bytes="20000").url


def test_queries_with_our_prefixes_are_answered_by_the_remote_engine(front: str) -> None:
    """Our pre-declared prefixes still work: the front end declares them for the engine."""
    query = "SELECT ?date WHERE { ?e a gs:Departure ; gs:institution institution:dresden ; gs:date ?date }"
    response = requests.get(f"{front}/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=10)
    assert response.status_code == 200
    assert response.text.splitlines() == ["date", "2024-02-01"]


def test_a_query_declaring_its_own_prefix_is_not_declared_twice(front: str) -> None:
    """A query's own PREFIX wins; the engine sees no conflicting declaration."""
    query = "PREFIX gs: <https://w3id.org/govsocial/ontology#> ASK { ?e a gs:Joining }"
    response = requests.get(f"{front}/sparql", params={"query": query}, timeout=10)
    assert response.json()["boolean"] is True


def test_limits_and_federation_rules_stay_ours_in_front_of_the_remote_engine(front: str) -> None:
    """A SERVICE off the allowlist is refused by us; an oversized result is refused, not cut."""
    service = requests.get(
        f"{front}/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}, timeout=10
    )
    assert service.status_code == 403
    large = requests.get(f"{front}/sparql", params={"query": "SELECT * { ?s ?p ?o }"}, timeout=10)
    assert large.status_code == 422 and large.json()["type"] == "result_too_large"


def test_a_malformed_query_is_a_400_with_the_engines_message(front: str) -> None:
    """The remote engine's syntax error reaches the client as our 400."""
    response = requests.get(f"{front}/sparql", params={"query": "SELECT * WHERE { ?s"}, timeout=10)
    assert response.status_code == 400
    assert response.json()["type"] == "malformed_query"


def test_the_engines_error_position_is_on_the_clients_line(front: str) -> None:
    """Our prefixes and base travel on one line ahead of the query, and the position is shifted back: a mistake
    on line 3 of the client's query is reported on line 3, at the column the client sees."""
    query = "SELECT ?s\nWHERE {\n  ?s ?p ?o ) }"
    with pytest.raises(SyntaxError) as engine_alone:  # the same engine, given the client's text as it is
        pyoxigraph.Store().query(query)
    position = re.match(r"error at (3:\d+)", str(engine_alone.value))
    assert position, engine_alone.value
    response = requests.get(f"{front}/sparql", params={"query": query}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"malformed query: error at {position[1]}:"), response.json()["error"]
    unknown = requests.get(f"{front}/sparql", params={"query": "ASK {\n  ?s foo:bar ?o }"}, timeout=10)
    assert "error at 2:" in unknown.json()["error"] and "unknown prefix foo:" in unknown.json()["error"]


def test_relative_iris_resolve_against_the_front_ends_address_on_the_remote_engine(front: str) -> None:
    """Without BASE, `<s>` is an IRI of our endpoint, as on the embedded store, not of the engine behind us;
    a query's own BASE still wins."""
    ask = {"query": "SELECT ?s WHERE { BIND(<s> AS ?s) }"}
    rows = requests.get(f"{front}/sparql", params=ask, headers={"Accept": "text/csv"}, timeout=10).text.splitlines()
    assert rows == ["s", f"{front}/s"]
    own = {"query": "BASE <http://example.org/a/> SELECT ?s WHERE { BIND(<s> AS ?s) }"}
    rows = requests.get(f"{front}/sparql", params=own, headers={"Accept": "text/csv"}, timeout=10).text.splitlines()
    assert rows == ["s", "http://example.org/a/s"]


def test_the_prologue_line_shift_reads_each_engines_position_format() -> None:
    """Oxigraph, Jena/Fuseki and Virtuoso state positions differently; each line number goes back by one."""
    assert shift_lines_back("error at 4:7: expected }") == "error at 3:7: expected }"
    assert shift_lines_back('Encountered " "}" at line 5, column 3.') == 'Encountered " "}" at line 4, column 3.'
    assert shift_lines_back("SP030: SPARQL compiler, line 2: syntax error") == (
        "SP030: SPARQL compiler, line 1: syntax error"
    )
    assert shift_lines_back("no position here") == "no position here"
    assert with_prologue("ASK {}", "http://x/sparql").count("\n") == 1


def test_an_unreachable_engine_is_a_503_that_says_so(start_server) -> None:
    """With the engine gone, clients get 503 naming the engine; the front end keeps running and its health says
    503 with the reason (a load balancer stops sending clients to it) instead of ok."""
    url = start_server(engine_url=f"http://127.0.0.1:{free_port()}/query").url
    response = requests.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=10)
    assert response.status_code == 503
    assert "cannot be reached" in response.json()["error"]
    deadline = time.monotonic() + 30
    while True:  # the engine check runs in the background: "checking" first, then why the engine is unfit
        health = requests.get(f"{url}/-/health", timeout=10)
        reasons = health.json()["engine_check"]["reasons"]
        if "checking" not in reasons[0] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert health.status_code == 503 and health.json()["ok"] is False
    assert "cannot be reached" in reasons[0], reasons


def test_the_time_limit_holds_in_front_of_the_remote_engine(front: str) -> None:
    """A runaway query is answered with 503 at the limit even though the engine runs elsewhere."""
    started = time.monotonic()
    response = requests.get(
        f"{front}/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
        timeout=30,
    )
    assert response.status_code == 503
    assert response.json()["limit"] == "query_timeout_s"
    assert time.monotonic() - started < 3 + 2


def test_a_remote_engine_is_held_to_the_lexical_service_rule(front: str) -> None:
    """The remote engine makes SERVICE calls with its own network, so nothing contains a call our check misses:
    the front end says `lexical` and refuses SERVICE written where its lexer cannot verify it, even where this
    host could isolate its own workers."""
    health = requests.get(f"{front}/-/health", timeout=10).json()
    assert health["engine"] == "remote" and health["service_isolation"] == "lexical"
    glued = 'SELECT * WHERE { ?s ?p ?o FILTER(?o = "SERVICE <http://127.0.0.1:9/sparql>") } LIMIT 1'
    response = requests.get(f"{front}/sparql", params={"query": glued}, timeout=10)
    assert response.status_code == 403 and response.json()["type"] == "service_not_allowed"
