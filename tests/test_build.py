"""`govsocial build`: validation before loading, named graphs, versions, and the atomic switch."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import RdfFormat

from server.build.inputs import discover
from server.build.pipeline import build
from server.build.validation.problems import ValidationFailed
from server.engine.query import run_query
from server.rdf.namespaces import graph_iri
from server.store.builds import BUILDS, CURRENT, ENGINE_DIR, INFO_FILE, current_build, hold_build, open_store

from .support import DATA_DIR, GOVSOCIAL, ONTOLOGY_DIR, copy_curated

PREFIXES = """
@prefix gs: <https://w3id.org/govsocial/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix institution: <https://w3id.org/govsocial/id/org/> .
@prefix platform: <https://w3id.org/govsocial/id/platform/> .
@prefix event: <https://w3id.org/govsocial/id/event/> .
@prefix reason: <https://w3id.org/govsocial/id/reason/> .
@prefix source: <https://w3id.org/govsocial/id/source/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
TEST_SOURCE = """
source:test-fixture a gs:Source ; rdfs:label "Testquelle"@de ; dcterms:language "de" ;
    dcterms:identifier "fixture.txt" .
"""
EVENT = "event:2024-02-test-x-departure"
VALID_EVENT = {
    "type": "a gs:Departure",
    "label": 'rdfs:label "Testereignis"@de',
    "institution": "gs:institution institution:dresden",
    "platform": "gs:platform platform:x",
    "date": 'gs:date "2024-02-01"^^xsd:date',
    "precision": "gs:datePrecision gs:MonthPrecision",
    "reason": "gs:reason reason:hate-speech",
    "source": "prov:wasDerivedFrom source:test-fixture",
}
BROKEN_FILE = "data/curated/zz-fixture.ttl"


def event_turtle(**changes: str | None) -> str:
    """The fixture event with some statements replaced (a string) or dropped (None)."""
    statements = {**VALID_EVENT, **changes}
    body = " ;\n    ".join(value for value in statements.values() if value)
    return f"{PREFIXES}{TEST_SOURCE}\n{EVENT} {body} .\n"


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    """A copy of ontology/ and the curated data that a test may break (the imports only slow these tests)."""
    ontology, data, store = tmp_path / "ontology", tmp_path / "data", tmp_path / "store"
    shutil.copytree(ONTOLOGY_DIR, ontology)
    copy_curated(data / "curated")
    return {"ontology": ontology, "data": data, "store": store}


def test_build_loads_each_source_into_its_own_named_graph(build_info) -> None:
    """The ontology and each folder of data/ land in graphs of their own, the build's derivations in one more,
    its version in a small one of its own, and the counts add up."""
    folders = {path.name for path in DATA_DIR.iterdir() if path.is_dir()}
    own = {graph_iri("ontology"), graph_iri("derived"), graph_iri("build")}
    assert set(build_info.graphs) == own | {graph_iri(n) for n in folders}
    assert all(count > 100 for graph, count in build_info.graphs.items() if graph != graph_iri("build"))
    assert build_info.graphs[graph_iri("build")] == 5  # the version, and the graph's own description
    assert build_info.triples == sum(build_info.graphs.values())
    assert 0 < build_info.distinct_triples <= build_info.triples


def test_build_records_a_content_version_that_only_changes_with_the_data(workspace) -> None:
    """Two builds of the same files share a version; a changed file gives a new one."""
    first = build(workspace["store"], workspace["ontology"], workspace["data"])
    second = build(workspace["store"], workspace["ontology"], workspace["data"])
    assert first.version == second.version
    (workspace["data"] / "curated" / "zz-fixture.ttl").write_text(event_turtle(), encoding="utf-8")
    third = build(workspace["store"], workspace["ontology"], workspace["data"])
    assert third.version != first.version
    assert third.triples > first.triples


def test_build_keeps_only_recent_builds_and_switches_current(workspace) -> None:
    """`current` points at the newest build; older builds beyond the kept number are removed."""
    for _ in range(3):
        info = build(workspace["store"], workspace["ontology"], workspace["data"], keep=2)
    builds = sorted((workspace["store"] / "builds").iterdir())
    assert len(builds) == 2
    assert (workspace["store"] / CURRENT).is_symlink()
    assert current_build(workspace["store"]) == builds[-1].resolve()
    assert open_store(workspace["store"])[1].version == info.version


