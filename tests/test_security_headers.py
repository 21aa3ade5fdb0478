"""The security headers on every kind of answer of the app: pages, data, static files, errors, 304s.

The headers matter most where nobody thinks of them (an error page, a 304 a browser reuses), so each
kind of answer is fetched (in process, through the whole app) and checked on its own; the answers the
guarded HTTP server writes itself are checked on the wire in test_security.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .support import InProcess

BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"
SELECT = "SELECT ?p WHERE { ?p a gs:Platform } LIMIT 3"
#: The headers besides the policy, with the values every answer must carry.
FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
#: The directives the Content-Security-Policy must hold, each with exactly these sources.
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}

Fetch = Callable[..., Any]


def directives(policy: str) -> dict[str, set[str]]:
    """A Content-Security-Policy header as {directive: sources}."""
    parsed: dict[str, set[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name.lower()] = set(sources)
    return parsed


def assert_secured(response: Any) -> None:
    """The response carries the strict policy and the three fixed headers."""
    for name, value in FIXED.items():
        assert response.headers.get(name) == value, (response.url, response.status_code, name)
    policy = response.headers.get("Content-Security-Policy")
    assert policy, (response.url, response.status_code)
    assert directives(policy) == POLICY, policy


@pytest.fixture(scope="module")
def fetch(http: InProcess) -> Fetch:
    """Send one request to the app under test and return the answer, whatever its status."""

    def send(method: str, path: str, accept: str = BROWSER_ACCEPT, **kwargs) -> Any:
        headers = {"Accept": accept, **kwargs.pop("headers", {})}
        return http.request(method, path, headers=headers, **kwargs)

    return send


ANSWERS = {
    "workbench page": ("GET", "/", BROWSER_ACCEPT, {}, 200),
    "entity page": ("GET", "/id/org/dresden", BROWSER_ACCEPT, {}, 200),
    "entity as Turtle": ("GET", "/id/org/dresden", "text/turtle", {}, 200),
    "static file": ("GET", "/static/site.css", "text/css", {}, 200),
    "static script": ("GET", "/static/links.js", "*/*", {}, 200),
    "vendored asset": ("GET", "/assets/codemirror/lib/codemirror.js", "*/*", {}, 200),
    "sparql JSON": ("GET", "/sparql", "application/sparql-results+json", {"params": {"query": SELECT}}, 200),
    "sparql POST": ("POST", "/sparql", "application/sparql-results+json", {"data": {"query": SELECT}}, 200),
    "sparql error as JSON": ("GET", "/sparql", "application/json", {"params": {"query": "SELEC"}}, 400),
    "sparql error as a page": ("GET", "/sparql", BROWSER_ACCEPT, {"params": {"query": "SELEC"}}, 400),
    "sparql query page": ("GET", "/sparql", BROWSER_ACCEPT, {}, 200),
    "CORS preflight": ("OPTIONS", "/sparql", "*/*", {}, 204),
    "method not allowed": ("DELETE", "/sparql", "application/json", {}, 405),
    "not acceptable": ("GET", "/id/org/dresden", "image/png", {}, 406),
    "health": ("GET", "/-/health", "application/json", {}, 200),
    "search API": ("GET", "/-/search", "application/json", {"params": {"q": "dresden"}}, 200),
    "unknown path": ("GET", "/no/such/path", BROWSER_ACCEPT, {}, 404),
    "unknown path as JSON": ("GET", "/no/such/path", "application/json", {}, 404),
    "unknown resource page": ("GET", "/id/org/no-such-org", BROWSER_ACCEPT, {}, 404),
    "unknown static file": ("GET", "/static/no-such-file.js", "*/*", {}, 404),
    "HEAD of a page": ("HEAD", "/dataset", BROWSER_ACCEPT, {}, 200),
}


@pytest.mark.parametrize(("method", "path", "accept", "extra", "status"), ANSWERS.values(), ids=list(ANSWERS))
def test_every_kind_of_answer_carries_the_security_headers(
    fetch: Fetch, method: str, path: str, accept: str, extra: dict, status: int
) -> None:
    """Pages, data, static files and errors all carry the policy, nosniff, the referrer policy and DENY."""
    response = fetch(method, path, accept, **extra)
    assert response.status_code == status, response.text[:300]
    assert_secured(response)


@pytest.mark.parametrize(
    ("path", "accept"),
    [("/id/org/dresden", BROWSER_ACCEPT), ("/ontology", BROWSER_ACCEPT), ("/static/site.css", "text/css")],
)
def test_a_not_modified_answer_carries_the_security_headers(fetch: Fetch, path: str, accept: str) -> None:
    """A 304 for a page or a static file carries the headers too: the browser shows the cached body under them."""
    first = fetch("GET", path, accept)
    assert first.status_code == 200 and first.headers.get("ETag")
    again = fetch("GET", path, accept, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert_secured(again)


def test_the_policy_allows_no_inline_code_and_no_other_origin(fetch: Fetch) -> None:
    """Neither 'unsafe-inline' nor 'unsafe-eval' nor another host appears anywhere in the policy."""
    policy = fetch("GET", "/").headers["Content-Security-Policy"]
    assert "unsafe" not in policy and "http" not in policy and "*" not in policy
