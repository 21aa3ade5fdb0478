"""`/howto`: the model drawn from the ontology, and the patterns of queries/howto/, each runnable in the workbench.

The diagram is compared with the ontology graph by queries of our own, so it cannot drift from what the ontology
says; each pattern runs on the session's store; and every statement the page makes about the data is an ASK here.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape
from pyoxigraph import Literal, NamedNode, Store, Triple

from server.engine.examples import Example, load_examples
from server.engine.querytext import inspect
from server.rdf.namespaces import GS, OWL, RDF, RDFS, SKOS, graph_iri
from server.rdf.terms import compact
from server.settings import Settings
from server.web.pages.diagram import OUTSIDE, SCHEME, Model, build_model
from server.web.pages.diagram_svg import render
from server.web.pages.howto import Pattern, model_of
from server.web.pages.present import ONTOLOGY_IRI, href
from server.web.pages.queries import PageQueries
from server.web.pages.vocabulary import EVENT_CLASS, Vocabulary
from server.web.runtime import runtime_of

from .support import QUERIES_DIR, InProcess

PATTERNS: dict[str, Example] = {example.name: example for example in load_examples(QUERIES_DIR / "howto")}
ONTOLOGY_GRAPH = graph_iri("ontology")
DERIVED_GRAPH = graph_iri("derived")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"
#: The pages with the main navigation: each must link /howto.
MAIN_PAGES = (
    "/",
    "/dashboard",
    "/id/",
    "/id/org/niedersaechsischer-landtag",
    "/ontology",
    "/coverage",
    "/dataset",
    "/search?q=Dresden",
    "/howto",
)
PREFIXES = """PREFIX gs: <https://w3id.org/govsocial/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def page(http: InProcess) -> str:
    """/howto as a browser gets it."""
    response = http.get("/howto", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text


@pytest.fixture(scope="module")
def svg(page: str) -> str:
    """The diagram: the one inline <svg> of the page."""
    found = re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def model(queries: PageQueries, vocab: Vocabulary) -> Model:
    """The diagram's model as the page builds it, on the session's store."""
    return model_of(queries, vocab)


def named(svg: str, iri: str) -> bool:
    """Whether the diagram writes the term's short name as a link to its page."""
    text = html.escape(compact(iri))
    return bool(
        re.search(
            rf'<a href="{re.escape(html.escape(href(iri) or ""))}">(<title>[^<]*</title>)?'
            rf"(<g [^>]*>)?(<rect [^>]*/>)?<text [^>]*>{re.escape(text)}</text>",
            svg,
        )
    )


# --------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------


def test_howto_is_a_page_with_headings_an_introduction_and_contents(page: str) -> None:
    """One h1, a contents list that reaches the model and every pattern, and a section for each."""
    assert page.count("<h1") == 1 and "How to query GovSocial KG" in page
    contents = re.search(r'<nav class="toc howto-toc"[^>]*>(.*?)</nav>', page, re.DOTALL)
    assert contents
    for pattern in map(Pattern, PATTERNS.values()):
        assert f'href="#{pattern.anchor}"' in contents.group(1)
        assert f'id="{pattern.anchor}"' in page
    assert 'href="#model"' in contents.group(1) and 'id="model"' in page


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_every_main_page_links_howto_from_its_navigation(http: InProcess, path: str) -> None:
    """The link "How to query" is one click away from every page, in the main navigation."""
    text = http.get(path, headers={"Accept": BROWSER_ACCEPT}).text
    nav = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', text, re.DOTALL)
    assert nav, path
    assert re.search(r'<a href="/howto"[^>]*>How to query</a>', nav.group(1)), path


def test_howto_marks_itself_current_in_the_navigation(page: str) -> None:
    assert '<a href="/howto" aria-current="page">How to query</a>' in page


def test_howto_holds_no_script_and_loads_nothing_from_elsewhere(page: str) -> None:
    """The page runs no script of its own and every file it loads comes from this server (the CSP's rules)."""
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", page, re.DOTALL | re.IGNORECASE):
        attributes, body = match.groups()
        assert 'src="/' in attributes and not body.strip(), match.group(0)[:200]
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("image", "href")):
        for match in re.finditer(rf"<{tag}\b[^>]*\b{attribute}=\"([^\"]+)\"", page):
            assert match.group(1).startswith("/"), f"<{tag} {attribute}={match.group(1)}>"
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page, re.IGNORECASE)
    assert not re.search(r"\sstyle\s*=", page, re.IGNORECASE), "the CSP forbids inline style"
    assert "<style" not in page.lower()


