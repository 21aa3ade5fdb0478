"""The Wikidata side: the alignment, the coverage report, the federated examples and the QuickStatements export.

The federated examples (queries/ with `# federated: true`) run on our real server against a local Oxigraph
stand-in for Wikidata (tests/wikidata_standin.ttl, invented values of Wikidata's shapes), with the SERVICE
IRI rewritten to the stand-in, so they run offline. The report and the export are checked against
independent SPARQL counts over the real store.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from pyoxigraph import RdfFormat
from pyoxigraph import Store as MemoryStore

from server.cli.main import main as cli_main
from server.engine.examples import load_examples
from server.wikidata.quickstatements import NO_DATE, NO_HANDLE, NO_PROPERTY, NO_QID, export

from .support import ONTOLOGY_DIR, QUERIES_DIR

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
ORG = "https://w3id.org/govsocial/id/org/"
GS = "https://w3id.org/govsocial/ontology#"
WD = "http://www.wikidata.org/entity/"
FEDERATED_HEADER = re.compile(r"^#\s*federated:\s*true\s*$", re.MULTILINE)
FEDERATED = {e.name: e for e in load_examples(QUERIES_DIR) if FEDERATED_HEADER.search(e.text)}
QS_LINE = re.compile(
    r'^Q[1-9][0-9]*\tP[1-9][0-9]*\t"[^"\t]+"'
    r"(\tP58[02]\t\+[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00Z/(9|10|11))?"
    r'(\t(S854\t"[^"\t]+"|S248\tQ[1-9][0-9]*))?$'
)


# ---------------------------------------------------------------------------------------------
# The alignment
# ---------------------------------------------------------------------------------------------


def test_alignment_file_is_in_the_ontology_folder() -> None:
    assert (ONTOLOGY_DIR / "wikidata-alignment.ttl").is_file()


def test_alignment_is_loaded_into_the_ontology_graph(ask) -> None:
    """The build puts the alignment into graph/ontology with the rest of ontology/."""
    assert ask(
        "ASK { GRAPH <https://w3id.org/govsocial/graph/ontology> {"
        " gs:locatedIn rdfs:subPropertyOf wdt:P131 . wdt:P749 rdfs:subPropertyOf org:subOrganizationOf ."
        " wdt:P439 rdfs:subPropertyOf gs:ags . gs:Departure rdfs:seeAlso wd:P582 ."
        " gs:Joining rdfs:seeAlso wd:P580 } }"
    )


def test_no_class_is_mapped_as_a_match_of_a_property(ask) -> None:
    """A class (gs:Joining) and a property (P580 start time) are related, not matches: no SKOS mapping between
    one of our classes and a Wikidata property."""
    assert not ask(
        "ASK { ?class a owl:Class ; skos:closeMatch|skos:exactMatch|skos:broadMatch|skos:narrowMatch ?p ."
        " FILTER(STRSTARTS(STR(?p), 'http://www.wikidata.org/entity/P')) }"
    )


def test_alignment_claims_no_equivalence_it_cannot_back(ask) -> None:
    """None of our properties means exactly what a Wikidata property means: no owl:equivalentProperty."""
    assert not ask("ASK { ?ours owl:equivalentProperty ?theirs }")


def test_suspension_is_not_mapped_to_an_end_time(ask) -> None:
    assert not ask("ASK { gs:Suspension skos:closeMatch|skos:exactMatch|rdfs:subClassOf wd:P582 }")


def test_account_property_is_documented_in_english_and_german(select) -> None:
    """The new term documents itself as the other terms do, and says that it extends the contract."""
    rows = select(
        "SELECT ?label ?comment WHERE { gs:wikidataAccountProperty a owl:ObjectProperty ;"
        " rdfs:isDefinedBy <https://w3id.org/govsocial/ontology> ; rdfs:label ?label ; rdfs:comment ?comment }"
    )
    query = "SELECT ?l WHERE {{ gs:wikidataAccountProperty {p} ?l FILTER(lang(?l) = '{lang}') }}"
    for lang in ("en", "de"):
        assert len(select(query.format(p="rdfs:label", lang=lang))) == 1
        assert len(select(query.format(p="rdfs:comment", lang=lang))) == 1
    assert any("extends the contract" in row["comment"] for row in rows)


def test_every_platform_but_whatsapp_names_its_wikidata_account_property(select) -> None:
    rows = select(
        "SELECT ?platform ?prop WHERE { ?platform a gs:Platform"
        " OPTIONAL { ?platform gs:wikidataAccountProperty ?prop } }"
    )
    by_platform = {row["platform"].rsplit("/", 1)[-1]: row.get("prop", "").rsplit("/", 1)[-1] for row in rows}
    assert by_platform == {
        "x": "P2002",
        "mastodon": "P4033",
        "instagram": "P2003",
        "tiktok": "P7085",
        "threads": "P11892",
        "facebook": "P2013",
        "youtube": "P11245",
        "linkedin": "P4264",
        "bluesky": "P12361",
        "whatsapp": "",
    }


# ---------------------------------------------------------------------------------------------
# The coverage report
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(built_store_dir: Path, capsys_module) -> dict:
    return capsys_module(cli_main, ["report", "wikidata", "--store", str(built_store_dir), "--format", "json"])


@pytest.fixture(scope="module")
def capsys_module():
    """Run a main function in a subprocess-free way and return its parsed JSON standard output."""

    def run(main, argv: list[str]) -> dict:
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(argv) == 0
        return json.loads(buffer.getvalue())

    return run


def independent_counts(select, class_iri: str) -> tuple[int, int]:
    """Resources of a class, and those of them with an owl:sameAs to a Wikidata entity: two plain counts."""
    everyone = select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{class_iri}> }}")[0]["n"]
    linked = select(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{class_iri}> ; owl:sameAs ?w ."
        f' FILTER(STRSTARTS(STR(?w), "{WD}")) }}'
    )[0]["n"]
    return int(everyone), int(linked)


def test_report_lists_every_gs_class_with_instances_and_persons(report: dict, select) -> None:
    """Every class of ours with instances, and persons, except the kinds no Wikidata item can match."""
    classes = {row["t"] for row in select("SELECT DISTINCT ?t WHERE { ?s a ?t }")}
    ours_alone = {GS + "PresencePeriod", GS + "Quotation"}
    expected = {c for c in classes if c.startswith(GS) and c not in ours_alone} | {"http://schema.org/Person"}
    assert {row["iri"] for row in report["classes"]} == expected


def test_report_numbers_equal_independent_counts(report: dict, select) -> None:
    for row in report["classes"]:
        assert (row["resources"], row["with_wikidata"]) == independent_counts(select, row["iri"]), row["name"]
        assert row["percent"] == round(100 * row["with_wikidata"] / row["resources"], 1)


def test_report_gives_every_municipality_a_qid_and_8_of_10_platforms(report: dict) -> None:
    """The territory import links every Gemeinde; Threads (only a likely QID) and Bluesky (none) are unlinked."""
    by_name = {row["name"]: row for row in report["classes"]}
    municipalities = by_name["gs:Municipality"]
    assert municipalities["resources"] == municipalities["with_wikidata"] >= 10_000
    assert municipalities["percent"] == 100.0
    assert (by_name["gs:Platform"]["resources"], by_name["gs:Platform"]["with_wikidata"]) == (10, 8)


def test_report_leaves_out_what_can_have_no_wikidata_item(report: dict) -> None:
    """Derived presence periods and quotations exist only in our modelling: counting them would lower the coverage."""
    classes = {row["iri"] for row in report["classes"]}
    assert GS + "Joining" in classes
    assert not {GS + "PresencePeriod", GS + "Quotation"} & classes


def test_report_total_counts_distinct_resources(report: dict, select) -> None:
    total = select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t ."
        ' FILTER(STRSTARTS(STR(?t), "https://w3id.org/govsocial/ontology#") || ?t = schema:Person)'
        " FILTER(?t NOT IN (gs:PresencePeriod, gs:Quotation)) }"
    )[0]["n"]
    assert report["total"]["resources"] == int(total)
    assert report["version"]


def test_report_table_is_readable(built_store_dir: Path) -> None:
    code = "import sys; from server.cli.main import main; sys.exit(main(['report', *sys.argv[1:]]))"
    result = subprocess.run(
        [sys.executable, "-c", code, "wikidata", "--store", str(built_store_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["class", "resources", "with", "Wikidata", "%"]
    municipality = next(line for line in lines if line.startswith("gs:Municipality "))
    assert municipality.split()[-1] == "100.0"
    assert lines[-1].startswith("all (distinct resources)")


def test_report_on_an_unbuilt_store_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert cli_main(["report", "wikidata", "--store", str(tmp_path)]) == 2
    assert "govsocial build" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The federated examples
# ---------------------------------------------------------------------------------------------


def test_there_are_federated_examples_numbered_from_20() -> None:
    assert len(FEDERATED) >= 3
    assert all(int(name[:2]) >= 20 for name in FEDERATED)


@pytest.mark.parametrize("name", sorted(FEDERATED))
def test_federated_example_calls_wikidata_without_its_label_service(name: str) -> None:
    """SERVICE to Wikidata's public endpoint, rdfs:label with a language filter, own PREFIX lines."""
    text = FEDERATED[name].text
    assert f"SERVICE <{WIKIDATA_SPARQL}>" in text
    assert "wikibase:label" not in text
    assert "lang(" in text
    for prefix in set(re.findall(r"\b([a-z]+):[A-Za-z_]", text.split("SELECT", 1)[1])) - {"http", "https"}:
        assert f"PREFIX {prefix}:" in text, f"{name} uses {prefix}: without declaring it"


