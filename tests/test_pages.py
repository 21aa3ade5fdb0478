"""The pages' data, checked on the real graph, and the pages themselves over HTTP.

Page data is gathered by functions that take a query runner; here it runs on the session's store,
so each page's content is pinned without a browser. The HTTP tests then check that every page,
the search API, the dumps and the vendored assets answer, and that nothing loads from elsewhere.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from pyoxigraph import RdfFormat, parse

import server
from server.engine.examples import load_examples
from server.rdf.labels import Labels
from server.rdf.namespaces import GS, GSID, OWL, RDF, RDFS
from server.rdf.terms import compact
from server.store.builds import current_build
from server.store.search_index import SEARCH_FILE, SearchIndex, fold, fold_german
from server.web.assets import NODE_MODULES, VENDOR_FILES
from server.web.pages.dashboard import CHARTS
from server.web.pages.entity import build_page, page_kind
from server.web.pages.present import format_date, href, is_local
from server.web.pages.queries import Term
from server.web.pages.resources import Value

from .support import QUERIES_DIR, InProcess, assert_error

Rows = list[dict[str, str]]
ORG = GSID + "org/"
REASON = GSID + "reason/"
EVENT = GSID + "event/"
LANDTAG = ORG + "niedersaechsischer-landtag"
LANDTAG_DEPARTURE = EVENT + "2025-01-niedersaechsischer-landtag-x-departure"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"


# ---------------------------------------------------------------------------------------------
# Presentation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "precision", "reported", "expected"),
    [
        ("2025-01-15", GS + "DayPrecision", None, "15 January 2025"),
        ("2024-02-01", GS + "MonthPrecision", None, "February 2024"),
        ("2024-01-01", GS + "YearPrecision", None, "2024"),
        ("2024-01-01", "YearPrecision", "2024-03-05", "2024"),
        (None, None, "2025-01-17", "undated (reported 2025-01-17)"),
        (None, None, None, "undated"),
        ("2025-01-15", None, None, "15 January 2025"),
        ("not a date", None, "2025-01-17", "undated (reported 2025-01-17)"),
    ],
)
def test_dates_are_shown_at_their_precision(value, precision, reported, expected) -> None:
    """A month-precise date never shows a day; an undated event shows when it was reported."""
    assert format_date(value, precision, reported) == expected


@pytest.mark.parametrize(
    ("iri", "short", "link"),
    [
        (ORG + "dresden", "institution:dresden", "/id/org/dresden"),
        (GS + "Departure", "gs:Departure", "/ontology#Departure"),
        ("https://w3id.org/govsocial/ontology", "<https://w3id.org/govsocial/ontology>", "/ontology"),
        (GSID + "account/x/bmvg", "<https://w3id.org/govsocial/id/account/x/bmvg>", "/id/account/x/bmvg"),
        ("http://www.wikidata.org/entity/Q183", "wd:Q183", "http://www.wikidata.org/entity/Q183"),
    ],
)
def test_iris_are_written_short_and_linked_on_this_host(iri: str, short: str, link: str) -> None:
    """Prefixed names where the local part allows; our IRIs link to /id/ and /ontology here."""
    assert compact(iri) == short
    assert href(iri) == link


#: IRIs a page must never turn into links: a click on any of them would run code or leave the web.
NOT_LINKABLE = [
    "javascript:alert(document.domain)",
    "JAVASCRIPT:alert(document.domain)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "mailto:someone@example.org",
    "urn:isbn:0451450523",
    "/id/org/dresden",
    "org/dresden",
    "//example.org/elsewhere",
    "",
]


@pytest.mark.parametrize("iri", NOT_LINKABLE)
def test_only_http_and_https_iris_become_links(iri: str) -> None:
    """`href` gives None for every other scheme, whatever its case or a space before it, and for relative text."""
    assert href(iri) is None
    assert not is_local(iri)


@pytest.mark.parametrize(
    "iri",
    [
        "http://example.org/a",
        "https://example.org/a?b=c#d",
        "HTTPS://example.org/A",
        "http://www.wikidata.org/entity/Q1731",
    ],
)
def test_http_and_https_iris_link_where_they_say(iri: str) -> None:
    """An IRI of the web outside our namespace is its own link."""
    assert href(iri) == iri
    assert not is_local(iri)


@pytest.fixture(scope="module")
def templates(app: Flask) -> Flask:
    """The app under test, with the site's templates, filters and shared context, to render macros on their own."""
    return app