def test_howto_answers_304_to_its_etag(http: InProcess) -> None:
    """The page is a function of the build, the software and the pattern files: its ETag says so."""
    first = http.get("/howto", headers={"Accept": BROWSER_ACCEPT})
    again = http.get("/howto", headers={"Accept": BROWSER_ACCEPT, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# --------------------------------------------------------------------------------------------------
# The diagram against the ontology graph
# --------------------------------------------------------------------------------------------------


def test_diagram_names_every_sub_class_of_the_event_class(svg: str, select) -> None:
    """Each kind of event the ontology declares (rdfs:subClassOf gs:PlatformEvent, at any depth) is in the diagram."""
    rows = select(f"SELECT ?kind WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?kind rdfs:subClassOf+ <{EVENT_CLASS}> }} }}")
    kinds = {row["kind"] for row in rows}
    assert len(kinds) >= 6
    missing = [compact(kind) for kind in kinds if not named(svg, kind)]
    assert not missing, missing


def test_diagram_draws_every_class_and_scheme_the_ontology_defines(svg: str, select) -> None:
    """Whatever the ontology defines (owl:Class, skos:ConceptScheme under our namespace) is drawn, linked."""
    rows = select(
        f"""SELECT ?term WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
          {{ ?term a <{OWL}Class> }} UNION {{ ?term a <{SKOS}ConceptScheme> }}
          ?term <{RDFS}isDefinedBy> <{ONTOLOGY_IRI}> . FILTER(STRSTARTS(STR(?term), "{GS}"))
        }} }}"""
    )
    terms = {row["term"] for row in rows}
    assert len(terms) > 30
    missing = [compact(term) for term in terms if not named(svg, term)]
    assert not missing, missing


def test_the_page_counts_the_classes_it_draws(page: str, model: Model, select) -> None:
    """The numbers the page gives are those of the ontology: our classes, other vocabularies' and the schemes."""
    ours = select(
        f"""SELECT (COUNT(DISTINCT ?class) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
          ?class a <{OWL}Class> ; <{RDFS}isDefinedBy> <{ONTOLOGY_IRI}> . FILTER(STRSTARTS(STR(?class), "{GS}")) }} }}"""
    )[0]["n"]
    schemes = select(f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a <{SKOS}ConceptScheme> }} }}")
    assert len(model.classes()) == int(ours)
    outside = len(model.classes(OUTSIDE))
    drawn_schemes = sum(1 for box in model.boxes.values() if box.kind == SCHEME)
    assert drawn_schemes == int(schemes[0]["n"])
    text = re.sub(r"\s+", " ", page)
    assert f"every class it defines ({ours})" in text
    assert f"its properties and shapes use ({outside})" in text
    assert f"the SKOS concept schemes ({drawn_schemes})" in text


def test_every_link_of_the_diagram_leads_to_a_page_that_has_it(svg: str, http: InProcess) -> None:
    """A term of ours links to its entry of /ontology, a resource to its Linked Data page, others to their IRI."""
    ontology = http.get("/ontology", headers={"Accept": BROWSER_ACCEPT}).text
    links = set(re.findall(r'<a href="([^"]+)"', svg))
    assert links
    for link in sorted(links):
        link = html.unescape(link)
        if link.startswith("/ontology#"):
            assert f'id="{link.removeprefix("/ontology#")}"' in ontology, link
        elif link.startswith("/"):
            assert http.get(link, headers={"Accept": BROWSER_ACCEPT}).status_code == 200, link
        else:
            assert link.startswith(("http://", "https://")), link