@pytest.fixture(scope="module")
def standin(wikidata_standin: str) -> str:
    """The session's Wikidata stand-in (tests/wikidata_standin.ttl); its SPARQL endpoint URL."""
    return wikidata_standin


@pytest.fixture(scope="module")
def federating(start_server, standin: str) -> str:
    return start_server(service_allowlist=standin).url


def federated_rows(server_url: str, standin: str, name: str) -> list[dict[str, str]]:
    """Run an example on our server with its Wikidata SERVICE pointed at the stand-in; rows as plain strings."""
    text = FEDERATED[name].text
    assert WIKIDATA_SPARQL in text
    response = requests.post(
        f"{server_url}/sparql",
        data={"query": text.replace(WIKIDATA_SPARQL, standin)},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:500]
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def test_cities_that_left_or_paused_x_get_population_and_mayor(federating: str, standin: str) -> None:
    rows = federated_rows(federating, standin, "20-wikidata-population-and-mayor-of-cities-that-left-or-paused-x")
    by_city = {row["city"]: row for row in rows}
    assert set(by_city) == {ORG + "dresden", ORG + "chemnitz"}  # Zwickau stayed on X
    dresden, chemnitz = by_city[ORG + "dresden"], by_city[ORG + "chemnitz"]
    assert (dresden["kind"], dresden["date"], dresden["population"]) == ("departure", "2024-02-01", "111111")
    assert dresden["headOfGovernmentLabel"] == "Erika Testperson"  # the @de label only
    assert (chemnitz["kind"], chemnitz["population"], chemnitz["headOfGovernmentLabel"]) == (
        "suspension",
        "222222",
        "Max Testperson",
    )
    assert len(rows) == 2


