"""How much of the graph is linked to Wikidata: per class, resources and those with an owl:sameAs to an item.

Counts asserted types (rdf:type as the data states it, no subclass reasoning), for our gs: classes and
schema:Person, over the default graph (the merge of all named graphs). Kinds of resource that exist only in our
modelling and can have no Wikidata item (NOT_IN_WIKIDATA: presence periods the build derives, quotations) are
left out, so they do not lower the coverage.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from pyoxigraph import Store

from server.engine.query import run_query
from server.rdf.namespaces import GS, PREFIXES, SCHEMA, WD

#: Classes whose resources are ours alone: nothing in Wikidata could be the same.
NOT_IN_WIKIDATA = (GS + "PresencePeriod", GS + "Quotation")

COVERAGE_QUERY = f"""
SELECT ?class (COUNT(DISTINCT ?resource) AS ?resources) (COUNT(DISTINCT ?linked) AS ?linkedCount) WHERE {{
  ?resource a ?class .
  FILTER(STRSTARTS(STR(?class), "{GS}") || ?class = <{SCHEMA}Person>)
  FILTER(?class NOT IN ({", ".join(f"<{c}>" for c in NOT_IN_WIKIDATA)}))
  OPTIONAL {{
    ?resource owl:sameAs ?item .
    FILTER(STRSTARTS(STR(?item), "{WD}"))
    BIND(?resource AS ?linked)
  }}
}}
GROUP BY ?class
"""

TOTAL_QUERY = COVERAGE_QUERY.replace("?class (COUNT", "(COUNT").replace("GROUP BY ?class", "")


@dataclass(frozen=True)
class ClassCoverage:
    """One row of the report: a class, its resources and how many of them link to a Wikidata item."""

    iri: str
    name: str  # the prefixed name, e.g. gs:Municipality
    resources: int
    with_wikidata: int

    @property
    def percent(self) -> float:
        return round(100 * self.with_wikidata / self.resources, 1) if self.resources else 0.0

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "percent": self.percent}


def coverage(store: Store) -> tuple[list[ClassCoverage], ClassCoverage]:
    """The rows per class, ordered by prefixed name, and the total over distinct resources."""
    rows = [
        ClassCoverage(
            iri=solution["class"].value,
            name=prefixed(solution["class"].value),
            resources=int(solution["resources"].value),
            with_wikidata=int(solution["linkedCount"].value),
        )
        for solution in run_query(store, COVERAGE_QUERY)
    ]
    rows.sort(key=lambda row: row.name)
    total_row = next(iter(run_query(store, TOTAL_QUERY)))
    total = ClassCoverage(
        "", "all (distinct resources)", int(total_row["resources"].value), int(total_row["linkedCount"].value)
    )
    return rows, total


def prefixed(iri: str) -> str:
    """The shortest prefixed name of our prefixes for an IRI, or the IRI in angle brackets."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    name = next(prefix for prefix, ns in PREFIXES.items() if ns == best)
    return f"{name}:{iri[len(best) :]}"


def as_table(rows: list[ClassCoverage], total: ClassCoverage) -> str:
    """A plain-text table: class, resources, with Wikidata, percent; the total last."""
    header = ("class", "resources", "with Wikidata", "%")
    body = [(row.name, str(row.resources), str(row.with_wikidata), f"{row.percent:.1f}") for row in [*rows, total]]
    widths = [max(len(line[column]) for line in [header, *body]) for column in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(cells) for cells in body[:-1]), rule, line(body[-1])]) + "\n"


def as_json(rows: list[ClassCoverage], total: ClassCoverage, version: str) -> str:
    """The same numbers as JSON, with the dataset version they were counted on."""
    document = {
        "version": version,
        "classes": [row.as_json() for row in rows],
        "total": {key: value for key, value in total.as_json().items() if key != "iri"},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
