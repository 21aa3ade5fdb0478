"""Debian's SPARQL clients against our running endpoint: Apache Jena 4.5 (ARQ's `rsparql`, RIOT) and rasqal's roqet.

They are what a researcher on Debian has at hand, and each reads the protocol its own way: Jena parses and
rewrites the query before it sends it and asks for JSON results first, whatever `--results` says (that only
picks what it prints); roqet sends the query as written, asks for SPARQL XML whatever the query, and reads every
answer as variable bindings. Each test runs the client as a user would and checks what it printed against what
the built store answers. What a client does not print (the query text it sent, the headers both ways) a relay
between client and server records.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
import requests
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, RdfFormat, Store, Triple

from server.engine.query import run_query

from .debian_clients import JENA_CMDS, JENA_PACKAGE, Exchange, Ran, Relay, jena_command, run
from .support import TIMEOUT
from .test_clients import DRESDEN, LABELS, RDFS_LABEL

DRESDEN_LABELS = f"CONSTRUCT WHERE {{ <{DRESDEN}> <{RDFS_LABEL}> ?label }}"
DRESDEN_DESCRIPTION = f"CONSTRUCT WHERE {{ <{DRESDEN}> ?p ?o }}"
ALL_LABELS = f"SELECT ?s ?label WHERE {{ ?s <{RDFS_LABEL}> ?label }}"
CARRIAGE_RETURN = 'SELECT ?x WHERE { BIND("a\\rb" AS ?x) }'
#: What roqet sends as Accept, for every query form.
ROQET_ACCEPT = "application/sparql-results+xml"


@pytest.fixture(scope="session")
def jena(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command line that runs a Jena main class, built once; the Jena tests skip only without the package."""
    if not JENA_CMDS.exists():
        pytest.skip(f"Debian's {JENA_PACKAGE} is not installed (`make clients` installs it)")
    return jena_command(tmp_path_factory.mktemp("jena"))


@pytest.fixture(scope="session")
def roqet() -> str:
    """rasqal's roqet; the roqet tests skip only without it."""
    path = shutil.which("roqet")
    if path is None:
        pytest.skip("rasqal's roqet is not installed (Debian's rasqal-utils; `make clients` installs it)")
    return path


@pytest.fixture
def relay(server_url: str) -> Iterator[Relay]:
    """A recording relay in front of the session's server, for one test."""
    with Relay(server_url) as recording:
        yield recording


def rsparql(jena: list[str], base_url: str, query: str, results: str, *options: str) -> Ran:
    """`rsparql --service BASE/sparql --results FORMAT QUERY`: Jena's remote query, as its documentation shows."""
    return run([*jena, "arq.rsparql", "--service", f"{base_url}/sparql", "--results", results, *options, query])


def roqet_protocol(roqet: str, base_url: str, query: str, results: str = "simple") -> Ran:
    """`roqet -p BASE/sparql -e QUERY -r FORMAT`: roqet as a SPARQL protocol client."""
    return run([roqet, "-p", f"{base_url}/sparql", "-e", query, "-r", results])


def only(relay: Relay) -> Exchange:
    """The one exchange a client run made through the relay."""
    assert len(relay.exchanges) == 1, [exchange.request_head for exchange in relay.exchanges]
    return relay.exchanges[0]


def succeeded(ran: Ran) -> str:
    """The output of a run that must have worked; its error output in the message if not."""
    assert ran.returncode == 0, ran.stderr[-3000:]
    return ran.stdout


def store_rows(store: Store, query: str) -> Counter[tuple]:
    """The built store's answer to a SELECT, as a multiset of rows of RDF terms."""
    result = run_query(store, query)
    names = [variable.value for variable in result.variables]
    return Counter(tuple(solution[name] for name in names) for solution in result)


def store_triples(store: Store, query: str) -> set[Triple]:
    """The built store's answer to a CONSTRUCT."""
    return set(run_query(store, query))


def result_rows(body: str, results_format: QueryResultsFormat) -> Counter[tuple]:
    """A SPARQL results document (XML, JSON or TSV) as a multiset of rows of RDF terms."""
    parsed = pyoxigraph.parse_query_results(body.encode("utf-8"), results_format)
    names = [variable.value for variable in parsed.variables]
    return Counter(tuple(solution[name] for name in names) for solution in parsed)


