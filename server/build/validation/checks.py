"""Check the build's inputs: syntax first, then the SHACL shapes.

A curator gets one line per problem naming the file, the resource and what is wrong, so a broken file
can be fixed without reading a SHACL report. Every constraint runs as SPARQL inside Oxigraph on the
freshly loaded (not yet current) store: the SHACL-SPARQL constraints as written (constraints.py), the
core ones compiled (core_constraints.py). This scales with the store rather than with rdflib; pyshacl
remains the reference implementation the tests compare against (`pyshacl_problems`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph
import rdflib
from pyoxigraph import NamedNode, Store
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH

from server.build.validation.constraints import compile_constraints, run_constraints, run_shape_query
from server.build.validation.core import compile_core
from server.build.validation.focus import focus_graphs
from server.build.inputs import InputFile
from server.rdf.terms import compact, literal_text, show

#: For each IRI, the input files in which it is the subject of a statement: where a curator looks.
FileIndex = dict[str, list[str]]
#: The longest single term (literal or IRI) the store's parser reads: it holds one term in a buffer of at
#: most 16 MiB and stops with a MemoryError beyond that, so loading such a file could never succeed.
MAX_TERM_BYTES = 16 * 1024 * 1024
TERM_TOO_LONG = (
    f"a literal or IRI is longer than {MAX_TERM_BYTES // (1024 * 1024)} MiB, the most the store's parser "
    "reads as one term; shorten it, or publish such text as a file of its own and link to it"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the inputs, in the words a curator acts on."""

    file: str
    resource: str
    message: str
    path: str = ""
    value: str = ""
    severity: str = "Violation"

    def __str__(self) -> str:
        where = f"{self.file}: {self.resource}" if self.resource else self.file
        detail = f" [{self.path}]" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}{detail}: {self.message}{value}"


class ValidationFailed(Exception):
    """The inputs break the syntax or the shapes; `problems` says where and how."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the data")

    def report(self) -> str:
        lines = [f"Build refused: {len(self.problems)} problem(s) found."]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


def check_syntax(inputs: list[InputFile]) -> tuple[list[Problem], FileIndex]:
    """Parse every file with the parser the store uses; report each file's first error.

    The same pass records which file states what about each IRI, for the reports that follow.
    """
    problems = []
    files_of: FileIndex = defaultdict(list)
    for item in inputs:
        subjects: set[str] = set()
        try:
            for quad in pyoxigraph.parse(path=str(item.path), format=item.format):
                if isinstance(quad.subject, NamedNode):
                    subjects.add(quad.subject.value)
        except SyntaxError as error:
            problems.append(Problem(item.name, "", f"syntax error: {error.msg}"))
            continue
        except MemoryError as error:
            if not _term_too_long(error):
                raise
            problems.append(Problem(item.name, "", TERM_TOO_LONG))
            continue
        for subject in subjects:
            files_of[subject].append(item.name)
    return problems, dict(files_of)


def _term_too_long(error: MemoryError) -> bool:
    """Whether the parser stopped at a term longer than its buffer, rather than the process running out of memory."""
    return "buffer maximal size" in str(error)


def check_shapes(store: Store, inputs: list[InputFile], files_of: FileIndex) -> list[Problem]:
    """Validate the loaded store against the shapes file of the inputs.

    The ontology is part of the data on purpose: its rdfs:subClassOf links let a shape that targets
    gs:PlatformEvent reach every gs:Departure, and the reason concepts live there too.
    """
    shapes = rdflib.Graph()
    for item in inputs:
        if item.is_shapes:
            shapes.parse(item.path, format=_rdflib_format(item))
    with focus_graphs(store) as focus:
        problems = [
            _problem(files_of, violation.focus, violation.path, violation.value, violation.message, violation.severity)
            for violation in run_constraints(store, compile_constraints(shapes), focus.rewrite)
        ]
        for constraint in compile_core(shapes):
            path = NamedNode(constraint.path) if constraint.path else None
            query = focus.rewrite(constraint.query, constraint.targets, constraint.prefixes)
            for row in run_shape_query(store, constraint.shape, query):
                problems.append(
                    _problem(files_of, row["this"], path, _bound(row, "value"), constraint.message, constraint.severity)
                )
    return sorted(set(problems), key=lambda p: (p.file, p.resource, p.path, p.message, p.value))


def _bound(row: object, name: str) -> object | None:
    try:
        return row[name]  # type: ignore[index]
    except (KeyError, IndexError):
        return None


def pyshacl_problems(data: rdflib.Graph, shapes: rdflib.Graph, files_of: FileIndex) -> list[Problem]:
    """Run pyshacl and turn each validation result into a Problem."""
    conforms, results, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    problems = []
    for node in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        message = results.value(node, SH.resultMessage)
        problems.append(
            _problem(
                files_of,
                results.value(node, SH.focusNode),
                results.value(node, SH.resultPath),
                results.value(node, SH.value),
                str(message) if message else "does not conform to its shape",
                str(results.value(node, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1],
            )
        )
    return problems


def _rdflib_format(item: InputFile) -> str:
    return "turtle" if item.format == pyoxigraph.RdfFormat.TURTLE else "nt"


def _problem(files_of: FileIndex, focus, path, value, message: str, severity: str) -> Problem:
    focus_key = _iri(focus)
    resource = _readable(focus)
    shown_value = _readable(value)
    return Problem(
        file=", ".join(files_of.get(focus_key, [])) if focus_key else "",
        resource=resource,
        message=message,
        path=_readable(path) if _iri(path) else "",
        # SHACL repeats the focus node as the value of node-level results; a curator needs it only once
        value="" if shown_value == resource else shown_value,
        severity=severity,
    )


def _iri(term: object) -> str:
    if isinstance(term, rdflib.URIRef):
        return str(term)
    if isinstance(term, NamedNode):
        return term.value
    return ""


def _readable(term: object) -> str:
    """The same readable form whichever engine found the problem."""
    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        return compact(str(term))
    if isinstance(term, rdflib.Literal):
        return literal_text(str(term), term.language, str(term.datatype) if term.datatype else None)
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return show(term)
