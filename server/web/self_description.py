"""What the endpoint says about itself: the SPARQL Service Description and the VoID description.

Both are built as RDF from the build's own figures (graphs, triple counts, version), so they can never
disagree with what a query sees.
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from server import __version__
from server.rdf.formats import FORMATS, W3C_FORMATS
from server.rdf.namespaces import DATASET, DCTERMS, FOAF, GS, GSID, ORG, PROJECT, PROV, RDF, SCHEMA, SKOS, VOID, XSD
from server.store.builds import DUMPS, BuildInfo, graph_dump_name

SD = "http://www.w3.org/ns/sparql-service-description#"
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"

#: Resources a newcomer can start from; listed in VoID as example resources.
EXAMPLE_RESOURCES = (
    GSID + "org/niedersaechsischer-landtag",
    GSID + "org/dresden",
    GSID + "platform/x",
    GSID + "event/2025-01-niedersaechsischer-landtag-x-departure",
)


class _Graph:
    """Triples under construction, written without repeating NamedNode for every predicate."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def add(self, subject: NamedNode | BlankNode, predicate: str, obj: NamedNode | BlankNode | Literal) -> None:
        self.triples.append(Triple(subject, NamedNode(predicate), obj))

    def serialize(self, fmt: RdfFormat) -> bytes:
        return serialize(self.triples, format=fmt, prefixes=DESCRIPTION_PREFIXES)


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def service_description(endpoint: str, info: BuildInfo, void_iri: str) -> _Graph:
    """The sd:Service of our endpoint: what it speaks, what it returns, and the dataset it holds."""
    graph = _Graph()
    service = NamedNode(endpoint)
    graph.add(service, RDF + "type", NamedNode(SD + "Service"))
    graph.add(service, SD + "endpoint", service)
    graph.add(service, SD + "supportedLanguage", NamedNode(SD + "SPARQL11Query"))
    for feature in ("UnionDefaultGraph", "BasicFederatedQuery"):
        graph.add(service, SD + "feature", NamedNode(SD + feature))
    for iri in (f.w3c_iri for f in FORMATS):
        graph.add(service, SD + "resultFormat", NamedNode(iri))
    dataset = NamedNode(DATASET)  # the VoID dataset itself: one IRI, whichever host serves this description
    graph.add(service, SD + "defaultDataset", dataset)
    graph.add(dataset, RDF + "type", NamedNode(SD + "Dataset"))
    graph.add(dataset, DCTERMS + "identifier", Literal(info.version))
    graph.add(dataset, RDF + "type", NamedNode(VOID + "Dataset"))
    graph.add(dataset, "http://www.w3.org/2000/01/rdf-schema#seeAlso", NamedNode(void_iri))
    default = BlankNode()
    graph.add(dataset, SD + "defaultGraph", default)
    graph.add(default, RDF + "type", NamedNode(SD + "Graph"))
    graph.add(default, VOID + "triples", _int(info.distinct_triples))
    graph.add(default, DCTERMS + "description", Literal("The RDF merge of all named graphs.", language="en"))
    for name, triples in info.graphs.items():
        named, inner = BlankNode(), BlankNode()
        graph.add(dataset, SD + "namedGraph", named)
        graph.add(named, RDF + "type", NamedNode(SD + "NamedGraph"))
        graph.add(named, SD + "name", NamedNode(name))
        graph.add(named, SD + "graph", inner)
        graph.add(inner, RDF + "type", NamedNode(SD + "Graph"))
        graph.add(inner, VOID + "triples", _int(triples))
    return graph