def render_macro(app: Flask, text: str, **context) -> str:
    """Render template text that imports the shared macros as `m`."""
    with app.test_request_context("/"):
        return render_template_string('{% import "_macros.html" as m with context %}' + text, **context)


@pytest.mark.parametrize("iri", NOT_LINKABLE)
def test_the_link_macros_show_other_schemes_as_text(templates: Flask, iri: str) -> None:
    """The page macros (`iri_link`, `link`, `value`) write an IRI they may not link as text, never as an <a>."""
    html = render_macro(
        templates,
        '{% call m.iri_link(iri, "chip", external=true) %}x{% endcall %}|{{ m.link(iri) }}|{{ m.link(iri, labels) }}'
        "|{{ m.value(plain) }}|{{ m.value(labelled) }}",
        iri=iri,
        labels=Labels(iri, {"de": "Name"}),
        plain=Value(Term("uri", iri)),
        labelled=Value(Term("uri", iri), Labels(iri, {"de": "Name"})),
    )
    assert "<a" not in html and "href" not in html
    assert html.count('class="chip unlinked"') == 1 and html.count('class="unlinked"') == 4
    assert "Name" in html


def test_the_link_macros_link_our_iris_here_and_the_web_elsewhere(templates: Flask) -> None:
    """Our IRIs go to this host's pages; other http(s) IRIs go out, marked as external."""
    html = render_macro(
        templates, "{{ m.link(ours) }} {{ m.link(theirs) }}", ours=ORG + "dresden", theirs="https://example.org/x"
    )
    assert '<a href="/id/org/dresden">institution:dresden</a>' in html
    assert '<a href="https://example.org/x" class="external" rel="noopener">&lt;https://example.org/x&gt;</a>' in html


# ---------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Sächsische", "sachsische"), ("Straße", "strasse"), ("Baden-Württemberg", "baden wurttemberg")],
)
def test_fold_removes_accents_and_case(text: str, folded: str) -> None:
    """Folding makes 'Sächsisch' and 'sachsisch' the same word."""
    assert fold(text) == folded


def test_fold_german_transliterates_umlauts() -> None:
    """The German spelling without umlauts ('ae') matches too."""
    assert fold_german("Sächsische Straße") == "saechsische strasse"


@pytest.fixture(scope="module")
def index(built_store_dir):
    """The search index the build wrote over the real labels."""
    return SearchIndex(current_build(built_store_dir) / SEARCH_FILE)


@pytest.mark.parametrize("text", ["Dresden", "dresden", "DRESDEN", "dres"])
def test_search_puts_the_city_of_dresden_first(index, text: str) -> None:
    """The city itself outranks its accounts and offices."""
    assert index.search(text)[0].iri == ORG + "dresden"


@pytest.mark.parametrize(
    "text",
    ["Sächsische Staatskanzlei", "sachsische staatskanzlei", "saechsische staatskanzlei", "Saxon State Chancellery"],
)
def test_search_folds_accents_and_reads_both_languages(index, text: str) -> None:
    """German with or without umlauts, and the English name, all find the Staatskanzlei."""
    assert index.search(text)[0].iri == ORG + "saechsische-staatskanzlei"


@pytest.mark.parametrize(
    ("text", "iri"),
    [
        ("Hassrede", REASON + "hate-speech"),
        ("hate speech", REASON + "hate-speech"),
        ("Mastodon", GSID + "platform/mastodon"),
    ],
)
def test_search_finds_reasons_and_platforms(index, text: str, iri: str) -> None:
    """Reasons and platforms are searchable by their German and English labels."""
    assert iri in [entry.iri for entry in index.search(text, 5)]


def test_search_within_a_prefix_matches_the_slug(index) -> None:
    """The editor completes `institution:niedersaechsischer-l…` from the IRI's own slug."""
    hits = index.search("niedersaechsischer l", 5, namespace=ORG)
    assert hits and hits[0].iri == LANDTAG
    assert all(hit.iri.startswith(ORG) for hit in hits)


