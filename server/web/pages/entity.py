"""Entity pages: what a person sees at /id/... in a browser.

One page shape for every resource (name, type, statements, what links here) plus the sections its
kind calls for: the hierarchy and timeline of an institution, who joined or left a platform, the
events citing a reason, the events a source reports. The data comes from resources.py; this module
only decides what goes where, and the template draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.rdf.labels import Labels
from server.rdf.namespaces import DCTERMS, GS, ORG, OWL, PROV, RDF, SCHEMA, SKOS
from server.rdf.terms import compact
from server.web.pages.present import wikidata_id
from server.web.pages.queries import PageQueries
from server.web.pages.resources import (
    NARROWER_ROLE,
    Description,
    Event,
    Hierarchy,
    Incoming,
    Value,
    events_within,
    group_by_kind,
    hierarchy,
    incoming,
    load_events,
    related_events,
    statements,
    statements_of,
    years_by_kind,
)
from server.web.pages.vocabulary import EVENT_CLASS, INSTITUTION_CLASS, Vocabulary

#: Section titles for a platform's events, by kind: "who joined, left, paused or stayed".
PLATFORM_SECTIONS = {
    GS + "Joining": "Joined",
    GS + "Departure": "Left",
    GS + "Suspension": "Paused",
    GS + "Retention": "Stayed",
    GS + "Consideration": "Considering",
    GS + "Campaign": "Campaigns",
}
#: Statements shown as key facts beside the page, in this order, where the resource has them.
FACT_PREDICATES = (
    GS + "level",
    GS + "jurisdiction",
    GS + "locatedIn",
    ORG + "subOrganizationOf",
    ORG + "memberOf",
    SCHEMA + "jobTitle",
    SKOS + "altLabel",
    GS + "ags",
    GS + "formerName",
    GS + "operator",
    GS + "ownedBy",
    GS + "decentralized",
    GS + "heldBy",
    GS + "platform",
    GS + "handle",
    GS + "instance",
    GS + "hostName",
    SCHEMA + "url",
    GS + "followers",
    GS + "channelCount",
    GS + "institution",
    GS + "date",
    GS + "reportedOn",
    DCTERMS + "date",
    DCTERMS + "publisher",
    DCTERMS + "language",
    DCTERMS + "isPartOf",
    DCTERMS + "identifier",
    SKOS + "notation",
    SKOS + "inScheme",
)


@dataclass
class EventSection:
    """A titled list of events on a page."""

    title: str
    events: list[Event]
    anchor: str
    note: str = ""


@dataclass
class Page:
    """Everything the resource template needs."""

    iri: str
    kind: str  # organisation | person | platform | concept | event | source | account | resource
    description: Description
    types: list[str]
    hierarchy: Hierarchy | None = None
    children: list[Incoming] = field(default_factory=list)
    territories: list[Incoming] = field(default_factory=list)
    members: list[Incoming] = field(default_factory=list)
    sections: list[EventSection] = field(default_factory=list)
    event: Event | None = None
    accounts: list[Description] = field(default_factory=list)
    observations: list[Description] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    narrower: list[str] = field(default_factory=list)
    summary: tuple[list[str], dict[str, dict[str, int]]] | None = None
    wikidata: list[tuple[str, str]] = field(default_factory=list)
    links_here: dict[str, list[Incoming]] = field(default_factory=dict)
    query: str = ""

    @property
    def labels(self) -> Labels:
        return self.description.labels


def page_kind(types: set[str], vocabulary: Vocabulary) -> str:
    """Which page a resource gets, from its rdf:types and the ontology's class tree."""
    if vocabulary.is_a(types, EVENT_CLASS):
        return "event"
    if GS + "Platform" in types:
        return "platform"
    if SKOS + "Concept" in types:
        return "concept"
    if vocabulary.is_a(types, GS + "Source"):
        return "source"
    if GS + "Account" in types:
        return "account"
    if SCHEMA + "Person" in types:
        return "person"
    if vocabulary.is_a(types, INSTITUTION_CLASS) or ORG + "Organization" in types:
        return "organisation"
    return "resource"