def test_ministries_that_left_or_paused_x_get_their_website(federating: str, standin: str) -> None:
    rows = federated_rows(federating, standin, "21-wikidata-websites-of-ministries-that-left-or-paused-x")
    assert [(row["ministry"], row["kind"], row["date"], row["website"], row["parentLabel"]) for row in rows] == [
        (ORG + "bmvg", "suspension", "2025-01-15", "https://bmvg.test.example/", "Test-Bundesregierung")
    ]  # the Bundeswehr paused X too, but is not a ministry; StMD and TMUEN have no QID


def test_institutions_that_left_x_show_wikidata_usernames_without_end(federating: str, standin: str) -> None:
    rows = federated_rows(federating, standin, "22-wikidata-x-usernames-of-institutions-that-left-x")
    found = {
        (row["institution"], row.get("username"), row.get("end"), row.get("endMissing"))
        for row in rows
        if row.get("username")  # the stand-in knows only Dresden's usernames; the other leavers show none
    }
    assert found == {
        (ORG + "dresden", "test_dresden", None, "true"),
        (ORG + "dresden", "test_dresden_old", "2009-04-30T00:00:00Z", "false"),
    }
    assert all(row["departure"] == "2024-02-01" for row in rows if row["institution"] == ORG + "dresden")


def test_federated_example_without_allowlist_is_refused(start_server, standin: str) -> None:
    """The rewritten example is a real SERVICE call: a server that does not allow the stand-in refuses it."""
    url = start_server().url
    text = next(iter(FEDERATED.values())).text.replace(WIKIDATA_SPARQL, standin)
    response = requests.post(f"{url}/sparql", data={"query": text}, timeout=60)
    assert response.status_code >= 400


