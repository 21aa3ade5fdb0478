"""Terms, slugs and a deterministic writer for the imports' RDF.

An import must give byte-identical files for the same input, so nothing here depends on dict order,
hash seeds or the clock: statements are collected as a set, then sorted by their N-Triples form.
Large graphs are written as sorted N-Triples (one statement a line, diffable); small ones as Turtle
grouped by subject, for a reviewer to read.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from server.rdf.namespaces import GS, GSID, PREFIXES, RDF, WD, XSD

RDF_TYPE = NamedNode(RDF + "type")

#: Turtle prefixes: the endpoint's own, so every name in an imported file can be pasted into a query as it is.
#: Where two namespaces fit a term, the longest wins (`institution:` over `gsid:`).
TURTLE_PREFIXES: dict[str, str] = PREFIXES
#: Predicates a reader looks for first, in this order; the rest follow sorted.
_FIRST = {"a": 0, "rdfs:label": 1, "skos:altLabel": 2}
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


def iri(value: str) -> NamedNode:
    return NamedNode(value)


def gs(name: str) -> NamedNode:
    return NamedNode(GS + name)


def org_iri(slug: str) -> NamedNode:
    return NamedNode(f"{GSID}org/{slug}")


def de(text: str) -> Literal:
    return Literal(text, language="de")


def en(text: str) -> Literal:
    return Literal(text, language="en")


def plain(text: str) -> Literal:
    return Literal(text)


def typed(text: str, datatype: str) -> Literal:
    return Literal(text, datatype=NamedNode(XSD + datatype))


def wikidata(qid: str) -> NamedNode:
    if not re.fullmatch(r"Q[1-9][0-9]*", qid):
        raise ValueError(f"not a Wikidata QID: {qid!r}")
    return NamedNode(WD + qid)


_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slug(text: str) -> str:
    """Lower-case ASCII with hyphens, umlauts spelt out (Thüringen -> thueringen, Straße -> strasse)."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not text:
        raise ValueError("nothing left to make a slug of")
    return text


class Statements:
    """A set of triples that remembers nothing about the order they were added in."""

    def __init__(self) -> None:
        self._triples: set[Triple] = set()

    def add(self, subject: NamedNode, predicate: NamedNode | str, obj: NamedNode | Literal) -> None:
        if isinstance(predicate, str):
            predicate = NamedNode(predicate)
        self._triples.add(Triple(subject, predicate, obj))

    def add_all(self, subject: NamedNode, predicate: NamedNode | str, objects: Iterable[NamedNode | Literal]) -> None:
        for obj in objects:
            self.add(subject, predicate, obj)

    def without(self, unwanted) -> Statements:
        """A copy without the statements for which `unwanted(triple)` is true."""
        kept = Statements()
        kept._triples = {triple for triple in self._triples if not unwanted(triple)}
        return kept

    def update(self, other: Statements) -> None:
        self._triples |= other._triples

    def __len__(self) -> int:
        return len(self._triples)

    def __iter__(self):
        return iter(sorted(self._triples, key=str))

    def subjects(self) -> set[str]:
        return {triple.subject.value for triple in self._triples}


def ntriples(statements: Statements) -> bytes:
    """Sorted N-Triples, as pyoxigraph writes each statement."""
    lines = sorted(serialize([triple], format=RdfFormat.N_TRIPLES).decode("utf-8") for triple in statements)
    return "".join(lines).encode("utf-8")


def turtle(statements: Statements, header: str) -> bytes:
    """Turtle grouped by subject (sorted), rdf:type first, then predicates and objects in sorted order."""
    by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for triple in statements:
        by_subject[_term(triple.subject)][_predicate(triple.predicate)].append(_term(triple.object))
    used = set()
    blocks = []
    for subject in sorted(by_subject):
        predicates = by_subject[subject]
        order = sorted(predicates, key=lambda p: (_FIRST.get(p, len(_FIRST)), p))
        lines = []
        for predicate in order:
            objects = sorted(set(predicates[predicate]))
            lines.append(f"    {predicate} " + " ,\n        ".join(objects))
        blocks.append(subject + "\n" + " ;\n".join(lines) + " .\n")
        used.update(_prefixes_in(subject, predicates))
    prefix_lines = [f"@prefix {name}: <{TURTLE_PREFIXES[name]}> ." for name in sorted(used)]
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.strip().splitlines())
    return (comment + "\n" + "\n".join(prefix_lines) + "\n\n" + "\n".join(blocks)).encode("utf-8")


def _prefixes_in(subject: str, predicates: dict[str, list[str]]) -> set[str]:
    tokens = [subject, *predicates, *(o for objects in predicates.values() for o in objects)]
    return {
        name
        for token in tokens
        for name in TURTLE_PREFIXES
        if token.startswith(name + ":") or token.split("^^")[-1].startswith(name + ":")
    }


def _predicate(term: NamedNode) -> str:
    return "a" if term == RDF_TYPE else _term(term)


def _term(term: NamedNode | Literal) -> str:
    if isinstance(term, NamedNode):
        return _compact(term.value) or f"<{term.value}>"
    if term.datatype is not None and term.language is None and term.datatype.value.startswith(XSD):
        compact = _compact(term.datatype.value)
        if compact and term.datatype.value != XSD + "string":
            return str(Literal(term.value)) + "^^" + compact
    return str(term)


def _compact(value: str) -> str | None:
    best = None
    for name, namespace in TURTLE_PREFIXES.items():
        if value.startswith(namespace):
            local = value[len(namespace) :]
            if _LOCAL_NAME.match(local) and (best is None or len(namespace) > best[1]):
                best = (name, len(namespace), local)
    return f"{best[0]}:{best[2]}" if best else None
