"""The W3C SPARQL 1.1 Protocol tests, run from their manifest against a real `govsocial serve`.

tests/w3c_protocol/manifest.ttl is W3C's file, unchanged. It drives the suite: every item of its mf:entries
list is read with rdflib, with the HTTP requests it makes (method, path, headers, a body in its character
encoding) and what each response must be (status class, result format, boolean). Each request is sent as the
manifest writes it, with two adaptations only: the endpoint's path is /sparql (the manifest asks a runner to
replace its /sparql/), and the remote data files the tests name are stood in for by our own named graphs
(STAND_INS). Each answer is parsed with a real parser and compared with what the built store answers to the
same query over the same dataset, so a right status over a wrong body fails.

The update tests do not apply to a read-only endpoint. They are run all the same, to pin what the endpoint does
with each request instead: a 4xx in our error shape, never a 500, and the data unchanged. A manifest entry that
is neither run as a query test nor listed as not applicable fails the suite. tests/w3c_protocol/README.md has
the table of outcomes.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
import rdflib
from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store
from rdflib.collection import Collection

from .support import Http, assert_error, media_type
from .test_protocol import ASK_PARSERS, GRAPH_CURATED, GRAPH_FORMATS, GRAPH_ONTOLOGY, SELECT_PARSERS, parse_graph

MANIFEST = Path(__file__).with_name("w3c_protocol") / "manifest.ttl"
#: Where W3C publishes the manifest: the base its relative IRIs (`<>`, `<data1.nt>`) resolve against.
MANIFEST_IRI = "https://w3c.github.io/rdf-tests/sparql/sparql11/protocol/manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")

KASEI = "http://kasei.us/2009/09/sparql/data/"
#: W3C's remote data files, each stood in for by one of our named graphs. W3C's graph <dataN.rdf> holds the one
#: triple `<dataN.rdf> a foaf:Document`; each of our graphs states `<graph> a void:Dataset`, and no other graph
#: states anything of it (test_each_stand_in_graph_alone_describes_itself), so the queries keep their meaning.
STAND_INS: dict[str, str] = {
    KASEI + "data0.rdf": GRAPH_ONTOLOGY,
    KASEI + "data1.rdf": GRAPH_CURATED,
    KASEI + "data2.rdf": "https://w3id.org/govsocial/graph/universities",
    KASEI + "data3.rdf": "https://w3id.org/govsocial/graph/federal-ministries",
}
#: Rewrites beyond the stand-ins: W3C describes <http://example.org/>, which neither W3C's data nor ours holds;
#: the graph the request names as default graph describes itself, so the answer has triples to compare.
REWRITES: dict[str, dict[str, str]] = {
    "query_content_type_describe": {"<http://example.org/>": f"<{STAND_INS[KASEI + 'data0.rdf']}>"},
}

#: The manifest's query tests that expect an answer: every request is answered and its body checked.
ANSWERED = (
    "query_post_form",
    "query_dataset_default_graphs_get",
    "query_dataset_default_graphs_post",
    "query_dataset_named_graphs_post",
    "query_dataset_named_graphs_get",
    "query_dataset_full",
    "query_multiple_dataset",
    "query_get",
    "query_content_type_select",
    "query_content_type_ask",
    "query_content_type_describe",
    "query_content_type_construct",
    "query_post_direct",
)
#: The manifest's query tests that expect a 4xx, with the status and error type our endpoint gives.
REFUSED: dict[str, tuple[int, str]] = {
    "bad_query_method": (405, "method_not_allowed"),
    "bad_multiple_queries": (400, "bad_parameter"),
    "bad_query_wrong_media_type": (415, "unsupported_media_type"),
    "bad_query_missing_form_type": (415, "unsupported_media_type"),
    "bad_query_missing_direct_type": (415, "unsupported_media_type"),
    "bad_query_non_utf8": (415, "unsupported_media_type"),  # the charset is refused before the bytes are read
    "bad_query_syntax": (400, "malformed_query"),
}
#: The update tests: not applicable, the endpoint is read-only. What it answers to each one's update request.
#: A body sent as text/plain is not recognisably an update, so it is refused for its media type.
NOT_APPLICABLE: dict[str, tuple[int, str]] = {
    "update_dataset_default_graph": (403, "read_only"),
    "update_dataset_default_graphs": (403, "read_only"),
    "update_dataset_named_graphs": (403, "read_only"),
    "update_dataset_full": (403, "read_only"),
    "update_post_form": (403, "read_only"),
    "update_post_direct": (403, "read_only"),
    "update_base_uri": (403, "read_only"),
    "bad_update_get": (403, "read_only"),
    "bad_multiple_updates": (403, "read_only"),
    "bad_update_wrong_media_type": (415, "unsupported_media_type"),
    "bad_update_missing_form_type": (415, "unsupported_media_type"),
    "bad_update_non_utf8": (403, "read_only"),
    "bad_update_syntax": (403, "read_only"),
    "bad_update_dataset_conflict": (403, "read_only"),
}

#: The media types the manifest accepts for each mf:expectedFormat, as its test names list them (RDFa aside:
#: we do not serve it). Each is one our parsers (from test_protocol) read.
EXPECTED_TYPES: dict[str, tuple[str, ...]] = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples"),
}


# --------------------------------------------------------------------------------------------------
# The manifest, read
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request of a test, and what its response must be."""

    method: str
    path: str  # with the query string, percent-encoded as the manifest writes it
    headers: tuple[tuple[str, str], ...]
    text: str | None  # the body's characters (cnt:chars), sent in `encoding`
    encoding: str
    status_classes: frozenset[int]  # 2 for 2xx, ...
    format: str | None  # "boolean", "tabular" or "RDF" when the response carries a result
    boolean: bool | None

    @property
    def body(self) -> bytes | None:
        """The body as sent: its characters in the manifest's character encoding (UTF-16 for the non-UTF-8 tests)."""
        return None if self.text is None else self.text.encode(self.encoding)

    @property
    def content_type(self) -> str | None:
        """The media type of the body, without parameters."""
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value.split(";")[0].strip().lower()
        return None


