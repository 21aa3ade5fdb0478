"""Labels of resources by language, and the names a page or report falls back on when a resource has none.

Read by the search index of the build and by the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from server.rdf.namespaces import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

#: English names for the terms of other vocabularies that our data uses (ours come from the ontology).
KNOWN_TERMS: dict[str, str] = {
    RDF + "type": "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "subClassOf": "subclass of",
    RDFS + "subPropertyOf": "subproperty of",
    RDFS + "domain": "domain",
    RDFS + "range": "range",
    RDFS + "seeAlso": "see also",
    RDFS + "isDefinedBy": "defined by",
    OWL + "sameAs": "same as",
    OWL + "Class": "OWL class",
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "Ontology": "ontology",
    SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "alternative label",
    SKOS + "definition": "definition",
    SKOS + "broader": "broader concept",
    SKOS + "narrower": "narrower concept",
    SKOS + "related": "related concept",
    SKOS + "inScheme": "in scheme",
    SKOS + "topConceptOf": "top concept of",
    SKOS + "hasTopConcept": "has top concept",
    SKOS + "notation": "notation",
    SKOS + "Concept": "SKOS concept",
    SKOS + "ConceptScheme": "SKOS concept scheme",
    ORG + "subOrganizationOf": "sub-organisation of",
    ORG + "memberOf": "member of",
    ORG + "Organization": "organisation",
    ORG + "OrganizationalUnit": "organisational unit",
    PROV + "wasDerivedFrom": "derived from",
    PROV + "Activity": "activity",
    PROV + "Entity": "entity",
    DCTERMS + "title": "title",
    DCTERMS + "description": "description",
    DCTERMS + "date": "date",
    DCTERMS + "identifier": "identifier",
    DCTERMS + "language": "language",
    DCTERMS + "publisher": "publisher",
    DCTERMS + "isPartOf": "part of",
    DCTERMS + "subject": "subject",
    DCTERMS + "license": "licence",
    DCTERMS + "creator": "creator",
    SCHEMA + "jobTitle": "job title",
    SCHEMA + "url": "web address",
    SCHEMA + "Person": "person",
    SCHEMA + "GovernmentOrganization": "government organisation",
    SCHEMA + "AdministrativeArea": "administrative area",
    SCHEMA + "NewsArticle": "news article",
    SCHEMA + "Dataset": "dataset",
    SCHEMA + "Legislation": "legislation",
}


def local_name(iri: str) -> str:
    """The last segment of an IRI, a readable fallback when a resource has no label."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


@dataclass
class Labels:
    """A resource's labels by language tag ('' for a plain literal)."""

    iri: str
    by_lang: dict[str, str] = field(default_factory=dict)

    def add(self, lang: str, text: str) -> None:
        self.by_lang.setdefault(lang, text)

    def get(self, *order: str) -> str:
        """The first label in the languages asked for, then any label, then a name made from the IRI."""
        for lang in (*order, "en", "de", ""):
            if lang in self.by_lang:
                return self.by_lang[lang]
        if self.by_lang:
            return next(iter(self.by_lang.values()))
        return KNOWN_TERMS.get(self.iri) or local_name(self.iri)

    @property
    def de(self) -> str:
        return self.get("de")

    @property
    def en(self) -> str:
        return self.get("en")

    def other(self, shown: str) -> str | None:
        """The label in the other language when it differs from the one shown, for a second line."""
        for lang in ("en", "de", ""):
            text = self.by_lang.get(lang)
            if text and text != shown:
                return text
        return None
