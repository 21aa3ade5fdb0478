"""Federation out of our endpoint: SERVICE calls go only to allowlisted endpoints, and never hang a worker.

A real Oxigraph server stands in for Wikidata (tests/wikidata_standin.ttl), so the join runs offline.
Refusals are proved, not assumed: the endpoints that must not be called are small HTTP servers of our
own that count every request they get, and a positive control shows that the counters do see calls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from .support import Listener, assert_error, free_port

TIMEOUT = 30
QUERY_TIMEOUT_S = 2.0
GSID_ORG = "https://w3id.org/govsocial/id/org/"
EMPTY_RESULT = b'{"head":{"vars":["s","p","o"]},"results":{"bindings":[]}}'


class CountingEndpoint:
    """An HTTP server on 127.0.0.1 that counts every request and answers an empty SPARQL JSON result.

    Requests to a path ending in /broken are answered with HTTP 500 instead.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        counter = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                counter.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                broken = self.path.split("?")[0].endswith("/broken")
                self.send_response(500 if broken else 200)
                self.send_header("Content-Type", "text/plain" if broken else "application/sparql-results+json")
                body = b"stand-in failure" if broken else EMPTY_RESULT
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/sparql") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def standin_wikidata(wikidata_standin: str) -> str:
    """The session's Wikidata stand-in (tests/wikidata_standin.ttl); its SPARQL endpoint URL."""
    return wikidata_standin