def test_search_of_nothing_finds_nothing(index) -> None:
    """Blank or punctuation-only queries return no hits rather than everything."""
    assert index.search("  ") == [] and index.search("--") == []


# ---------------------------------------------------------------------------------------------
# Entity pages
# ---------------------------------------------------------------------------------------------


def test_landtag_page_shows_its_hierarchy_up_to_the_country(queries, vocab) -> None:
    """The breadcrumb: Deutschland › Niedersachsen › (the Landtag)."""
    page = build_page(queries, vocab, LANDTAG)
    assert page is not None and page.kind == "organisation"
    assert [iri for iri, _ in page.hierarchy.chain] == [ORG + "deutschland", ORG + "niedersachsen"]
    assert ORG + "pressestelle-niedersaechsischer-landtag" in [link.subject for link in page.children]


def test_landtag_timeline_has_its_departure_from_x_with_reasons_quote_and_source(queries, vocab) -> None:
    """The departure: by 17 January 2025 in the article's words, nine reasons, Naber's quote, the article."""
    page = build_page(queries, vocab, LANDTAG)
    timeline = next(section for section in page.sections if section.anchor == "timeline")
    event = next(e for e in timeline.events if e.iri == LANDTAG_DEPARTURE)
    assert event.kind == GS + "Departure"
    assert event.platform.iri == GSID + "platform/x"
    assert event.when == "by 17 January 2025 („ab sofort“)"
    reasons = {reason.iri for reason in event.reasons}
    assert {REASON + "hate-speech", REASON + "owner-political-agenda", REASON + "institutional-neutrality"} <= reasons
    assert len(reasons) == 9
    assert [p.iri for p in event.stated_by] == [GSID + "person/hanna-naber"]
    assert any("neutrale Institution" in quote.value for quote in event.quotes)
    assert [(s.iri, s.title, s.date) for s in event.sources] == [
        (GSID + "source/000-abwanderung-von-x", "Abwanderung von X", "2025-01-17")
    ]


def test_entity_pages_show_owl_same_as_as_wikidata(queries, vocab) -> None:
    """Dresden's owl:sameAs is shown as its Wikidata QID."""
    page = build_page(queries, vocab, ORG + "dresden")
    assert [qid for _, qid in page.wikidata] == ["Q1731"]


def test_entity_pages_list_accounts_and_what_links_here(queries, vocab) -> None:
    """Dresden holds accounts, and the events naming it link here."""
    page = build_page(queries, vocab, ORG + "dresden")
    assert GSID + "account/threads/dresden" in [account.iri for account in page.accounts]
    assert GS + "institution" in page.links_here
    assert ORG + "gesundheitsamt-dresden" in [link.subject for link in page.children]


def test_land_page_rolls_up_the_events_of_every_body_within_it(queries, vocab) -> None:
    """Hessen's own page names no event, but its bodies joined Mastodon ten times, whatever links them to it
    (jurisdiction only, like the imported ministries, or parent and Land government)."""
    page = build_page(queries, vocab, ORG + "hessen")
    within = next(section for section in page.sections if section.anchor == "within")
    expected = queries.select(
        """PREFIX gs: <https://w3id.org/govsocial/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?event WHERE {
          ?event gs:institution|gs:person ?body ; a/rdfs:subClassOf* gs:PlatformEvent .
          ?body (gs:jurisdiction|gs:locatedIn|org:subOrganizationOf|org:memberOf)+ <https://w3id.org/govsocial/id/org/hessen>
          FILTER (?body != <https://w3id.org/govsocial/id/org/hessen>) }"""
    )
    assert {event.iri for event in within.events} == {row["event"].value for row in expected}
    mastodon = [e for e in within.events if e.kind == GS + "Joining" and "mastodon" in e.iri]
    assert len(mastodon) >= 10
    assert GSID + "event/2023-02-10-landesregierung-hessen-mastodon-joining" in [e.iri for e in within.events]


