"""Run the shapes' SHACL-SPARQL constraints inside Oxigraph, one query per constraint.

pyshacl evaluates a SPARQL constraint once per focus node with rdflib's engine, which is slow and grows
with the data. A SPARQL constraint is already a query, so here each one runs once over all of its shape's
targets: the targets become a sub-select that binds ?this, and the constraint's own pattern follows. The
core constraints are compiled in core_constraints.py; `tests/test_validation.py` checks that the two
together report what pyshacl alone reports.

Supported, and refused loudly otherwise so that a new shape is never silently skipped: sh:select
constraints attached directly to a node shape whose targets are sh:targetClass, sh:targetSubjectsOf,
sh:targetObjectsOf, sh:targetNode or a SHACL-AF sh:SPARQLTarget.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import rdflib
from pyoxigraph import Store
from rdflib.namespace import RDF, RDFS, SH

from server.engine.query import QueryResult
from server.engine.querytext import QueryTooDeep, check_nesting
from server.rdf.terms import compact, show


class ShapesError(ValueError):
    """The shapes cannot be checked as written; the message names the shape and what to change."""


class UnsupportedShape(ShapesError):
    """A shape uses SHACL-SPARQL in a way this evaluator does not run; the message says where."""


class ConstraintSyntaxError(ShapesError):
    """A query in the shapes (sh:select) does not parse; the message names the shape and the parser's error."""


@dataclass(frozen=True)
class CompiledConstraint:
    """One SPARQL constraint of one node shape, rewritten to find every violation in one query."""

    shape: str
    query: str
    message: str
    severity: str
    targets: str = ""  # the sub-select in `query` that binds ?this: the same text for every constraint of a shape
    prefixes: str = ""  # PREFIX lines the targets need on their own


@dataclass(frozen=True)
class Violation:
    """A violation found by a compiled constraint, with terms as the store returned them."""

    focus: object
    value: object | None
    path: object | None
    message: str
    severity: str


def compile_constraints(shapes: rdflib.Graph) -> list[CompiledConstraint]:
    """Rewrite every active sh:sparql constraint of the shapes into one query over all its targets."""
    compiled = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql), key=lambda pair: (str(pair[0]), str(pair[1]))):
        if _true(shapes.value(shape, SH.deactivated)) or _true(shapes.value(constraint, SH.deactivated)):
            continue
        if (shape, RDF.type, SH.NodeShape) not in shapes:
            raise UnsupportedShape(f"{shape}: sh:sparql is supported on node shapes only")
        select = shapes.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShape(f"{shape}: only sh:select SPARQL constraints are supported")
        prefixes = _prefix_map(shapes, constraint)
        check_parses(shape, str(select), prefixes)
        targets = target_patterns(shapes, shape, prefixes)
        if not targets:
            raise UnsupportedShape(f"{shape}: a SPARQL constraint needs a shape with a target of its own")
        header = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in sorted(prefixes.items()))
        compiled.append(
            CompiledConstraint(
                shape=str(shape),
                query=header + _with_targets(str(select), targets),
                message=str(shapes.value(constraint, SH.message) or f"violates a SPARQL constraint of {shape}"),
                severity=str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1],
                targets=targets_select(targets),
                prefixes=header,
            )
        )
    return compiled


def targets_select(targets: list[str]) -> str:
    """The sub-select binding ?this to every target of a shape (the union of its target patterns)."""
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join("{ " + pattern + " }" for pattern in targets) + " } }"


def run_constraints(
    store: Store, compiled: list[CompiledConstraint], rewrite: Callable[[str, str, str], str] | None = None
) -> list[Violation]:
    """Evaluate the compiled constraints over the store's default graph (the merge of all graphs).

    `rewrite(query, targets, prefixes)` may replace the targets' sub-select (see focus.py).
    """
    violations = []
    for constraint in compiled:
        query = rewrite(constraint.query, constraint.targets, constraint.prefixes) if rewrite else constraint.query
        results = run_shape_query(store, constraint.shape, query)
        names = [variable.value for variable in results.variables]
        for row in results:
            bindings = {name: row[name] for name in names if row[name] is not None}
            violations.append(
                Violation(
                    focus=bindings.get("this"),
                    value=bindings.get("value"),
                    path=bindings.get("path"),
                    message=_fill(constraint.message, bindings),
                    severity=constraint.severity,
                )
            )
    return violations


