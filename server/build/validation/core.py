"""The shapes' core SHACL constraints, compiled to SPARQL and run inside Oxigraph.

pyshacl checks core constraints node by node over an rdflib graph, which does not scale to millions
of triples. Each core constraint component of a property shape is a simple pattern over the shape's
targets, so it compiles to one SPARQL query that finds every violation at once. `tests/
test_validation.py` runs pyshacl itself as the reference and checks that both report the same results.

Supported (everything ontology/shapes.ttl uses), over simple predicate paths: sh:minCount,
sh:maxCount, sh:class, sh:datatype, sh:in, sh:hasValue, sh:pattern, sh:minInclusive, sh:languageIn,
sh:uniqueLang, sh:or of such value constraints, sh:qualifiedValueShape with sh:qualifiedMinCount, and
sh:class / sh:hasValue on a node shape itself. Anything else is refused when the shapes compile, so no
constraint is ever skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import rdflib
from rdflib.namespace import RDF, RDFS, SH, XSD

from server.build.validation.constraints import UnsupportedShape, target_patterns, targets_select

#: Components that only configure others (handled together with them) or carry no check.
_PASSIVE = {
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.deactivated,
    SH.qualifiedValueShapesDisjoint,
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.flags,
}
_NODE_PASSIVE = _PASSIVE | {
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.target,
    SH.property,
    SH.sparql,
    SH.closed,
    SH.ignoredProperties,
    RDFS.isDefinedBy,
}
#: XML Schema datatypes whose lexical form SPARQL can check with a cast.
_CASTABLE = {XSD.date, XSD.dateTime, XSD.integer, XSD.decimal, XSD.boolean, XSD.double, XSD.float}


@dataclass(frozen=True)
class CoreConstraint:
    """One compiled core constraint: a query whose rows are violations (?this, optional ?value)."""

    shape: str
    component: str
    path: str | None
    query: str
    message: str
    severity: str
    targets: str = ""  # the sub-select in `query` that binds ?this, shared by every constraint of the shape
    prefixes: str = ""  # PREFIX lines the targets need on their own


def compile_core(shapes: rdflib.Graph) -> list[CoreConstraint]:
    """Compile every active core constraint of every targeted node shape."""
    compiled: list[CoreConstraint] = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        if _off(shapes, shape):
            continue
        targets = target_patterns(shapes, shape, {})
        if not targets:
            continue  # reached only through references (sh:node), which the shapes do not use for core checks
        bind = targets_select(targets)
        prefixes = _sparql_target_prefixes(shapes, shape)
        found = _node_level(shapes, shape, bind, prefixes)
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            if not _off(shapes, prop):
                found += _property(shapes, shape, prop, bind, prefixes)
        compiled += [replace(constraint, targets=bind, prefixes=prefixes) for constraint in found]
    return compiled


def _off(shapes: rdflib.Graph, node: rdflib.term.Node) -> bool:
    flag = shapes.value(node, SH.deactivated)
    return isinstance(flag, rdflib.Literal) and bool(flag.toPython())


def _sparql_target_prefixes(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    declared: dict[str, str] = {}
    for target in shapes.objects(shape, SH.target):
        for holder in shapes.objects(target, SH.prefixes):
            for declaration in shapes.objects(holder, SH.declare):
                declared[str(shapes.value(declaration, SH.prefix))] = str(shapes.value(declaration, SH.namespace))
    return "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(declared.items()))


def _severity(shapes: rdflib.Graph, node: rdflib.term.Node, shape: rdflib.term.Node) -> str:
    severity = shapes.value(node, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation
    return str(severity).rsplit("#", 1)[-1]


def _node_level(shapes: rdflib.Graph, shape: rdflib.term.Node, bind: str, prefixes: str) -> list[CoreConstraint]:
    results = []
    message = str(shapes.value(shape, SH.message) or "")
    for component, argument in sorted(shapes.predicate_objects(shape), key=lambda pair: (str(pair[0]), str(pair[1]))):
        if component in _NODE_PASSIVE:
            continue
        if component not in (SH["class"], SH.hasValue):
            raise UnsupportedShape(f"{shape}: node-level {component} is not compiled")
        condition = _value_test(component, argument, shapes)
        query = f"{prefixes}SELECT ?this ?value WHERE {{ {bind} BIND(?this AS ?value) FILTER({_fails(condition)}) }}"
        results.append(
            CoreConstraint(
                str(shape),
                str(component),
                None,
                query,
                message or _default(component, argument),
                _severity(shapes, shape, shape),
            )
        )
    return results


def _property(
    shapes: rdflib.Graph, shape: rdflib.term.Node, prop: rdflib.term.Node, bind: str, prefixes: str
) -> list[CoreConstraint]:
    path = shapes.value(prop, SH.path)
    if not isinstance(path, rdflib.URIRef):
        raise UnsupportedShape(f"{shape}: only simple predicate paths are compiled, not {path!r}")
    p = path.n3()
    message = str(shapes.value(prop, SH.message) or "")
    severity = _severity(shapes, prop, shape)
    found = []

    def add(component: rdflib.URIRef, argument: rdflib.term.Node, query: str) -> None:
        found.append(
            CoreConstraint(
                str(shape),
                str(component),
                str(path),
                prefixes + query,
                message or _default(component, argument),
                severity,
            )
        )

    for component, argument in sorted(shapes.predicate_objects(prop), key=lambda pair: (str(pair[0]), str(pair[1]))):
        if component in _PASSIVE or component == SH.qualifiedMinCount:
            continue
        if component == SH.minCount:
            n = int(argument)
            add(
                component,
                argument,
                f"SELECT ?this WHERE {{ {bind} OPTIONAL {{ ?this {p} ?v }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})",
            )
        elif component == SH.maxCount:
            n = int(argument)
            add(
                component,
                argument,
                f"SELECT ?this WHERE {{ {bind} ?this {p} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})",
            )
        elif component == SH.uniqueLang:
            if isinstance(argument, rdflib.Literal) and argument.toPython() is True:
                add(
                    component,
                    argument,
                    f"SELECT DISTINCT ?this ?lang WHERE {{ {bind} ?this {p} ?a , ?b . "
                    'FILTER(?a != ?b && LANG(?a) != "" && LCASE(LANG(?a)) = LCASE(LANG(?b))) '
                    "BIND(LCASE(LANG(?a)) AS ?lang) }",
                )
        elif component == SH.hasValue:
            add(
                component,
                argument,
                f"SELECT ?this WHERE {{ {bind} FILTER NOT EXISTS {{ ?this {p} {argument.n3()} }} }}",
            )
        elif component == SH.qualifiedValueShape:
            minimum = shapes.value(prop, SH.qualifiedMinCount)
            if minimum is None or shapes.value(prop, SH.qualifiedMaxCount) is not None:
                raise UnsupportedShape(f"{shape}: only sh:qualifiedMinCount is compiled with sh:qualifiedValueShape")
            condition = _shape_test(argument, shapes)
            add(
                SH.qualifiedMinCount,
                minimum,
                f"SELECT ?this WHERE {{ {bind} OPTIONAL {{ ?this {p} ?value . "
                f"FILTER({condition}) }} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?value) < {int(minimum)})",
            )
        else:
            condition = _value_test(component, argument, shapes)
            add(
                component, argument, f"SELECT ?this ?value WHERE {{ {bind} ?this {p} ?value . FILTER(!({condition})) }}"
            )
    return found


def _fails(condition: str) -> str:
    """True when a value does not satisfy the condition; an evaluation error counts as not satisfying it."""
    return f"!COALESCE(({condition}), false)"


def _shape_test(node: rdflib.term.Node, shapes: rdflib.Graph) -> str:
    """A SPARQL expression true when ?value conforms to an inline value shape (all its constraints)."""
    tests = [
        _value_test(component, argument, shapes)
        for component, argument in shapes.predicate_objects(node)
        if component not in _PASSIVE
    ]
    if not tests:
        raise UnsupportedShape(f"empty value shape {node}")
    return " && ".join(f"({test})" for test in tests)


def _value_test(component: rdflib.term.Node, argument: rdflib.term.Node, shapes: rdflib.Graph) -> str:
    """A SPARQL expression over ?value that is true when the value satisfies the component."""
    if component == SH["class"]:
        return f"EXISTS {{ ?value <{RDF.type}>/<{RDFS.subClassOf}>* {argument.n3()} }}"
    if component == SH.datatype:
        if argument == RDF.langString:
            return 'isLiteral(?value) && LANG(?value) != ""'
        test = f'isLiteral(?value) && LANG(?value) = "" && DATATYPE(?value) = {argument.n3()}'
        if argument in _CASTABLE:  # an ill-formed lexical form fails the cast: not a valid value
            test += f" && COALESCE(isLiteral({argument.n3()}(STR(?value))), false)"
        return test
    if component == SH["in"]:
        members = list(shapes.items(argument))
        return "(" + " || ".join(f"sameTerm(?value, {member.n3()})" for member in members) + ")" if members else "false"
    if component == SH.hasValue:
        return f"sameTerm(?value, {argument.n3()})"
    if component == SH.pattern:
        return f"!isBlank(?value) && REGEX(STR(?value), {rdflib.Literal(str(argument)).n3()})"
    if component == SH.minInclusive:
        return f"?value >= {argument.n3()}"
    if component == SH.languageIn:
        langs = [str(item) for item in shapes.items(argument)]
        return "(" + " || ".join(f'LANGMATCHES(LANG(?value), "{lang}")' for lang in langs) + ")" if langs else "false"
    if component == SH.nodeKind:
        kinds = {
            SH.IRI: "isIRI(?value)",
            SH.Literal: "isLiteral(?value)",
            SH.BlankNode: "isBlank(?value)",
            SH.BlankNodeOrIRI: "!isLiteral(?value)",
            SH.IRIOrLiteral: "!isBlank(?value)",
            SH.BlankNodeOrLiteral: "!isIRI(?value)",
        }
        if argument not in kinds:
            raise UnsupportedShape(f"sh:nodeKind {argument} is none of the six node kinds SHACL defines")
        return kinds[argument]
    if component == SH["or"]:
        return "(" + " || ".join(f"({_shape_test(member, shapes)})" for member in shapes.items(argument)) + ")"
    raise UnsupportedShape(f"{component} is not compiled")


def _default(component: rdflib.term.Node, argument: rdflib.term.Node) -> str:
    return f"violates {str(component).rsplit('#', 1)[-1]} {argument}"