def test_diagram_rows_follow_the_domains_and_ranges_of_the_event_class(model: Model, select) -> None:
    """Every property the ontology gives the domain gs:PlatformEvent and a named range is a row of the event box."""
    rows = select(
        f"""SELECT ?property ?range WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
          ?property <{RDFS}domain> <{EVENT_CLASS}> ; <{RDFS}range> ?range ; a <{OWL}ObjectProperty> .
          FILTER(isIRI(?range))
        }} }}"""
    )
    assert rows
    links = {link.property: link.targets for link in model.boxes[EVENT_CLASS].links}
    for row in rows:
        assert row["property"] in links, row
        if row["range"] != SKOS + "Concept":
            assert row["range"] in links[row["property"]], row


def test_diagram_takes_what_the_shapes_add_to_the_ontology(model: Model, select) -> None:
    """prov:wasDerivedFrom on an event is a gs:Source, as the SHACL shape of events says (the ontology cannot)."""
    shaped = select(
        f"""SELECT ?class WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
          ?shape <http://www.w3.org/ns/shacl#targetClass> <{EVENT_CLASS}> ; <http://www.w3.org/ns/shacl#property> ?p .
          ?p <http://www.w3.org/ns/shacl#path> <http://www.w3.org/ns/prov#wasDerivedFrom> ;
             <http://www.w3.org/ns/shacl#class> ?class }} }}"""
    )
    links = {link.property: link.targets for link in model.boxes[EVENT_CLASS].links}
    assert {row["class"] for row in shaped} <= set(links["http://www.w3.org/ns/prov#wasDerivedFrom"])


@pytest.mark.parametrize("prop", [GS + "reason", GS + "exceptionKind", GS + "level", GS + "status"])
def test_concept_valued_properties_point_to_the_schemes_their_values_come_from(model: Model, select, prop: str) -> None:
    """The legend says a skos:Concept range names the schemes of the concepts the data gives: it does."""
    used = {
        row["scheme"]
        for row in select(f"SELECT DISTINCT ?scheme WHERE {{ ?s <{prop}> ?c . ?c <{SKOS}inScheme> ?scheme }}")
    }
    targets = {
        target for box in model.boxes.values() for link in box.links if link.property == prop for target in link.targets
    }
    assert used and used <= targets
    assert SKOS + "Concept" not in targets


def test_a_class_added_to_the_ontology_appears_in_the_diagram(vocab: Vocabulary, queries: PageQueries) -> None:
    """Nothing in the diagram is a list of ours: a new kind of event, with a property of its own, is drawn."""
    exodus, via = NamedNode(GS + "Exodus"), NamedNode(GS + "exodusVia")
    added = [
        Triple(exodus, NamedNode(RDF + "type"), NamedNode(OWL + "Class")),
        Triple(exodus, NamedNode(RDFS + "subClassOf"), NamedNode(EVENT_CLASS)),
        Triple(exodus, NamedNode(RDFS + "isDefinedBy"), NamedNode(ONTOLOGY_IRI)),
        Triple(exodus, NamedNode(RDFS + "label"), Literal("exodus", language="en")),
        Triple(via, NamedNode(RDF + "type"), NamedNode(OWL + "ObjectProperty")),
        Triple(via, NamedNode(RDFS + "domain"), exodus),
        Triple(via, NamedNode(RDFS + "range"), NamedNode(GS + "Platform")),
        Triple(via, NamedNode(RDFS + "isDefinedBy"), NamedNode(ONTOLOGY_IRI)),
    ]
    grown = Vocabulary([*vocab.triples, *added])
    model = build_model(grown)
    assert GS + "Exodus" in model.kinds()
    assert any(
        link.property == GS + "exodusVia" and link.on == (GS + "Exodus",) for link in model.boxes[EVENT_CLASS].links
    )
    drawn = render(model, grown)
    assert named(drawn, GS + "Exodus") and named(drawn, GS + "exodusVia")


