"""The institutions a name can be reconciled to, read with four SELECT queries from any SPARQL engine.

The web process reads them once per build through its engine; `govsocial curate` reads them from the data
folder loaded into an in-memory store. Both get the same records, so a sheet and OpenRefine see the same
matches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from server.rdf.namespaces import GS, ORG, OWL, RDFS, SCHEMA, SKOS, WD

#: Runs a SELECT and gives its rows as {variable: lexical value} (unbound variables left out).
Select = Callable[[str], list[dict[str, str]]]

_PREFIXES = (
    f"PREFIX gs: <{GS}>\nPREFIX org: <{ORG}>\nPREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\n"
    f"PREFIX schema: <{SCHEMA}>\nPREFIX owl: <{OWL}>\n"
)
TYPES_QUERY = (
    _PREFIXES
    + """SELECT ?s ?type WHERE {
  ?s a ?type . ?type rdfs:subClassOf* org:Organization .
  FILTER (isIRI(?s))
}"""
)
LABELS_QUERY = (
    _PREFIXES
    + """SELECT ?s ?label ?lang ?kind WHERE {
  ?s a/rdfs:subClassOf* org:Organization .
  { ?s rdfs:label ?label BIND ("label" AS ?kind) } UNION { ?s skos:prefLabel ?label BIND ("label" AS ?kind) }
  UNION { ?s skos:altLabel ?label BIND ("alt" AS ?kind) } UNION { ?s schema:alternateName ?label BIND ("alt" AS ?kind) }
  BIND (LANG(?label) AS ?lang)
}"""
)
FACTS_QUERY = (
    _PREFIXES
    + """SELECT ?s ?land ?level ?same WHERE {
  ?s a/rdfs:subClassOf* org:Organization .
  { ?s gs:withinLand ?land } UNION { ?s gs:level ?level } UNION { ?s owl:sameAs ?same }
}"""
)


@dataclass
class Candidate:
    """One institution that names can be matched to."""

    iri: str
    types: set[str] = field(default_factory=set)  # local names of the gs: classes (and "Organization")
    labels: dict[str, str] = field(default_factory=dict)  # language -> main label
    alternatives: list[str] = field(default_factory=list)
    land: str | None = None  # IRI of the gs:FederalState it lies in (itself for a Land)
    level: str | None = None  # local name of its gs:level
    qids: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.labels.get("de") or self.labels.get("en") or next(iter(self.labels.values()), self.iri)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys([*self.labels.values(), *self.alternatives]))


def load_candidates(select: Select) -> list[Candidate]:
    """Every organisation of the graph, with its names, gs: types, Land, level and Wikidata items."""
    found: dict[str, Candidate] = {}
    for row in select(TYPES_QUERY):
        candidate = found.setdefault(row["s"], Candidate(row["s"]))
        if row["type"].startswith(GS):
            candidate.types.add(row["type"][len(GS) :])
        elif row["type"] == ORG + "Organization":
            candidate.types.add("Organization")
    alternatives: dict[str, set[str]] = defaultdict(set)
    for row in select(LABELS_QUERY):
        candidate = found.get(row["s"])
        if candidate is None:
            continue
        if row["kind"] == "label":
            candidate.labels.setdefault(row.get("lang", ""), row["label"])
            alternatives[row["s"]].add(row["label"])
        else:
            alternatives[row["s"]].add(row["label"])
    for iri, names in alternatives.items():
        main = set(found[iri].labels.values())
        found[iri].alternatives = sorted(names - main)
    for row in select(FACTS_QUERY):
        candidate = found.get(row["s"])
        if candidate is None:
            continue
        if "land" in row:
            candidate.land = row["land"]
        if "level" in row:
            candidate.level = row["level"].rsplit("#", 1)[-1]
        if row.get("same", "").startswith(WD):
            candidate.qids.add(row["same"][len(WD) :])
    for candidate in found.values():
        if "FederalState" in candidate.types:
            candidate.land = candidate.iri
    return sorted((c for c in found.values() if c.labels or c.alternatives), key=lambda c: c.iri)
