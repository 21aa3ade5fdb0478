"""The server as `make serve` starts it: it answers over HTTP on the built store."""

from __future__ import annotations

import requests


def test_health_reports_the_dataset_version_and_size(server_url: str, build_info) -> None:
    """/-/health names the build that answers, so an operator can tell which data is live."""
    health = requests.get(f"{server_url}/-/health", timeout=10).json()
    assert health["ok"] is True
    assert health["version"] == build_info.version
    assert health["triples"] == build_info.triples
    assert health["workers"] >= 1


def test_a_query_over_http_returns_the_landtags_departure(server_url: str) -> None:
    """A plain GET with `query=` answers with SPARQL JSON from the real data."""
    query = (
        "SELECT ?date WHERE { ?e a gs:Departure ; gs:institution institution:niedersaechsischer-landtag ;"
        " gs:notAfter ?date }"
    )
    response = requests.get(f"{server_url}/sparql", params={"query": query}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert [b["date"]["value"] for b in response.json()["results"]["bindings"]] == ["2025-01-17"]
