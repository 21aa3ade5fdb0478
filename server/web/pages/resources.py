"""What the entity pages show, gathered by a few read-only queries: descriptions, events, hierarchy.

Each function takes a PageQueries, so tests run them on a store and the app on its worker pool. They
return plain data (dataclasses of IRIs, labels and literals); pages.py decides what to show where.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from server.rdf.labels import Labels
from server.rdf.namespaces import DCTERMS, GS, ORG, PROV, RDF, RDFS, SKOS
from server.web.pages.present import format_date, parse_date
from server.web.pages.queries import PageQueries, Row, Term, build_queries, values
from server.web.pages.vocabulary import EVENT_KINDS, Vocabulary
from server.web.runtime import runtime

LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel")
#: How an event can be related to the resource whose page lists it.
EVENT_ROLES = (
    GS + "institution",
    GS + "person",
    GS + "platform",
    GS + "reason",
    GS + "alternativePlatform",
    GS + "statedBy",
    GS + "participant",
    GS + "account",
    PROV + "wasDerivedFrom",
)
NARROWER_ROLE = "narrower"
#: Most links listed under "what links here" on one page; hubs such as a government level have many.
INCOMING_LIMIT = 1000
HIERARCHY_STEPS = (ORG + "subOrganizationOf", ORG + "memberOf", GS + "locatedIn")

_PREFIXES = "\n".join(
    f"PREFIX {name}: <{iri}>" for name, iri in (("rdfs", RDFS), ("skos", SKOS), ("gs", GS), ("org", ORG))
)


@dataclass
class Value:
    """An object of a statement: an IRI with its labels, or a literal."""

    term: Term
    labels: Labels | None = None

    @property
    def iri(self) -> str:
        return self.term.value if self.term.is_iri else ""

    def text(self, *order: str) -> str:
        if self.labels is not None:
            return self.labels.get(*order)
        return self.term.value


@dataclass
class Description:
    """One resource's own statements, each IRI object with its labels."""

    iri: str
    labels: Labels
    out: dict[str, list[Value]] = field(default_factory=dict)

    @property
    def types(self) -> set[str]:
        return {value.iri for value in self.out.get(RDF + "type", []) if value.iri}

    def values(self, predicate: str) -> list[Value]:
        return self.out.get(predicate, [])

    def iris(self, predicate: str) -> list[str]:
        return [value.iri for value in self.values(predicate) if value.iri]

    def literal(self, predicate: str, *order: str) -> str | None:
        """The literal of a predicate in the preferred language, or the first one."""
        found = [value.term for value in self.values(predicate) if not value.term.is_iri]
        for lang in (*order, "en", "de", ""):
            for term in found:
                if term.lang == lang:
                    return term.value
        return found[0].value if found else None

    def literals(self, predicate: str) -> list[Term]:
        return [value.term for value in self.values(predicate) if not value.term.is_iri]

    def texts(self, predicate: str) -> Labels:
        """A language-tagged literal property as a Labels map (description, definition, title)."""
        found = Labels(self.iri)
        for term in self.literals(predicate):
            found.add(term.lang, term.value)
        return found


@dataclass
class Incoming:
    """A statement pointing at the resource: who says what about it."""

    subject: str
    predicate: str
    labels: Labels


@dataclass
class SourceRef:
    iri: str
    title: str
    date: str | None
    part_of: Value | None
    identifier: str | None


@dataclass
class Event:
    """A platform event as a timeline shows it."""

    iri: str
    labels: Labels
    kind: str
    actor: Value | None
    platform: Value | None
    account: Value | None
    date: str | None
    precision: str | None
    reported_on: str | None
    not_before: str | None
    not_after: str | None
    date_text: str | None
    reasons: list[Value]
    alternatives: list[Value]
    exceptions: list[Term]
    quotes: list[Term]
    stated_by: list[Value]
    participants: list[Value]
    considers: list[str]
    description: Labels
    sources: list[SourceRef]
    roles: set[str] = field(default_factory=set)

    @property
    def when(self) -> str:
        return format_date(self.date, self.precision, self.reported_on, self.not_before, self.not_after, self.date_text)

    @property
    def sort_key(self) -> tuple[str, str]:
        """Events by date, else by the latest day their source allows, else by the date of their report."""
        day = parse_date(self.date) or parse_date(self.not_after) or parse_date(self.reported_on)
        return (day.isoformat() if day else "9999", self.labels.get("en"))

    @property
    def year(self) -> str:
        day = parse_date(self.date) or parse_date(self.not_after) or parse_date(self.reported_on)
        return str(day.year) if day else "undated"


@dataclass
class Hierarchy:
    """The chain from a resource up to its root (the country, usually), root first."""

    chain: list[tuple[str, Labels]]


# --------------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------------


def _labels_from(rows: list[Row], iri_var: str, label_var: str) -> dict[str, Labels]:
    found: dict[str, Labels] = {}
    for row in rows:
        node = row.get(iri_var)
        label = row.get(label_var)
        if node is None or not node.is_iri:
            continue
        entry = found.setdefault(node.value, Labels(node.value))
        if label is not None and not label.is_iri:
            entry.add(label.lang, label.value)
    return found