def csv_values(body: str) -> Counter[tuple[str, ...]]:
    """A SPARQL CSV document as a multiset of rows of plain strings: CSV keeps no language tags or datatypes."""
    _header, *rows = csv.reader(io.StringIO(body, newline=""))
    return Counter(tuple(row) for row in rows)


def plain(rows: Counter[tuple]) -> Counter[tuple[str, ...]]:
    """Rows of RDF terms as CSV writes them: the lexical forms alone."""
    values: Counter[tuple[str, ...]] = Counter()
    for row, count in rows.items():
        values[tuple(term.value for term in row)] += count
    return values


def error_message(exchange: Exchange) -> str:
    """The message of our JSON error in a recorded answer."""
    body = json.loads(exchange.body)
    assert body["ok"] is False
    assert body["type"] == "malformed_query"
    return body["error"]


# --------------------------------------------------------------------------------------------------
# Jena's rsparql: SELECT, CONSTRUCT, ASK
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "results_format"),
    [("json", QueryResultsFormat.JSON), ("xml", QueryResultsFormat.XML), ("tsv", QueryResultsFormat.TSV)],
    ids=["json", "xml", "tsv"],
)
def test_jena_select_keeps_language_tags(
    jena: list[str], server_url: str, store: Store, results: str, results_format: QueryResultsFormat
) -> None:
    """Dresden's labels through Jena come out as the store holds them, "Dresden"@de and "Dresden"@en, in each
    format Jena prints that carries language tags."""
    expected = store_rows(store, LABELS)
    assert expected == Counter({(Literal("Dresden", language="de"),): 1, (Literal("Dresden", language="en"),): 1})
    assert result_rows(succeeded(rsparql(jena, server_url, LABELS, results)), results_format) == expected


def test_jena_select_as_csv(jena: list[str], server_url: str, store: Store) -> None:
    """Jena's CSV has one row per label, the lexical forms alone: CSV has no place for a language tag."""
    assert csv_values(succeeded(rsparql(jena, server_url, LABELS, "csv"))) == plain(store_rows(store, LABELS))


@pytest.mark.parametrize(
    ("results", "rdf_format"), [("ttl", RdfFormat.TURTLE), ("nt", RdfFormat.N_TRIPLES)], ids=["turtle", "n-triples"]
)
def test_jena_construct(jena: list[str], store: Store, relay: Relay, results: str, rdf_format: RdfFormat) -> None:
    """Jena's CONSTRUCT asks for Turtle first and gets it; what it prints as Turtle or N-Triples is the
    store's description of Dresden, triple for triple."""
    printed = succeeded(rsparql(jena, relay.url, DRESDEN_DESCRIPTION, results))
    assert {quad.triple for quad in pyoxigraph.parse(printed, rdf_format)} == store_triples(store, DRESDEN_DESCRIPTION)
    exchange = only(relay)
    assert exchange.request_headers["accept"].startswith("text/turtle,")
    assert exchange.response_headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize(
    "query", [f"ASK {{ <{DRESDEN}> <{RDFS_LABEL}> ?label }}", "ASK { <urn:nothing> ?p ?o }"], ids=["true", "false"]
)
def test_jena_ask(jena: list[str], server_url: str, ask, query: str) -> None:
    """Jena's ASK prints the boolean the store answers."""
    assert json.loads(succeeded(rsparql(jena, server_url, query, "json")))["boolean"] is ask(query)


# --------------------------------------------------------------------------------------------------
# Jena: what it sends and what it reads back
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [(), ("--base", "http://example.org/b/")], ids=["no-base", "with-base-option"])
def test_jena_sends_relative_iris_as_written(
    jena: list[str], server_url: str, relay: Relay, options: tuple[str, ...]
) -> None:
    """Jena rewrites the query but leaves a relative IRI relative and adds no BASE, even when given `--base`
    (its own option is lost on the way), so the endpoint resolves `<s>` against its own URL, `…/sparql`, giving
    `…/s`. That URL is the one the server was started with, not one made of the Host header the relay sent."""
    printed = succeeded(rsparql(jena, relay.url, "CONSTRUCT { <s> <p> 1 } WHERE {}", "nt", *options))
    triples = {quad.triple for quad in pyoxigraph.parse(printed, RdfFormat.N_TRIPLES)}
    assert triples == {Triple(NamedNode(f"{server_url}/s"), NamedNode(f"{server_url}/p"), Literal(1))}
    sent = only(relay).query
    assert sent is not None
    assert "<s>" in sent
    assert "BASE" not in sent.upper()