def run_shape_query(store: Store, shape: str, query: str) -> QueryResult:
    """Run a query compiled from a shape; one that does not parse names its shape instead of stopping the build."""
    try:
        return store.query(query)
    except SyntaxError as error:
        message = f"{compact(shape, strict=False)}: the query compiled from it does not parse: {error.msg}"
        raise ConstraintSyntaxError(message) from None


def check_parses(shape: rdflib.term.Node, select: str, prefixes: dict[str, str]) -> None:
    """Refuse an sh:select that does not parse, naming its shape; positions are within the sh:select text.

    The query is only parsed, its solutions never iterated. Its brackets are counted first: the parser
    would overflow its stack (and crash the build) on a query nested thousands of levels deep.
    """
    try:
        check_nesting(select)
        _parser_store().query(select, prefixes=prefixes)
    except QueryTooDeep as error:
        raise ConstraintSyntaxError(f"{compact(str(shape), strict=False)}: its sh:select is refused: {error}") from None
    except SyntaxError as error:
        raise ConstraintSyntaxError(
            f"{compact(str(shape), strict=False)}: its sh:select does not parse "
            f"(line:column within the sh:select text): {error.msg}"
        ) from None


@cache
def _parser_store() -> Store:
    """An empty in-memory store, only to parse queries with."""
    return Store()


def _true(term: rdflib.term.Node | None) -> bool:
    return isinstance(term, rdflib.Literal) and bool(term.toPython())


def target_patterns(shapes: rdflib.Graph, shape: rdflib.term.Node, prefixes: dict[str, str]) -> list[str]:
    """Each target of the shape as a group pattern that binds ?this (SHACL instance semantics for classes)."""
    patterns = [f"?this a/<{RDFS.subClassOf}>* <{cls}> ." for cls in shapes.objects(shape, SH.targetClass)]
    patterns += [f"?this <{prop}> ?targetObject ." for prop in shapes.objects(shape, SH.targetSubjectsOf)]
    patterns += [f"?targetSubject <{prop}> ?this ." for prop in shapes.objects(shape, SH.targetObjectsOf)]
    nodes = list(shapes.objects(shape, SH.targetNode))
    if nodes:
        patterns.append("VALUES ?this { " + " ".join(node.n3() for node in nodes) + " }")
    for target in shapes.objects(shape, SH.target):
        select = shapes.value(target, SH.select)
        if (target, RDF.type, SH.SPARQLTarget) not in shapes or select is None:
            raise UnsupportedShape(f"{shape}: only SHACL-AF sh:SPARQLTarget targets are supported")
        target_prefixes = _prefix_map(shapes, target)
        check_parses(shape, str(select), target_prefixes)
        for prefix, namespace in target_prefixes.items():
            if prefixes.setdefault(prefix, namespace) != namespace:
                raise UnsupportedShape(f"{shape}: prefix {prefix}: means two namespaces in one shape")
        patterns.append("{ " + str(select) + " }")
    return patterns


def _with_targets(select: str, targets: list[str]) -> str:
    """Bind ?this from the targets first; the constraint's pattern then runs once per binding."""
    query = re.sub(r"\$this\b", "?this", select)
    where = re.search(r"\bWHERE\s*\{", query, flags=re.IGNORECASE)
    if where is None:
        raise UnsupportedShape(f"constraint query has no WHERE clause: {select.strip()[:80]}")
    return query[: where.end()] + "\n" + targets_select(targets) + "\n" + query[where.end() :]


def _prefix_map(shapes: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    mapping = {}
    for holder in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                mapping[str(prefix)] = str(namespace)
    return mapping


def _fill(message: str, bindings: dict[str, object]) -> str:
    """Fill SHACL message templates ({$this}, {?value}) with readable terms."""

    def replace(match: re.Match[str]) -> str:
        term = bindings.get(match.group(1))
        return show(term) if term is not None else match.group(0)

    return re.sub(r"\{[$?](\w+)\}", replace, message)