def statements_of(queries: PageQueries, iris: list[str]) -> dict[str, Description]:
    """Each resource's outgoing statements with the labels of the IRIs they point to."""
    if not iris:
        return {}
    rows = queries.select(
        f"""{_PREFIXES}
SELECT DISTINCT ?s ?p ?o ?label WHERE {{
  {values("s", iris)}
  ?s ?p ?o .
  OPTIONAL {{ ?o rdfs:label|skos:prefLabel ?label . FILTER(isLITERAL(?label)) }}
}}"""
    )
    object_labels = _labels_from(rows, "o", "label")
    result: dict[str, Description] = {}
    seen: set[tuple[str, str, Term]] = set()
    for row in rows:
        subject, predicate, obj = row["s"].value, row["p"].value, row["o"]
        description = result.setdefault(subject, Description(subject, Labels(subject)))
        if (subject, predicate, obj) in seen:
            continue
        seen.add((subject, predicate, obj))
        labels = object_labels.get(obj.value) if obj.is_iri else None
        description.out.setdefault(predicate, []).append(Value(obj, labels))
        if predicate in LABEL_PREDICATES and not obj.is_iri:
            description.labels.add(obj.lang, obj.value)
    for description in result.values():
        if not description.labels.by_lang:
            title = description.texts(DCTERMS + "title")
            description.labels.by_lang.update(title.by_lang)
    return result


def statements(queries: PageQueries, iri: str) -> Description | None:
    """One resource's statements, or None when the graph says nothing about it as a subject."""
    return statements_of(queries, [iri]).get(iri)


def incoming(queries: PageQueries, iri: str, limit: int = INCOMING_LIMIT) -> list[Incoming]:
    """Statements whose object is the resource ("what links here"), with their subjects' labels."""
    rows = queries.select(
        f"""{_PREFIXES}
SELECT DISTINCT ?s ?p ?label WHERE {{
  {values("o", [iri])}
  ?s ?p ?o . FILTER(isIRI(?s))
  OPTIONAL {{ ?s rdfs:label|skos:prefLabel ?label . FILTER(isLITERAL(?label)) }}
}}
LIMIT {int(limit)}"""
    )
    labels = _labels_from(rows, "s", "label")
    result: dict[tuple[str, str], Incoming] = {}
    for row in rows:
        key = (row["s"].value, row["p"].value)
        if key not in result:
            result[key] = Incoming(key[0], key[1], labels[key[0]])
    return sorted(result.values(), key=lambda link: (link.predicate, link.labels.get("de").lower()))


def exists(queries: PageQueries, iri: str) -> bool:
    """Whether the graph mentions the IRI as a subject or an object."""
    rows = queries.select(
        f"SELECT ?x WHERE {{ {values('this', [iri])} {{ ?this ?p ?x }} UNION {{ ?x ?p ?this }} }} LIMIT 1"
    )
    return bool(rows)


def related_events(queries: PageQueries, vocabulary: Vocabulary, iri: str) -> list[Event]:
    """Every platform event that names the resource in one of its roles, in date order.

    For a reason, events citing one of its narrower reasons come too, with the role "narrower".
    """
    role_values = " ".join(f"<{role}>" for role in EVENT_ROLES)
    rows = queries.select(
        f"""{_PREFIXES}
SELECT DISTINCT ?event ?role WHERE {{
  {values("this", [iri])}
  {{ VALUES ?role {{ {role_values} }} ?event ?role ?this . }}
  UNION
  {{ ?event gs:reason/skos:broader+ ?this . BIND("{NARROWER_ROLE}" AS ?role) }}
  ?event a ?class . ?class rdfs:subClassOf* gs:PlatformEvent .
}}"""
    )
    roles: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        roles[row["event"].value].add(row["role"].value)
    events = load_events(queries, vocabulary, list(roles))
    for event in events:
        event.roles = roles[event.iri]
    return events


def events_within(queries: PageQueries, vocabulary: Vocabulary, territory: str, land: bool) -> list[Event]:
    """The platform events of every institution or person within a Land or district (not its own), in date order.

    A Land uses the derived gs:withinLand, which already follows every link (jurisdiction, location, parent,
    membership); a district or city follows those links up to it.
    """
    within = (
        "?body gs:withinLand ?this ."
        if land
        else "?body (gs:locatedIn|gs:jurisdiction|org:subOrganizationOf|org:memberOf)+ ?this ."
    )
    rows = queries.select(
        f"""{_PREFIXES}
SELECT DISTINCT ?event WHERE {{
  {values("this", [territory])}
  {within}
  FILTER (?body != ?this)
  ?event gs:institution|gs:person ?body .
  ?event a ?class . ?class rdfs:subClassOf* gs:PlatformEvent .
}}"""
    )
    return load_events(queries, vocabulary, [row["event"].value for row in rows])


