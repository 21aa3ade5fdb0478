"""What the build derives from the loaded data into the graph `…/graph/derived`: presence over time, and "in a Land".

Two questions researchers ask all the time are wrong or impossible on the events and the hierarchy as curated:
"who was active on X on 1 January 2025" (the events say when something changed, not what held in between) and
"what happened in Hessen" (a body may be linked to its Land by gs:jurisdiction, gs:locatedIn,
org:subOrganizationOf or org:memberOf, at any depth). The build answers both once, in plain triples:

- `gs:PresencePeriod`s per holder (institution or person) and platform, each with `gs:status`, the events that
  open and close it and `prov:wasDerivedFrom` them;
- `gs:withinLand` for every institution and person that belongs to a Land.

The derived statements go into their own named graph and into the default graph (the merge), before the shapes
are checked, so they are validated like everything else.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from server.rdf.namespaces import GS, GSID, ORG, PROV, RDF, RDFS, SCHEMA, XSD, graph_iri

#: The graph of server.build.inputs.RESERVED_FOLDERS that this module fills.
DERIVED = "derived"

#: What each kind of event makes of the holder's presence on the platform.
_STATE_AFTER = {GS + "Joining": GS + "Active", GS + "Retention": GS + "Active", GS + "Suspension": GS + "Paused"}
_STATE_AFTER[GS + "Departure"] = GS + "Ended"
_STATUS_WORDS = {
    GS + "Active": ("aktiv", "active"),
    GS + "Paused": ("pausiert", "paused"),
    GS + "Ended": ("beendet", "ended"),
}
#: Levels whose bodies belong to no Land, even where a link (an office in Bonn) would lead to one.
_ABOVE_LANDS = (GS + "FederalLevel", GS + "SupranationalLevel")

_EVENTS_QUERY = f"""
SELECT ?event ?kind ?institution ?person ?platform ?account ?date ?notAfter ?reported WHERE {{
  VALUES ?kind {{ {" ".join(f"<{kind}>" for kind in _STATE_AFTER)} }}
  ?event a ?kind ; <{GS}platform> ?platform .
  OPTIONAL {{ ?event <{GS}institution> ?institution }}
  OPTIONAL {{ ?event <{GS}person> ?person }}
  OPTIONAL {{ ?event <{GS}account> ?account }}
  OPTIONAL {{ ?event <{GS}date> ?date }}
  OPTIONAL {{ ?event <{GS}notAfter> ?notAfter }}
  OPTIONAL {{ ?event <{GS}reportedOn> ?reported }}
}}"""
_LINKS_QUERY = f"""
SELECT ?from ?to WHERE {{
  VALUES ?link {{ <{GS}jurisdiction> <{GS}locatedIn> <{ORG}subOrganizationOf> <{ORG}memberOf> }}
  ?from ?link ?to . FILTER(isIRI(?to) && ?from != ?to)
}}"""
_HOLDERS_QUERY = f"""
SELECT DISTINCT ?holder WHERE {{
  {{ ?holder a/<{RDFS}subClassOf>* <{ORG}Organization> }} UNION {{ ?holder a <{SCHEMA}Person> }}
  UNION {{ ?holder a/<{RDFS}subClassOf>* <{GS}PublicInstitution> }}
}}"""
_ABOVE_QUERY = f"""
SELECT ?body WHERE {{
  ?body <{GS}level> ?level . VALUES ?level {{ {" ".join(f"<{level}>" for level in _ABOVE_LANDS)} }}
}}"""
_LANDS_QUERY = f"SELECT ?land WHERE {{ ?land a <{GS}FederalState> }}"


@dataclass(frozen=True, slots=True)
class Change:
    """One event as a change of a holder's state on a platform."""

    event: str
    kind: str
    holder: str
    holder_is_person: bool
    platform: str
    account: str | None
    day: str | None  # gs:date, else gs:notAfter, else gs:reportedOn: the day from which the new state holds

    @property
    def state(self) -> str:
        return _STATE_AFTER[self.kind]


@dataclass(slots=True)
class Period:
    """A span in one state, opened and closed by events (None where the graph has none)."""

    holder: str
    holder_is_person: bool
    platform: str
    status: str
    start: Change | None
    end: Change | None = None
    account: str | None = None

    @property
    def events(self) -> list[str]:
        return [change.event for change in (self.start, self.end) if change is not None]

    @property
    def iri(self) -> str:
        key = "|".join([self.holder, self.platform, self.status, *(self.events or ["open"])])
        return f"{GSID}period/{hashlib.sha256(key.encode()).hexdigest()[:16]}"


#: Derived statements written per bulk load: the whole derivation is millions at 10^7, and held at once as
#: Python objects, twice (named graph and default graph), it was the build's peak of memory.
WRITE_CHUNK = 100_000


def derive(store: Store) -> int:
    """Add the derived statements to the store (graph `…/graph/derived` and the default graph); return how many.

    Everything is read from the store before the first statement is written, so what is derived never
    depends on the order of the writes; the statements are then made and written a chunk at a time.
    """
    found = periods(changes(store))
    labels = _labels(store, {iri for period in found for iri in (period.holder, period.platform)})
    lands_of = within_land(store)
    graph = NamedNode(graph_iri(DERIVED))
    written = 0
    # the build's store is not yet read by anyone: no transaction needed, and a failed build is discarded whole
    for chunk in _chunks(chain(_period_triples(found, labels), _land_triples(lands_of)), WRITE_CHUNK):
        store.bulk_extend([Quad(s, p, o, g) for g in (graph, DefaultGraph()) for s, p, o in chunk])
        written += len(chunk)
    return written