@dataclass(frozen=True)
class ManifestTest:
    """One entry of the manifest: its local name (`query_get`), its mf:name and its requests, in order."""

    name: str
    title: str
    requests: tuple[Request, ...]
    graphs: tuple[str, ...]  # the graphs the test loads (ut:graphData): its answer depends on their data

    def __str__(self) -> str:
        return self.name


def read_manifest(path: Path = MANIFEST) -> list[ManifestTest]:
    """Every test of the manifest's mf:entries list, in the manifest's order."""
    graph = rdflib.Graph().parse(path, format="turtle", publicID=MANIFEST_IRI)
    [manifest] = graph.subjects(rdflib.RDF.type, MF.Manifest)
    return [_read_test(graph, entry) for entry in Collection(graph, graph.value(manifest, MF.entries))]


def _read_test(graph: rdflib.Graph, entry: rdflib.term.Node) -> ManifestTest:
    action = graph.value(entry, MF.action)
    requests = tuple(_read_request(graph, node) for node in Collection(graph, graph.value(action, HT.requests)))
    graphs = tuple(str(graph.value(data, rdflib.RDFS.label)) for data in graph.objects(entry, UT.graphData))
    return ManifestTest(str(entry).rsplit("#", 1)[-1], str(graph.value(entry, MF.name)), requests, graphs)


def _read_request(graph: rdflib.Graph, node: rdflib.term.Node) -> Request:
    headers = graph.value(node, HT.headers)
    body = graph.value(node, HT.body)
    response = graph.value(node, HT.resp)
    expected_format = graph.value(response, MF.expectedFormat)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    return Request(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=tuple(
            (str(graph.value(header, HT.fieldName)), str(graph.value(header, HT.fieldValue)))
            for header in (Collection(graph, headers) if headers is not None else ())
        ),
        text=None if body is None else str(graph.value(body, CNT.chars)),
        encoding="utf-8" if body is None else str(graph.value(body, CNT.characterEncoding)),
        status_classes=frozenset(_status_class(code) for code in graph.objects(response, MF.expectedStatus)),
        format=None if expected_format is None else str(expected_format),
        boolean=None if expected_boolean is None else bool(expected_boolean.toPython()),
    )


def _status_class(code: rdflib.term.Node) -> int:
    """hts:StatusCode2xx is 2."""
    return int(str(code).removeprefix(HTS).removesuffix("xx"))


TESTS = read_manifest()


def _entries(names: Container[str]) -> list[ManifestTest]:
    """The manifest's tests among `names`, in the manifest's order: the manifest decides what runs."""
    return [test for test in TESTS if test.name in names]


# --------------------------------------------------------------------------------------------------
# Adapting a request to our endpoint and data
# --------------------------------------------------------------------------------------------------


def _substitute(text: str, pairs: dict[str, str]) -> str:
    """Replace each IRI (or IRI reference) both as written and percent-encoded, as it appears in a URL or form."""
    for old, new in pairs.items():
        text = text.replace(old, new).replace(quote(old, safe=""), quote(new, safe=""))
    return text


def adapt(test: ManifestTest, request: Request) -> Request:
    """The request as our endpoint takes it: path /sparql, our graphs for W3C's data files."""
    pairs = {**STAND_INS, **REWRITES.get(test.name, {})}
    path = _substitute(request.path, pairs)
    if path.startswith("/sparql/"):
        path = "/sparql" + path.removeprefix("/sparql/")
    text = None if request.text is None else _substitute(request.text, pairs)
    return replace(request, path=path, text=text)