def load_events(queries: PageQueries, vocabulary: Vocabulary, iris: list[str]) -> list[Event]:
    """The events with these IRIs, with their sources' titles and dates, in date order."""
    descriptions = statements_of(queries, iris)
    source_iris = sorted({src for d in descriptions.values() for src in d.iris(PROV + "wasDerivedFrom")})
    sources = statements_of(queries, source_iris)
    events = [_event(d, vocabulary, sources) for d in descriptions.values()]
    return sorted(events, key=lambda event: event.sort_key)


def _event(d: Description, vocabulary: Vocabulary, sources: dict[str, Description]) -> Event:
    def one(predicate: str) -> Value | None:
        found = d.values(predicate)
        return found[0] if found else None

    precision = one(GS + "datePrecision")
    return Event(
        iri=d.iri,
        labels=d.labels,
        kind=vocabulary.event_kind(d.types) or GS + "PlatformEvent",
        actor=one(GS + "institution") or one(GS + "person"),
        platform=one(GS + "platform"),
        account=one(GS + "account"),
        date=d.literal(GS + "date"),
        precision=precision.iri if precision else None,
        reported_on=d.literal(GS + "reportedOn"),
        not_before=d.literal(GS + "notBefore"),
        not_after=d.literal(GS + "notAfter"),
        date_text=d.literal(GS + "dateText"),
        reasons=sorted(d.values(GS + "reason"), key=lambda value: value.text("en").lower()),
        alternatives=d.values(GS + "alternativePlatform"),
        exceptions=d.literals(GS + "exception"),
        quotes=d.literals(GS + "quote"),
        stated_by=d.values(GS + "statedBy"),
        participants=d.values(GS + "participant"),
        considers=d.iris(GS + "considers"),
        description=d.texts(DCTERMS + "description"),
        sources=[_source(iri, sources.get(iri)) for iri in d.iris(PROV + "wasDerivedFrom")],
    )


def _source(iri: str, d: Description | None) -> SourceRef:
    if d is None:
        return SourceRef(iri, iri, None, None, None)
    part_of = d.values(DCTERMS + "isPartOf")
    return SourceRef(
        iri=iri,
        title=d.literal(DCTERMS + "title", "de") or d.labels.get("de"),
        date=d.literal(DCTERMS + "date"),
        part_of=part_of[0] if part_of else None,
        identifier=d.literal(DCTERMS + "identifier"),
    )


def hierarchy(queries: PageQueries, iri: str) -> Hierarchy:
    """The chain up from a resource: sub-organisation first, then membership, then territory."""
    steps = " ".join(f"<{step}>" for step in HIERARCHY_STEPS)
    rows = queries.select(
        f"""{_PREFIXES}
SELECT DISTINCT ?a ?p ?b ?label WHERE {{
  {values("this", [iri])}
  ?this (org:subOrganizationOf|org:memberOf|gs:locatedIn)* ?a .
  VALUES ?p {{ {steps} }}
  ?a ?p ?b .
  OPTIONAL {{ ?b rdfs:label ?label }}
}}"""
    )
    parents: dict[str, dict[str, str]] = defaultdict(dict)
    labels = _labels_from(rows, "b", "label")
    for row in rows:
        parents[row["a"].value].setdefault(row["p"].value, row["b"].value)
    chain: list[tuple[str, Labels]] = []
    current, seen = iri, {iri}
    while True:
        step = next((parents[current][p] for p in HIERARCHY_STEPS if p in parents[current]), None)
        if step is None or step in seen:
            break
        seen.add(step)
        chain.append((step, labels.get(step, Labels(step))))
        current = step
    return Hierarchy(list(reversed(chain)))


def class_counts(queries: PageQueries) -> dict[str, int]:
    """How many resources each class has (rdf:type as stated), most first."""
    rows = queries.select("SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class")
    counts = {row["class"].value: int(row["n"].value) for row in rows if row["class"].is_iri}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def class_counts_of_app() -> dict[str, int]:
    """class_counts for the current app, counted once (a server never changes its build)."""
    memo = runtime().pages
    if memo.class_counts is None:
        memo.class_counts = class_counts(build_queries())
    return memo.class_counts


def group_by_kind(events: list[Event]) -> dict[str, list[Event]]:
    """Events under their kind, in the order of EVENT_KINDS, each group in date order."""
    groups: dict[str, list[Event]] = {kind: [] for kind in EVENT_KINDS}
    for event in events:
        groups.setdefault(event.kind, []).append(event)
    return {kind: found for kind, found in groups.items() if found}


def years_by_kind(events: list[Event]) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Counts per year and kind, for a platform's summary over time (undated events under 'undated')."""
    years = sorted({event.year for event in events}, key=lambda year: (year == "undated", year))
    table: dict[str, dict[str, int]] = {kind: dict.fromkeys(years, 0) for kind in EVENT_KINDS}
    for event in events:
        table.setdefault(event.kind, dict.fromkeys(years, 0))[event.year] += 1
    return years, {kind: row for kind, row in table.items() if any(row.values())}