def test_city_page_rolls_up_its_offices_events_but_not_its_own(queries, vocab) -> None:
    """Dresden's Gesundheitsamt used TikTok: on Dresden's page under the bodies within, not in its timeline."""
    page = build_page(queries, vocab, ORG + "dresden")
    sections = {section.anchor: section for section in page.sections}
    within = [event.iri for event in sections["within"].events]
    own = {event.iri for event in sections["timeline"].events}
    assert within and not own & set(within)
    assert all("gesundheitsamt-dresden" in iri for iri in within)


def test_platform_page_lists_who_joined_left_paused_and_stayed(queries, vocab) -> None:
    """X: departures under 'Left', suspensions under 'Paused', retentions under 'Stayed', each by date."""
    page = build_page(queries, vocab, GSID + "platform/x")
    assert page.kind == "platform"
    sections = {section.title: section.events for section in page.sections}
    assert {"Left", "Paused", "Stayed"} <= set(sections)
    assert {e.kind for e in sections["Left"]} == {GS + "Departure"}
    assert {e.kind for e in sections["Paused"]} == {GS + "Suspension"}
    assert LANDTAG_DEPARTURE in [e.iri for e in sections["Left"]]
    keys = [e.sort_key for e in sections["Left"]]
    assert keys == sorted(keys)
    _, table = page.summary
    assert sum(table[GS + "Departure"].values()) == len(sections["Left"])


def test_platform_page_lists_events_that_named_it_as_the_alternative(queries, vocab) -> None:
    """Threads: Dresden left X for it."""
    page = build_page(queries, vocab, GSID + "platform/threads")
    alternative = next(section for section in page.sections if section.anchor == "alternative")
    assert EVENT + "2024-02-dresden-x-departure" in [e.iri for e in alternative.events]


def test_reason_page_lists_citing_events_and_its_broader_concept(queries, vocab) -> None:
    """Hate speech: under 'reasons to leave', cited by the Landtag's departure."""
    page = build_page(queries, vocab, REASON + "hate-speech")
    assert page.kind == "concept"
    assert page.broader == [REASON + "push"]
    assert LANDTAG_DEPARTURE in [e.iri for e in page.sections[0].events]


def test_top_reason_page_lists_narrower_concepts_and_their_events(queries, vocab) -> None:
    """'Reasons to leave' lists its narrower reasons and the events citing any of them."""
    page = build_page(queries, vocab, REASON + "push")
    assert REASON + "hate-speech" in page.narrower
    narrower = next(section for section in page.sections if section.anchor == "narrower-events")
    assert LANDTAG_DEPARTURE in [e.iri for e in narrower.events]


def test_event_page_shows_the_event_itself(queries, vocab) -> None:
    """The event's own page carries the full event card."""
    page = build_page(queries, vocab, LANDTAG_DEPARTURE)
    assert page.kind == "event"
    assert page.event is not None and page.event.iri == LANDTAG_DEPARTURE


def test_person_page_shows_membership_and_statements(queries, vocab) -> None:
    """Hanna Naber: member of the Landtag, stated its departure, and left X with her own account."""
    page = build_page(queries, vocab, GSID + "person/hanna-naber")
    assert page.kind == "person"
    assert page.hierarchy.chain[-1][0] == LANDTAG
    all_events = {e.iri for section in page.sections for e in section.events}
    assert LANDTAG_DEPARTURE in all_events


def test_source_page_lists_the_events_it_reports(queries, vocab) -> None:
    """The main article reports the Landtag's departure."""
    page = build_page(queries, vocab, GSID + "source/000-abwanderung-von-x")
    assert page.kind == "source"
    assert LANDTAG_DEPARTURE in [e.iri for e in page.sections[0].events]


def test_unknown_resource_has_no_page(queries, vocab) -> None:
    """Nothing is made up for an IRI the graph does not describe."""
    assert build_page(queries, vocab, ORG + "does-not-exist") is None


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        ({GS + "Departure"}, "event"),
        ({GS + "Parliament", "http://schema.org/GovernmentOrganization"}, "organisation"),
        ({GS + "Platform"}, "platform"),
        ({"http://www.w3.org/2004/02/skos/core#Concept"}, "concept"),
        ({GS + "Source", "http://schema.org/NewsArticle"}, "source"),
        ({"http://schema.org/Person"}, "person"),
        ({GS + "FollowerObservation"}, "resource"),
    ],
)
def test_page_kind_follows_the_class_tree(vocab, types: set[str], kind: str) -> None:
    """A gs:Parliament is an organisation through rdfs:subClassOf, a gs:Departure an event."""
    assert page_kind(types, vocab) == kind