def send_as_written(wire: Http, request: Request) -> Any:
    """Send the request with exactly its headers: no Accept is added, and no Content-Type where it has none."""
    headers: dict[str, str | None] = {"Accept": None, **dict(request.headers)}
    return wire.request(request.method, request.path, headers=headers, data=request.body, allow_redirects=False)


@dataclass(frozen=True)
class Operation:
    """The query and dataset of a request, read as the protocol reads them: what the store is asked directly."""

    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


def operation(request: Request) -> Operation:
    """Protocol 2.1: the query from `query=` (URL or form) or a direct body; the dataset from the parameters."""
    fields = parse_qsl(urlsplit(request.path).query, keep_blank_values=True)
    if request.content_type == FORM and request.text is not None:
        fields += parse_qsl(request.text, keep_blank_values=True)
    queries = [value for name, value in fields if name == "query"]
    if request.content_type == DIRECT and request.text is not None:
        queries.append(request.text)
    [query] = queries
    return Operation(
        query,
        tuple(dict.fromkeys(value for name, value in fields if name == "default-graph-uri")),
        tuple(dict.fromkeys(value for name, value in fields if name == "named-graph-uri")),
    )


def without_one_graph(request: Request) -> Iterator[Request]:
    """The request once for each dataset parameter in its URL, without that one parameter."""
    split = urlsplit(request.path)
    fields = parse_qsl(split.query, keep_blank_values=True)
    for index, (name, _) in enumerate(fields):
        if name in DATASET_PARAMETERS:
            query_string = urlencode(fields[:index] + fields[index + 1 :], quote_via=quote)
            yield replace(request, path=f"{split.path}?{query_string}", boolean=None)


# --------------------------------------------------------------------------------------------------
# Reading an answer, and what the store answers directly
# --------------------------------------------------------------------------------------------------


def read_answer(response: Any, expected_format: str) -> Any:
    """The answer parsed by its media type's parser: a bool, (variables, rows) or a set of triples."""
    found = media_type(response)
    assert found in EXPECTED_TYPES[expected_format], f"{found} is not one of {EXPECTED_TYPES[expected_format]}"
    if expected_format == "boolean":
        return ASK_PARSERS[found](response.content)
    if expected_format == "tabular":
        return SELECT_PARSERS[found](response.content)
    return parse_graph(response.content, GRAPH_FORMATS[found])


def direct_answer(store: Store, found: Operation, base_iri: str) -> Any:
    """The same query over the same dataset, asked of the built store without HTTP, in `read_answer`'s shape.

    Relative IRIs resolve against the endpoint's URL, as the endpoint resolves them.
    """
    dataset: dict[str, Any] = {}
    if found.default_graphs or found.named_graphs:  # a protocol dataset replaces the query's own, whole
        dataset["default_graph"] = [NamedNode(iri) for iri in found.default_graphs]
        dataset["named_graphs"] = [NamedNode(iri) for iri in found.named_graphs]
    result = store.query(found.query, base_iri=base_iri, **dataset)
    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, QuerySolutions):
        names = [variable.value for variable in result.variables]
        return names, {tuple(solution[name].value for name in names) for solution in result}
    return {f"{triple.subject} {triple.predicate} {triple.object}" for triple in result}


def check_answer(wire: Http, store: Store, request: Request) -> Any:
    """Send a query request; its status class, media type and parsed body must be what the manifest and the
    store say. Returns the answer."""
    assert request.format is not None
    response = send_as_written(wire, request)
    assert response.status_code // 100 in request.status_classes, response.text[:500]
    answer = read_answer(response, request.format)
    assert answer == direct_answer(store, operation(request), f"{wire.url}/sparql")
    return answer


def check_refusal(wire: Http, request: Request, status: int, error_type: str) -> dict:
    """Send a request the manifest expects refused: the status class it names, in our one error shape."""
    response = send_as_written(wire, request)
    assert response.status_code // 100 in request.status_classes, response.text[:500]
    return assert_error(response, status, error_type)


def check_every_graph_matters(wire: Http, store: Store, request: Request) -> None:
    """Dropping any one graph of the protocol dataset turns the answer false, at the endpoint as in the store.

    Our default graph is the union of all graphs, so a true answer alone would not show that the endpoint
    used the dataset the request names; this does, and it shows each stand-in graph is needed as W3C's is.
    """
    variants = list(without_one_graph(request))
    assert variants, "a test that loads graphs names them in its dataset"
    for variant in variants:
        assert check_answer(wire, store, variant) is False, variant.path


# --------------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------------

QUERY_TESTS = _entries({*ANSWERED, *REFUSED})
#: Names of the query tests run, and of those that passed, in this run: for the count printed at the end.
_ran: set[str] = set()
_passed: set[str] = set()


