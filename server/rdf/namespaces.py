"""The IRIs of the vocabulary contract (shared/design/vocabulary.md), defined once.

Every module that writes or reads our terms imports them from here, so a namespace
can never drift between the build, the queries and the tests.
"""

from __future__ import annotations

GS = "https://w3id.org/govsocial/ontology#"
#: The dataset as a whole: a stable IRI, whichever host serves its description.
DATASET = "https://w3id.org/govsocial/dataset"
#: The project that makes the dataset (dcterms:creator), an agent with an IRI of its own.
PROJECT = "https://w3id.org/govsocial/"
GSID = "https://w3id.org/govsocial/id/"
GRAPH = "https://w3id.org/govsocial/graph/"

ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
WIKIBASE = "http://wikiba.se/ontology#"
VANN = "http://purl.org/vocab/vann/"

#: Prefixes declared for every query we run, so researchers can write `gs:Departure` without
#: a PREFIX line. The resource prefixes follow the contract's rule of one prefix per kind, and every prefix
#: our own Turtle (data files, dumps, pages) uses is declared here, so a term copied from it runs as a query.
PREFIXES: dict[str, str] = {
    "gs": GS,
    "gsid": GSID,
    "org": ORG,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "foaf": FOAF,
    "wd": WD,
    "wdt": WDT,
    "institution": GSID + "org/",
    "person": GSID + "person/",
    "platform": GSID + "platform/",
    "event": GSID + "event/",
    "reason": GSID + "reason/",
    "source": GSID + "source/",
    "change": GSID + "change/",
    "account": GSID + "account/",
    "period": GSID + "period/",
    "quotation": GSID + "quotation/",
    "observation": GSID + "observation/",
    "context": GSID + "context/",
    "instance": GSID + "instance/",
    "law": GSID + "law/",
    "void": VOID,
    "sh": SH,
    "vann": VANN,
    "wikibase": WIKIBASE,
}


def graph_iri(name: str) -> str:
    """Return the IRI of the named graph that holds one source of statements."""
    return GRAPH + name
