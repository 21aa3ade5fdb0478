"""The query mix: the example queries of queries/, a by-IRI lookup and a label search, plus runaway queries.

Every query carries its own PREFIX lines (the peers do not know our pre-declared prefixes), and a
parameterised query varies its IRI or search word by request number, the same sequence for every endpoint.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SELECT_JSON = "application/sparql-results+json"
PREFIXES = """PREFIX gs: <https://w3id.org/govsocial/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
"""


@dataclass(frozen=True)
class Query:
    """One query of the mix; `text(i)` is the text of its i-th request."""

    id: str
    title: str
    make: Callable[[int], str]
    accept: str = SELECT_JSON
    example: bool = False  # one of queries/*.rq (the p95 target applies to these)
    runaway: bool = False  # expected to pass any sane time limit (load test only)

    def text(self, number: int) -> str:
        return self.make(number)


def federated(text: str) -> bool:
    """Whether a query calls another endpoint (SERVICE): such a query would leave this machine."""
    without_comments = re.sub(r"(?m)^\s*#.*$", "", text)
    return re.search(r"\bSERVICE\b", without_comments, flags=re.IGNORECASE) is not None


def example_queries(queries_dir: Path) -> list[Query]:
    """Every queries/*.rq except the federated ones, in file order, with the title from its `# title:` line.

    A query with SERVICE (e.g. one that asks Wikidata) is left out: the benchmark talks to 127.0.0.1 only.
    """
    found = []
    for path in sorted(queries_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if federated(text):
            continue
        title = re.search(r"^#\s*title:\s*(.+)$", text, flags=re.MULTILINE)
        found.append(
            Query(
                path.stem.split("-", 1)[0], title.group(1).strip() if title else path.stem, _const(text), example=True
            )
        )
    return found


def _const(text: str) -> Callable[[int], str]:
    return lambda _number: text


def lookup_query(iris: list[str]) -> Query:
    """What a Linked Data page or a client asks about one resource: all its statements."""
    return Query(
        "lookup",
        "by-IRI lookup: SELECT ?p ?o of one institution",
        lambda number: f"SELECT ?p ?o WHERE {{ <{iris[number % len(iris)]}> ?p ?o }}",
    )


def search_query(words: list[str]) -> Query:
    """What a generic SPARQL search box sends: a case-insensitive substring match over labels."""

    def make(number: int) -> str:
        word = words[number % len(words)].lower().replace("\\", "").replace('"', "")
        return (
            PREFIXES + "SELECT ?s ?label WHERE { ?s rdfs:label ?label . "
            f'FILTER(CONTAINS(LCASE(STR(?label)), "{word}")) }} LIMIT 50'
        )

    return Query("search", "label search: CONTAINS over rdfs:label, LIMIT 50", make)


RUNAWAYS = [
    Query(
        "runaway-cartesian",
        "runaway: count a three-way cartesian product",
        _const("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
        runaway=True,
    ),
    Query(
        "runaway-regex-join",
        "runaway: regex join of every label with every label",
        _const(
            PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?a rdfs:label ?x . ?b rdfs:label ?y . "
            "FILTER(REGEX(STR(?x), CONCAT(SUBSTR(STR(?y), 1, 3), '.*z'))) }"
        ),
        runaway=True,
    ),
]


def parameters(store_path: Path, seed: int, count: int = 400) -> tuple[list[str], list[str]]:
    """IRIs of institutions and search words taken from the built store, the same for every endpoint."""
    from pyoxigraph import Store

    store = Store.read_only(str(store_path))
    iris = sorted(
        row["s"].value
        for row in store.query(
            PREFIXES + "SELECT DISTINCT ?s WHERE { ?s a schema:GovernmentOrganization }",
            use_default_graph_as_union=True,
        )
    )
    labels = sorted(
        row["l"].value
        for row in store.query(
            PREFIXES + "SELECT DISTINCT ?l WHERE { ?s a gs:Municipality ; rdfs:label ?l }",
            use_default_graph_as_union=True,
        )
    )
    del store
    rng = random.Random(seed)
    picked_iris = rng.sample(iris, min(count, len(iris)))
    names = rng.sample(labels, min(count // 2, len(labels))) if labels else []
    stems = ["rosen", "amt", "polizei", "berg", "mühl", "sachsen", "x", "feuerwehr", "ministerium", "tal"]
    words = [*stems, *names]
    rng.shuffle(words)
    return picked_iris, words


def comparison_mix(queries_dir: Path, iris: list[str], words: list[str]) -> list[Query]:
    return [*example_queries(queries_dir), lookup_query(iris), search_query(words)]
