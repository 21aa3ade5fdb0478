"""What is wrong with a build's inputs, in the words a curator acts on: one line per problem, naming the file.

Both our validation and pyshacl (the reference the tests compare with) report through `problem`, so the two
reports read alike whichever engine found a problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import rdflib
from pyoxigraph import NamedNode

from server.rdf.terms import compact, literal_text, show

#: For each IRI, the input files in which it is the subject of a statement: where a curator looks.
FileIndex = Mapping[str, list[str]]


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


def problem(files_of: FileIndex, focus, path, value, message: str, severity: str) -> Problem:
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
        return compact(str(term), strict=False)
    if isinstance(term, rdflib.Literal):
        return literal_text(str(term), term.language, str(term.datatype) if term.datatype else None)
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return show(term)