def test_jena_reads_a_carriage_return_from_json(jena: list[str], server_url: str, select) -> None:
    """A literal holding a carriage return comes through Jena's own request (JSON results) unchanged."""
    [row] = select(CARRIAGE_RETURN)
    assert row["x"] == "a\rb"
    printed = json.loads(succeeded(rsparql(jena, server_url, CARRIAGE_RETURN, "json")))
    assert [binding["x"]["value"] for binding in printed["results"]["bindings"]] == [row["x"]]


def test_jena_reads_a_carriage_return_from_xml(jena: list[str], server_url: str, select, tmp_path: Path) -> None:
    """Our SPARQL XML writes a carriage return as a character reference (&#13;): a raw one would be turned into a
    newline by any XML parser. Jena's XML results reader (`rset --in xml`) reads it back as the CR it is."""
    answer = requests.get(
        f"{server_url}/sparql",
        params={"query": CARRIAGE_RETURN},
        headers={"Accept": "application/sparql-results+xml"},
        timeout=TIMEOUT,
    )
    assert answer.ok, answer.text[:500]
    assert b"a&#13;b" in answer.content
    results = tmp_path / "results.srx"
    results.write_bytes(answer.content)
    printed = json.loads(succeeded(run([*jena, "arq.rset", "--in", "xml", "--results", "json", str(results)])))
    assert [binding["x"]["value"] for binding in printed["results"]["bindings"]] == [select(CARRIAGE_RETURN)[0]["x"]]


def test_jena_sees_the_default_graph_as_the_union_of_the_named_graphs(jena: list[str], server_url: str, select) -> None:
    """No triple of a named graph is missing from the default graph, as Jena asks it: the default graph is the
    merge of all graphs, also for a client that names graphs itself."""
    assert int(select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]) > 0  # not vacuous
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
    assert int(select(query)[0]["n"]) == 0
    assert csv_values(succeeded(rsparql(jena, server_url, query, "csv"))) == Counter({("0",): 1})


@pytest.mark.parametrize(
    ("set_headers", "encoding"),
    [({}, None), ({"Accept-Encoding": "gzip"}, "gzip")],
    ids=["as-jena-asks", "gzip-asked-on-the-way"],
)
def test_jena_reads_a_large_answer(
    jena: list[str], server_url: str, store: Store, set_headers: dict[str, str], encoding: str | None
) -> None:
    """Every label in the store (thousands of rows) arrives whole through Jena. Jena 4.5 has no option to ask
    for compression and sends no Accept-Encoding, so the endpoint answers uncompressed; where Accept-Encoding
    is added on the way (a proxy's doing), the endpoint gzips the answer and Jena decodes it."""
    expected = store_rows(store, ALL_LABELS)
    assert sum(expected.values()) > 1000
    with Relay(server_url, set_headers=set_headers) as relay:
        printed = succeeded(rsparql(jena, relay.url, ALL_LABELS, "tsv"))
    assert result_rows(printed, QueryResultsFormat.TSV) == expected
    exchange = only(relay)
    assert exchange.request_headers.get("accept-encoding") == set_headers.get("Accept-Encoding")
    assert exchange.response_headers.get("content-encoding") == encoding
    if encoding == "gzip":
        assert len(gzip.decompress(exchange.body)) > 2 * len(exchange.body)


# --------------------------------------------------------------------------------------------------
# Jena: errors
# --------------------------------------------------------------------------------------------------


def test_jena_rejects_a_malformed_query_before_sending_it(jena: list[str], relay: Relay, tmp_path: Path) -> None:
    """A malformed query never reaches the endpoint through Jena: Jena parses it first and reports its own
    line and column (exit code 2)."""
    query = tmp_path / "malformed.rq"
    query.write_text("SELECT ?x WHERE {\n  ?x ?p\n}\n")
    ran = run([*jena, "arq.rsparql", "--service", f"{relay.url}/sparql", "--query", str(query)])
    assert ran.returncode == 2
    assert "line 3, column 1" in ran.stdout + ran.stderr
    assert relay.exchanges == []