# ---------------------------------------------------------------------------------------------
# The ontology reference
# ---------------------------------------------------------------------------------------------


def test_ontology_reference_documents_every_class_and_property(vocab, select) -> None:
    """Each term the ontology defines appears, with English and German labels and comments."""
    defined = {
        row["t"]
        for row in select(
            f"SELECT ?t WHERE {{ ?t a ?kind ; <{RDFS}isDefinedBy> ?o . "
            f"VALUES ?kind {{ <{OWL}Class> <{OWL}ObjectProperty> <{OWL}DatatypeProperty> }} "
            f'FILTER(STRSTARTS(STR(?t), "{GS}")) }}'
        )
    }
    docs = vocab.classes() + vocab.object_properties() + vocab.datatype_properties()
    assert {doc.iri for doc in docs} == defined
    for doc in docs:
        assert doc.labels.by_lang.get("en") and doc.labels.by_lang.get("de"), doc.iri
        assert doc.comments.by_lang.get("en") and doc.comments.by_lang.get("de"), doc.iri


def test_ontology_reference_spells_out_union_domains_and_ranges(vocab) -> None:
    """gs:locatedIn's domain is the union of the four territorial classes."""
    located = next(doc for doc in vocab.object_properties() if doc.iri == GS + "locatedIn")
    assert set(located.domain[0]) == {GS + "Country", GS + "FederalState", GS + "District", GS + "Municipality"}
    departure = next(doc for doc in vocab.classes() if doc.iri == GS + "Departure")
    assert departure.parents == (GS + "PlatformEvent",)


def test_ontology_reference_lists_the_schemes_with_their_concepts(vocab) -> None:
    """Government levels, date precisions and reasons, each with its concepts."""
    schemes = {scheme.iri: [c.iri for c in concepts] for scheme, concepts in vocab.schemes()}
    assert set(schemes[GS + "GovernmentLevels"]) == {
        GS + "FederalLevel",
        GS + "StateLevel",
        GS + "LocalLevel",
        GS + "SupranationalLevel",
    }
    assert REASON + "hate-speech" in schemes[GS + "Reasons"]


# ---------------------------------------------------------------------------------------------
# The dashboard's queries
# ---------------------------------------------------------------------------------------------

EXAMPLES = {example.name: example for example in load_examples(QUERIES_DIR)}


def test_every_chart_is_driven_by_an_example_query_with_the_variables_it_draws(select) -> None:
    """Each chart names a query in queries/ whose answer has the columns the chart reads."""
    for chart in CHARTS:
        example = EXAMPLES[chart.query]
        rows = select(example.text)
        assert rows, chart.id
        for variable in filter(None, (chart.x, chart.series, chart.value)):
            assert all(variable in row for row in rows), (chart.id, variable)


def test_events_per_month_count_the_dated_joinings_departures_and_suspensions(select) -> None:
    """Query 14 totals exactly the events of those three kinds dated to the day or the month."""
    rows = select(EXAMPLES["14-events-per-month-by-kind-and-level"].text)
    expected = select(
        """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
          VALUES ?class { gs:Joining gs:Departure gs:Suspension }
          ?e a ?class ; gs:date ?d ; gs:datePrecision ?p . FILTER(?p != gs:YearPrecision) }"""
    )
    assert sum(int(row["events"]) for row in rows) == int(expected[0]["n"])
    assert all(re.fullmatch(r"\d{4}-\d{2}", row["month"]) for row in rows)
    assert {row["kind"] for row in rows} <= {"joining", "departure", "suspension"}


