"""The SHACL shapes of the inputs, checked inside the freshly loaded (not yet current) store.

Every constraint runs as SPARQL in Oxigraph: the SHACL-SPARQL constraints as written (constraints.py), the core
ones compiled (core.py). This scales with the store rather than with rdflib, which only reads the shapes file;
pyshacl is the reference implementation the tests compare against.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pyoxigraph
import rdflib
from pyoxigraph import NamedNode, Store

from server.build.inputs import InputFile
from server.build.validation.constraints import compile_constraints, run_constraints, run_shape_query
from server.build.validation.core import compile_core
from server.build.validation.focus import focus_graphs
from server.build.validation.problems import FileIndex, Problem, problem

#: Told of each constraint once it ran: its name, seconds and how many rows it found (the build's profile).
Observer = Callable[..., None]


def check_shapes(
    store: Store, inputs: list[InputFile], files_of: FileIndex, observe: Observer | None = None
) -> list[Problem]:
    """Validate the loaded store against the shapes file of the inputs.

    The ontology is part of the data on purpose: its rdfs:subClassOf links let a shape that targets
    gs:PlatformEvent reach every gs:Departure, and the reason concepts live there too.
    """
    shapes = rdflib.Graph()
    for item in inputs:
        if item.is_shapes:
            shapes.parse(item.path, format=_rdflib_format(item))
    problems: list[Problem] = []
    with focus_graphs(store) as focus:
        for constraint in compile_constraints(shapes):
            started = time.monotonic()
            found = [
                problem(files_of, item.focus, item.path, item.value, item.message, item.severity)
                for item in run_constraints(store, [constraint], focus.rewrite)
            ]
            name = f"constraint sparql {_short(constraint.shape)}: {_first_words(constraint.message)}"
            _tell(observe, name, started, found)
            problems += found
        for core in compile_core(shapes):
            started = time.monotonic()
            path = NamedNode(core.path) if core.path else None
            query = focus.rewrite(core.query, core.targets, core.prefixes)
            found = [
                problem(files_of, row["this"], path, _bound(row, "value"), core.message, core.severity)
                for row in run_shape_query(store, core.shape, query)
            ]
            name = f"constraint core {_short(core.shape)} {_short(core.component)} {_short(core.path or '')}"
            _tell(observe, name.rstrip(), started, found)
            problems += found
    return sorted(set(problems), key=lambda p: (p.file, p.resource, p.path, p.message, p.value))


def _bound(row: object, name: str) -> object | None:
    try:
        return row[name]  # type: ignore[index]
    except (KeyError, IndexError):
        return None


def _rdflib_format(item: InputFile) -> str:
    return "turtle" if item.format == pyoxigraph.RdfFormat.TURTLE else "nt"


def _tell(observe: Observer | None, name: str, started: float, found: list[Problem]) -> None:
    if observe is not None:
        observe(name, time.monotonic() - started, rows=len(found))


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _first_words(message: str) -> str:
    return message.split(".")[0][:70]