@pytest.fixture(scope="module", autouse=True)
def pass_count(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print, after the module, how many of the manifest's query tests pass: the suite's headline figure.

    Written past the output capture (as pytest's logging does), since a fixture's teardown is captured too.
    """
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    partial = f" ({len(_ran)} run)" if len(_ran) < len(QUERY_TESTS) else ""
    with capture.global_and_fixture_disabled():
        reporter.write("\n")
        reporter.write_line(
            f"W3C SPARQL 1.1 Protocol: query tests {len(_passed)} of {len(QUERY_TESTS)} pass{partial}; "
            f"update tests: {len(NOT_APPLICABLE)} not applicable (read-only endpoint)"
        )


@pytest.mark.parametrize("test", QUERY_TESTS, ids=str)
def test_query_test(wire: Http, store: Store, test: ManifestTest) -> None:
    """Each request of a manifest query test gets the response the manifest requires, in full: an answer
    equal to the store's (and to mf:expectedBoolean), or a refusal in our error shape."""
    _ran.add(test.name)
    for written in test.requests:
        request = adapt(test, written)
        assert "kasei.us" not in request.path + (request.text or ""), "a W3C data file without a stand-in"
        if request.format is None:
            check_refusal(wire, request, *REFUSED[test.name])
            continue
        answer = check_answer(wire, store, request)
        if request.boolean is not None:
            assert answer is request.boolean
        if test.graphs:
            check_every_graph_matters(wire, store, request)
    _passed.add(test.name)


#: A word each refusal of an update test must say, so the client learns why, by error type.
REFUSAL_WORDS = {"read_only": "read-only", "unsupported_media_type": "application/sparql-query"}


@pytest.mark.parametrize("test", _entries(NOT_APPLICABLE), ids=str)
def test_update_test_is_refused_by_the_read_only_endpoint(wire: Http, store: Store, test: ManifestTest) -> None:
    """Not applicable: the endpoint is read-only. Each update request gets a 4xx in our error shape saying why
    (never a 500), and the manifest's follow-up query, true once the update ran, finds the data unchanged."""
    for written in test.requests:
        request = adapt(test, written)
        if request.format is None:
            status, error_type = NOT_APPLICABLE[test.name]
            refusal = assert_error(send_as_written(wire, request), status, error_type)
            assert REFUSAL_WORDS[error_type] in refusal["error"]
        else:
            assert request.boolean is True
            assert check_answer(wire, store, request) is False, "the refused update wrote nothing"


def test_every_manifest_entry_is_run_or_not_applicable() -> None:
    """The manifest drives the suite: each of its entries is a query test run here or an update test listed as
    not applicable, exactly once, and nothing is listed that the manifest does not have."""
    in_manifest = [test.name for test in TESTS]
    listed = [*ANSWERED, *REFUSED, *NOT_APPLICABLE]
    assert len(set(in_manifest)) == len(in_manifest), "a manifest entry appears twice"
    assert len(set(listed)) == len(listed), "a test is listed twice"
    assert sorted(set(in_manifest) - set(listed)) == [], "manifest entries neither run nor listed as not applicable"
    assert sorted(set(listed) - set(in_manifest)) == [], "listed tests the manifest does not have"


def test_the_manifest_is_read_in_full() -> None:
    """The entries are every test the file defines, each has requests, and every request a method, a path under
    /sparql/ and an expected status: a manifest the reader half understood would otherwise pass as vacuous tests."""
    graph = rdflib.Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST_IRI)
    defined = {str(test).rsplit("#", 1)[-1] for test in graph.subjects(rdflib.RDF.type, MF.ProtocolTest)}
    assert sorted(test.name for test in TESTS) == sorted(defined)
    for test in TESTS:
        assert test.title and test.requests, test.name
        for request in test.requests:
            assert request.method in {"GET", "POST", "PUT"}, test.name
            assert request.path.startswith("/sparql/"), test.name
            assert request.status_classes and request.status_classes <= {2, 3, 4}, test.name
        assert set(test.graphs) <= set(STAND_INS), test.name


@pytest.mark.parametrize("stand_in", sorted(set(STAND_INS.values())))
def test_each_stand_in_graph_alone_describes_itself(store: Store, stand_in: str) -> None:
    """The premise of STAND_INS: a stand-in graph types its own IRI, as W3C's data files do, and no other graph
    types it, so a pattern `<graph> a ?type` matches only where that graph is in the dataset."""
    assert store.query(f"ASK {{ GRAPH <{stand_in}> {{ <{stand_in}> a ?type }} }}")
    assert not store.query(f"ASK {{ GRAPH ?g {{ <{stand_in}> a ?type }} FILTER (?g != <{stand_in}>) }}")