def test_jena_reports_an_endpoint_refusal_by_its_status_alone(jena: list[str], relay: Relay) -> None:
    """A query in Jena's own extended syntax (`--syntax ARQ`: LET) passes Jena's parser and is refused by ours
    with 400 and a message naming line and column. Jena 4.5 prints only "HttpException: 400 Bad Request" (exit
    code 1): the message stays in the body it reads and drops. The position names the text Jena sent, which Jena
    rewrote, not the text the user wrote."""
    ran = rsparql(jena, relay.url, "SELECT ?x WHERE {\n  LET (?x := 1)\n}\n", "json", "--syntax", "ARQ")
    assert ran.returncode == 1
    assert "HttpException: 400 Bad Request" in ran.stderr
    exchange = only(relay)
    assert exchange.status == 400
    message = error_message(exchange)
    assert message not in ran.stdout + ran.stderr
    sent = exchange.query
    assert sent is not None
    [(line, text)] = [(number, text) for number, text in enumerate(sent.splitlines(), 1) if ":=" in text]
    assert f"error at {line}:{text.index(':=') + 1}:" in message


# --------------------------------------------------------------------------------------------------
# Jena's RIOT: a Linked Data page
# --------------------------------------------------------------------------------------------------


def test_jena_reads_a_linked_data_page_as_turtle_and_as_jsonld(
    jena: list[str], server_url: str, store: Store, relay: Relay, tmp_path: Path
) -> None:
    """Dresden's page read by RIOT gives the same triples as Turtle and as compacted JSON-LD, and holds the
    store's description of Dresden.

    The Turtle comes by RIOT's own content negotiation (`sparql --data URL`: Jena 4.5's `riot` command takes
    file names only). Jena asks for Turtle first, so the JSON-LD is fetched with Accept: application/ld+json and
    read by RIOT's JSON-LD 1.0 reader: Debian's JSON-LD 1.1 reader lacks its JSON provider (parsson) and fails.
    """
    everything = "CONSTRUCT WHERE { ?s ?p ?o }"
    page = f"{relay.url}/id/org/dresden"
    from_turtle = succeeded(run([*jena, "arq.sparql", "--data", page, "--results", "nt", everything]))
    assert only(relay).response_headers["content-type"].startswith("text/turtle")
    turtle_triples = {quad.triple for quad in pyoxigraph.parse(from_turtle, RdfFormat.N_TRIPLES)}

    answer = requests.get(f"{server_url}/id/org/dresden", headers={"Accept": "application/ld+json"}, timeout=TIMEOUT)
    assert answer.headers["Content-Type"].startswith("application/ld+json")
    assert "@context" in answer.json()  # compacted, not expanded
    document = tmp_path / "dresden.jsonld"
    document.write_bytes(answer.content)
    from_jsonld = succeeded(run([*jena, "riotcmd.riot", "--syntax=jsonld10", "--output=nt", str(document)]))
    jsonld_triples = {quad.triple for quad in pyoxigraph.parse(from_jsonld, RdfFormat.N_TRIPLES)}

    assert jsonld_triples == turtle_triples
    assert store_triples(store, DRESDEN_DESCRIPTION) <= turtle_triples


# --------------------------------------------------------------------------------------------------
# roqet
# --------------------------------------------------------------------------------------------------

_ROQET_SIMPLE_LITERAL = re.compile(r'string\("(?P<value>.*)"(?:@(?P<language>[A-Za-z0-9-]+))?\)')


def roqet_simple_rows(printed: str) -> Counter[tuple]:
    """roqet's default output, `row: [label=string("Dresden"@de)]`, as rows of one literal each."""
    rows: Counter[tuple] = Counter()
    for line in printed.splitlines():
        match = _ROQET_SIMPLE_LITERAL.search(line)
        assert match, line
        rows[(Literal(match["value"], language=match["language"]),)] += 1
    return rows


@pytest.mark.parametrize("results", ["simple", "xml", "tsv", "csv"])
def test_roqet_select_keeps_language_tags(roqet: str, relay: Relay, store: Store, results: str) -> None:
    """Dresden's labels through roqet, which asks for SPARQL XML, come out as the store holds them, with their
    language tags in every format that has a place for them."""
    printed = succeeded(roqet_protocol(roqet, relay.url, LABELS, results))
    expected = store_rows(store, LABELS)
    if results == "simple":
        assert roqet_simple_rows(printed) == expected
    elif results == "csv":
        assert csv_values(printed) == plain(expected)
    else:
        assert result_rows(printed, {"xml": QueryResultsFormat.XML, "tsv": QueryResultsFormat.TSV}[results]) == expected
    assert only(relay).request_headers["accept"] == ROQET_ACCEPT


