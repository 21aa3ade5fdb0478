"""The direct path of `/sparql` (server.web.direct_queries) answers exactly as Flask's view does.

Every in-process test already goes through the direct path, since it is the app's WSGI application. Here the
same request is sent to it and to Flask's own WSGI application behind it, and the two answers must be the
same bytes: status, headers and body. A difference would be two readings of one request, which is what the
direct path must never be; so the requests are the protocol's edge cases, the refusals, and junk.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import request_started
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

from server.web.direct_queries import DirectQueries
from server.web.runtime import runtime_of

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/govsocial/id/org/dresden> ?p ?o }"
LARGE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 400"
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
FORM = "application/x-www-form-urlencoded"


def _direct(app: Any) -> DirectQueries:
    """The DirectQueries of an app, under ProxyFix when the app trusts proxies."""
    wsgi = app.wsgi_app
    while not isinstance(wsgi, DirectQueries):
        wsgi = wsgi.app  # ProxyFix keeps the application it wraps as `app`
    return wsgi


def _outer(app: Any) -> Any:
    return app.wsgi_app


def _flask_only(app: Any) -> Any:
    """The app's WSGI stack with Flask's own application where the direct path stands."""
    direct = _direct(app)
    if app.wsgi_app is direct:
        return direct.inner
    outer = app.wsgi_app
    proxy_fix = type(outer).__new__(type(outer))
    proxy_fix.__dict__.update(outer.__dict__, app=direct.inner)
    return proxy_fix


def answer(wsgi: Any, **request: Any) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = EnvironBuilder(**request).get_environ()
    environ["REMOTE_ADDR"] = "127.0.0.1"
    chunks, status, headers = run_wsgi_app(wsgi, environ, buffered=True)
    body = b"".join(chunks)
    if "Content-Length" in headers:  # compared here: the Service Description's length varies with its blank nodes
        length = int(headers.pop("Content-Length"))
        assert length == len(body) or (request["method"] == "HEAD" and not body)
    # the Service Description names its blank nodes anew each time it is written
    return status, sorted(headers.to_wsgi_list()), re.sub(rb"_:[A-Za-z0-9]+", b"_:b", body)


def both(app: Any, **request: Any) -> tuple[tuple, tuple]:
    """The answer of the direct path and of Flask alone to one request (the result cache is off here)."""
    return answer(_outer(app), **request), answer(_flask_only(app), **request)


@pytest.fixture(scope="module")
def uncached(make_app):
    return make_app(result_cache_mb="0").app


def _get(query: str, headers: dict[str, str] | None = None, **params: str) -> dict[str, Any]:
    """A GET of `query` (and more parameters) to /sparql, as EnvironBuilder takes it."""
    return {"method": "GET", "path": "/sparql", "query_string": {"query": query, **params}, "headers": headers or {}}


def _post(data: Any, headers: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """A POST to /sparql: a dict is a form body, anything else a body with the `content_type` given."""
    return {"method": "POST", "path": "/sparql", "data": data, "headers": headers or {}, **extra}


REQUESTS = {
    "GET lookup": _get(LOOKUP),
    "form POST lookup": _post({"query": LOOKUP}),
    "direct POST": _post(LOOKUP, content_type="application/sparql-query"),
    "CSV by Accept": _get(LOOKUP, {"Accept": "text/csv"}),
    "format=xml": _get(LOOKUP, format="xml"),
    "CONSTRUCT as Turtle": _post({"query": GRAPH}, {"Accept": "text/turtle"}),
    "gzip of a large answer": _get(LARGE, {"Accept-Encoding": "gzip"}),
    "gzip refused by q=0": _get(LARGE, {"Accept-Encoding": "gzip;q=0"}),
    "a dataset": _get(LOOKUP, **{"default-graph-uri": "https://w3id.org/govsocial/graph/press"}),
    "an unknown prefix": _get("SELECT * { ?s foo:bar ?o }"),
    "a syntax error of the engine": _get("SELECT ?x WHERE { ?x }"),
    "an update": _post({"update": "DROP ALL"}),
    "an update as a query": _get("DROP ALL"),
    "SERVICE off the allowlist": _get("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"),
    "SERVICE in a string": _get('SELECT ("SERVICE" AS ?x) {}'),
    "two queries": {"method": "GET", "path": "/sparql", "query_string": [("query", LOOKUP), ("query", LOOKUP)]},
    "an empty query": _get("  "),
    "not acceptable": _get(LOOKUP, {"Accept": "image/png"}),
    "an unknown format": _get(LOOKUP, format="pdf"),
    "HTML error page": _get("SELECT", {"Accept": "text/html"}),
    "latin-1 direct POST": _post(LOOKUP, content_type="application/sparql-query; charset=latin-1"),
    "bad UTF-8 in the body": _post(b"SELECT * { ?s ?p \xff }", content_type="application/sparql-query"),
    "bad UTF-8 in the URL": {"method": "GET", "path": "/sparql", "query_string": "query=SELECT%20%FF"},
    "form POST without query": _post({"format": "json"}),
    "a query too large": _get(LOOKUP + " " * 20000),
    "a body too large": _post({"query": LOOKUP + " " * 200_000}),
    "brackets too deep": _get("SELECT * {" + "{" * 300 + "}" * 300 + "}"),
    "a vendor pragma": _get("DEFINE input:inference 'x' ASK {}"),
    "GET without query": {"method": "GET", "path": "/sparql", "query_string": {"format": "ttl"}},
    "HEAD": {**_get(LOOKUP), "method": "HEAD"},
}


@pytest.mark.parametrize("name", REQUESTS)
def test_the_direct_path_answers_as_flask_does(uncached, name: str) -> None:
    direct, flask = both(uncached, **REQUESTS[name])
    assert direct == flask


def test_the_answers_compared_include_successes_refusals_and_compressed_ones(uncached) -> None:
    statuses = {name: answer(_outer(uncached), **request)[0][:3] for name, request in REQUESTS.items()}
    assert statuses["GET lookup"] == statuses["direct POST"] == "200"
    assert {statuses[n] for n in ("an update", "SERVICE off the allowlist", "SERVICE in a string")} == {"403"}
    assert statuses["a syntax error of the engine"] == "400"
    assert statuses["a body too large"] == "413"
    assert statuses["a vendor pragma"] == statuses["brackets too deep"] == "400"
    headers = dict(answer(_outer(uncached), **REQUESTS["gzip of a large answer"])[1])
    assert headers["Content-Encoding"] == "gzip" and headers["ETag"].startswith('W/"')


def test_a_304_and_a_412_are_the_same_both_ways(uncached) -> None:
    etag = dict(answer(_outer(uncached), **REQUESTS["GET lookup"])[1])["ETag"]
    conditional = {**REQUESTS["GET lookup"], "headers": {"If-None-Match": etag}}
    direct, flask = both(uncached, **conditional)
    assert direct[0].startswith("304") and direct == flask
    post = {**REQUESTS["form POST lookup"], "headers": {"If-None-Match": etag}}
    direct, flask = both(uncached, **post)
    assert direct[0].startswith("412") and direct == flask


def test_a_cache_hit_is_the_same_both_ways(make_app) -> None:
    app = make_app(result_cache_mb="4").app
    first = answer(_flask_only(app), **REQUESTS["GET lookup"])  # fills the cache
    assert ("X-Cache", "miss") in first[1]
    direct, flask = both(app, **REQUESTS["GET lookup"])
    assert ("X-Cache", "hit") in direct[1] and direct == flask


def test_without_cors_and_behind_a_proxy_the_answers_are_the_same(make_app) -> None:
    app = make_app(result_cache_mb="0", cors="false", trusted_proxies="1", public_url="").app
    request = {
        **REQUESTS["GET lookup"],
        "query_string": {"query": "SELECT ?s WHERE { BIND(<x> AS ?s) }"},
        "headers": {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "kg.example.org"},
    }
    direct, flask = both(app, **request)
    assert direct == flask
    assert b"http://kg.example.org/x" in direct[2]
    assert not any(name.startswith("Access-Control") for name, _ in direct[1])


def test_a_client_over_its_share_is_refused_the_same_both_ways(make_app) -> None:
    app = make_app(result_cache_mb="0", client_queries="1").app
    clients = runtime_of(app).clients
    with clients.hold("127.0.0.1", "query"):  # one query of this client in flight already
        direct, flask = both(app, **REQUESTS["GET lookup"])
    assert direct[0].startswith("429") and direct == flask


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST form", "POST direct"]),
    query=st.one_of(_TEXT, st.sampled_from([LOOKUP, GRAPH, "ASK {}", "SELECT * {}"]).map(lambda q: q + " ")),
    extra=st.dictionaries(
        st.sampled_from(["format", "default-graph-uri", "named-graph-uri", "update"]), _TEXT, max_size=2
    ),
    accept=st.one_of(st.none(), st.sampled_from(["*/*", "text/csv", "text/turtle", "application/json;q=0", "x/y"])),
    charset=st.sampled_from(["", "; charset=utf-8", "; charset=UTF8", "; charset=ascii"]),
)
def test_junk_is_answered_the_same_both_ways(
    uncached, method: str, query: str, extra: dict[str, str], accept: str | None, charset: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    if method == "GET":
        request = {"method": "GET", "query_string": {"query": query, **extra}}
    elif method == "POST form":
        request = {"method": "POST", "data": {"query": query, **extra}, "content_type": FORM + charset}
    else:
        request = {
            "method": "POST",
            "data": query,
            "query_string": extra,
            "content_type": "application/sparql-query" + charset,
        }
    direct, flask = both(uncached, path="/sparql", headers=headers, **request)
    assert direct == flask


def test_answers_are_written_below_flask_and_refusals_by_flask(uncached) -> None:
    entered: list[str] = []

    def count(sender: Any, **extra: Any) -> None:
        entered.append("flask")

    with request_started.connected_to(count, uncached):
        assert answer(_outer(uncached), **REQUESTS["form POST lookup"])[0].startswith("200")
        assert answer(_outer(uncached), **REQUESTS["direct POST"])[0].startswith("200")
        assert entered == []
        assert answer(_outer(uncached), **REQUESTS["an update"])[0].startswith("403")
        assert answer(_outer(uncached), **REQUESTS["HEAD"])[0].startswith("200")
        assert entered == ["flask", "flask"]


def test_every_hook_that_finishes_an_answer_is_one_the_direct_path_applies(uncached) -> None:
    """A new after-request hook would change Flask's answers and not the direct path's: it must be added to both."""
    hooks = {function.__name__ for functions in uncached.after_request_funcs.values() for function in functions}
    assert hooks == {"add_security_headers", "_compress", "_cors"}, (
        "an after-request hook was added or removed: make DirectQueries._finish apply the same rule"
    )
    assert [f.__name__ for f in uncached.before_request_funcs[None]] == ["_raise_handed_error"]