def test_fixture_event_is_valid_before_it_is_broken(workspace) -> None:
    """The control case: the unbroken fixture builds, so each failure below is due to its one change."""
    (workspace["data"] / "curated" / "zz-fixture.ttl").write_text(event_turtle(), encoding="utf-8")
    info = build(workspace["store"], workspace["ontology"], workspace["data"])
    assert info.graphs[graph_iri("curated")] > 0


BROKEN_CASES = {
    "missing source": ({"source": None}, "prov:wasDerivedFrom", ""),
    "bad date": ({"date": 'gs:date "2024-13-45"^^xsd:date'}, "gs:date", "2024-13-45"),
    "unknown reason": ({"reason": "gs:reason reason:no-such-reason"}, "gs:reason", "reason:no-such-reason"),
    "page URL as sameAs": (
        {"same": "owl:sameAs <https://www.wikidata.org/wiki/Q1731>"},
        "owl:sameAs",
        "https://www.wikidata.org/wiki/Q1731",
    ),
    "date without precision": ({"precision": None}, "", ""),
    "mid-month date at month precision": ({"date": 'gs:date "2024-02-15"^^xsd:date'}, "", ""),
    "two event classes": ({"type": "a gs:Departure, gs:Joining"}, "", ""),
    "no platform": ({"platform": None}, "gs:platform", ""),
    "English label only": ({"label": 'rdfs:label "Test event"@en'}, "", ""),
}


@pytest.mark.parametrize("case", list(BROKEN_CASES), ids=list(BROKEN_CASES))
def test_broken_data_is_refused_with_a_report_and_the_old_store_still_answers(workspace, case: str) -> None:
    """Invalid data stops the build, names file, resource and fault, and leaves `current` as it was."""
    good = build(workspace["store"], workspace["ontology"], workspace["data"])
    changes, path, value = BROKEN_CASES[case]
    (workspace["data"] / "curated" / "zz-fixture.ttl").write_text(event_turtle(**changes), encoding="utf-8")

    with pytest.raises(ValidationFailed) as refused:
        build(workspace["store"], workspace["ontology"], workspace["data"])

    report = refused.value.report()
    ours = [p for p in refused.value.problems if p.file == BROKEN_FILE]
    assert ours, report
    assert all(p.resource == EVENT for p in ours), report
    assert not path or any(p.path == path for p in ours), report
    assert not value or any(value in p.value for p in ours), report
    assert all(p.message for p in ours)
    still, info = open_store(workspace["store"])
    assert info.version == good.version
    assert bool(still.query("ASK { ?e a <https://w3id.org/govsocial/ontology#Departure> }"))
    assert len(list((workspace["store"] / "builds").iterdir())) == 1


def test_the_shapes_report_the_same_problems_in_memory_and_on_disk(workspace) -> None:
    """The in-memory copy the shapes are checked on (build_memory_mb) changes nothing but the time it takes."""
    changes = {"platform": None, "label": 'rdfs:label "Test event"@en', "date": 'gs:date "2024-02-15"^^xsd:date'}
    (workspace["data"] / "curated" / "zz-fixture.ttl").write_text(event_turtle(**changes), encoding="utf-8")
    reports = []
    for memory_mb in (2048, 0):
        with pytest.raises(ValidationFailed) as refused:
            build(workspace["store"], workspace["ontology"], workspace["data"], memory_mb=memory_mb)
        reports.append(refused.value.problems)
    assert len(reports[0]) >= 3 and reports[0] == reports[1]


