"""Read-only SPARQL for the pages, through the same killable workers (and time limit) as /sparql.

Pages never format untrusted text into SPARQL: the only values they bind are IRIs, validated by
pyoxigraph's NamedNode (which refuses every character that could end an IRI reference) and written
into a VALUES clause. Everything else a page shows is filtered in Python after the query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from server.engine.jobs import Answer, QueryJob
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
    """Runs the pages' queries with a `run(job) -> Answer` function: the worker pool, or a store in tests."""

    def __init__(self, run: Callable[[QueryJob], Answer]):
        self._run = run

    def select(self, text: str) -> list[Row]:
        """The rows of a SELECT, each a dict of the bound variables."""
        answer = self._run(QueryJob(text, SPARQL_JSON))
        data = json.loads(answer.body)
        return [{name: _term(value) for name, value in row.items()} for row in data["results"]["bindings"]]

    def triples(self, text: str) -> list[Triple]:
        """The triples of a CONSTRUCT, parsed back into pyoxigraph terms (to serialise with our prefixes)."""
        answer = self._run(QueryJob(text, N_TRIPLES))
        return [quad.triple for quad in parse(answer.body, format=RdfFormat.N_TRIPLES)]


def _pool_runner(job: QueryJob) -> Answer:
    """A page's query on the page lane, with the same time limit and client share as /sparql."""
    return run_limited(replace(job, lane="page"))


def page_queries() -> PageQueries:
    """The page query runner of the current app: its worker pool, with the configured time limit."""
    return PageQueries(_pool_runner)


def page_cache() -> dict[str, Any]:
    """Per-app memo for what never changes while a server runs on one build (vocabulary, search index)."""
    return current_app.extensions.setdefault("govsocial_pages", {})
