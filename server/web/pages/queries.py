"""Read-only SPARQL for the pages, through the same engine (time limit, result limit, client share) as /sparql.

Pages never format untrusted text into SPARQL: the only values they bind are IRIs, validated by
pyoxigraph's NamedNode (which refuses every character that could end an IRI reference) and written
into a VALUES clause. Everything else a page shows is filtered in Python after the query.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from server.engine.jobs import Answer, QueryJob
from server.web.runtime import runtime
from server.web.sparql import run_limited

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Term:
    """One RDF term of a result, as SPARQL JSON describes it."""

    kind: str  # "uri" | "literal" | "bnode" | "triple"
    value: str
    lang: str = ""
    datatype: str = ""

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


Row = dict[str, Term]


class InvalidIri(ValueError):
    """A value meant to be bound as an IRI is not one."""


def iri_ref(iri: str) -> str:
    """`<iri>` for a SPARQL text, or InvalidIri: NamedNode refuses `<>"{}|^`\\` and spaces."""
    try:
        return str(NamedNode(iri))
    except ValueError as error:
        raise InvalidIri(str(error)) from None


def values(variable: str, iris: Iterable[str]) -> str:
    """A VALUES clause binding `?variable` to validated IRIs (at least one; duplicates dropped)."""
    if not variable.isidentifier():
        raise ValueError(f"not a variable name: {variable!r}")
    refs = list(dict.fromkeys(iri_ref(iri) for iri in iris))
    if not refs:
        raise ValueError("VALUES needs at least one IRI")
    return f"VALUES ?{variable} {{ {' '.join(refs)} }}"


def _term(binding: dict[str, Any]) -> Term:
    return Term(binding["type"], binding.get("value", ""), binding.get("xml:lang", ""), binding.get("datatype", ""))


class PageQueries:
    """Runs the pages' queries with a `run(job) -> Answer` function (the app's engine, or a store in tests),
    each held to the result limit that /sparql has.
    """

    def __init__(self, run: Callable[[QueryJob], Answer], max_result_bytes: int):
        self._run = run
        self.max_result_bytes = max_result_bytes

    def select(self, text: str) -> list[Row]:
        """The rows of a SELECT, each a dict of the bound variables."""
        answer = self._run(QueryJob(text, SPARQL_JSON, self.max_result_bytes))
        data = json.loads(answer.body)
        return [{name: _term(value) for name, value in row.items()} for row in data["results"]["bindings"]]

    def triples(self, text: str) -> list[Triple]:
        """The triples of a CONSTRUCT, parsed back into pyoxigraph terms (to serialise with our prefixes)."""
        answer = self._run(QueryJob(text, N_TRIPLES, self.max_result_bytes))
        return [quad.triple for quad in parse(answer.body, format=RdfFormat.N_TRIPLES)]


def _pool_runner(job: QueryJob) -> Answer:
    """A page's query on the page lane, with the same time limit and client share as /sparql."""
    return run_limited(replace(job, lane="page"))


def page_queries() -> PageQueries:
    """The page query runner of the current app: its engine, with the configured time and size limits.

    A page about one resource is a request like a query on /sparql, so its answers are held to the same
    `max_result_bytes`; a page that passes it is answered 422, as /sparql answers.
    """
    return PageQueries(_pool_runner, runtime().settings.max_result_bytes)


def build_queries() -> PageQueries:
    """The runner for what a server reads once from its build (the vocabulary, the class counts).

    Their size is the build's, not a client's choice, and every page needs them, so no client's result limit
    applies: a small `max_result_bytes` must not take search and browsing down. The time limit still does.
    """
    return PageQueries(_pool_runner, sys.maxsize)
