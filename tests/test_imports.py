"""`govsocial import NAME INPUT...`: the four data-set imports on the real files of shared/data/.

The imports run once per test session into a temporary copy of data/curated (in their dependency order),
and the tests query what they wrote. Nothing is mocked: the inputs are the published files, so a change
in an importer's decisions (counts, matches, exclusions) shows up here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store

from server.build.pipeline import build
from server.imports import IMPORTERS, main
from server.imports.common import DATASET_FILE, MATCHING_FILE
from server.imports.fedipol import decide
from server.imports.matching import KnownGraph, Query, normalise
from server.imports.rdf import slug
from server.rdf.namespaces import PREFIXES, graph_iri
from server.settings import PROJECT_DIR

from .support import DATA_DIR, ONTOLOGY_DIR, SHARED_DIR

DATA_SETS = SHARED_DIR / "data"
ENTITIES = SHARED_DIR / "reference" / "entities.tsv"
ORG = "https://w3id.org/govsocial/id/org/"
WD = "http://www.wikidata.org/entity/"
FEDIPOL_JSON = DATA_SETS / "fedipol" / "fedipol_data.json"

#: Each import's command line, in the order the imports build on each other.
RUNS: list[list[str]] = [
    [
        "territory",
        str(DATA_SETS / "geo-api-de-admin" / "de_kreise_seed.tsv"),
        str(DATA_SETS / "geo-api-de-admin" / "de_municipality_seed.tsv"),
        str(DATA_SETS / "government-helper-tables" / "tbl_Bundeslaender.csv"),
        str(ENTITIES),
    ],
    [
        "federal-ministries",
        str(DATA_SETS / "government-helper-tables" / "tbl_Bundesministerien_2017-2021.csv"),
        str(DATA_SETS / "government-helper-tables" / "tbl_Bundesministerien_2021-2025.csv"),
        str(ENTITIES),
    ],
    ["universities", str(DATA_SETS / "mastodon-hochschulliste-54grad" / "wikidata-mastodon-hochschulen-de.json")],
    ["fedipol", str(FEDIPOL_JSON)],
]
IMPORT_NAMES = [run[0] for run in RUNS]

pytestmark = pytest.mark.skipif(
    not DATA_SETS.is_dir() or not ENTITIES.is_file(), reason=f"the data sets are not available at {DATA_SETS}"
)


def run_all(data_dir: Path) -> None:
    """Copy the curated data into `data_dir` and run every import there, as a user would in order."""
    shutil.copytree(DATA_DIR / "curated", data_dir / "curated")
    for run in RUNS:
        assert main([*run, "--data-dir", str(data_dir)]) == 0, run[0]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the curated data and all four imports, generated from the real files."""
    data_dir = tmp_path_factory.mktemp("imported") / "data"
    run_all(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def graph(imported: Path) -> Store:
    """The curated data and every import in one in-memory store, each folder in its own named graph."""
    store = Store()
    for folder in sorted(p for p in imported.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix in {".ttl", ".nt"}:
                fmt = RdfFormat.TURTLE if path.suffix == ".ttl" else RdfFormat.N_TRIPLES
                store.bulk_load(path=str(path), format=fmt, to_graph=NamedNode(graph_iri(folder.name)))
                store.bulk_load(path=str(path), format=fmt, to_graph=DefaultGraph())  # the merge, as the build does
    return store


def select(store: Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the default graph (the merge of the graphs), as plain strings."""
    result = store.query(query, prefixes=PREFIXES)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def count(store: Store, pattern: str) -> int:
    return int(select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")[0]["n"])


def ask(store: Store, query: str) -> bool:
    return bool(store.query(query, prefixes=PREFIXES))


# ---------------------------------------------------------------------------------------------
# territory
# ---------------------------------------------------------------------------------------------


def test_territory_has_germany_16_laender_400_kreise_and_10949_gemeinden(graph: Store) -> None:
    """Every Land, every current Kreis (kreisfreie Städte included) and every Gemeinde row is one resource."""
    assert count(graph, "?x a gs:Country") == 1
    assert count(graph, "?x a gs:FederalState") == 16
    assert count(graph, "?x a gs:District") == 400
    assert count(graph, "?x a gs:Municipality") == 10949
    assert (
        count(graph, "GRAPH <https://w3id.org/govsocial/graph/territory> { ?x gs:ags ?ags }") == 11243 - 4
    )  # the curated 4 say it


def test_import_does_not_repeat_what_the_curated_data_says(graph: Store) -> None:
    """The union default graph must not see a curated statement twice (labels, AGS, QIDs of matched bodies)."""
    assert not ask(
        graph, "ASK { GRAPH <https://w3id.org/govsocial/graph/territory> { institution:dresden gs:ags ?a } }"
    )
    rows = select(graph, 'SELECT ?label WHERE { institution:dresden rdfs:label ?label FILTER(LANG(?label) = "de") }')
    assert rows == [{"label": "Dresden"}]


def test_obsolete_kreis_eisenach_is_left_out_and_the_city_lies_in_the_wartburgkreis(graph: Store) -> None:
    """Kreis 16056 Eisenach (merged in 2021) has no Gemeinde in the file: not imported, and the report says so."""
    assert not ask(graph, 'ASK { ?x gs:ags "16056" }')
    rows = select(graph, 'SELECT ?kreis WHERE { ?city gs:ags "16063105" ; gs:locatedIn ?kreis }')
    assert [row["kreis"] for row in rows] == [ORG + "wartburgkreis-16063"]


def test_dresden_is_the_curated_resource_with_its_ags_and_qid(graph: Store) -> None:
    """Matched by QID Q1731: the territory graph describes institution:dresden, not a second Dresden."""
    assert ask(
        graph, 'ASK { institution:dresden gs:ags "14612000" ; owl:sameAs wd:Q1731 ; gs:locatedIn institution:sachsen }'
    )
    assert ask(
        graph, "ASK { GRAPH <https://w3id.org/govsocial/graph/territory> { institution:dresden a gs:District } }"
    )
    assert [r["x"] for r in select(graph, "SELECT DISTINCT ?x WHERE { ?x owl:sameAs wd:Q1731 }")] == [ORG + "dresden"]


def test_zwickau_lies_in_landkreis_zwickau_both_the_curated_resources(graph: Store) -> None:
    """Zwickau Q3778 is a Gemeinde of the Landkreis Zwickau Q6330 (not kreisfrei since 2008)."""
    assert ask(
        graph,
        """ASK { institution:zwickau owl:sameAs wd:Q3778 ; gs:locatedIn institution:landkreis-zwickau .
                 institution:landkreis-zwickau owl:sameAs wd:Q6330 ; gs:ags "14524" ;
                                               gs:locatedIn institution:sachsen }""",
    )
    rows = select(graph, 'SELECT ?x WHERE { ?x gs:ags "14524330" }')
    assert rows == [{"x": ORG + "zwickau"}]


def test_every_wikidata_item_is_one_resource(graph: Store) -> None:
    """Kreis and Gemeinde rows of a kreisfreie Stadt, and the city-states, share a QID: one resource each."""
    shared = select(
        graph,
        """SELECT ?item (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x owl:sameAs ?item }
           GROUP BY ?item HAVING (COUNT(DISTINCT ?x) > 1)""",
    )
    assert shared == []


@pytest.mark.parametrize(("resource", "qid", "ags"), [("berlin", "Q64", "11000000"), ("hamburg", "Q1055", "02000000")])
def test_city_state_is_one_land_that_is_also_its_municipality(graph: Store, resource: str, qid: str, ags: str) -> None:
    """Berlin and Hamburg: Land, Kreis and Gemeinde in one resource at state level, with the Gemeinde's QID."""
    assert ask(
        graph,
        f"""ASK {{ institution:{resource} a gs:FederalState , gs:Municipality , gs:District ;
                   gs:level gs:StateLevel ; gs:ags "{ags}" ; owl:sameAs wd:{qid} ;
                   gs:locatedIn institution:deutschland }}""",
    )
    assert count(graph, f'?x gs:ags "{ags}"') == 1


def test_laender_have_only_verified_qids_and_the_others_none(graph: Store) -> None:
    """Länder QIDs come from verified rows of entities.tsv (or a city-state's Gemeinde row), never from a list."""
    rows = select(graph, "SELECT ?land ?item WHERE { ?land a gs:FederalState . OPTIONAL { ?land owl:sameAs ?item } }")
    with_qid = {row["land"].removeprefix(ORG): row["item"].removeprefix(WD) for row in rows if "item" in row}
    assert with_qid == {
        "baden-wuerttemberg": "Q985",
        "bayern": "Q980",
        "niedersachsen": "Q1197",
        "nordrhein-westfalen": "Q1198",
        "sachsen": "Q1202",
        "thueringen": "Q1205",
        "berlin": "Q64",
        "hamburg": "Q1055",
        "brandenburg": "Q1208",
        "hessen": "Q1199",
        "mecklenburg-vorpommern": "Q1196",
        "rheinland-pfalz": "Q1200",
        "saarland": "Q1201",
        "sachsen-anhalt": "Q1206",
        "schleswig-holstein": "Q1194",
        # the Land "Freie Hansestadt Bremen" (two Gemeinden), not the city of Bremen (Q24879)
        "bremen": "Q1209",
    }
    assert ask(graph, "ASK { institution:bremen-04011000 owl:sameAs wd:Q24879 }")


def test_land_key_is_a_state_key_not_an_ags(graph: Store) -> None:
    """The 2-digit Land key is gs:stateKey; no gs:ags has two digits."""
    assert ask(graph, 'ASK { institution:sachsen gs:stateKey "14" ; skos:notation "SN" }')
    assert not ask(graph, "ASK { ?x gs:ags ?key FILTER(STRLEN(?key) = 2) }")


def test_every_gemeinde_lies_in_a_kreis_or_its_land_and_every_kreis_in_a_land(graph: Store) -> None:
    """Gemeinde -> Kreis -> Land -> Deutschland, a kreisfreie Stadt directly in its Land."""
    assert not ask(
        graph,
        """ASK { ?x a gs:Municipality FILTER NOT EXISTS { ?x a gs:FederalState }
                 FILTER NOT EXISTS { ?x gs:locatedIn ?parent .
                                     { ?parent a gs:District } UNION { ?parent a gs:FederalState } } }""",
    )
    assert not ask(graph, "ASK { ?x a gs:District FILTER NOT EXISTS { ?x gs:locatedIn+ institution:deutschland } }")


# ---------------------------------------------------------------------------------------------
# federal-ministries
# ---------------------------------------------------------------------------------------------


def test_ministries_of_both_periods_are_listed_with_the_curated_ones_kept(graph: Store) -> None:
    """14 ministries in 2017-2021, 15 in 2021-2025; the four with verified QIDs are the curated resources."""
    assert count(graph, "?x gs:listedInPeriod <https://w3id.org/govsocial/id/period/bundesregierung-2017-2021>") == 14
    assert count(graph, "?x gs:listedInPeriod <https://w3id.org/govsocial/id/period/bundesregierung-2021-2025>") == 15
    assert count(graph, "?x gs:listedInPeriod ?period") == 19
    for curated, qid in {"bmvg": "Q493353", "bmfsfj": "Q166020", "bmwsb": "Q110021824", "bmi": "Q502698"}.items():
        assert ask(
            graph,
            f"ASK {{ institution:{curated} owl:sameAs wd:{qid} ; gs:level gs:FederalLevel ; "
            f"org:subOrganizationOf institution:bundesregierung . GRAPH <{graph_iri('federal-ministries')}> "
            f"{{ institution:{curated} gs:listedInPeriod ?p }} }}",
        )


def test_renamed_bmi_is_one_resource_with_both_names(graph: Store) -> None:
    """The BMI of 2017-2021 ("für Bau und Heimat") and of 2021-2025 is institution:bmi, listed in both periods."""
    rows = select(
        graph,
        """SELECT ?name WHERE { institution:bmi gs:listedInPeriod ?p1 , ?p2 FILTER(?p1 != ?p2)
                                 { institution:bmi rdfs:label ?name } UNION
                                 { institution:bmi skos:altLabel ?name } }""",
    )
    names = {row["name"] for row in rows}
    assert {"Bundesministerium des Innern, für Bau und Heimat", "Bundesministerium des Innern und für Heimat"} <= names
    assert count(graph, '?x rdfs:label|skos:altLabel "Bundesministerium des Innern, für Bau und Heimat"@de') == 1


def test_ministries_with_a_new_abbreviation_stay_apart_and_have_no_founding_date(graph: Store) -> None:
    """BMWi and BMWK are two resources (not checked to be one body); no ministry gets a start or end date."""
    assert ask(graph, "ASK { institution:bmwi a gs:Ministry . institution:bmwk a gs:Ministry }")
    assert not ask(graph, "ASK { ?m a gs:Ministry ; schema:startDate|schema:endDate ?date }")


# ---------------------------------------------------------------------------------------------
# fedipol
# ---------------------------------------------------------------------------------------------


def test_fedipol_gives_more_than_100_institutional_mastodon_joinings_dated_to_the_day(graph: Store) -> None:
    """Each institutional account's created_at is a gs:Joining on Mastodon at day precision, with its source."""
    joinings = select(
        graph,
        """SELECT ?event ?date ?holder WHERE { GRAPH <https://w3id.org/govsocial/graph/fedipol> {
             ?event a gs:Joining ; gs:platform platform:mastodon ; gs:institution ?holder ; gs:account ?account ;
                    gs:date ?date ; gs:datePrecision gs:DayPrecision ; prov:wasDerivedFrom source:fedipol } }""",
    )
    assert len(joinings) > 100
    for row in joinings:
        assert row["event"].endswith(f"/{row['date']}-{row['holder'].removeprefix(ORG)}-mastodon-joining")


def test_landtag_in_fedipol_and_curated_data_is_one_resource(graph: Store) -> None:
    """The Niedersächsischer Landtag's account is held by the curated institution, no second Landtag is made."""
    assert ask(
        graph,
        """ASK { ?account gs:heldBy institution:niedersaechsischer-landtag ; gs:handle "LT_Nds" ;
                          gs:instance "social.bund.de" ; schema:url <https://social.bund.de/@LT_Nds> .
                 ?event gs:account ?account ; gs:date "2022-12-20"^^xsd:date }""",
    )
    assert count(graph, '?x rdfs:label "Niedersächsischer Landtag"@de') == 1


def test_curated_mastodon_account_without_handle_gets_it_instead_of_a_second_account(graph: Store) -> None:
    """The LfD Niedersachsen's curated Mastodon account is fedipol's @datenschutz_nds: one account."""
    rows = select(graph, "SELECT ?a ?handle WHERE { ?a gs:heldBy institution:lfd-niedersachsen ; gs:handle ?handle }")
    assert rows == [
        {"a": "https://w3id.org/govsocial/id/account/mastodon/lfd-niedersachsen", "handle": "datenschutz_nds"}
    ]


@pytest.mark.parametrize(
    ("category", "included"),
    [
        ("Institution (Instanz)", True),
        ("Landesparlament", True),
        ("Bundesministerium", True),
        ("oberstes Gericht", True),
        ("Landesbeauftragter für den Datenschutz", True),
        ("Behörde", True),
        ("Mitglied des Deutschen Bundestages (Grüne)", False),
        (" (Grüne)", False),
        ("Kreisverband (Die PARTEI)", False),
        ("SPD-Ortsverein (SPD)", False),
        ("politische Partei", False),
        ("Mensch", False),
        ("Stiftung", False),
        ("Bürgermeister der Gemeinde Gilching (SPD)", False),
        ("a category nobody decided", False),
    ],
)
def test_category_decides_whether_a_holder_is_an_institution(category: str, included: bool) -> None:
    """Institutional categories are imported; politicians, parties, branches, people, foundations are not."""
    assert decide(category)[0] is included


def test_every_category_of_the_data_set_is_decided_explicitly() -> None:
    """No category falls through to "unknown": a new one in the data set must be decided in the code."""
    categories = {entry["account"]["category"] for entry in json.loads(FEDIPOL_JSON.read_text())["data"].values()}
    assert [c for c in sorted(categories) if decide(c)[1].startswith("unknown")] == []


def test_no_politician_party_or_branch_account_is_imported(graph: Store) -> None:
    """No account URL of an excluded category (MdB, party, Kreisverband, Mensch ...) is in the fedipol graph."""
    data = json.loads(FEDIPOL_JSON.read_text())["data"]
    imported = {row["url"] for row in select(graph, "SELECT ?url WHERE { ?a a gs:Account ; schema:url ?url }")}
    excluded = {url for url, entry in data.items() if not decide(entry["account"]["category"])[0]}
    assert len(excluded) > 900
    assert imported & excluded == set()
    assert "https://social.bund.de/@bundestag" in imported
    assert "https://gruene.social/@gruene_ol" not in imported


def test_accounts_listed_twice_with_different_case_are_one_account(graph: Store) -> None:
    """@DeutscherWetterdienst and @deutscherwetterdienst on social.bund.de are the same Mastodon account."""
    rows = select(
        graph,
        """SELECT DISTINCT ?a WHERE { ?a gs:instance "social.bund.de" ; gs:handle ?h
                                     FILTER(LCASE(?h) = "deutscherwetterdienst") }""",
    )
    assert len(rows) == 1


def test_created_holders_have_one_level_and_a_class_from_their_category(graph: Store) -> None:
    """Courts are gs:Court, Landtage state-level parliaments with their Land as jurisdiction."""
    assert ask(graph, "ASK { institution:bundesgerichtshof a gs:Court ; gs:level gs:FederalLevel }")
    assert ask(
        graph,
        """ASK { institution:bayerischer-landtag a gs:Parliament ; gs:level gs:StateLevel ;
                   gs:jurisdiction institution:bayern ; org:subOrganizationOf institution:bayern }""",
    )
    assert not ask(graph, "ASK { ?x gs:level ?a , ?b FILTER(?a != ?b) }")


def test_city_administration_is_the_municipality(graph: Store) -> None:
    """ "Stadtverwaltung Köln" holds its account as the Gemeinde Köln from the territory import."""
    rows = select(graph, 'SELECT ?holder WHERE { ?a gs:handle "koeln" ; gs:heldBy ?holder }')
    assert [row["holder"] for row in rows] == [ORG + "koeln-05315000"]


def test_renamed_ministry_is_reported_ambiguous_and_not_merged(imported: Path, graph: Store) -> None:
    """@bmdv now names the "Bundesministerium für Verkehr": its handle points to the BMDV, its name does not."""
    holder = select(graph, 'SELECT ?holder WHERE { ?a gs:handle "bmdv" ; gs:heldBy ?holder }')[0]["holder"]
    assert holder != ORG + "bmdv"
    report = (imported / "fedipol" / MATCHING_FILE).read_text(encoding="utf-8")
    ambiguous = report.split("## Ambiguous")[1].split("## Created")[0]
    assert "@bmdv@social.bund.de" in ambiguous and "institution:bmdv" in ambiguous


@pytest.mark.parametrize(
    ("handle", "opened_by", "holder"),
    [
        ("bmbf_bund", "bmbf", "bundesministerium-fuer-forschung-technologie-und-raumfahrt"),  # opened 2022
        ("bmdv", "bmdv", "bundesministerium-fuer-verkehr"),  # opened 2022
        ("umweltministerium", None, None),  # opened 2025-06-03, after the renamings: its holder opened it
    ],
)
def test_account_opened_before_a_renaming_joins_for_the_ministry_of_its_time(
    graph: Store, handle: str, opened_by: str | None, holder: str | None
) -> None:
    """The joining belongs to the body that existed on the creation day; the account to today's ministry."""
    row = select(
        graph,
        f"""SELECT ?holder ?institution ?change ?date WHERE {{
              ?a gs:handle "{handle}" ; gs:heldBy ?holder . ?e gs:account ?a ; gs:institution ?institution .
              OPTIONAL {{ ?e prov:wasInfluencedBy ?change . ?change a org:ChangeEvent ; gs:date ?date ;
                          org:originalOrganization ?institution ; org:resultingOrganization ?holder }} }}""",
    )[0]
    if opened_by is None:
        assert row["institution"] == row["holder"] and "change" not in row
    else:
        assert (row["institution"], row["holder"]) == (ORG + opened_by, ORG + holder)
        assert row["date"] == "2025-05-06" and row["change"].startswith("https://w3id.org/govsocial/id/change/")


def test_land_government_accounts_are_held_alike(graph: Store) -> None:
    """@landesregierung on social.hessen.de ("Hessische Staatskanzlei") and on social.schleswig-holstein.de
    ("Land Schleswig-Holstein") are held alike: by the Land's gs:Government, a part of the Land."""
    rows = select(
        graph,
        """SELECT ?host ?land WHERE { ?a gs:handle "landesregierung" ; gs:instance ?host ; gs:heldBy ?g .
                                     ?g a gs:Government ; org:subOrganizationOf ?land . ?land a gs:FederalState }
           ORDER BY ?host""",
    )
    assert [(r["host"], r["land"]) for r in rows] == [
        ("social.hessen.de", ORG + "hessen"),
        ("social.schleswig-holstein.de", ORG + "schleswig-holstein"),
    ]
    # and the Land's ministries created from the same data set are parts of that government
    assert ask(graph, "ASK { institution:hessisches-finanzministerium org:subOrganizationOf ?g . ?g a gs:Government }")


@pytest.mark.parametrize(
    "body", ["fraunhofer-fokus", "dlr", "forschungszentrum-dzne", "helmholtz-munich", "zentrum-digitale-souveraenitaet"]
)
def test_a_body_under_private_law_is_no_public_institution(graph: Store, body: str) -> None:
    """One criterion for all: the legal form a public page states. An e.V. or a GmbH on social.bund.de is an
    org:Organization with a source, and the import links its account to it instead of making it public."""
    assert ask(graph, f"ASK {{ ?a gs:heldBy institution:{body} . institution:{body} a org:Organization }}")
    assert not ask(graph, f"ASK {{ institution:{body} a/rdfs:subClassOf* gs:PublicInstitution }}")
    assert not ask(graph, f"ASK {{ institution:{body} a schema:GovernmentOrganization }}")
    assert ask(graph, f"ASK {{ institution:{body} prov:wasDerivedFrom ?s . ?s schema:url ?u ; gs:evidence ?e }}")


def test_created_holders_have_the_parent_their_source_names(graph: Store) -> None:
    """Agencies under their ministry (from a cited page), a unit under its body, a Land ministry under its
    government; most created public holders now have a parent."""
    for child, parent in [
        ("robert-koch-institut", "bmg"),
        ("cert-bund", "bsi"),
        ("heute-im-bundestag", "deutscher-bundestag"),
    ]:
        assert ask(graph, f"ASK {{ institution:{child} org:subOrganizationOf institution:{parent} }}"), child
    created = select(
        graph,
        f"""SELECT (COUNT(DISTINCT ?h) AS ?all) (COUNT(DISTINCT ?p) AS ?with) WHERE {{
              GRAPH <{graph_iri("fedipol")}> {{ ?a gs:heldBy ?h . ?h a ?type }}
              OPTIONAL {{ ?h org:subOrganizationOf ?parent BIND (?h AS ?p) }} }}""",
    )[0]
    assert int(created["with"]) * 3 > int(created["all"]) * 2, created  # more than two thirds


# ---------------------------------------------------------------------------------------------
# universities
# ---------------------------------------------------------------------------------------------


def test_universities_are_higher_education_institutions_with_their_items(graph: Store) -> None:
    """41 rows, 41 Hochschulen with owl:sameAs the queried item and a Mastodon account; no joining (no date)."""
    assert (
        count(
            graph,
            f"GRAPH <{graph_iri('universities')}> {{ ?x a gs:HigherEducationInstitution ; owl:sameAs ?i }}",
        )
        == 41
    )
    assert ask(
        graph,
        """ASK { ?u owl:sameAs wd:Q154804 ; rdfs:label "Universität Leipzig"@de .
                 ?a gs:heldBy ?u ; gs:handle "unileipzig" }""",
    )
    assert not ask(graph, "ASK { GRAPH <https://w3id.org/govsocial/graph/universities> { ?e a gs:Joining } }")


@pytest.mark.parametrize(
    ("university", "land"),
    [
        ("technische-universitaet-dresden", "sachsen"),  # the name names Dresden
        ("karlsruher-institut-fuer-technologie", "baden-wuerttemberg"),  # an adjective: Karlsruher
        ("carl-von-ossietzky-universitaet-oldenburg", "niedersachsen"),  # not Oldenburg in Holstein (SH)
        ("paedagogische-hochschule-weingarten", "baden-wuerttemberg"),  # not Weingarten (Pfalz): bawü.social
        ("universitaet-hohenheim", "baden-wuerttemberg"),  # no municipality in the name: bawü.social
        ("hochschule-anhalt", "sachsen-anhalt"),  # neither: the curated data states it, with a source
        ("universitaet-der-bundeswehr-muenchen", "deutschland"),  # a federal Hochschule
    ],
)
def test_every_university_has_the_jurisdiction_its_name_or_server_gives(
    graph: Store, university: str, land: str
) -> None:
    """The list names no Land; the import finds it without guessing, and every Hochschule has one."""
    values = select(graph, f"SELECT ?j WHERE {{ institution:{university} gs:jurisdiction ?j }}")
    assert [row["j"].rsplit("/", 1)[-1] for row in values] == [land]
    assert not ask(graph, "ASK { ?u a gs:HigherEducationInstitution FILTER NOT EXISTS { ?u gs:jurisdiction ?j } }")


def test_account_in_universities_and_fedipol_is_one_account(graph: Store) -> None:
    """@unibwm@social.bund.de: one account, held by the Universität der Bundeswehr, with fedipol's URL and joining."""
    rows = select(
        graph,
        'SELECT DISTINCT ?a ?holder WHERE { ?a gs:instance "social.bund.de" ; gs:handle "unibwm" ; gs:heldBy ?holder }',
    )
    assert len(rows) == 1
    assert ask(graph, f"ASK {{ <{rows[0]['holder']}> owl:sameAs wd:Q283099 ; gs:level gs:FederalLevel }}")
    assert ask(graph, f"ASK {{ ?e a gs:Joining ; gs:account <{rows[0]['a']}> ; gs:date ?d }}")


def test_mastodon_hosts_are_written_in_unicode(graph: Store) -> None:
    """xn--baw-joa.social (fedipol) and bawü.social (universities) are one host name."""
    assert not ask(graph, 'ASK { ?a gs:instance ?h FILTER(STRSTARTS(?h, "xn--")) }')
    assert ask(graph, 'ASK { ?a gs:handle "stuttgart" ; gs:instance "bawü.social" }')


# ---------------------------------------------------------------------------------------------
# every import: graph description, IRIs, reports, reproducibility, the command
# ---------------------------------------------------------------------------------------------

LICENCES = {
    "territory": {
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "https://www.govdata.de/dl-de/by-2-0",
        "https://www.govdata.de/dl-de/zero-2-0",
    },
    "federal-ministries": {"https://www.govdata.de/dl-de/zero-2-0"},
    "universities": {"https://creativecommons.org/publicdomain/zero/1.0/"},
    "fedipol": {"https://creativecommons.org/licenses/by-sa/4.0/"},
}


@pytest.mark.parametrize("name", IMPORT_NAMES)
def test_graph_describes_its_source_licence_and_import_date(graph: Store, name: str) -> None:
    """Each graph is a void:Dataset with the repository at its commit, its licences and the import date, in itself."""
    rows = select(
        graph,
        f"""SELECT ?source ?licence ?issued WHERE {{ GRAPH <{graph_iri(name)}> {{
              <{graph_iri(name)}> a <http://rdfs.org/ns/void#Dataset> ; dcterms:source ?source ;
                  dcterms:license ?licence ; dcterms:issued ?issued ; prov:wasDerivedFrom ?dataset .
              ?dataset a gs:Source ; dcterms:identifier ?id ; dcterms:language ?language }} }}""",
    )
    assert rows
    assert {row["licence"] for row in rows} == LICENCES[name]
    assert all(re.search(r"/tree/[0-9a-f]{40}$", row["source"]) for row in rows)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["issued"]) for row in rows)


def test_every_minted_institution_iri_has_a_valid_slug(graph: Store) -> None:
    """Slugs are lower-case ASCII with hyphens (ä -> ae, ß -> ss)."""
    iris = [row["x"] for row in select(graph, "SELECT DISTINCT ?x WHERE { ?x gs:level ?level }")]
    assert len(iris) > 11000
    bad = [i for i in iris if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i.removeprefix(ORG))]
    assert bad == []
    assert slug("Groß Schönebeck") == "gross-schoenebeck"
    assert normalise("Landeshauptstadt  Dresden") == normalise("dresden")