def build_page(queries: PageQueries, vocabulary: Vocabulary, iri: str) -> Page | None:
    """Gather one resource's page, or None when the graph does not describe it."""
    description = statements(queries, iri)
    if description is None:
        return None
    types = description.types
    kind = page_kind(types, vocabulary)
    links = incoming(queries, iri)
    page = Page(
        iri=iri,
        kind=kind,
        description=description,
        types=sorted(types, key=lambda t: (not t.startswith(GS), vocabulary.label(t, "en"))),
        wikidata=[(value, wikidata_id(value) or value) for value in description.iris(OWL + "sameAs")],
        query=resource_query(iri),
    )
    by_predicate: dict[str, list[Incoming]] = {}
    for link in links:
        by_predicate.setdefault(link.predicate, []).append(link)
    page.links_here = by_predicate
    events = related_events(queries, vocabulary, iri)

    if kind in ("organisation", "person"):
        page.hierarchy = hierarchy(queries, iri)
        page.children = by_predicate.get(ORG + "subOrganizationOf", [])
        page.territories = by_predicate.get(GS + "locatedIn", [])
        page.members = by_predicate.get(ORG + "memberOf", [])
        own = [e for e in events if {GS + "institution", GS + "person"} & e.roles]
        page.sections.append(EventSection("Timeline", own, "timeline"))
        said = [e for e in events if GS + "statedBy" in e.roles and e not in own]
        if said:
            page.sections.append(EventSection("Announced or explained", said, "stated"))
        other = [e for e in events if e not in own and e not in said]
        if other:
            page.sections.append(EventSection("Also involved in", other, "involved"))
        territorial = {GS + "FederalState", GS + "District", GS + "Municipality"} & types
        if territorial:
            land = GS + "FederalState" in territorial
            within = [e for e in events_within(queries, vocabulary, iri, land) if e not in own]
            where = "this Land" if land else "this district or city"
            page.sections.append(
                EventSection(
                    f"Events of bodies within {where}",
                    within,
                    "within",
                    "The events of every institution and person that belongs to it: by jurisdiction, location, "
                    "parent body or membership.",
                )
            )
        held = [link.subject for link in by_predicate.get(GS + "heldBy", [])]
        page.accounts = sorted(statements_of(queries, held).values(), key=lambda d: d.labels.get("en"))
        observed = [link.subject for link in by_predicate.get(GS + "institution", []) if "observation/" in link.subject]
        page.observations = list(statements_of(queries, observed).values())
    elif kind == "platform":
        own = [e for e in events if GS + "platform" in e.roles]
        for event_kind, found in group_by_kind(own).items():
            title = PLATFORM_SECTIONS.get(event_kind, vocabulary.label(event_kind, "en"))
            page.sections.append(EventSection(title, found, "kind-" + event_kind.rsplit("#", 1)[-1].lower()))
        instead = [e for e in events if GS + "alternativePlatform" in e.roles]
        if instead:
            page.sections.append(
                EventSection(
                    "Named as the platform to turn to instead",
                    instead,
                    "alternative",
                    "Events on other platforms whose institution named this one as its alternative.",
                )
            )
        page.summary = years_by_kind(own)
        on_platform = [link.subject for link in by_predicate.get(GS + "platform", []) if "/account/" in link.subject]
        page.accounts = sorted(statements_of(queries, on_platform).values(), key=lambda d: d.labels.get("de"))
    elif kind == "concept":
        page.broader = description.iris(SKOS + "broader")
        page.narrower = description.iris(SKOS + "narrower")
        direct = [e for e in events if GS + "reason" in e.roles]
        page.sections.append(EventSection("Events citing this reason", direct, "events"))
        narrower = [e for e in events if NARROWER_ROLE in e.roles and e not in direct]
        if narrower:
            page.sections.append(EventSection("Events citing a narrower reason", narrower, "narrower-events"))
    elif kind == "event":
        own = load_events(queries, vocabulary, [iri])
        page.event = own[0] if own else None
    elif kind == "source":
        derived = [e for e in events if PROV + "wasDerivedFrom" in e.roles]
        page.sections.append(EventSection("Events reported by this source", derived, "events"))
    elif kind == "account":
        used = [e for e in events if GS + "account" in e.roles]
        if used:
            page.sections.append(EventSection("Events of this account", used, "events"))
    return page


def resource_query(iri: str) -> str:
    """A query a reader can run in the workbench to see this resource's statements, both ways."""
    name = compact(iri)
    return (
        f"# Everything the graph says about {name}, and what points to it\n"
        "SELECT ?direction ?property ?value ?valueLabel WHERE {\n"
        f'  {{ {name} ?property ?value . BIND("out" AS ?direction) }}\n'
        "  UNION\n"
        f'  {{ ?value ?property {name} . BIND("in" AS ?direction) }}\n'
        '  OPTIONAL { ?value rdfs:label ?valueLabel . FILTER(lang(?valueLabel) = "de") }\n'
        "}\n"
        "ORDER BY ?direction ?property"
    )


def statement_rows(page: Page, vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """The resource's statements for the table at the foot of the page, ordered by property name."""
    rows = []
    for predicate, found in page.description.out.items():
        rows.append({"predicate": predicate, "label": vocabulary.label(predicate, "en"), "values": found})
    return sorted(rows, key=lambda row: (row["predicate"] != RDF + "type", row["label"].lower()))


def key_facts(page: Page, vocabulary: Vocabulary) -> list[tuple[str, list[Value]]]:
    """The resource's key facts for the side box: (property label, values), in FACT_PREDICATES order."""
    return [
        (vocabulary.label(predicate, "en"), page.description.values(predicate))
        for predicate in FACT_PREDICATES
        if page.description.values(predicate)
    ]