def test_roqet_construct_over_the_protocol_gets_rdfxml(roqet: str, relay: Relay, store: Store) -> None:
    """roqet asks a CONSTRUCT for SPARQL XML results, which a graph cannot be; the endpoint answers the graph in
    RDF/XML, its XML form, holding Dresden's labels. roqet's protocol mode reads every answer as variable
    bindings, so it prints none and says so (exit code 0): a limit of roqet, not of the answer."""
    ran = roqet_protocol(roqet, relay.url, DRESDEN_LABELS)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == ""
    assert "Query returned 0 results" in ran.stderr
    exchange = only(relay)
    assert exchange.request_headers["accept"] == ROQET_ACCEPT
    assert exchange.response_headers["content-type"].startswith("application/rdf+xml")
    served = {quad.triple for quad in pyoxigraph.parse(exchange.body, RdfFormat.RDF_XML)}
    assert served == store_triples(store, DRESDEN_LABELS)


def test_roqet_construct_over_linked_data(roqet: str, server_url: str, store: Store) -> None:
    """roqet loading Dresden's Linked Data page (by raptor's content negotiation) and running the CONSTRUCT
    itself gets the store's labels of Dresden."""
    ran = run([roqet, "-q", "-D", f"{server_url}/id/org/dresden", "-e", DRESDEN_LABELS, "-r", "turtle"])
    printed = succeeded(ran)
    assert {quad.triple for quad in pyoxigraph.parse(printed, RdfFormat.TURTLE)} == store_triples(store, DRESDEN_LABELS)


def test_roqet_ask_over_the_protocol(roqet: str, relay: Relay, ask) -> None:
    """An ASK through roqet gets the endpoint's SPARQL XML boolean, which is the store's; roqet's protocol mode
    reads it as (no) variable bindings, so the boolean does not reach its user."""
    query = f"ASK {{ <{DRESDEN}> <{RDFS_LABEL}> ?label }}"
    ran = roqet_protocol(roqet, relay.url, query)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == ""
    assert "Query returned 0 results" in ran.stderr
    exchange = only(relay)
    assert exchange.response_headers["content-type"].startswith(ROQET_ACCEPT)
    answer = pyoxigraph.parse_query_results(exchange.body, QueryResultsFormat.XML)
    assert isinstance(answer, pyoxigraph.QueryBoolean)
    assert ask(query) is True
    assert bool(answer) is True


def test_roqet_sends_relative_iris_as_written(roqet: str, server_url: str) -> None:
    """roqet sends the query text as written, so the endpoint resolves `<s>` against its own URL; roqet's base
    URI argument does not travel with the query."""
    query = "SELECT ?s WHERE { BIND(<s> AS ?s) }"
    for base in ([], ["http://example.org/b/"]):
        printed = succeeded(run([roqet, "-q", "-p", f"{server_url}/sparql", "-e", query, "-r", "tsv", *base]))
        assert result_rows(printed, QueryResultsFormat.TSV) == Counter({(NamedNode(f"{server_url}/s"),): 1})


@pytest.mark.parametrize("results", ["tsv", "csv"])
def test_roqet_reads_a_carriage_return_from_xml(roqet: str, server_url: str, select, results: str) -> None:
    """roqet reads our SPARQL XML's &#13; back as a carriage return and writes it as its format says: escaped
    in TSV, raw inside a quoted CSV field."""
    printed = succeeded(roqet_protocol(roqet, server_url, CARRIAGE_RETURN, results))
    expected = select(CARRIAGE_RETURN)[0]["x"]
    if results == "tsv":
        assert result_rows(printed, QueryResultsFormat.TSV) == Counter({(Literal(expected),): 1})
    else:
        assert csv_values(printed) == Counter({(expected,): 1})


def test_roqet_reports_an_endpoint_refusal_by_its_status_alone(roqet: str, relay: Relay) -> None:
    """roqet does not parse the query itself: a malformed one reaches the endpoint, which refuses it with 400 and
    a message naming line and column. roqet reports the status only ("HTTP status 400", exit code 1); the
    message is in the body it does not show."""
    ran = roqet_protocol(roqet, relay.url, "SELECT ?x WHERE {\n  ?x ?p\n}\n")
    assert ran.returncode == 1
    assert "HTTP status 400" in ran.stderr
    exchange = only(relay)
    assert exchange.status == 400
    message = error_message(exchange)
    assert re.search(r"error at \d+:\d+:", message), message
    assert message not in ran.stdout + ran.stderr
