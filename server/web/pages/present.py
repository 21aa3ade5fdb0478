"""How the pages write IRIs, labels and dates: pure functions, also registered as Jinja filters.

IRIs under our base become links on this host (`/id/...`, `/ontology#Term`), so the site works the
same on any host; other IRIs link only when they are http(s), since an IRI in the data can be anything
(`javascript:...` would run in our origin on a click); dates are shown at the precision the data gives
them, never more precisely.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from server.rdf.namespaces import DCTERMS, GRAPH, GS, GSID, ORG, OWL, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS, XSD

ONTOLOGY_IRI = GS.rstrip("#")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

#: Prefixes for compact display, longest namespace first so `institution:` wins over `gsid:`.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
#: The scheme of an absolute IRI (RFC 3986), for the one check of what may become a link.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
#: The only schemes a page links to; `javascript:`, `data:`, `vbscript:`, `file:`, `mailto:` … stay text.
LINK_SCHEMES = frozenset({"http", "https"})

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

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def compact(iri: str) -> str:
    """`institution:dresden` for an IRI under a known prefix whose rest is a valid local name, else `<iri>`."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local == "" or _LOCAL_NAME.match(local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def href(iri: str) -> str | None:
    """Where a link to this IRI goes, or None when it must be shown as text, not as a link.

    Our resources and terms go to this host; another IRI goes where it says only when its scheme is
    http or https. Anything else (`javascript:`, `data:`, a relative reference, a scheme hidden behind
    a space) is None: data can hold any IRI, and a link must never run code in our origin.
    """
    if iri.startswith(GSID):
        return "/id/" + iri[len(GSID) :]
    if iri.startswith(GS):
        return "/ontology#" + iri[len(GS) :]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(GRAPH):
        return "/dataset#graph-" + iri[len(GRAPH) :]
    scheme = _SCHEME.match(iri)
    return iri if scheme and scheme.group(1).lower() in LINK_SCHEMES else None


def is_local(iri: str) -> bool:
    """Whether `href(iri)` points into this site."""
    return (href(iri) or "").startswith("/")


def wikidata_id(iri: str) -> str | None:
    """`Q183` for a Wikidata entity IRI, else None."""
    if iri.startswith(WIKIDATA_ENTITY):
        return iri[len(WIKIDATA_ENTITY) :]
    return None


def wikidata_page(iri: str) -> str:
    """The human page of a Wikidata entity (the entity IRI itself redirects there too)."""
    qid = wikidata_id(iri)
    return f"https://www.wikidata.org/wiki/{qid}" if qid else iri


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


def label_of(labels: Mapping[str, Labels], iri: str, *order: str) -> str:
    """The label of an IRI from a label map, in the preferred languages."""
    found = labels.get(iri)
    return found.get(*order) if found else (KNOWN_TERMS.get(iri) or local_name(iri))


def parse_date(value: str | None) -> date | None:
    """An xsd:date (ignoring a time-zone suffix), or None for anything else."""
    if not value:
        return None
    match = re.match(r"^(-?\d{4,})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def format_date(value: str | None, precision: str | None = None, reported_on: str | None = None) -> str:
    """A date at its precision: '15 January 2025', 'February 2024', '2024', or 'undated (reported …)'.

    `precision` is the IRI or the local name of a gs:DatePrecisions concept; without it the date is
    shown to the day, as written.
    """
    parsed = parse_date(value)
    if parsed is None:
        reported = parse_date(reported_on)
        return f"undated (reported {reported.isoformat()})" if reported else "undated"
    name = local_name(precision) if precision else "DayPrecision"
    if name == "YearPrecision":
        return f"{parsed.year}"
    if name == "MonthPrecision":
        return f"{MONTHS[parsed.month - 1]} {parsed.year}"
    return f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"


def datatype_name(datatype: str) -> str:
    """`xsd:date` for a datatype IRI, for the small print beside a literal."""
    if datatype.startswith(XSD):
        return "xsd:" + datatype[len(XSD) :]
    return compact(datatype)


def human_size(size: int) -> str:
    """A byte count as people read it: '71.1 KiB'."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
