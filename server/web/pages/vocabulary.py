"""The ontology graph, read once per server: term labels, the class tree, and the ontology reference.

Every page needs the names of our classes and properties, the ontology page documents them, and the
editor completes them; all three read this one structure, built from a single CONSTRUCT of the
ontology graph (through the worker pool) and kept for the life of the app, since a server never
changes its build.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from server.rdf.labels import KNOWN_TERMS, Labels, local_name
from server.rdf.namespaces import DCTERMS, GS, OWL, RDF, RDFS, SKOS, graph_iri
from server.rdf.terms import compact
from server.web.pages.present import ONTOLOGY_IRI
from server.web.pages.queries import PageQueries, build_queries
from server.web.runtime import runtime

SH = "http://www.w3.org/ns/shacl#"
EVENT_CLASS = GS + "PlatformEvent"
INSTITUTION_CLASS = GS + "PublicInstitution"
#: The six kinds of platform event, in the order pages list them.
EVENT_KINDS = tuple(
    GS + name for name in ("Joining", "Departure", "Suspension", "Retention", "Consideration", "Campaign")
)

Node = NamedNode | BlankNode


@dataclass(frozen=True)
class TermDoc:
    """One class, property or concept as the ontology reference shows it."""

    iri: str
    anchor: str
    kind: str  # class | object property | datatype property | concept | scheme
    labels: Labels
    comments: Labels
    parents: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    domain: tuple[tuple[str, ...], ...] = ()  # alternatives (a union), each a tuple of IRIs or text
    range: tuple[tuple[str, ...], ...] = ()
    disjoint: tuple[str, ...] = ()
    extends_contract: bool = False
    notation: str = ""


@dataclass
class Vocabulary:
    """The ontology graph as indexes: what each term is called, what it is under, what it documents."""

    triples: list[Triple]
    by_subject: dict[Node, list[tuple[str, NamedNode | BlankNode | Literal]]] = field(default_factory=dict)
    labels: dict[str, Labels] = field(default_factory=dict)
    comments: dict[str, Labels] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._memo: dict[str, object] = {}
        index: dict[Node, list[tuple[str, NamedNode | BlankNode | Literal]]] = defaultdict(list)
        for triple in self.triples:
            index[triple.subject].append((triple.predicate.value, triple.object))
        self.by_subject = dict(index)
        for subject, pairs in self.by_subject.items():
            if not isinstance(subject, NamedNode):
                continue
            for predicate, obj in pairs:
                if not isinstance(obj, Literal):
                    continue
                if predicate in (RDFS + "label", SKOS + "prefLabel"):
                    self.labels.setdefault(subject.value, Labels(subject.value)).add(obj.language or "", obj.value)
                elif predicate in (RDFS + "comment", SKOS + "definition"):
                    self.comments.setdefault(subject.value, Labels(subject.value)).add(obj.language or "", obj.value)

    # --- single facts -------------------------------------------------------------------------

    def objects(self, subject: str | Node, predicate: str) -> list[NamedNode | BlankNode | Literal]:
        node = NamedNode(subject) if isinstance(subject, str) else subject
        return [obj for pred, obj in self.by_subject.get(node, ()) if pred == predicate]

    def iris(self, subject: str | Node, predicate: str) -> list[str]:
        return [obj.value for obj in self.objects(subject, predicate) if isinstance(obj, NamedNode)]

    def label(self, iri: str, *order: str) -> str:
        found = self.labels.get(iri)
        return found.get(*order) if found else (KNOWN_TERMS.get(iri) or local_name(iri))

    def labels_of(self, iri: str) -> Labels:
        return self.labels.get(iri) or Labels(iri)

    def types(self, iri: str) -> set[str]:
        return set(self.iris(iri, RDF + "type"))

    # --- the class tree -----------------------------------------------------------------------

    def superclasses(self, iri: str) -> set[str]:
        """Every named class above `iri` (rdfs:subClassOf, transitively), `iri` included."""
        seen, todo = {iri}, [iri]
        while todo:
            for parent in self.iris(todo.pop(), RDFS + "subClassOf"):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def is_a(self, types: set[str], cls: str) -> bool:
        """Whether a resource with these rdf:types is an instance of `cls` by the ontology's class tree."""
        return any(cls in self.superclasses(t) for t in types)

    def event_kind(self, types: set[str]) -> str | None:
        """The gs:PlatformEvent sub-class among a resource's types, or None."""
        return next((kind for kind in EVENT_KINDS if kind in types), None)

    # --- documentation ------------------------------------------------------------------------

    def _union(self, node: NamedNode | BlankNode | Literal) -> tuple[str, ...]:
        """The members of an owl:unionOf / owl:oneOf class, or the one named class."""
        if isinstance(node, NamedNode):
            return (node.value,)
        if isinstance(node, BlankNode):
            for predicate in (OWL + "unionOf", OWL + "oneOf"):
                for head in self.objects(node, predicate):
                    return tuple(self._list(head))
        return ()

    def _list(self, head: NamedNode | BlankNode | Literal) -> list[str]:
        items: list[str] = []
        seen: set[str] = set()
        while isinstance(head, BlankNode) and str(head) not in seen:
            seen.add(str(head))
            items.extend(obj.value for obj in self.objects(head, RDF + "first") if isinstance(obj, NamedNode))
            rest = self.objects(head, RDF + "rest")
            head = rest[0] if rest else NamedNode(RDF + "nil")
        return items

    def _doc(self, iri: str, kind: str) -> TermDoc:
        comments = self.comments.get(iri) or Labels(iri)
        children = sorted(
            (
                subject.value
                for subject, pairs in self.by_subject.items()
                if isinstance(subject, NamedNode)
                and any(p == RDFS + "subClassOf" and isinstance(o, NamedNode) and o.value == iri for p, o in pairs)
            ),
            key=lambda child: self.label(child, "en"),
        )
        parents_predicate = RDFS + "subPropertyOf" if "property" in kind else RDFS + "subClassOf"
        if kind in ("concept",):
            parents_predicate = SKOS + "broader"
            children = sorted(self.iris(iri, SKOS + "narrower"), key=lambda child: self.label(child, "en"))
        notation = next((obj.value for obj in self.objects(iri, SKOS + "notation") if isinstance(obj, Literal)), "")
        return TermDoc(
            iri=iri,
            anchor=local_name(iri) if iri.startswith(GS) else compact(iri).replace(":", "-"),
            kind=kind,
            labels=self.labels_of(iri),
            comments=comments,
            parents=tuple(p for p in self.iris(iri, parents_predicate)),
            children=tuple(children) if kind == "class" or kind == "concept" else (),
            domain=tuple(self._union(node) for node in self.objects(iri, RDFS + "domain")),
            range=tuple(self._union(node) for node in self.objects(iri, RDFS + "range")),
            disjoint=tuple(self.iris(iri, OWL + "disjointWith")),
            extends_contract="extends the contract" in comments.get("en"),
            notation=notation,
        )

    def _defined(self, rdf_type: str) -> list[str]:
        found = [
            subject.value
            for subject, pairs in self.by_subject.items()
            if isinstance(subject, NamedNode)
            and subject.value.startswith(GS)
            and any(p == RDF + "type" and isinstance(o, NamedNode) and o.value == rdf_type for p, o in pairs)
            and any(p == RDFS + "isDefinedBy" for p, _ in pairs)
        ]
        return sorted(found, key=lambda iri: local_name(iri).lower())

    def _remember(self, key: str, make: Callable[[], Any]) -> Any:
        """A documentation view computed once (the ontology never changes while a server runs)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def classes(self) -> list[TermDoc]:
        return self._remember("classes", lambda: [self._doc(i, "class") for i in self._defined(OWL + "Class")])

    def object_properties(self) -> list[TermDoc]:
        return self._remember(
            "object", lambda: [self._doc(i, "object property") for i in self._defined(OWL + "ObjectProperty")]
        )

    def datatype_properties(self) -> list[TermDoc]:
        return self._remember(
            "datatype", lambda: [self._doc(i, "datatype property") for i in self._defined(OWL + "DatatypeProperty")]
        )

    def schemes(self) -> list[tuple[TermDoc, list[TermDoc]]]:
        """Each SKOS concept scheme with its concepts, top concepts first, then by English label."""
        return self._remember("schemes", self._schemes)

    def _schemes(self) -> list[tuple[TermDoc, list[TermDoc]]]:
        result = []
        for scheme in self._defined(SKOS + "ConceptScheme"):
            members = [
                subject.value
                for subject, pairs in self.by_subject.items()
                if isinstance(subject, NamedNode)
                and any(p == SKOS + "inScheme" and isinstance(o, NamedNode) and o.value == scheme for p, o in pairs)
            ]
            tops = set(self.iris(scheme, SKOS + "hasTopConcept"))
            members.sort(key=lambda iri: (iri not in tops, self.label(iri, "en").lower()))
            result.append((self._doc(scheme, "scheme"), [self._doc(iri, "concept") for iri in members]))
        return result

    def shapes(self) -> list[dict[str, object]]:
        """The SHACL shapes with what they target and their messages, for the constraints section."""
        found = []
        for subject, pairs in self.by_subject.items():
            types = {o.value for p, o in pairs if p == RDF + "type" and isinstance(o, NamedNode)}
            if not isinstance(subject, NamedNode) or not types & {SH + "NodeShape", SH + "PropertyShape"}:
                continue
            messages = self._messages(subject)
            for _, nested in ((p, o) for p, o in pairs if p in (SH + "property", SH + "sparql")):
                if isinstance(nested, BlankNode):
                    messages.extend(self._messages(nested))
            found.append(
                {
                    "iri": subject.value,
                    "anchor": local_name(subject.value),
                    "targets": self.iris(subject, SH + "targetClass"),
                    "path": self.iris(subject, SH + "path"),
                    "messages": list(dict.fromkeys(messages)),
                }
            )
        return sorted(found, key=lambda shape: str(shape["anchor"]).lower())

    def _messages(self, node: Node) -> list[str]:
        return [obj.value for obj in self.objects(node, SH + "message") if isinstance(obj, Literal)]

    def ontology_header(self) -> dict[str, Labels | str]:
        """Title, description, version and licence of the ontology itself."""
        titles, descriptions = Labels(ONTOLOGY_IRI), Labels(ONTOLOGY_IRI)
        for obj in self.objects(ONTOLOGY_IRI, DCTERMS + "title"):
            if isinstance(obj, Literal):
                titles.add(obj.language or "", obj.value)
        for obj in self.objects(ONTOLOGY_IRI, DCTERMS + "description"):
            if isinstance(obj, Literal):
                descriptions.add(obj.language or "", obj.value)
        version = next((o.value for o in self.objects(ONTOLOGY_IRI, OWL + "versionInfo")), "")
        licence = next((o.value for o in self.objects(ONTOLOGY_IRI, DCTERMS + "license")), "")
        return {"titles": titles, "descriptions": descriptions, "version": version, "license": licence}

    def completions(self) -> list[dict[str, str]]:
        """Our classes, properties and concepts plus the common outside terms, for the editor's completion."""
        return self._remember("completions", self._completions)

    def _completions(self) -> list[dict[str, str]]:
        items: list[dict[str, str]] = []
        for kind, docs in (
            ("class", self.classes()),
            ("property", self.object_properties() + self.datatype_properties()),
        ):
            for doc in docs:
                items.append(_completion(doc.iri, kind, doc.labels, doc.comments))
        for scheme, concepts in self.schemes():
            items.append(_completion(scheme.iri, "scheme", scheme.labels, scheme.comments))
            for concept in concepts:
                if concept.iri.startswith(GS):
                    items.append(_completion(concept.iri, "concept", concept.labels, concept.comments))
        for iri, name in KNOWN_TERMS.items():
            if not compact(iri).startswith("<"):
                items.append({"pname": compact(iri), "iri": iri, "label": name, "kind": "term", "doc": ""})
        return items


def _completion(iri: str, kind: str, labels: Labels, comments: Labels) -> dict[str, str]:
    doc = comments.get("en")
    return {
        "pname": compact(iri),
        "iri": iri,
        "label": labels.get("en"),
        "label_de": labels.get("de"),
        "kind": kind,
        "doc": doc if doc != local_name(iri) else "",
    }


ONTOLOGY_QUERY = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri('ontology')}> {{ ?s ?p ?o }} }}"


def load_vocabulary(queries: PageQueries) -> Vocabulary:
    """Read the ontology graph into a Vocabulary."""
    return Vocabulary(queries.triples(ONTOLOGY_QUERY))


def vocabulary() -> Vocabulary:
    """The current app's vocabulary, read on first use and kept (a server never changes its build)."""
    memo = runtime().pages
    if memo.vocabulary is None:
        memo.vocabulary = load_vocabulary(build_queries())
    return memo.vocabulary