def test_diagram_is_plain_svg_without_script_style_or_outside_resources(svg: str) -> None:
    """Inline SVG that the Content-Security-Policy allows: no script, no style, nothing fetched."""
    lowered = svg.lower()
    for forbidden in ("<script", "<style", "style=", "<foreignobject", "<image", "<use", "javascript:"):
        assert forbidden not in lowered, forbidden
    assert set(re.findall(r"url\(([^)]*)\)", svg)) == {"#model-arrow"}


# --------------------------------------------------------------------------------------------------
# The patterns
# --------------------------------------------------------------------------------------------------

#: What the brief of the page asks a pattern for: each must be taught by at least one pattern.
TOPICS = {
    "subclasses walked": "a/rdfs:subClassOf*",
    "people": "org:memberOf",
    "within a Land": "gs:withinLand",
    "date bounds": "gs:notBefore",
    "date precision": "gs:datePrecision",
    "words of the source for the time": "gs:dateText",
    "sources": "prov:wasDerivedFrom",
    "evidence": "gs:evidence",
    "source publisher": "dcterms:publisher",
    "quotations": "gs:Quotation",
    "reasons": "skos:broader*",
    "exceptions": "gs:exceptionKind",
    "presence periods": "gs:PresencePeriod",
    "Wikidata": "SERVICE <https://query.wikidata.org/sparql>",
    "Wikidata links": "owl:sameAs",
}


@pytest.mark.parametrize(("topic", "text"), TOPICS.items())
def test_each_topic_has_a_pattern(topic: str, text: str) -> None:
    assert any(text in example.text.split("\nSELECT", 1)[1] for example in PATTERNS.values()), topic


@pytest.mark.parametrize("example", PATTERNS.values(), ids=lambda example: example.name)
def test_pattern_has_a_title_and_says_why(example: Example) -> None:
    assert example.title.strip() and len(example.description) > 80


@pytest.mark.parametrize("example", [e for e in PATTERNS.values() if not e.federated], ids=lambda e: e.name)
def test_pattern_runs_on_the_built_store_and_answers(select, example: Example) -> None:
    """Every pattern that needs no other endpoint gives at least one row on our data."""
    assert select(example.text), example.name


@pytest.mark.parametrize("example", [e for e in PATTERNS.values() if e.federated], ids=lambda e: e.name)
def test_federated_pattern_parses_and_calls_only_the_allowlist(app, example: Example) -> None:
    """Its answer needs Wikidata, which the tests cannot reach: it parses, and calls only allowlisted services."""
    Store().query(example.text)  # parsed, not evaluated: nothing is sent before its solutions are read
    services = inspect(example.text).services
    assert services
    assert set(services) <= set(runtime_of(app).settings.service_allowlist)
    assert set(services) <= set(Settings().service_allowlist), "the default allowlist lets it run"


@pytest.mark.parametrize("example", PATTERNS.values(), ids=lambda example: example.name)
def test_only_federated_patterns_call_a_service(example: Example) -> None:
    assert bool(inspect(example.text).services) == example.federated


def test_there_is_a_federated_pattern() -> None:
    assert any(example.federated for example in PATTERNS.values())


def run_links(page: str) -> list[str]:
    return [html.unescape(link) for link in re.findall(r'<a class="button primary run" href="([^"]+)"', page)]


def test_each_pattern_is_offered_with_its_text_and_its_reason(page: str) -> None:
    for pattern in map(Pattern, PATTERNS.values()):
        assert str(escape(pattern.example.text)) in page, pattern.example.name
        assert str(pattern.why) in page, pattern.example.name