def void_description(endpoint: str, void_iri: str, info: BuildInfo, dumps_base: str | None = None) -> _Graph:
    """The VoID description of the dataset: licence, version, size, vocabularies, examples, endpoint."""
    graph = _Graph()
    dataset = NamedNode(DATASET)
    document = NamedNode(void_iri)  # this document, at the host that serves it; the dataset's IRI does not move
    graph.add(document, RDF + "type", NamedNode(VOID + "DatasetDescription"))
    graph.add(document, FOAF + "primaryTopic", dataset)
    graph.add(dataset, RDF + "type", NamedNode(VOID + "Dataset"))
    graph.add(dataset, DCTERMS + "title", Literal("GovSocial KG", language="en"))
    graph.add(
        dataset,
        DCTERMS + "description",
        Literal(
            "How public institutions use social media: who left X, paused it or kept it, which platforms they "
            "joined instead, when, and for which stated reasons, each event with its source.",
            language="en",
        ),
    )
    for licence in info.licences or [LICENSE]:  # every licence of a graph applies to the union
        graph.add(dataset, DCTERMS + "license", NamedNode(licence))
    for terms in info.terms.values():
        for lang, text in terms.rights:
            graph.add(dataset, DCTERMS + "rights", Literal(text, language=lang or None))
    graph.add(dataset, DCTERMS + "modified", Literal(info.built_at, datatype=NamedNode(XSD + "dateTime")))
    graph.add(dataset, "http://www.w3.org/2002/07/owl#versionInfo", Literal(info.version))
    graph.add(dataset, DCTERMS + "hasVersion", Literal(info.version))
    graph.add(dataset, VOID + "sparqlEndpoint", NamedNode(endpoint))
    graph.add(dataset, VOID + "uriSpace", Literal(GSID))
    graph.add(dataset, VOID + "triples", _int(info.distinct_triples))
    for vocabulary in (GS.rstrip("#"), ORG, SKOS, PROV, DCTERMS, SCHEMA):
        graph.add(dataset, VOID + "vocabulary", NamedNode(vocabulary))
    for example in EXAMPLE_RESOURCES:
        graph.add(dataset, VOID + "exampleResource", NamedNode(example))
    for name in info.dumps if dumps_base else ():
        if name in DUMPS:  # the union; each graph's own dump is named on its subset
            graph.add(dataset, VOID + "dataDump", NamedNode(dumps_base + name))
            _dump_syntax(graph, dataset, NamedNode(dumps_base + name), DUMPS[name])
    creator = NamedNode(PROJECT)
    graph.add(dataset, DCTERMS + "creator", creator)
    graph.add(creator, RDF + "type", NamedNode(FOAF + "Organization"))
    graph.add(creator, "http://www.w3.org/2000/01/rdf-schema#label", Literal("GovSocial KG", language="en"))
    graph.add(dataset, SCHEMA + "softwareVersion", Literal(__version__))
    for name, triples in info.graphs.items():
        subset = NamedNode(name)
        graph.add(dataset, VOID + "subset", subset)
        graph.add(subset, RDF + "type", NamedNode(VOID + "Dataset"))
        graph.add(subset, VOID + "triples", _int(triples))
        graph.add(subset, VOID + "sparqlEndpoint", NamedNode(endpoint))
        terms = info.terms.get(name)
        for licence in terms.licences if terms else ():
            graph.add(subset, DCTERMS + "license", NamedNode(licence))
        for source in terms.sources if terms else ():
            graph.add(subset, DCTERMS + "source", NamedNode(source))
        for lang, text in terms.rights if terms else ():
            graph.add(subset, DCTERMS + "rights", Literal(text, language=lang or None))
        if dumps_base and graph_dump_name(name) in info.dumps:
            dump = NamedNode(dumps_base + graph_dump_name(name))
            graph.add(subset, VOID + "dataDump", dump)
            _dump_syntax(graph, subset, dump, RdfFormat.TURTLE)
    return graph


def _dump_syntax(graph: _Graph, dataset: NamedNode, dump: NamedNode, syntax: RdfFormat) -> None:
    """Which syntax a dump is in (VoID's void:feature with the W3C format IRI), and its media type when unpacked."""
    entry = next(f for f in FORMATS if f.graph == syntax)
    graph.add(dataset, VOID + "feature", NamedNode(entry.w3c_iri))
    graph.add(dump, DCTERMS + "format", Literal(entry.media_type))
    graph.add(dump, "http://www.w3.org/ns/dcat#compressFormat", Literal("application/gzip"))


DESCRIPTION_PREFIXES = {
    "sd": SD,
    "void": VOID,
    "dcterms": DCTERMS,
    "formats": W3C_FORMATS,
    "rdf": RDF,
    "xsd": XSD,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