# ---------------------------------------------------------------------------------------------
# The QuickStatements export
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quickstatements(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("qs") / "edits.tsv"
    assert cli_main(["export", "quickstatements", "--store", str(built_store_dir), "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_quickstatements_lines_have_v1_syntax(quickstatements: str) -> None:
    lines = quickstatements.splitlines()
    assert lines
    for line in lines:
        assert QS_LINE.match(line), line


def test_quickstatements_give_the_fedipol_mastodon_joinings_of_institutions_with_qids(
    quickstatements: str, select
) -> None:
    """Computed independently: each such joining is one P4033 "user@host" line with a day-precise P580."""
    rows = select(
        "SELECT ?item ?handle ?host ?date ?pinned WHERE {"
        " GRAPH <https://w3id.org/govsocial/graph/fedipol> { ?e a gs:Joining ; gs:platform platform:mastodon ;"
        "   gs:institution ?org ; gs:account ?a ; gs:date ?date ; gs:datePrecision gs:DayPrecision ;"
        "   prov:wasDerivedFrom ?src . ?a gs:handle ?handle ; gs:instance ?host }"
        " ?org owl:sameAs ?item . ?src dcterms:source ?pinned }"
    )
    assert len(rows) >= 5
    lines = set(quickstatements.splitlines())
    for row in rows:
        host = row["host"].encode("idna").decode("ascii")
        expected = (
            f'{row["item"].rsplit("/", 1)[-1]}\tP4033\t"{row["handle"]}@{host}"'
            f'\tP580\t+{row["date"]}T00:00:00Z/11\tS854\t"{row["pinned"]}"'
        )
        assert expected in lines
    assert 'Q502698\tP4033\t"bmi@social.bund.de"\tP580\t+2022-10-27T00:00:00Z/11' in quickstatements
    assert '"stuttgart@xn--baw-joa.social"' in quickstatements  # bawü.social in its DNS form


def test_quickstatements_skip_the_bmvg_suspension(quickstatements: str) -> None:
    for qid in ("Q493353", "Q56010", "Q2795"):  # BMVg, Bundeswehr, Chemnitz only paused X
        assert not any(line.startswith(qid + "\t") for line in quickstatements.splitlines())
    assert "P582" not in quickstatements  # the only dated departure with a QID (Dresden) has no known handle


def test_quickstatements_never_edit_an_item_we_do_not_link(quickstatements: str, select) -> None:
    linked = {row["w"].rsplit("/", 1)[-1] for row in select("SELECT DISTINCT ?w WHERE { ?s owl:sameAs ?w }")}
    assert {line.split("\t")[0] for line in quickstatements.splitlines()} <= linked
    assert "finanzenbw" not in quickstatements  # Finanzministerium BW on TikTok: handle known, no QID


def test_quickstatements_are_deterministic(built_store_dir: Path, tmp_path: Path, quickstatements: str) -> None:
    out = tmp_path / "again.tsv"
    assert cli_main(["export", "quickstatements", "--store", str(built_store_dir), "--out", str(out)]) == 0
    assert out.read_bytes() == quickstatements.encode("utf-8")
    assert quickstatements.splitlines() == sorted(set(quickstatements.splitlines()))


def test_quickstatements_summary_counts_what_was_skipped(built_store_dir: Path, tmp_path: Path, capsys) -> None:
    assert (
        cli_main(["export", "quickstatements", "--store", str(built_store_dir), "--out", str(tmp_path / "q.tsv")]) == 0
    )
    summary = capsys.readouterr().out
    assert re.search(r"skipped [1-9][0-9]*: " + re.escape(NO_HANDLE), summary)  # Dresden's X handle is unknown
    assert re.search(r"skipped [1-9][0-9]*: " + re.escape(NO_QID), summary)
    assert re.search(r"not exported [1-9][0-9]*: gs:Suspension", summary)


SMALL_GRAPH = """
@prefix gs: <https://w3id.org/govsocial/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <http://schema.org/> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix pl: <https://w3id.org/govsocial/id/platform/> .
@prefix o: <https://w3id.org/govsocial/id/org/> .
@prefix ac: <https://w3id.org/govsocial/id/account/x/> .
@prefix ev: <https://w3id.org/govsocial/id/event/> .
@prefix src: <https://w3id.org/govsocial/id/source/> .
pl:x gs:wikidataAccountProperty wd:P2002 .
pl:whatsapp a gs:Platform .
o:a owl:sameAs wd:Q1 . o:b owl:sameAs wd:Q2 .
ac:a gs:handle "a_handle" ; gs:heldBy o:a ; gs:platform pl:x .
ac:b gs:handle "b_handle" ; gs:heldBy o:b ; gs:platform pl:x .
ac:c gs:handle "c_handle" ; gs:platform pl:x .
ev:e1 a gs:Departure ; gs:institution o:a ; gs:platform pl:x ; gs:account ac:a ;
    gs:date "2024-02-01"^^<http://www.w3.org/2001/XMLSchema#date> ; gs:datePrecision gs:MonthPrecision ;
    prov:wasDerivedFrom src:s .
ev:e2 a gs:Joining ; gs:institution o:b ; gs:platform pl:x ;
    gs:date "2019-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ; gs:datePrecision gs:YearPrecision ;
    prov:wasDerivedFrom src:t .
ev:e3 a gs:Suspension ; gs:institution o:a ; gs:platform pl:x ; gs:account ac:a ;
    gs:date "2025-01-15"^^<http://www.w3.org/2001/XMLSchema#date> ; gs:datePrecision gs:DayPrecision .
ev:e4 a gs:Departure ; gs:institution o:c ; gs:platform pl:x ; gs:account ac:c ;
    gs:date "2024-03-01"^^<http://www.w3.org/2001/XMLSchema#date> ; gs:datePrecision gs:MonthPrecision .
ev:e5 a gs:Joining ; gs:institution o:a ; gs:platform pl:whatsapp .
ev:e6 a gs:Departure ; gs:institution o:b ; gs:platform pl:x ; gs:account ac:b .
src:s schema:url <https://example.org/article> .
src:t owl:sameAs wd:Q42 .
"""


def test_quickstatements_precision_references_and_skips_on_a_small_graph() -> None:
    """Month and year precision, a URL or a stated-in reference, and each kind of skip, on a graph of its own."""
    store = MemoryStore()
    store.load(SMALL_GRAPH.encode(), format=RdfFormat.TURTLE)
    result = export(store)
    assert result.lines == [
        'Q1\tP2002\t"a_handle"\tP582\t+2024-02-01T00:00:00Z/10\tS854\t"https://example.org/article"',
        'Q2\tP2002\t"b_handle"\tP580\t+2019-01-01T00:00:00Z/9\tS248\tQ42',  # the holder's account on X
    ]
    assert result.skipped == {NO_QID: 1, NO_PROPERTY: 1, NO_DATE: 1}
    assert result.suspensions == 1