def test_each_run_link_opens_the_workbench_with_exactly_its_query(page: str, http: InProcess) -> None:
    """One "Run in the workbench" per pattern; the workbench it opens has the pattern's text in its editor."""
    links = run_links(page)
    assert len(links) == len(PATTERNS)
    texts = []
    for link in links:
        parts = urlsplit(link)
        assert parts.path == "/" and not parts.netloc
        [text] = parse_qs(parts.query, keep_blank_values=True)["query"]
        texts.append(text)
        workbench = http.get(link, headers={"Accept": BROWSER_ACCEPT})
        assert workbench.status_code == 200
        editor = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', workbench.text, re.DOTALL)
        assert editor and html.unescape(editor.group(1)) == text
    assert texts == [example.text for example in PATTERNS.values()]


def test_patterns_run_without_their_prefix_lines_too(http: InProcess) -> None:
    """The page says the endpoint declares our prefixes for every query: a pattern without its PREFIX lines runs."""
    example = PATTERNS["01-every-event-whatever-its-kind"]
    bare = "\n".join(line for line in example.text.splitlines() if not line.startswith("PREFIX"))
    response = http.get("/sparql", params={"query": bare}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json()["results"]["bindings"]


# --------------------------------------------------------------------------------------------------
# What the page says about the data
# --------------------------------------------------------------------------------------------------

#: For each pattern, the ASK queries that check what its description says about the data.
CLAIMS: dict[str, list[str]] = {
    "01-every-event-whatever-its-kind": [
        "ASK { FILTER NOT EXISTS { ?event a gs:PlatformEvent } }",
        "ASK { ?event a ?kind . ?kind rdfs:subClassOf gs:PlatformEvent }",
    ],
    "02-every-public-institution-by-class": [
        "ASK { ?ministry a gs:Ministry . FILTER NOT EXISTS { ?ministry a gs:PublicInstitution } }",
        "ASK { ?city a gs:Municipality . FILTER NOT EXISTS { ?city a gs:PublicInstitution } }",
        """ASK { FILTER NOT EXISTS { ?body a gs:PublicInstitution , ?class .
                 ?class rdfs:subClassOf+ gs:PublicInstitution } }""",
        "ASK { ?city a gs:District , gs:Municipality }",
    ],
    "03-people-and-whom-they-speak-for": [
        "ASK { ?person a schema:Person ; org:memberOf ?organisation ; schema:jobTitle ?title }",
        "ASK { ?event gs:statedBy ?person . ?person a schema:Person }",
        "ASK { ?event gs:person ?person . ?person a schema:Person }",
    ],
    "04-everything-within-a-land": [
        f"ASK {{ GRAPH <{DERIVED_GRAPH}> {{ ?body gs:withinLand ?land }} }}",
        f"ASK {{ FILTER NOT EXISTS {{ GRAPH ?g {{ ?body gs:withinLand ?land }} FILTER(?g != <{DERIVED_GRAPH}>) }} }}",
        "ASK { FILTER NOT EXISTS { ?body gs:withinLand ?land . FILTER NOT EXISTS { ?land a gs:FederalState } } }",
        """ASK { FILTER NOT EXISTS { { SELECT ?body WHERE {
                   VALUES ?level { gs:FederalLevel gs:SupranationalLevel } ?body gs:level ?level } }
                 ?body gs:withinLand ?land } }""",
        "ASK { ?body gs:jurisdiction ?land ; gs:withinLand ?land . ?land a gs:FederalState . FILTER(?body != ?land) }",
        "ASK { ?body gs:locatedIn ?land ; gs:withinLand ?land . ?land a gs:FederalState }",
        "ASK { ?body org:subOrganizationOf ?parent ; gs:withinLand ?land . ?parent gs:withinLand ?land }",
        """ASK { ?person a schema:Person ; org:memberOf ?body ; gs:withinLand ?land .
                 ?body gs:withinLand ?land }""",
        "ASK { <https://w3id.org/govsocial/id/org/sachsen> a gs:FederalState }",
    ],
    "05-dates-their-precision-and-bounds": [
        "ASK { FILTER NOT EXISTS { ?event gs:date ?date . FILTER NOT EXISTS { ?event gs:datePrecision ?p } } }",
        """ASK { FILTER NOT EXISTS { ?event gs:datePrecision gs:MonthPrecision ; gs:date ?date .
                 FILTER(DAY(?date) != 1) } }""",
        """ASK { <https://w3id.org/govsocial/id/event/2024-02-dresden-x-departure>
                   gs:date "2024-02-01"^^xsd:date ; gs:datePrecision gs:MonthPrecision .
                 ?quotation gs:quotationOf <https://w3id.org/govsocial/id/event/2024-02-dresden-x-departure> ;
                   schema:text ?text . FILTER(CONTAINS(?text, "Seit Februar 2024")) }""",
        """ASK { ?event a gs:Departure ; gs:notBefore ?earliest ; gs:notAfter ?latest .
                 FILTER NOT EXISTS { ?event gs:date ?date } }""",
        "ASK { ?event a gs:Departure ; gs:dateText ?words ; gs:reportedOn ?report }",
    ],
    "06-sources-and-evidence": [
        """ASK { FILTER NOT EXISTS { ?event a/rdfs:subClassOf* gs:PlatformEvent .
                 FILTER NOT EXISTS { ?event prov:wasDerivedFrom/a gs:Source } } }""",
        """ASK { FILTER NOT EXISTS { ?source a gs:Source ; schema:url ?url .
                 { ?source a schema:WebPage } UNION { ?source a schema:NewsArticle }
                 FILTER NOT EXISTS { ?source dcterms:title ?title ; dcterms:publisher ?publisher } } }""",
        "ASK { ?source a gs:Source ; dcterms:publisher ?publisher . FILTER(isLITERAL(?publisher)) }",
        "ASK { ?source a gs:Source ; dcterms:publisher ?publisher . ?publisher a/rdfs:subClassOf* org:Organization }",
        "ASK { ?source a gs:Source ; schema:url ?url ; dcterms:date ?date }",
        """ASK { gs:evidence rdfs:comment ?definition . FILTER(CONTAINS(?definition, "quoted exactly"))
                 ?event a gs:Departure ; gs:evidence ?sentence }""",
    ],
    "07-quotations": [
        """ASK { FILTER NOT EXISTS { ?quotation a gs:Quotation .
                 FILTER NOT EXISTS { ?quotation schema:text ?text ; prov:wasAttributedTo ?who ; gs:quotationOf ?event ;
                   prov:wasDerivedFrom ?source . FILTER(lang(?text) != "") } } }""",
        "ASK { ?quotation a gs:Quotation ; prov:wasAttributedTo ?who . ?who a/rdfs:subClassOf* org:Organization }",
        "ASK { ?quotation a gs:Quotation ; prov:wasAttributedTo ?who . ?who a schema:Person }",
        "ASK { ?event gs:quote ?quote ; gs:statedBy ?person }",
    ],
    "08-reasons-at-any-depth": [
        """ASK { gs:Reasons skos:hasTopConcept <https://w3id.org/govsocial/id/reason/push> ,
                 <https://w3id.org/govsocial/id/reason/pull> , <https://w3id.org/govsocial/id/reason/stay> .
                 FILTER NOT EXISTS { gs:Reasons skos:hasTopConcept ?other .
                   FILTER(?other NOT IN (<https://w3id.org/govsocial/id/reason/push>,
                     <https://w3id.org/govsocial/id/reason/pull>, <https://w3id.org/govsocial/id/reason/stay>)) } }""",
        "ASK { ?event gs:reason ?reason . ?reason skos:broader ?top . ?top skos:topConceptOf gs:Reasons }",
        "ASK { ?event gs:reason ?reason . ?reason skos:broader/skos:broader ?top . ?top skos:topConceptOf gs:Reasons }",
        """ASK { { SELECT (COUNT(DISTINCT ?direct) AS ?alone) WHERE {
                     ?direct gs:reason <https://w3id.org/govsocial/id/reason/push> } }
                 { SELECT (COUNT(DISTINCT ?any) AS ?all) WHERE {
                     ?any gs:reason/skos:broader* <https://w3id.org/govsocial/id/reason/push> } }
                 FILTER(2 * ?alone < ?all) }""",
    ],
    "09-exceptions": [
        """ASK { FILTER NOT EXISTS { ?event gs:exceptionKind ?kind .
                 FILTER NOT EXISTS { { ?event a gs:Suspension } UNION { ?event a gs:Retention } } } }""",
        """ASK { gs:CrisisCommunication skos:inScheme gs:Exceptions .
                 gs:CounteringDisinformation skos:inScheme gs:Exceptions }""",
        """ASK { FILTER NOT EXISTS { ?event gs:exceptionKind ?kind .
                 FILTER NOT EXISTS { ?kind skos:inScheme gs:Exceptions } } }""",
        "ASK { ?event gs:exceptionKind ?kind ; gs:exception ?words }",
    ],
    "10-presence-periods": [
        f"ASK {{ GRAPH <{DERIVED_GRAPH}> {{ ?period a gs:PresencePeriod }} }}",
        f"ASK {{ FILTER NOT EXISTS {{ GRAPH ?g {{ ?period a gs:PresencePeriod }} FILTER(?g != <{DERIVED_GRAPH}>) }} }}",
        """ASK { FILTER NOT EXISTS { ?period a gs:PresencePeriod .
                 FILTER NOT EXISTS { ?period gs:status ?status . VALUES ?status { gs:Active gs:Paused gs:Ended } }
               } }""",
        """ASK { ?period a gs:PresencePeriod ; gs:startEvent ?opened ; gs:endEvent ?closed ;
                 gs:start ?start ; gs:end ?end }""",
        "ASK { ?period a gs:PresencePeriod ; gs:institution ?body }",
        "ASK { ?period a gs:PresencePeriod ; gs:person ?person }",
    ],
    "11-federating-with-wikidata": [
        """ASK { ?city a gs:Municipality ; owl:sameAs ?item .
                 FILTER(STRSTARTS(STR(?item), "http://www.wikidata.org/entity/")) }""",
    ],
}
#: What the introduction says: each event is of exactly one kind.
INTRODUCTION = [
    """ASK { FILTER NOT EXISTS { { SELECT ?event WHERE { ?kind rdfs:subClassOf gs:PlatformEvent . ?event a ?kind }
             GROUP BY ?event HAVING (COUNT(DISTINCT ?kind) > 1) } } }""",
]


def test_every_pattern_has_its_claims_checked() -> None:
    """A new pattern needs its statements about the data listed in CLAIMS."""
    assert set(CLAIMS) == set(PATTERNS)


@pytest.mark.parametrize(
    "claim",
    [*(claim for claims in CLAIMS.values() for claim in claims), *INTRODUCTION],
    ids=[*(f"{name}-{i}" for name, claims in CLAIMS.items() for i in range(len(claims))), "introduction"],
)
def test_what_the_page_says_about_the_data_holds(ask, claim: str) -> None:
    assert ask(PREFIXES + claim), claim


def test_the_introduction_names_each_kind_of_event(page: str, model: Model) -> None:
    text = re.sub(r"\s+", " ", page)
    assert f"exactly one of {len(model.kinds())} kinds" in text
    for kind in model.kinds():
        assert f"<code>{compact(kind)}</code>" in page