def test_flow_from_x_accounts_for_every_departure_and_suspension(select) -> None:
    """Query 15: the flows out of 'X: departure' and 'X: suspension' cover each event at least once."""
    rows = select(EXAMPLES["15-flow-from-x-to-alternatives"].text)
    into = {kind: sum(int(r["events"]) for r in rows if r["to"] == kind) for kind in ("X: departure", "X: suspension")}
    counts = select(
        "SELECT ?c (COUNT(?e) AS ?n) WHERE { VALUES ?c { gs:Departure gs:Suspension } "
        "?e a ?c ; gs:platform platform:x } GROUP BY ?c"
    )
    by_class = {row["c"]: int(row["n"]) for row in counts}
    assert into["X: departure"] == by_class[GS + "Departure"]
    assert into["X: suspension"] == by_class[GS + "Suspension"]
    threads = [row for row in rows if row["from"] == "X: departure" and row["to"] == "Threads"]
    assert len(threads) == 1 and int(threads[0]["events"]) >= 1


def test_events_per_land_put_the_landtag_departure_under_niedersachsen(select) -> None:
    """Query 16 counts the Landtag's departure for Niedersachsen, and federal events for no Land."""
    rows = select(EXAMPLES["16-events-per-land"].text)
    niedersachsen = {row["kind"]: int(row["events"]) for row in rows if row["landLabel"] == "Niedersachsen"}
    assert niedersachsen["departure"] >= 1
    assert all(row["land"].startswith(ORG) for row in rows)


# ---------------------------------------------------------------------------------------------
# Over HTTP
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def get(http: InProcess) -> Callable[..., Any]:
    """GET a path of the app under test, as a browser by default."""

    def fetch(path: str, accept: str = BROWSER_ACCEPT, **kwargs) -> Any:
        return http.get(path, headers={"Accept": accept}, **kwargs)

    return fetch


PAGES = {
    "/": "Query workbench",
    "/dashboard": "Dashboard",
    "/dataset": "GovSocial KG",
    "/ontology": "GovSocial KG ontology",
    "/id/": "Browse the graph",
    "/id/org/": "institution:",
    "/id/org/niedersaechsischer-landtag": "Niedersächsischer Landtag",
    "/id/platform/x": "Left",
    "/id/reason/hate-speech": "Hassrede",
    "/search?q=Dresden": "Dresden",
    "/sparql": "SPARQL endpoint",
}


@pytest.mark.parametrize(("path", "text"), PAGES.items())
def test_every_page_answers_with_html(get, path: str, text: str) -> None:
    """Each page renders for a browser with its main content."""
    response = get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    assert text in response.text


@pytest.mark.parametrize("path", list(PAGES))
def test_pages_load_nothing_from_other_hosts(get, path: str) -> None:
    """Scripts, styles and icons all come from this server: the site works with no internet access."""
    html = get(path).text
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src")):
        for match in re.finditer(rf"<{tag}\b[^>]*\b{attribute}=\"([^\"]+)\"", html):
            assert match.group(1).startswith("/"), f"{path}: <{tag} {attribute}={match.group(1)}>"