def _chunks(triples: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    while chunk := list(islice(triples, size)):
        yield chunk


def changes(store: Store) -> list[Change]:
    """Every joining, retention, suspension and departure with its holder, platform and day."""
    found = []
    for row in store.query(_EVENTS_QUERY):
        holder = row["institution"] or row["person"]
        if holder is None:
            continue
        day = next((row[name].value for name in ("date", "notAfter", "reported") if row[name] is not None), None)
        found.append(
            Change(
                event=row["event"].value,
                kind=row["kind"].value,
                holder=holder.value,
                holder_is_person=row["institution"] is None,
                platform=row["platform"].value,
                account=row["account"].value if row["account"] is not None else None,
                day=day,
            )
        )
    return found


def periods(all_changes: list[Change]) -> list[Period]:
    """The presence periods the changes imply, per holder and platform, in order of their days.

    A first change into paused or ended implies an active period before it whose start nothing in the graph
    gives; a change into the state that already holds (a second joining) changes nothing. Changes without any
    day keep the order of their IRIs after the dated ones.
    """
    by_pair: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in all_changes:
        by_pair[(change.holder, change.platform)].append(change)
    found: list[Period] = []
    for (holder, platform), pair in sorted(by_pair.items()):
        pair.sort(key=lambda change: (change.day is None, change.day or "", change.event))
        current: Period | None = None
        for change in pair:
            if current is None and change.state != GS + "Active":
                current = Period(holder, change.holder_is_person, platform, GS + "Active", None)
                found.append(current)
            if current is not None and current.status == change.state:
                current.account = current.account or change.account
                continue
            if current is not None:
                current.end = change
            current = Period(holder, change.holder_is_person, platform, change.state, change, account=change.account)
            found.append(current)
    return found


def within_land(store: Store) -> dict[str, set[str]]:
    """For every institution and person, the Länder it belongs to through any chain of links.

    A chain does not pass through a federal or supranational body: those belong to no Land, and neither do
    the bodies and people under them by way of them.
    """
    lands = {row["land"].value for row in store.query(_LANDS_QUERY)}
    above = {row["body"].value for row in store.query(_ABOVE_QUERY)}
    links: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_LINKS_QUERY):
        links[row["from"].value].add(row["to"].value)
    memo: dict[str, frozenset[str]] = {}

    def reach(node: str, path: frozenset[str]) -> frozenset[str]:
        if node in memo:
            return memo[node]
        if node in above:
            return frozenset()
        found = {node} if node in lands else set()
        for target in links.get(node, ()):
            if target not in path:
                found |= reach(target, path | {node})
        memo[node] = frozenset(found)
        return memo[node]

    holders = {row["holder"].value for row in store.query(_HOLDERS_QUERY)}
    result = {}
    for holder in sorted(holders):
        reached = reach(holder, frozenset())
        if reached:
            result[holder] = set(reached)
    return result


def _labels(store: Store, iris: set[str]) -> dict[str, dict[str, str]]:
    """The first label per language of each of the IRIs, looked up one by one by index (not all labels of all)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    label, default = NamedNode(RDFS + "label"), DefaultGraph()
    for iri in sorted(iris):
        own = found[iri]
        for quad in store.quads_for_pattern(NamedNode(iri), label, None, default):
            text = quad.object
            if isinstance(text, Literal) and (text.language or "") in ("de", "en", ""):
                own.setdefault(text.language or "", text.value)
    return found


def _label(labels: dict[str, dict[str, str]], iri: str, lang: str) -> str:
    own = labels.get(iri, {})
    return own.get(lang) or own.get("en" if lang == "de" else "de") or own.get("") or iri.rsplit("/", 1)[-1]


def _period_triples(found: list[Period], labels: dict[str, dict[str, str]]) -> Iterator[tuple]:
    date = NamedNode(XSD + "date")
    for period in found:
        node = NamedNode(period.iri)
        yield node, NamedNode(RDF + "type"), NamedNode(GS + "PresencePeriod")
        yield node, NamedNode(GS + ("person" if period.holder_is_person else "institution")), NamedNode(period.holder)
        yield node, NamedNode(GS + "platform"), NamedNode(period.platform)
        yield node, NamedNode(GS + "status"), NamedNode(period.status)
        if period.account:
            yield node, NamedNode(GS + "account"), NamedNode(period.account)
        if period.start is not None:
            yield node, NamedNode(GS + "startEvent"), NamedNode(period.start.event)
            if period.start.day:
                yield node, NamedNode(GS + "start"), Literal(period.start.day, datatype=date)
        if period.end is not None:
            yield node, NamedNode(GS + "endEvent"), NamedNode(period.end.event)
            if period.end.day:
                yield node, NamedNode(GS + "end"), Literal(period.end.day, datatype=date)
        for event in period.events:
            yield node, NamedNode(PROV + "wasDerivedFrom"), NamedNode(event)
        german, english = _STATUS_WORDS[period.status]
        for lang, status in (("de", german), ("en", english)):
            holder, platform = _label(labels, period.holder, lang), _label(labels, period.platform, lang)
            span = _span(period, lang)
            text = f"{holder} {'auf' if lang == 'de' else 'on'} {platform}: {status}{span}"
            yield node, NamedNode(RDFS + "label"), Literal(text, language=lang)


def _span(period: Period, lang: str) -> str:
    start = period.start.day if period.start is not None else None
    end = period.end.day if period.end is not None else None
    if lang == "de":
        return (f" ab {start}" if start else "") + (f" bis {end}" if end else "")
    return (f" from {start}" if start else "") + (f" until {end}" if end else "")


def _land_triples(lands_of: dict[str, set[str]]) -> Iterator[tuple]:
    for holder, lands in sorted(lands_of.items()):
        for land in sorted(lands):
            yield NamedNode(holder), NamedNode(GS + "withinLand"), NamedNode(land)