def test_name_shared_by_several_gemeinden_of_a_land_is_ambiguous(imported: Path) -> None:
    """Neuenkirchen exists several times in Niedersachsen: a name alone must not pick one of them."""
    known = KnownGraph.load([imported / "curated", imported / "territory"])
    niedersachsen = ORG + "niedersachsen"
    match = known.match(Query(names=("Gemeinde Neuenkirchen",), cls="Municipality", land=niedersachsen))
    assert match.method == "ambiguous" and match.iri is None and len(match.candidates) > 1
    unique = known.match(Query(names=("Neuwittenbek",), cls="Municipality", land=ORG + "schleswig-holstein"))
    assert (unique.method, unique.iri) == ("name", ORG + "neuwittenbek-01058112")


@pytest.mark.parametrize("name", IMPORT_NAMES)
def test_matching_report_lists_figures_and_is_written(imported: Path, name: str) -> None:
    """MATCHING.md and README.md are written beside the data, with the figures of the run."""
    report = (imported / name / MATCHING_FILE).read_text(encoding="utf-8")
    assert report.startswith(f"# Matching report: import `{name}`")
    assert "## Figures" in report and "matched by" in report
    assert (imported / name / "README.md").read_text(encoding="utf-8").startswith(f"# data/{name}:")


def test_same_input_gives_byte_identical_files(imported: Path, tmp_path: Path) -> None:
    """A second run into another folder writes exactly the same bytes (sorted output, no changing timestamps)."""
    again = tmp_path / "data"
    run_all(again)
    for name in IMPORT_NAMES:
        first = {p.name: p.read_bytes() for p in sorted((imported / name).iterdir())}
        second = {p.name: p.read_bytes() for p in sorted((again / name).iterdir())}
        assert first == second, name


