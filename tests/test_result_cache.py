"""The in-memory result cache: bounded in bytes, least recently used out first."""

from __future__ import annotations

import time

import requests

from server.engine.result_cache import ResultCache

from .support import QUERIES_DIR


def test_a_repeated_key_is_answered_from_memory() -> None:
    """The second get of a stored answer is a hit with the same type and body."""
    cache = ResultCache(1000)
    cache.put("a", "text/csv", b"x,y\r\n")
    assert cache.get("a") == ("text/csv", b"x,y\r\n")
    assert cache.get("b") is None
    assert cache.stats() == {"entries": 1, "bytes": 5, "hits": 1, "misses": 1}


def test_the_budget_evicts_the_least_recently_used_answer() -> None:
    """Bodies never exceed the budget; the answer not asked for longest goes first."""
    cache = ResultCache(1000)
    for key in "abcd":
        cache.put(key, "text/csv", bytes(240))
    cache.get("a")  # a is now the most recently used
    cache.put("e", "text/csv", bytes(240))
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("e") is not None
    assert cache.stats()["bytes"] <= 1000


def test_an_answer_larger_than_a_quarter_of_the_budget_is_not_kept() -> None:
    """One huge answer must not flush every small, often repeated one."""
    cache = ResultCache(1000)
    cache.put("small", "text/csv", bytes(10))
    cache.put("huge", "text/csv", bytes(251))
    assert cache.get("huge") is None
    assert cache.get("small") is not None


def test_a_zero_budget_keeps_nothing() -> None:
    """GOVSOCIAL_RESULT_CACHE_MB=0 turns the cache off, as the benchmarks need."""
    cache = ResultCache(0)
    cache.put("a", "text/csv", b"1")
    assert cache.get("a") is None


def test_the_server_answers_a_repeated_query_from_the_cache_with_the_same_body(server_url: str) -> None:
    """The first answer comes from the engine, the repeat from memory, byte for byte the same."""
    query = {"query": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p # cache test"}
    first = requests.get(f"{server_url}/sparql", params=query, headers={"Accept": "text/csv"}, timeout=10)
    second = requests.get(f"{server_url}/sparql", params=query, headers={"Accept": "text/csv"}, timeout=10)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.content == second.content and first.headers["ETag"] == second.headers["ETag"]


def test_without_a_result_cache_every_answer_comes_from_the_engine(start_server) -> None:
    """With GOVSOCIAL_RESULT_CACHE_MB=0, a repeated query is evaluated again."""
    url = start_server(result_cache_mb="0").url
    query = {"query": "ASK { ?s ?p ?o }"}
    answers = [requests.get(f"{url}/sparql", params=query, timeout=10) for _ in range(2)]
    assert [answer.headers["X-Cache"] for answer in answers] == ["miss", "miss"]


def test_example_queries_are_answered_from_the_cache_from_the_first_request(start_server) -> None:
    """At start-up the server computes the examples' answers into the cache, so even the first visitor of the
    workbench or the dashboard gets them from memory, byte for byte what the engine answers."""
    url = start_server().url
    examples = sorted(QUERIES_DIR.glob("*.rq"))
    local = [path for path in examples if "federated: true" not in path.read_text(encoding="utf-8")]
    deadline = time.monotonic() + 60
    while requests.get(f"{url}/-/health", timeout=10).json()["examples_prepared"] < len(local):
        assert time.monotonic() < deadline, "the examples were not prepared within 60 s"
        time.sleep(0.2)
    engine = start_server(result_cache_mb="0").url
    accept = {"Accept": "application/sparql-results+json"}
    for path in local:
        query = {"query": path.read_text(encoding="utf-8")}
        first = requests.get(f"{url}/sparql", params=query, headers=accept, timeout=30)
        assert first.status_code == 200 and first.headers["X-Cache"] == "hit", path.name
        fresh = requests.get(f"{engine}/sparql", params=query, headers=accept, timeout=30)
        assert first.json()["head"] == fresh.json()["head"], path.name
        assert sorted(map(repr, first.json()["results"]["bindings"])) == sorted(
            map(repr, fresh.json()["results"]["bindings"])
        ), path.name
