"""Whether an engine holds the build the front end describes, and answers as the build did.

The front end's pages, counts, search index and version all come from its local build; a remote engine is a
separate process loaded by someone else. So the build writes its version into a small graph of its own and
records the answer of every example query that depends on our data alone (its row count and a digest). The
front end asks the engine for that version and runs the examples through it: an engine that holds another
build, or answers an example differently (property paths, language tags, row caps), is named unhealthy, with
the example and the difference, instead of answering silently wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    Store,
    parse_query_results,
)

from server.engine.examples import Example
from server.engine.failures import QueryFailure
from server.engine.interface import Engine
from server.engine.jobs import QueryJob, execute
from server.engine.querytext import inspect
from server.rdf.namespaces import DATASET, DCTERMS, OWL, PREFIXES, RDF, RDFS, VOID, XSD, graph_iri

BUILD_GRAPH = graph_iri("build")
#: Beside build.json in the build directory: the examples' recorded answers.
EXPECTED_FILE = "expected-answers.json"
JSON = "application/sparql-results+json"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
_NO_LIMIT = 1 << 40  # the build records whole answers; only the front end's checks are held to its limit


def version_quads(version: str) -> list[Quad]:
    """The build graph: the dataset's version, in that graph and in the default graph (the union)."""
    graph, dataset = NamedNode(BUILD_GRAPH), NamedNode(DATASET)
    triples = [
        (dataset, NamedNode(OWL + "versionInfo"), Literal(version)),
        (graph, NamedNode(RDF + "type"), NamedNode(VOID + "Dataset")),
        (graph, NamedNode(RDFS + "label"), Literal("Build", language="en")),
        (graph, NamedNode(RDFS + "label"), Literal("Build", language="de")),
        (graph, NamedNode(DCTERMS + "license"), NamedNode(CC0)),
    ]
    return [Quad(s, p, o, g) for s, p, o in triples for g in (graph, DefaultGraph())]


def version_query(version: str) -> str:
    """ASK whether an engine holds this build's version in the build graph."""
    return f"ASK {{ GRAPH <{BUILD_GRAPH}> {{ <{DATASET}> <{OWL}versionInfo> {json.dumps(version)} }} }}"


@dataclass(frozen=True)
class Fingerprint:
    """An answer reduced to what two correct engines must agree on: the rows as a multiset, blank nodes aside."""

    rows: int
    digest: str

    @classmethod
    def of(cls, body: bytes) -> Fingerprint:
        """The fingerprint of a SPARQL JSON answer (ours: every engine's answer is written by the same writer).

        Rows are compared without their order (ORDER BY ties may fall either way) and blank nodes by position
        only; IRIs and literals exactly, language tags and datatypes included, except that a string (with or
        without a language) is compared by its characters in any order: GROUP_CONCAT joins its values in an
        order SPARQL leaves open.
        """
        result = parse_query_results(body, format=QueryResultsFormat.JSON)
        if isinstance(result, QueryBoolean):
            return cls(1, hashlib.sha256(str(bool(result)).encode()).hexdigest()[:32])
        names = [variable.value for variable in result.variables]
        lines = sorted("\t".join(_term(solution[name]) for name in names) for solution in result)
        return cls(len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32])


def _term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return "_:b"
    if isinstance(term, Literal) and (term.language or term.datatype.value == XSD + "string"):
        return '"' + "".join(sorted(term.value)) + '"' + (f"@{term.language}" if term.language else "")
    return str(term)


def checked_examples(examples: Iterable[Example]) -> list[Example]:
    """The examples whose answer depends on our data alone: no SERVICE call, and a SELECT or ASK."""
    checked = []
    for example in examples:
        facts = inspect(example.text, PREFIXES)
        if not example.federated and not facts.services and not facts.is_graph_query:
            checked.append(example)
    return checked


def record(store: Store, examples: Iterable[Example]) -> dict[str, dict]:
    """Each checked example's answer on the store a build has just made, as {name: fingerprint}."""
    recorded = {}
    for example in checked_examples(examples):
        fingerprint = Fingerprint.of(execute(store, QueryJob(example.text, JSON, _NO_LIMIT)).body)
        recorded[example.name] = {"rows": fingerprint.rows, "digest": fingerprint.digest}
    return recorded


def write_expected(build_dir: Path, recorded: dict[str, dict]) -> None:
    (build_dir / EXPECTED_FILE).write_text(json.dumps(recorded, indent=2, sort_keys=True), encoding="utf-8")


def read_expected(build_dir: Path) -> dict[str, Fingerprint]:
    """The recorded answers of a build; empty for a build made before they were recorded."""
    path = build_dir / EXPECTED_FILE
    if not path.is_file():
        return {}
    return {name: Fingerprint(**value) for name, value in json.loads(path.read_text(encoding="utf-8")).items()}


@dataclass(frozen=True)
class Verdict:
    """What the check of an engine found: `ok`, or the reasons it is not fit to answer for this build."""

    ok: bool
    reasons: tuple[str, ...] = ()
    examples_checked: int = 0

    def as_json(self) -> dict:
        return {"ok": self.ok, "reasons": list(self.reasons), "examples_checked": self.examples_checked}


def check_version(engine: Engine, version: str, timeout: float) -> str | None:
    """None when the engine holds this build's version; else why not, in words an operator can act on."""
    try:
        answer = engine.run(QueryJob(version_query(version), JSON, 64 * 1024), timeout)
    except QueryFailure as failure:
        return f"the engine could not be asked for the dataset version: {failure.message}"
    if json.loads(answer.body).get("boolean") is not True:
        return (
            f"the engine does not hold this build (version {version} in graph <{BUILD_GRAPH}>): load the build's "
            "dump into it, or point the front end at the build the engine holds"
        )
    return None


def verify(
    engine: Engine,
    version: str,
    examples: Iterable[Example],
    expected: dict[str, Fingerprint],
    timeout: float,
    max_result_bytes: int,
) -> Verdict:
    """Check the version, then run every recorded example on the engine and compare its answer."""
    wrong_version = check_version(engine, version, timeout)
    if wrong_version:
        return Verdict(False, (wrong_version,))
    reasons, checked = [], 0
    for example in checked_examples(examples):
        want = expected.get(example.name)
        if want is None:
            continue
        checked += 1
        try:
            answer = engine.run(QueryJob(example.text, JSON, max_result_bytes), timeout)
        except QueryFailure as failure:
            reasons.append(f"example {example.name} failed on the engine: {failure.message}")
            continue
        got = Fingerprint.of(answer.body)
        if got != want:
            reasons.append(
                f"example {example.name} answers {got.rows} rows on the engine where the build answered {want.rows}"
                + ("" if got.rows != want.rows else " (the same number, other values)")
            )
    return Verdict(not reasons, tuple(reasons), checked)