@pytest.fixture(scope="module")
def allowed_counter() -> Iterator[CountingEndpoint]:
    """A counting endpoint whose /sparql and /broken paths are on the allowlist."""
    endpoint = CountingEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def other_counter() -> Iterator[CountingEndpoint]:
    """A counting endpoint on another port, not on the allowlist at all."""
    endpoint = CountingEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def silent() -> Iterator[Listener]:
    """An allowlisted endpoint that accepts connections and never answers."""
    endpoint = Listener(hold=True)
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def refused_url() -> str:
    """An allowlisted endpoint on a port where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/sparql"


@pytest.fixture(scope="module")
def federating_server(
    start_server, standin_wikidata: str, allowed_counter: CountingEndpoint, silent: Listener, refused_url: str
) -> str:
    """Our server with the stand-in, the allowed counter, the silent and the refusing endpoint allowed."""
    allowlist = [standin_wikidata, allowed_counter.url("/sparql"), allowed_counter.url("/broken"), silent.url]
    allowlist.append(refused_url)
    return start_server(query_timeout_s=str(QUERY_TIMEOUT_S), service_allowlist=" ".join(allowlist)).url


def run(server_url: str, query: str) -> requests.Response:
    """POST a query as a form and ask for SPARQL JSON."""
    return requests.post(
        f"{server_url}/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT,
    )


def populations_query(endpoint: str) -> str:
    return f"""
        SELECT ?org ?population WHERE {{
          ?org owl:sameAs ?item .
          SERVICE <{endpoint}> {{ ?item wdt:P1082 ?population }}
        }}"""


# --------------------------------------------------------------------------------------------------
# An allowed endpoint
# --------------------------------------------------------------------------------------------------


def test_federated_query_joins_our_institutions_to_the_standin(federating_server: str, standin_wikidata: str) -> None:
    """Our institutions, joined by owl:sameAs to the stand-in's population figures, give Dresden's population
    (and only populations of items we link: Paris, unlinked, stays out)."""
    response = run(federating_server, populations_query(standin_wikidata))
    assert response.status_code == 200, response.text[:500]
    rows = {(r["org"]["value"], int(r["population"]["value"])) for r in response.json()["results"]["bindings"]}
    assert (GSID_ORG + "dresden", 111111) in rows
    assert rows == {
        (GSID_ORG + "dresden", 111111),
        (GSID_ORG + "chemnitz", 222222),
        (GSID_ORG + "zwickau", 333333),
        (GSID_ORG + "sachsen", 555555),
    }


def test_federated_query_with_silent_keyword_and_labels(federating_server: str, standin_wikidata: str) -> None:
    """SERVICE SILENT to an allowed endpoint runs too, and language-tagged labels come back intact."""
    query = f"""
        SELECT DISTINCT ?label WHERE {{
          institution:dresden owl:sameAs ?item .
          SERVICE SILENT <{standin_wikidata}> {{ ?item rdfs:label ?label FILTER(lang(?label) = "en") }}
        }}"""
    response = run(federating_server, query)
    assert response.status_code == 200, response.text[:500]
    [row] = response.json()["results"]["bindings"]
    assert row["label"] == {"type": "literal", "value": "Dresden", "xml:lang": "en"}


def test_allowed_counter_sees_the_call(federating_server: str, allowed_counter: CountingEndpoint) -> None:
    """Positive control: a SERVICE call to the allowed counting endpoint reaches it, so a count of 0 elsewhere
    means no call was made, not that the counter is blind."""
    before = len(allowed_counter.requests)
    response = run(federating_server, f"SELECT * WHERE {{ SERVICE <{allowed_counter.url()}> {{ ?s ?p ?o }} }}")
    assert response.status_code == 200, response.text[:500]
    assert len(allowed_counter.requests) > before
    assert all(path.startswith("/sparql") for _, path in allowed_counter.requests[before:])


# --------------------------------------------------------------------------------------------------
# Endpoints not on the allowlist: 403 naming them, and no request leaves the server
# --------------------------------------------------------------------------------------------------

#: SERVICE clauses that must be refused, as templates over the allowed ({a}) and the other ({o}) counter's
#: base URL (http://127.0.0.1:PORT). Each pair: the query's SERVICE clause, the endpoint the error names.
NOT_ALLOWED = {
    "other-port": ("SERVICE <{o}/sparql>", "{o}/sparql"),
    "trailing-slash": ("SERVICE <{a}/sparql/>", "{a}/sparql/"),
    "longer-path": ("SERVICE <{a}/sparqlx>", "{a}/sparqlx"),
    "sub-path": ("SERVICE <{a}/sparql/more>", "{a}/sparql/more"),
    "query-string": ("SERVICE <{a}/sparql?x=1>", "{a}/sparql?x=1"),
    "path-case": ("SERVICE <{a}/SPARQL>", "{a}/SPARQL"),
    "https": ("SERVICE <{a_https}/sparql>", "{a_https}/sparql"),
    "localhost": ("SERVICE <{a_localhost}/sparql>", "{a_localhost}/sparql"),
    "silent": ("SERVICE SILENT <{o}/sparql>", "{o}/sparql"),
    "lower-case-keyword": ("service <{o}/sparql>", "{o}/sparql"),
    "comment-before-iri": ("SERVICE # the endpoint follows\n <{o}/sparql>", "{o}/sparql"),
    "prefixed-name": ("SERVICE other:sparql", "{o}/sparql"),
    "relative-to-base": ("SERVICE <sparqlx>", "{a}/sparqlx"),
    "codepoint-escape": ("SERVICE <{o}\\u002Fsparql>", "{o}/sparql"),
}


@pytest.mark.parametrize("case", list(NOT_ALLOWED))
def test_endpoint_not_on_the_allowlist_is_403_and_never_called(
    federating_server: str, allowed_counter: CountingEndpoint, other_counter: CountingEndpoint, case: str
) -> None:
    """A SERVICE endpoint that is not exactly on the allowlist (port, path, scheme, host or query differ) is
    refused with 403 naming it, before any request leaves the server: both counters stay at their count."""
    bases = {
        "a": f"http://127.0.0.1:{allowed_counter.port}",
        "o": f"http://127.0.0.1:{other_counter.port}",
        "a_https": f"https://127.0.0.1:{allowed_counter.port}",
        "a_localhost": f"http://localhost:{allowed_counter.port}",
    }
    clause, named = (text.format(**bases) for text in NOT_ALLOWED[case])
    query = (
        f"BASE <{bases['a']}/>\nPREFIX other: <{bases['o']}/>\n"
        f"SELECT * WHERE {{ ?org owl:sameAs ?item . {clause} {{ ?item ?p ?o }} }}"
    )
    before = (len(allowed_counter.requests), len(other_counter.requests))
    body = assert_error(run(federating_server, query), 403, "service_not_allowed")
    assert body["endpoint"] == named
    assert named in body["error"]
    time.sleep(0.2)  # a call made in the background would have arrived by now
    assert (len(allowed_counter.requests), len(other_counter.requests)) == before


@pytest.mark.parametrize(
    "pattern",
    [
        "VALUES ?e {{ <{a}> }} SERVICE ?e {{ ?s ?p ?o }}",
        "BIND(<{a}> AS ?e) SERVICE ?e {{ ?s ?p ?o }}",
        "VALUES ?e {{ <{a}> }} SERVICE SILENT ?e {{ ?s ?p ?o }}",
    ],
    ids=["values", "bind", "silent"],
)
def test_variable_endpoint_is_403_even_when_bound_to_an_allowed_one(
    federating_server: str, allowed_counter: CountingEndpoint, pattern: str
) -> None:
    """`SERVICE ?e` cannot be checked before the query runs, so it is refused (403), whatever ?e is bound to."""
    before = len(allowed_counter.requests)
    query = "SELECT * WHERE { " + pattern.format(a=allowed_counter.url()).replace("{{", "{").replace("}}", "}") + " }"
    body = assert_error(run(federating_server, query), 403, "service_not_allowed")
    assert "variable" in body["error"]
    time.sleep(0.2)
    assert len(allowed_counter.requests) == before


def test_default_allowlist_refuses_the_standin(server_url: str, standin_wikidata: str) -> None:
    """With the default allowlist (Wikidata only), the stand-in on 127.0.0.1 is refused."""
    body = assert_error(run(server_url, populations_query(standin_wikidata)), 403, "service_not_allowed")
    assert body["endpoint"] == standin_wikidata


# --------------------------------------------------------------------------------------------------
# Allowed endpoints that misbehave
# --------------------------------------------------------------------------------------------------


def test_allowed_endpoint_that_never_answers_is_cut_off_by_the_timeout(
    federating_server: str, silent: Listener
) -> None:
    """An allowed endpoint that accepts the connection and never replies is stopped by query_timeout_s:
    503 limit_reached within timeout + 2 s (and not before the endpoint was actually called)."""
    connections_before = silent.connections
    started = time.monotonic()
    response = run(federating_server, f"SELECT * WHERE {{ SERVICE <{silent.url}> {{ ?s ?p ?o }} }}")
    elapsed = time.monotonic() - started
    body = assert_error(response, 503, "limit_reached")
    assert body["limit"] == "query_timeout_s"
    assert QUERY_TIMEOUT_S - 0.1 <= elapsed <= QUERY_TIMEOUT_S + 2
    assert silent.connections > connections_before


def test_allowed_endpoint_answering_500_is_502(federating_server: str, allowed_counter: CountingEndpoint) -> None:
    """An allowed endpoint that fails (HTTP 500) makes the query fail as 502 service_failed, not as our 5xx."""
    response = run(federating_server, f"SELECT * WHERE {{ SERVICE <{allowed_counter.url('/broken')}> {{ ?s ?p ?o }} }}")
    assert_error(response, 502, "service_failed")


def test_allowed_endpoint_that_refuses_connections_is_502(federating_server: str, refused_url: str) -> None:
    """An allowed endpoint where nothing listens is the remote's failure (502 service_failed), not the
    client's (400)."""
    assert_error(
        run(federating_server, f"SELECT * WHERE {{ SERVICE <{refused_url}> {{ ?s ?p ?o }} }}"), 502, "service_failed"
    )


def test_server_is_healthy_after_federation(federating_server: str) -> None:
    """After every refusal, failure and timeout above, the server answers and all workers are back."""
    deadline = time.monotonic() + 10
    while True:
        health = requests.get(f"{federating_server}/-/health", timeout=TIMEOUT).json()
        settings = requests.get(f"{federating_server}/-/settings", timeout=TIMEOUT).json()
        if health["workers"] == settings["workers"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert health["ok"] is True
    assert health["workers"] == settings["workers"]
    assert run(federating_server, "ASK { institution:dresden ?p ?o }").json()["boolean"] is True
