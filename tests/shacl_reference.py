"""pyshacl, the reference implementation of SHACL, as the tests run it beside our own validation."""

from __future__ import annotations

import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH

from server.build.validation.problems import FileIndex, Problem, problem


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
            problem(
                files_of,
                results.value(node, SH.focusNode),
                results.value(node, SH.resultPath),
                results.value(node, SH.value),
                str(message) if message else "does not conform to its shape",
                str(results.value(node, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1],
            )
        )
    return problems