def test_syntax_error_names_the_file_and_line(workspace) -> None:
    """A Turtle typo is reported with the file and the parser's position, before any shape runs."""
    (workspace["data"] / "curated" / "zz-fixture.ttl").write_text(
        PREFIXES + "event:x a gs:Departure ;\n  gs:platform .\n", encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as refused:
        build(workspace["store"], workspace["ontology"], workspace["data"])
    [problem] = refused.value.problems
    assert problem.file == BROKEN_FILE
    broken_line = PREFIXES.count("\n") + 2  # the prefixes, the event's first line, then the broken one
    assert "syntax error" in problem.message and f"line {broken_line}" in problem.message


def test_same_as_on_an_existing_resource_must_be_a_wikidata_entity(workspace) -> None:
    """A wrong sameAs added to a curated institution is reported against that institution's files."""
    (workspace["data"] / "curated" / "zz-fixture.ttl").write_text(
        PREFIXES + "institution:dresden owl:sameAs <http://dbpedia.org/resource/Dresden> .\n", encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as refused:
        build(workspace["store"], workspace["ontology"], workspace["data"])
    [problem] = [p for p in refused.value.problems if "dbpedia" in p.value]
    assert BROKEN_FILE in problem.file
    assert problem.resource == "institution:dresden"


def test_a_build_held_by_a_server_survives_later_builds(workspace) -> None:
    """Builds beyond the kept number are removed, except one a running server still reads."""
    build(workspace["store"], workspace["ontology"], workspace["data"], keep=1)
    served = current_build(workspace["store"])
    handle = hold_build(served)
    try:
        for _ in range(2):
            build(workspace["store"], workspace["ontology"], workspace["data"], keep=1)
        assert served.exists()
    finally:
        handle.close()
    build(workspace["store"], workspace["ontology"], workspace["data"], keep=1)
    assert not served.exists()
    assert len(list((workspace["store"] / "builds").iterdir())) == 1


def engine_files(store_dir: Path, before: set[Path]) -> list[Path]:
    """The data files (SST) the engine wrote into build directories that are not among `before`."""
    return [path for path in (store_dir / BUILDS).glob(f"*/{ENGINE_DIR}/*.sst") if path.parents[1] not in before]


def kill_a_build_while_it_loads(store_dir: Path) -> Path:
    """Start `govsocial build` on the store, SIGKILL it once the engine writes files; the directory it left.

    It builds the full data (ontology, curated data and imports), whose loading and validation take
    seconds after the first files appear: time enough to kill it before build.json is written.
    """
    before = set((store_dir / BUILDS).iterdir())
    env = {**os.environ, "GOVSOCIAL_ONTOLOGY_DIR": str(ONTOLOGY_DIR), "GOVSOCIAL_DATA_DIR": str(DATA_DIR)}
    process = subprocess.Popen(
        [GOVSOCIAL, "build", "--store", str(store_dir)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while not engine_files(store_dir, before):
            assert process.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline, "the build wrote no store files within 120 s"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    [partial] = set((store_dir / BUILDS).iterdir()) - before
    return partial


def test_a_killed_build_is_removed_and_the_good_builds_survive(workspace) -> None:
    """A build killed mid-way (no clean-up runs) leaves a directory without build.json behind. The next build
    removes it and keeps the newest good builds; pruning by name alone kept it and removed a good one."""
    store = workspace["store"]
    build(store, workspace["ontology"], workspace["data"], keep=2)
    first = current_build(store)
    partial = kill_a_build_while_it_loads(store)
    assert (partial / ENGINE_DIR).is_dir() and not (partial / INFO_FILE).exists()
    assert current_build(store) == first

    info = build(store, workspace["ontology"], workspace["data"], keep=2)
    second = current_build(store)
    assert {path.resolve() for path in (store / BUILDS).iterdir()} == {first, second}
    assert not partial.exists()

    kill_a_build_while_it_loads(store)
    build(store, workspace["ontology"], workspace["data"], keep=1)
    assert [path.resolve() for path in (store / BUILDS).iterdir()] == [current_build(store)]
    opened, current_info = open_store(store)
    assert current_info.version == info.version
    assert bool(opened.query("ASK { ?e a <https://w3id.org/govsocial/ontology#Departure> }"))


def test_input_suffixes_match_whatever_their_case(workspace) -> None:
    """A file saved as `.TTL` or `.Nt` is loaded like any other, not skipped without a word."""
    (workspace["data"] / "curated" / "zz-fixture.TTL").write_text(event_turtle(), encoding="utf-8")
    (workspace["data"] / "curated" / "zz-extra.Nt").write_text(
        '<https://w3id.org/govsocial/id/platform/x> <http://www.w3.org/2000/01/rdf-schema#comment> "aus .Nt"@de .\n',
        encoding="utf-8",
    )
    names = {item.name for item in discover(workspace["ontology"], workspace["data"])}
    assert {"data/curated/zz-fixture.TTL", "data/curated/zz-extra.Nt"} <= names
    build(workspace["store"], workspace["ontology"], workspace["data"])
    store, info = open_store(workspace["store"])
    assert {"data/curated/zz-fixture.TTL", "data/curated/zz-extra.Nt"} <= set(info.files)
    assert bool(run_query(store, f"ASK {{ {EVENT} a gs:Departure }}"))
    assert bool(run_query(store, 'ASK { platform:x rdfs:comment "aus .Nt"@de }'))


def test_build_writes_compressed_dumps_of_every_graph_and_of_their_union(built_store_dir: Path, build_info) -> None:
    """N-Quads hold every named graph and nothing else (the default graph is their union, which a loader makes
    itself); Turtle holds the union."""
    dumps = current_build(built_store_dir) / "dumps"
    per_graph = {f"graph-{graph.rsplit('/', 1)[-1]}.ttl.gz" for graph in build_info.graphs}
    assert set(build_info.dumps) == {"govsocial.nq.gz", "govsocial.ttl.gz", "LICENCES.txt"} | per_graph
    quads = list(pyoxigraph.parse(gzip.decompress((dumps / "govsocial.nq.gz").read_bytes()), format=RdfFormat.N_QUADS))
    named = [quad for quad in quads if isinstance(quad.graph_name, pyoxigraph.NamedNode)]
    assert len(named) == build_info.triples
    assert {quad.graph_name.value for quad in named} == set(build_info.graphs)
    assert len(quads) == len(named)  # no quad of the default graph
    assert build_info.distinct_triples == len({(q.subject, q.predicate, q.object) for q in named})
    turtle = gzip.decompress((dumps / "govsocial.ttl.gz").read_bytes())
    assert len(list(pyoxigraph.parse(turtle, format=RdfFormat.TURTLE))) == build_info.distinct_triples
    for graph, count in build_info.graphs.items():  # each graph alone, to take it under its own licence
        alone = gzip.decompress((dumps / f"graph-{graph.rsplit('/', 1)[-1]}.ttl.gz").read_bytes())
        assert len(list(pyoxigraph.parse(alone, format=RdfFormat.TURTLE))) == count, graph


def test_the_n_quads_dump_is_the_named_graphs_of_the_store_quad_for_quad(built_store_dir: Path) -> None:
    """The same quads, blank nodes included: a list in the ontology graph keeps its nodes across the file."""
    build_dir = current_build(built_store_dir)
    dumped = set(
        pyoxigraph.parse(
            gzip.decompress((build_dir / "dumps" / "govsocial.nq.gz").read_bytes()), format=RdfFormat.N_QUADS
        )
    )
    store = pyoxigraph.Store.read_only(str(build_dir / ENGINE_DIR))
    stored = {quad for quad in store if isinstance(quad.graph_name, pyoxigraph.NamedNode)}
    assert dumped == stored
    assert any(isinstance(quad.subject, pyoxigraph.BlankNode) for quad in dumped)


FEDIPOL = "https://w3id.org/govsocial/graph/fedipol"
BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


def test_each_graph_carries_its_licence_and_the_derived_graph_and_the_union_carry_them_all(build_info) -> None:
    """The fedipol graph is CC BY-SA 4.0, the curated data and the ontology CC0; the derived graph, made from all,
    and the union carry every licence, with the attribution (LICENCES.txt beside the dumps says so too)."""
    terms = build_info.terms
    assert terms[FEDIPOL].licences == (BY_SA,) and any("fedipol" in text for _, text in terms[FEDIPOL].rights)
    assert terms[graph_iri("curated")].licences == (CC0,)
    assert terms[graph_iri("ontology")].licences == (CC0,)
    every = {licence for graph, t in terms.items() if graph != graph_iri("derived") for licence in t.licences}
    assert set(terms[graph_iri("derived")].licences) == every == set(build_info.licences)
    assert {BY_SA, CC0, "https://www.govdata.de/dl-de/by-2-0"} <= every
    assert set(terms) == set(build_info.graphs), "every graph states its terms"


def test_the_licences_file_names_each_graph_with_its_licence_and_attribution(built_store_dir: Path, build_info) -> None:
    text = (current_build(built_store_dir) / "dumps" / "LICENCES.txt").read_text(encoding="utf-8")
    for graph, terms in build_info.terms.items():
        assert graph in text
        for licence in terms.licences:
            assert licence in text
    assert "Ralf Stockmann" in text and "GeoBasis-DE / BKG" in text


def test_no_resource_has_two_labels_in_one_language(store) -> None:
    """Pages and search show one rdfs:label per language; a second one (for example an import repeating a
    curated alternative name as a label) would make the name shown depend on the engine's order."""
    rows = list(
        store.query(
            "SELECT ?s ?lang WHERE { ?s rdfs:label ?l BIND(LANG(?l) AS ?lang) } "
            "GROUP BY ?s ?lang HAVING (COUNT(DISTINCT ?l) > 1)",
            prefixes={"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        )
    )
    assert [(row["s"].value, row["lang"].value) for row in rows] == []
