"""The ontology as a class diagram: its classes in families, the properties that link them, the schemes of values.

Everything is read from the ontology graph as the Vocabulary holds it, so a class, property or scheme added to
ontology/ appears without a change here. A family is a class of ours with no superclass of ours, with every class
below it; the classes of other vocabularies that our properties start from or point to (org:Organization,
schema:Person) get boxes of their own. A link is a property with the box it starts from and the classes it points
to, read from rdfs:domain/rdfs:range (unions spelt out) and from the SHACL shapes (sh:targetClass with sh:path and
sh:class, sh:or or sh:in), since the shapes say what the ontology leaves to other vocabularies (prov:wasDerivedFrom
on an event is a gs:Source). Where a property's range is no more than skos:Concept, the schemes it draws on are
those of the concepts the data uses as its values (`concept_schemes`, read by the page), so gs:reason points to
gs:Reasons rather than to every concept there is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode

from server.rdf.namespaces import RDF, RDFS, SH, SKOS
from server.web.pages.vocabulary import EVENT_CLASS, Vocabulary

CONCEPT = SKOS + "Concept"
#: Kinds of box: a family of our classes, a class of another vocabulary, a SKOS concept scheme.
OURS, OUTSIDE, SCHEME = "ours", "outside", "scheme"

Node = NamedNode | BlankNode | Literal


@dataclass(frozen=True)
class Link:
    """A property from a box to the classes (or schemes) its values belong to.

    `on` names the classes of the box it is declared on when that is not the box's head (gs:exceptionKind is
    declared on gs:Suspension and gs:Retention, not on every event).
    """

    property: str
    targets: tuple[str, ...]
    on: tuple[str, ...] = ()


@dataclass
class Box:
    """One box of the diagram: a head class (or scheme) with its members, links and literal-valued properties."""

    head: str
    kind: str
    members: list[str] = field(default_factory=list)  # sub-classes, in tree order; for a scheme its top concepts
    parents: list[str] = field(default_factory=list)  # the head's superclasses that have no box of their own
    links: list[Link] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # datatype properties
    concepts: int = 0  # a scheme's number of concepts


@dataclass
class Model:
    """The boxes by head, which box each class is drawn in, and the properties whose domain is left open."""

    boxes: dict[str, Box]
    box_of: dict[str, str]
    open_domain: list[Link]
    hub: str

    def classes(self, kind: str = OURS) -> list[str]:
        """Every class drawn in boxes of one kind (ours, or other vocabularies'): heads and members."""
        return [iri for box in self.boxes.values() if box.kind == kind for iri in (box.head, *box.members)]

    def kinds(self) -> list[str]:
        """The members of the hub's box: the kinds of event."""
        return list(self.boxes[self.hub].members) if self.hub in self.boxes else []


def concept_valued(vocab: Vocabulary) -> list[str]:
    """Our object properties whose range the ontology gives as skos:Concept: the ones to ask the data about."""
    return [doc.iri for doc in vocab.object_properties() if any(CONCEPT in alternative for alternative in doc.range)]


def build_model(vocab: Vocabulary, concept_schemes: Mapping[str, Iterable[str]] | None = None) -> Model:
    """The diagram of the ontology, with `concept_schemes` (property -> schemes) refining skos:Concept ranges."""
    ours = [doc.iri for doc in vocab.classes()]
    schemes = vocab.schemes()
    boxes, box_of = _families(vocab, ours)
    for scheme, concepts in schemes:
        top = set(vocab.iris(scheme.iri, SKOS + "hasTopConcept"))
        members = [concept.iri for concept in concepts if concept.iri in top]
        boxes[scheme.iri] = Box(scheme.iri, SCHEME, members=members, concepts=len(concepts))
        box_of[scheme.iri] = scheme.iri
    in_scheme = {concept.iri: scheme.iri for scheme, concepts in schemes for concept in concepts}
    used = {prop: tuple(found) for prop, found in (concept_schemes or {}).items()}

    def refine(prop: str, targets: list[str]) -> list[str]:
        return _refine(targets, used.get(prop, ()), {scheme.iri for scheme, _ in schemes})

    found, open_domain = _gather([*_declared(vocab), *_shaped(vocab, in_scheme)], boxes, box_of)
    for (head, prop), (targets, domains, is_literal) in sorted(found.items(), key=lambda item: item[0][1]):
        box, targets = boxes[head], refine(prop, targets)
        if is_literal or not targets:
            _extend(box.values, [prop])
            continue
        for target in targets:
            _outside(boxes, box_of, target)
        box.links.append(Link(prop, tuple(targets), () if head in domains else tuple(domains)))
    for box in boxes.values():
        if box.kind == OURS:
            box.parents = [parent for parent in vocab.iris(box.head, RDFS + "subClassOf") if parent not in ours]
    unbound = [Link(prop, tuple(refine(prop, targets))) for prop, targets in sorted(open_domain.items())]
    hub = EVENT_CLASS if EVENT_CLASS in boxes else max(boxes, key=lambda head: len(boxes[head].links), default="")
    return Model(boxes, box_of, unbound, hub)


Gathered = dict[tuple[str, str], tuple[list[str], list[str], bool]]


def _gather(raw: list[Raw], boxes: dict[str, Box], box_of: dict[str, str]) -> tuple[Gathered, dict[str, list[str]]]:
    """Statements merged per (box, property): targets, the classes declaring it, literal or not; and the
    properties that no statement gives a domain."""
    with_domain = {prop for domain, prop, _, _ in raw if domain is not None}
    found: Gathered = {}
    open_domain: dict[str, list[str]] = {}
    for domain, prop, targets, is_literal in raw:
        if domain is None:
            if prop not in with_domain:
                _extend(open_domain.setdefault(prop, []), targets)
            continue
        head = box_of.get(domain) or _outside(boxes, box_of, domain)
        entry = found.setdefault((head, prop), ([], [], is_literal))
        _extend(entry[0], targets)
        _extend(entry[1], [domain])
    return found, open_domain


def _families(vocab: Vocabulary, ours: list[str]) -> tuple[dict[str, Box], dict[str, str]]:
    """A box per class of ours without a superclass of ours, holding every class below it in tree order."""
    known = set(ours)
    parents = {iri: [p for p in vocab.iris(iri, RDFS + "subClassOf") if p in known and p != iri] for iri in ours}
    children: dict[str, list[str]] = {iri: [] for iri in ours}
    for iri, found in parents.items():
        if found:  # a class with two parents of ours is drawn under the first, by name
            children[sorted(found)[0]].append(iri)
    boxes: dict[str, Box] = {}
    box_of: dict[str, str] = {}
    for root in (iri for iri in ours if not parents[iri]):
        members: list[str] = []
        todo = sorted(children[root], key=lambda iri: vocab.label(iri, "en").lower(), reverse=True)
        while todo:
            member = todo.pop()
            if member in box_of or member in members:
                continue
            members.append(member)
            todo.extend(sorted(children[member], key=lambda iri: vocab.label(iri, "en").lower(), reverse=True))
        boxes[root] = Box(root, OURS, members=members)
        for iri in (root, *members):
            box_of[iri] = root
    for iri in ours:  # a cycle of subClassOf leaves classes without a root: each becomes a box of its own
        if iri not in box_of:
            boxes[iri] = Box(iri, OURS)
            box_of[iri] = iri
    return boxes, box_of


def _extend(items: list[str], more: Iterable[str]) -> None:
    """Add what is not there yet, keeping the order of first mention."""
    items.extend(item for item in more if item not in items)


def _outside(boxes: dict[str, Box], box_of: dict[str, str], iri: str) -> str:
    """The box of a class from another vocabulary, made on first use."""
    if iri not in box_of:
        boxes[iri] = Box(iri, OUTSIDE)
        box_of[iri] = iri
    return iri


def _refine(targets: list[str], used: tuple[str, ...], schemes: set[str]) -> list[str]:
    """skos:Concept gives way to the schemes its values are known to come from: by the data, or by sh:in."""
    if CONCEPT not in targets:
        return targets
    if used:
        targets = [*targets, *(scheme for scheme in used if scheme not in targets)]
    if any(target in schemes for target in targets):
        return [target for target in targets if target != CONCEPT]
    return targets


Raw = tuple[str | None, str, list[str], bool]


def _declared(vocab: Vocabulary) -> list[Raw]:
    """(domain, property, ranges, literal?) from rdfs:domain and rdfs:range; domain None where none is declared."""
    found: list[Raw] = []
    for docs, is_literal in ((vocab.object_properties(), False), (vocab.datatype_properties(), True)):
        for doc in docs:
            ranges = list(dict.fromkeys(iri for alternative in doc.range for iri in alternative))
            domains = list(dict.fromkeys(iri for alternative in doc.domain for iri in alternative)) or [None]
            found.extend((domain, doc.iri, [] if is_literal else ranges, is_literal) for domain in domains)
    return found


def _shaped(vocab: Vocabulary, in_scheme: Mapping[str, str]) -> list[Raw]:
    """(domain, path, classes, literal?) from every SHACL property shape whose path is one property."""
    found: list[Raw] = []
    for subject, pairs in vocab.by_subject.items():
        types = {obj.value for predicate, obj in pairs if predicate == RDF + "type" and isinstance(obj, NamedNode)}
        if not isinstance(subject, NamedNode) or SH + "NodeShape" not in types:
            continue
        domains: list[str | None] = list(vocab.iris(subject, SH + "targetClass"))
        if vocab.iris(subject, SH + "targetSubjectsOf"):
            domains.extend(vocab.iris(subject, SH + "class") or [None])
        for shape in vocab.objects(subject, SH + "property"):
            if not isinstance(shape, (NamedNode, BlankNode)):
                continue
            paths = vocab.iris(shape, SH + "path")
            if len(paths) != 1:
                continue
            classes, datatypes = _constraint(vocab, shape)
            for concept in _listed(vocab, shape, SH + "in"):
                classes.append(in_scheme.get(concept, concept))
            if classes:
                found.extend((domain, paths[0], list(dict.fromkeys(classes)), False) for domain in domains)
            elif datatypes:
                found.extend((domain, paths[0], [], True) for domain in domains)
    return found


def _constraint(vocab: Vocabulary, shape: NamedNode | BlankNode) -> tuple[list[str], list[str]]:
    """The sh:class and sh:datatype values of a shape, its sh:or alternatives' included."""
    classes = list(vocab.iris(shape, SH + "class"))
    datatypes = list(vocab.iris(shape, SH + "datatype"))
    for head in vocab.objects(shape, SH + "or"):
        for alternative in _nodes(vocab, head):
            classes.extend(vocab.iris(alternative, SH + "class"))
            datatypes.extend(vocab.iris(alternative, SH + "datatype"))
    return classes, datatypes


def _listed(vocab: Vocabulary, shape: NamedNode | BlankNode, predicate: str) -> list[str]:
    """The IRIs of the RDF list a shape gives for `predicate` (sh:in)."""
    return [
        node.value
        for head in vocab.objects(shape, predicate)
        for node in _nodes(vocab, head)
        if isinstance(node, NamedNode)
    ]


def _nodes(vocab: Vocabulary, head: Node) -> list[Node]:
    """The members of an RDF list, in order; a broken or cyclic list ends where it breaks."""
    items: list[Node] = []
    seen: set[str] = set()
    while isinstance(head, BlankNode) and str(head) not in seen:
        seen.add(str(head))
        items.extend(vocab.objects(head, RDF + "first"))
        rest = vocab.objects(head, RDF + "rest")
        head = rest[0] if rest else NamedNode(RDF + "nil")
    return items
