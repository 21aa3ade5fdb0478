"""Find the resource a data set's row is about among those the graph already has.

An institution named in the curated data and in a data set must be ONE resource. The order of evidence:

1. Wikidata QID: the row's QID equals an owl:sameAs of a known resource;
2. account: the row's Mastodon account (host and user name) is already held by a known resource;
3. name: the row's normalised name equals a normalised rdfs:label / skos:altLabel / schema:alternateName
   of a known resource of a compatible class in the same Land (see `normalise` and `Query`);
4. handle: the account's user name equals a known abbreviation (skos:altLabel such as "BMWK").

Exactly one candidate is a match; several are *ambiguous* and are never merged: the caller creates a
resource of its own and the report lists the candidates for a curator.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, Triple

from server.rdf.namespaces import GS, GSID, ORG, OWL, RDF, RDFS, SCHEMA, SKOS, WD
from server.reconcile.names import normalise

from .rdf import slug

TERRITORIAL = frozenset({"Country", "FederalState", "District", "Municipality"})
#: gs: sub-classes of gs:PublicInstitution (ontology/govsocial.ttl), plus the one this package adds (Court).
PUBLIC_CLASSES = frozenset(
    {
        "PublicInstitution",
        "Country",
        "FederalState",
        "District",
        "Municipality",
        "Government",
        "Ministry",
        "Parliament",
        "StateChancellery",
        "Agency",
        "Police",
        "DataProtectionAuthority",
        "Military",
        "SupranationalInstitution",
        "Office",
        "OrganisationalUnit",
        "HigherEducationInstitution",
        "Court",
    }
)
#: Classes that a query for an authority (gs:Agency) may also find: the ontology asks for these more
#: specific classes where they fit, so a curated gs:Police is what a data set calls a "Behörde".
AGENCY_LIKE = frozenset({"Agency", "Police", "DataProtectionAuthority", "Military", "PublicInstitution"})


@dataclass(frozen=True)
class Known:
    """One resource the graph already describes: enough to match against and to link to."""

    iri: str
    classes: frozenset[str]  # local names of gs: classes; "Organization" for a plain org:Organization
    labels: tuple[str, ...]  # every name (rdfs:label first, then preferred and alternative labels)
    qids: frozenset[str]
    land: str | None  # IRI of the gs:FederalState it belongs to (itself for a Land), None for federal bodies
    level: str | None  # local name of the gs:level concept
    main_labels: frozenset[str] = frozenset()  # the rdfs:label values only: an import may repeat these as labels

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else self.iri


@dataclass(frozen=True)
class KnownAccount:
    iri: str
    platform: str
    holder: str
    instance: str | None
    handle: str | None


@dataclass(frozen=True)
class Query:
    """What a data set says about one holder, for matching."""

    names: tuple[str, ...]
    cls: str  # local name of the gs: class the data set implies
    land: str | None = None  # Land IRI if the data set or the holder's name says which Land
    federal: bool = False  # the holder is a federal body (no Land)
    qid: str | None = None
    account: tuple[str, str] | None = None  # (instance host, user name), for Mastodon
    handle: str | None = None


@dataclass(frozen=True)
class Match:
    iri: str | None
    method: str  # "qid", "account", "name", "handle", "ambiguous", "none"
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    """An org:ChangeEvent: on `date` the body `original` became `resulting` (a renaming, a new portfolio)."""

    iri: str
    original: str
    resulting: str
    date: str  # YYYY-MM-DD


@dataclass
class KnownGraph:
    """The resources of the curated graph and of the imports an import builds on."""

    resources: dict[str, Known] = field(default_factory=dict)
    accounts: dict[str, KnownAccount] = field(default_factory=dict)
    subjects: set[str] = field(default_factory=set)
    store: Store = field(default_factory=Store)  # the statements read, to leave out what they already say
    joinings: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (institution, platform) -> events
    changes: list[Change] = field(default_factory=list)  # org:ChangeEvents (renamings) the graph records
    _by_qid: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, folders: Iterable[Path]) -> KnownGraph:
        """Read every .ttl/.nt file of the given data folders (missing folders are skipped)."""
        store = Store()
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                if path.suffix == ".ttl":
                    store.bulk_load(path=str(path), format=RdfFormat.TURTLE)
                elif path.suffix == ".nt":
                    store.bulk_load(path=str(path), format=RdfFormat.N_TRIPLES)
        return cls.from_store(store)

    @classmethod
    def from_store(cls, store: Store) -> KnownGraph:
        graph = cls(store=store)
        # the IRIs of resources the graph has (typed): statements that only add to a resource another import
        # creates (a curated owl:sameAs, a second source) leave its IRI to that import
        graph.subjects = {
            quad.subject.value
            for quad in store.quads_for_pattern(None, NamedNode(RDF + "type"), None)
            if isinstance(quad.subject, NamedNode)
        }
        classes: dict[str, set[str]] = defaultdict(set)
        for row in store.query(
            "SELECT ?s ?c WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(gs:)) || ?c = org:Organization) }",
            prefixes={"gs": GS, "org": "http://www.w3.org/ns/org#"},
        ):
            name = row["c"].value.rsplit("#", 1)[-1]
            if name in PUBLIC_CLASSES or name == "Organization":
                classes[row["s"].value].add(name)
        labels: dict[str, set[tuple[int, str]]] = defaultdict(set)
        main_labels: dict[str, set[str]] = defaultdict(set)
        for rank, predicate in enumerate(
            (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SCHEMA + "alternateName")
        ):
            for quad in store.quads_for_pattern(None, NamedNode(predicate), None):
                german = getattr(quad.object, "language", None) == "de"
                labels[quad.subject.value].add((2 * rank + (0 if german else 1), quad.object.value))
                if rank == 0:
                    main_labels[quad.subject.value].add(quad.object.value)
        qids: dict[str, set[str]] = defaultdict(set)
        for quad in store.quads_for_pattern(None, NamedNode(OWL + "sameAs"), None):
            if quad.object.value.startswith(WD):
                qids[quad.subject.value].add(quad.object.value[len(WD) :])
        levels = {
            q.subject.value: q.object.value.rsplit("#", 1)[-1]
            for q in store.quads_for_pattern(None, NamedNode(GS + "level"), None)
        }
        parents: dict[str, list[str]] = defaultdict(list)
        for predicate in (GS + "locatedIn", GS + "jurisdiction", "http://www.w3.org/ns/org#subOrganizationOf"):
            for quad in store.quads_for_pattern(None, NamedNode(predicate), None):
                if quad.subject != quad.object:
                    parents[quad.subject.value].append(quad.object.value)
        for subject, kinds in classes.items():
            graph.resources[subject] = Known(
                iri=subject,
                classes=frozenset(kinds),
                labels=tuple(dict.fromkeys(text for _, text in sorted(labels[subject]))),
                main_labels=frozenset(main_labels[subject]),
                qids=frozenset(qids[subject]),
                land=_land_of(subject, classes, parents),
                level=levels.get(subject),
            )
        for known in graph.resources.values():
            for qid in known.qids:
                graph._by_qid[qid].append(known.iri)
            for label in set(known.labels):
                graph._by_name[normalise(label)].append(known.iri)
        for row in store.query(
            """SELECT ?a ?platform ?holder ?instance ?handle WHERE {
                 ?a a gs:Account ; gs:platform ?platform ; gs:heldBy ?holder .
                 OPTIONAL { ?a gs:instance ?instance } OPTIONAL { ?a gs:handle ?handle } }""",
            prefixes={"gs": GS},
        ):
            graph.accounts[row["a"].value] = KnownAccount(
                iri=row["a"].value,
                platform=row["platform"].value,
                holder=row["holder"].value,
                instance=row["instance"].value if row["instance"] else None,
                handle=row["handle"].value if row["handle"] else None,
            )
        for row in store.query(
            "SELECT ?e ?i ?p WHERE { ?e a gs:Joining ; gs:institution ?i ; gs:platform ?p }", prefixes={"gs": GS}
        ):
            graph.joinings.setdefault((row["i"].value, row["p"].value), []).append(row["e"].value)
        for events in graph.joinings.values():
            events.sort()
        for row in store.query(
            """SELECT ?c ?original ?resulting ?date WHERE {
                 ?c a org:ChangeEvent ; org:originalOrganization ?original ; org:resultingOrganization ?resulting ;
                    gs:date ?date }""",
            prefixes={"gs": GS, "org": ORG},
        ):
            values = (row[name].value for name in ("c", "original", "resulting", "date"))
            graph.changes.append(Change(*values))
        graph.changes.sort(key=lambda change: (change.date, change.iri))
        return graph

    # -- adding what an import creates, so later rows of the same import find it -------------------

    def add(self, known: Known) -> None:
        self.resources[known.iri] = known
        self.subjects.add(known.iri)
        for qid in known.qids:
            self._by_qid[qid].append(known.iri)
        for label in set(known.labels):
            self._by_name[normalise(label)].append(known.iri)

    def add_account(self, account: KnownAccount) -> None:
        self.accounts[account.iri] = account
        self.subjects.add(account.iri)

    def states(self, triple: Triple) -> bool:
        """Whether a graph the import read already has this statement (then the import leaves it out)."""
        return any(True for _ in self.store.quads_for_pattern(triple.subject, triple.predicate, triple.object))

    def body_at(self, body: str, day: str) -> tuple[str, str]:
        """The body that `body` was on `day` (YYYY-MM-DD), and the change in between ("" if none).

        A ministry renamed in 2025 had another name, and is another resource, when it opened an account in 2022.
        """
        for change in sorted(self.changes, key=lambda c: c.date, reverse=True):
            if change.resulting == body and day < change.date:
                earlier, _ = self.body_at(change.original, day)
                return earlier, change.iri
        return body, ""

    def government_of(self, territory: str) -> str | None:
        """The one gs:Government of a Land (or of Deutschland: the one federal government), if the graph has it."""
        federal = territory == GSID + "org/deutschland"
        found = [
            known.iri
            for known in self.resources.values()
            if "Government" in known.classes
            and (known.land is None and known.level == "FederalLevel" if federal else known.land == territory)
        ]
        return found[0] if len(found) == 1 else None

    # -- lookups --------------------------------------------------------------------------------------

    def by_qid(self, qid: str) -> list[str]:
        return sorted(set(self._by_qid.get(qid, [])))

    def find_account(self, platform: str, instance: str, handle: str) -> KnownAccount | None:
        """The known account on this host with this user name (case-insensitive, as Mastodon treats it)."""
        for account in sorted(self.accounts.values(), key=lambda a: a.iri):
            if (
                account.platform == platform
                and account.instance is not None
                and account.handle is not None
                and account.instance.casefold() == instance.casefold()
                and account.handle.casefold() == handle.casefold()
            ):
                return account
        return None

    def match(self, query: Query) -> Match:
        """The one known resource the query is about, or why there is none (see the module docstring)."""
        if query.qid:
            found = [iri for iri in self.by_qid(query.qid) if self._compatible(self.resources[iri], query, qid=True)]
            if len(found) == 1:
                return Match(found[0], "qid")
            if len(found) > 1:
                return Match(None, "ambiguous", tuple(found))
        if query.account:
            account = self.find_account(GSID + "platform/mastodon", *query.account)
            if account is not None:
                return Match(account.holder, "account")
        found = sorted(
            {
                iri
                for name in query.names
                for iri in self._by_name.get(normalise(name), [])
                if self._compatible(self.resources[iri], query)
            }
        )
        if len(found) == 1:
            return Match(found[0], "name")
        if len(found) > 1:
            return Match(None, "ambiguous", tuple(found))
        if query.handle:
            found = self._by_handle(query)
            if len(found) == 1:
                if self._contradicts(self.resources[found[0]], query):
                    return Match(None, "ambiguous", tuple(found))
                return Match(found[0], "handle")
            if len(found) > 1:
                return Match(None, "ambiguous", tuple(found))
        return Match(None, "none")

    def _by_handle(self, query: Query) -> list[str]:
        handle = re.sub(r"_(bund|de)$", "", query.handle or "", flags=re.IGNORECASE).casefold()
        found = set()
        for known in self.resources.values():
            abbreviations = {label.casefold() for label in known.labels if _is_abbreviation(label)}
            if handle in abbreviations and self._compatible(known, query):
                found.add(known.iri)
        return sorted(found)

    @staticmethod
    def _contradicts(known: Known, query: Query) -> bool:
        """A handle points to a ministry, but the row's official name ("Bundesministerium für ...") is another's.

        That is a renamed ministry (@bmdv now "Bundesministerium für Verkehr"); a colloquial name
        ("Bundesentwicklungsministerium" for @bmz) contradicts nothing.
        """
        own = {normalise(label) for label in known.labels}
        full_names = [name for name in query.names if re.match(r"(bundes)?ministerium\b", name, re.IGNORECASE)]
        return bool(full_names) and not any(normalise(name) in own for name in full_names)

    @staticmethod
    def _compatible(known: Known, query: Query, qid: bool = False) -> bool:
        if known.classes == {"Organization"}:
            return True  # the curated data decided, with a source, that this body is no public institution
        if not _class_compatible(known.classes, query.cls):
            return False
        if qid:
            return True  # a QID names one item; class and Land are then checked by the caller's data
        if query.land is not None:
            return known.land == query.land
        if query.federal:
            return known.land is None
        return True


def _class_compatible(classes: frozenset[str], wanted: str) -> bool:
    if wanted in TERRITORIAL:
        return wanted in classes
    if classes & TERRITORIAL:
        return False
    if wanted == "PublicInstitution" or classes <= {"PublicInstitution"}:
        return bool(classes & PUBLIC_CLASSES) or "Organization" in classes
    if wanted == "Agency":
        return bool(classes & AGENCY_LIKE)
    return wanted in classes


def _is_abbreviation(label: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-zÄÖÜäöü]{2,8}", label)) and sum(ch.isupper() for ch in label) >= 2


def _land_of(subject: str, classes: dict[str, set[str]], parents: dict[str, list[str]]) -> str | None:
    """The Land a body belongs to: itself if a Land, else the first Land up its parents (None: federal)."""
    seen = set()
    frontier = [subject]
    while frontier:
        current = frontier.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if "FederalState" in classes.get(current, ()):
            return current
        frontier.extend(sorted(parents.get(current, [])))
    return None


def unique_slug(base: str, taken: set[str], suffix: str = "") -> str:
    """`base` if no resource has the IRI gsid:org/{base} yet, else `base-suffix` (then -2, -3 ...)."""
    candidate = slug(base)
    if GSID + "org/" + candidate not in taken:
        return candidate
    if suffix:
        candidate = f"{slug(base)}-{slug(suffix)}"
        if GSID + "org/" + candidate not in taken:
            return candidate
    number = 2
    while f"{GSID}org/{candidate}-{number}" in taken:
        number += 1
    return f"{candidate}-{number}"
