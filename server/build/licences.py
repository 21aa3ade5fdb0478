"""The terms each named graph comes under, read from its void:Dataset description, and those of the derived graph.

Every import describes its graph (licence, source repository, attribution text); the ontology and the curated data
describe theirs in their own files. The derived graph is made from all the others, so it carries every licence and
attribution they require (CC BY-SA's share-alike among them); so does their union, the default graph and its dumps.
"""

from __future__ import annotations

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from server.rdf.namespaces import DCTERMS, RDF, RDFS, VOID, graph_iri
from server.store.builds import GraphTerms

_TERMS_QUERY = f"""
SELECT ?graph ?licence ?source ?rights WHERE {{
  GRAPH ?graph {{
    ?graph a <{VOID}Dataset> .
    {{ ?graph <{DCTERMS}license> ?licence }} UNION {{ ?graph <{DCTERMS}source> ?source }}
    UNION {{ ?graph <{DCTERMS}rights> ?rights }}
  }}
}}"""


def graph_terms(store: Store) -> dict[str, GraphTerms]:
    """Each named graph's licences, sources and attribution texts, as its own description states them."""
    found: dict[str, tuple[set[str], set[str], set[tuple[str, str]]]] = {}
    for row in store.query(_TERMS_QUERY):
        licences, sources, rights = found.setdefault(row["graph"].value, (set(), set(), set()))
        if row["licence"] is not None:
            licences.add(row["licence"].value)
        if row["source"] is not None:
            sources.add(row["source"].value)
        if isinstance(row["rights"], Literal):
            rights.add((row["rights"].language or "", row["rights"].value))
    return {
        graph: GraphTerms(tuple(sorted(licences)), tuple(sorted(sources)), tuple(sorted(rights)))
        for graph, (licences, sources, rights) in sorted(found.items())
    }


def describe_derived(store: Store, terms: dict[str, GraphTerms], derived: str) -> GraphTerms:
    """Give the derived graph the terms of everything it is made from, as a void:Dataset in that graph."""
    made_from = {graph: t for graph, t in terms.items() if graph != graph_iri(derived)}
    own = GraphTerms(
        tuple(sorted({licence for t in made_from.values() for licence in t.licences})),
        tuple(sorted(made_from)),
        tuple(sorted({right for t in made_from.values() for right in t.rights})),
    )
    node = NamedNode(graph_iri(derived))
    triples = [
        (node, NamedNode(RDF + "type"), NamedNode(VOID + "Dataset")),
        (node, NamedNode(RDFS + "label"), Literal("Abgeleitete Aussagen", language="de")),
        (node, NamedNode(RDFS + "label"), Literal("Derived statements", language="en")),
        *[(node, NamedNode(DCTERMS + "license"), NamedNode(licence)) for licence in own.licences],
        *[(node, NamedNode(DCTERMS + "source"), NamedNode(source)) for source in own.sources],
        *[(node, NamedNode(DCTERMS + "rights"), Literal(text, language=lang or None)) for lang, text in own.rights],
    ]
    store.extend([Quad(s, p, o, graph) for s, p, o in triples for graph in (node, DefaultGraph())])
    return own