@pytest.mark.parametrize("name", IMPORT_NAMES)
def test_data_folder_holds_what_the_importer_writes_today(imported: Path, name: str) -> None:
    """data/<name>/ of the checkout is up to date: regenerating gives the same files (up to the import date)."""
    checked_in = DATA_DIR / name
    if not checked_in.is_dir():
        pytest.skip(f"{checked_in} has not been generated")

    def files(folder: Path) -> dict[str, str]:
        return {
            p.name: re.sub(r'dcterms:issued "[0-9-]+"', "dcterms:issued DATE", p.read_text(encoding="utf-8"))
            for p in sorted(folder.iterdir())
            if p.is_file()
        }

    assert files(checked_in) == files(imported / name)


def test_rerun_keeps_the_import_date_unless_the_output_changed(tmp_path: Path, monkeypatch) -> None:
    """The import date stays when nothing changed; a folder that no longer matches the input is rewritten."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR / "curated", data_dir / "curated")
    run = [*RUNS[1], "--data-dir", str(data_dir)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    assert main(run) == 0
    dataset = data_dir / "federal-ministries" / DATASET_FILE
    assert 'dcterms:issued "2023-11-14"^^xsd:date' in dataset.read_text(encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # 2027-01-15
    assert main(run) == 0
    assert 'dcterms:issued "2023-11-14"^^xsd:date' in dataset.read_text(encoding="utf-8")
    (data_dir / "federal-ministries" / MATCHING_FILE).write_text("edited by hand\n", encoding="utf-8")
    assert main(run) == 0
    assert 'dcterms:issued "2027-01-15"^^xsd:date' in dataset.read_text(encoding="utf-8")


def test_command_lists_the_imports_in_dependency_order() -> None:
    """`python -m server.imports --list` names every import; each comes after the ones it needs."""
    result = subprocess.run(
        [sys.executable, "-m", "server.imports", "--list"], capture_output=True, text=True, cwd=PROJECT_DIR, check=True
    )
    listed = [line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert sorted(listed) == sorted(IMPORTERS)
    positions = {name: listed.index(name) for name in listed}
    for importer in IMPORTERS.values():
        assert all(positions[need] < positions[importer.name] for need in importer.needs)


def test_command_refuses_an_import_whose_dependencies_are_missing(tmp_path: Path) -> None:
    """fedipol matches against territory and the ministries: without them it stops and says what to run."""
    result = subprocess.run(
        [sys.executable, "-m", "server.imports", "fedipol", str(FEDIPOL_JSON), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 1
    assert "govsocial import territory" in result.stderr
    assert not (tmp_path / "fedipol").exists()


def test_command_refuses_a_file_that_is_not_an_input(tmp_path: Path) -> None:
    """A wrong file is a clear error (exit 1), not a traceback."""
    assert main(["territory", str(FEDIPOL_JSON), "--data-dir", str(tmp_path)]) == 1


@pytest.mark.slow
def test_build_accepts_curated_data_and_all_imports_slow(imported: Path, tmp_path: Path) -> None:
    """SLOW (about 15-20 s): a full build validates ~130,000 statements with the SHACL shapes (pyshacl + Oxigraph).

    This is the proof that every import conforms to ontology/shapes.ttl together with the curated data.
    """
    info = build(tmp_path / "store", ONTOLOGY_DIR, imported)
    assert {graph_iri(name) for name in IMPORT_NAMES} <= set(info.graphs)
    assert info.graphs[graph_iri("territory")] > 100_000