@pytest.mark.parametrize("path", list(PAGES))
def test_pages_hold_no_inline_script(get, path: str) -> None:
    """No script runs from the markup: no inline <script> code, no on…= handler, no `javascript:` URL.

    The Content-Security-Policy forbids them, so they would not run anyway; a data block
    (`<script type="application/json">`) is the one kind of inline <script> allowed.
    """
    html = get(path).text
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL | re.IGNORECASE):
        attributes, body = match.groups()
        assert 'src="' in attributes or 'type="application/json"' in attributes, f"{path}: {match.group(0)[:200]}"
        assert 'src="' not in attributes or not body.strip(), f"{path}: {match.group(0)[:200]}"
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html, re.IGNORECASE), path
    assert not re.search(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", html, re.IGNORECASE), path


def test_a_query_in_the_url_cannot_end_an_element_of_the_workbench(get) -> None:
    """A query holding `</script>` is written into the editor as text, never as markup."""
    html = get("/", params={"query": 'SELECT * WHERE { ?s ?p "</script><script>alert(1)</script>" }'}).text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    assert "<script>alert(1)" not in html
    assert html.lower().count("</script>") == html.lower().count("<script")


def test_embedded_data_blocks_are_json_that_cannot_end_their_element(templates: Flask) -> None:
    """The workbench's data blocks are written with `tojson`, which escapes `<`, so `</script>` stays data."""
    source = (Path(server.__file__).parent / "web" / "templates" / "workbench.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/json" id="[\w-]+">(.*?)</script>', source, re.DOTALL)
    assert blocks and all(re.fullmatch(r"\{\{ \w+ \| tojson \}\}", block) for block in blocks), blocks
    data = {"text": "</script><script>alert(1)</script><!--", "quote": "'\"&"}
    written = render_macro(templates, "{{ data | tojson }}", data=data)
    assert "<" not in written and ">" not in written
    assert json.loads(written) == data


def test_browse_pages_through_a_kind_and_refuses_pages_that_do_not_exist(get) -> None:
    """Thousands of municipalities are listed a page at a time; a page past the end is a 404."""
    assert get("/id/platform/").status_code == 200
    assert 'href="/id/platform/x"' in get("/id/platform/").text
    assert get("/id/org/?page=abc").status_code == 400
    assert get("/id/org/?page=100000").status_code == 404
    assert get("/id/no-such-kind/").status_code == 404


def test_workbench_lists_every_example_with_its_title_and_description(get) -> None:
    """The examples are one click away, each with the title and description of its file."""
    html = get("/").text
    for example in EXAMPLES.values():
        assert f'data-example="{example.name}"' in html
        assert example.title.replace("'", "&#39;") in html


def test_workbench_prefills_the_editor_from_the_url(get) -> None:
    """`?query=` and `?example=` reproduce a query from a link."""
    assert "ASK { ?s ?p ?o }" in get("/", params={"query": "ASK { ?s ?p ?o }"}).text
    example = EXAMPLES["03-where-the-leavers-went"]
    assert "gs:alternativePlatform ?alternative" in get("/", params={"example": example.name}).text
    assert get("/", params={"example": "no-such-example"}).status_code == 404


def test_workbench_embeds_the_vocabulary_for_completion(get) -> None:
    """The editor's completion knows our classes and properties with their labels."""
    html = get("/").text
    assert '"pname": "gs:Departure"' in html and '"pname": "gs:alternativePlatform"' in html


def test_example_query_files_are_served_as_sparql(get) -> None:
    """The dashboard links to the query behind each chart as a file."""
    response = get("/queries/15-flow-from-x-to-alternatives.rq")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-query")
    assert response.text == EXAMPLES["15-flow-from-x-to-alternatives"].text


def test_dashboard_names_the_query_behind_each_chart(get) -> None:
    """Every chart links to its query in the workbench and in queries/."""
    html = get("/dashboard").text
    for chart in CHARTS:
        assert f'href="/?example={chart.query}"' in html
        assert f'href="/queries/{chart.query}.rq"' in html


def test_search_api_answers_json_with_links_to_pages(get) -> None:
    """/-/search returns the hits with IRI, prefixed name, page link, labels and types."""
    body = get("/-/search?q=dresden", "application/json").json()
    assert body["ok"] is True
    first = body["results"][0]
    assert first["iri"] == ORG + "dresden"
    assert first["href"] == "/id/org/dresden"
    assert first["prefixed"] == "institution:dresden"
    assert first["labels"]["de"] == "Dresden"
    assert {"iri": GS + "Municipality", "prefixed": "gs:Municipality", "label": "municipality"} in first["types"]


def test_search_api_folds_accents(get) -> None:
    """'Thuringen' finds Thüringen."""
    body = get("/-/search?q=Thuringen&prefix=institution", "application/json").json()
    assert body["results"][0]["iri"] == ORG + "thueringen"


@pytest.mark.parametrize("query", ["limit=0&q=x", "limit=abc&q=x", "prefix=nope&q=x", "q=" + "x" * 300])
def test_search_api_refuses_bad_parameters_with_the_json_error(get, query: str) -> None:
    """Bad parameters are a 400 in the endpoint's error shape, never a 500."""
    response = get("/-/search?" + query, "application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "bad_parameter"


def test_dataset_page_lists_counts_graphs_and_dumps(get, build_info) -> None:
    """Version, licence, a count per graph and links to the build's dumps."""
    html = get("/dataset").text
    assert build_info.version in html
    assert "CC0 1.0" in html
    for graph in build_info.graphs:
        assert graph in html
    for name in build_info.dumps:
        assert f'href="/dumps/{name}"' in html


@pytest.mark.parametrize(
    ("name", "fmt"), [("govsocial.ttl.gz", RdfFormat.TURTLE), ("govsocial.nq.gz", RdfFormat.N_QUADS)]
)
def test_dumps_download_as_the_whole_dataset(get, build_info, name: str, fmt: RdfFormat) -> None:
    """Each dump is gzip, parses in its format and holds the Landtag's departure."""
    if name not in build_info.dumps:
        pytest.fail(f"the build wrote no {name}; dumps: {list(build_info.dumps)}")
    response = get("/dumps/" + name, "*/*")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    quads = list(parse(gzip.decompress(response.content), format=fmt))
    assert any(q.subject.value == LANDTAG_DEPARTURE and q.predicate.value == RDF + "type" for q in quads)


def test_unknown_dump_is_a_404(get) -> None:
    """Only the build's own dumps are served."""
    assert get("/dumps/../build.json", "*/*").status_code == 404
    assert get("/dumps/other.nq.gz", "*/*").status_code == 404


def test_front_end_packages_are_installed_from_npm() -> None:
    """`npm ci` (make install) put every file the pages load into node_modules."""
    missing = [name for name in sorted(VENDOR_FILES) if not (NODE_MODULES / name).is_file()]
    assert not missing, f"run `make install` (npm ci): missing {missing}"


@pytest.mark.parametrize("name", sorted(VENDOR_FILES))
def test_vendored_assets_are_served_from_node_modules(get, name: str) -> None:
    """Each listed file of the editor and chart libraries is served by this site."""
    response = get("/assets/" + name, "*/*")
    assert response.status_code == 200
    assert response.content == (NODE_MODULES / name).read_bytes()


@pytest.mark.parametrize("name", ["codemirror/package.json", "../package.json", "chart.js/dist/chart.js"])
def test_only_listed_assets_are_served(get, name: str) -> None:
    """node_modules is not browsable: anything off the list is a 404."""
    assert get("/assets/" + name, "*/*").status_code == 404


def test_a_page_past_the_result_limit_is_422_in_the_error_shape(make_app) -> None:
    """A page's queries are held to max_result_bytes as /sparql's are: past it the page is 422 result_too_large
    (a page for a browser, JSON for a program), never a 500; search, which reads the build's index and
    vocabulary, still answers."""
    small = make_app(max_result_bytes="2000", prewarm_examples="false")
    page = small.get("/id/org/dresden", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 422, page.text[:300]
    assert "result too large" in page.text and page.headers["Content-Type"].startswith("text/html")
    assert_error(small.get("/id/org/dresden", headers={"Accept": "text/turtle"}), 422, "result_too_large")
    hits = small.get("/-/search", params={"q": "Dresden"})
    assert hits.status_code == 200 and hits.json()["results"][0]["iri"].endswith("/org/dresden")


def test_coverage_page_sums_up_each_population_and_lists_every_body(http) -> None:
    """/coverage: per population how many bodies have a sourced X status, which do not, and the Länder that have
    no such body in the graph; every row links to its body."""
    page = http.get("/coverage", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = page.text
    for population in ("federal ministries", "Land governments", "Land parliaments"):
        assert population in text
    assert "Bundesministerium der Verteidigung" in text and "nothing reported" in text
    assert "no such body in the graph" in text
    assert 'href="/id/org/bmvg"' in text


def test_dataset_page_lists_the_sheets_graph_with_its_sources(http, select) -> None:
    """/dataset names the press graph and its sources by publisher, as many pages as the graph holds."""
    text = http.get("/dataset", headers={"Accept": "text/html"}).text
    assert 'id="graph-press"' in text and "Sources of the event sheets" in text
    [count] = select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH <https://w3id.org/govsocial/graph/press> { ?s a gs:Source } }"
    )
    assert f"{int(count['n'])} pages" in text
