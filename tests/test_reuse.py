"""A rebuild takes over the graphs whose files did not change, and ends with the store a full build makes."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import BlankNode, DefaultGraph, NamedNode, RdfFormat, Store

from server.build.pipeline import build
from server.build.validation.problems import ValidationFailed
from server.rdf.namespaces import graph_iri
from server.store.builds import DUMPS_DIR, ENGINE_DIR, INFO_FILE, current_build, graph_dump_name

from .support import ONTOLOGY_DIR, copy_curated
from .test_build import event_turtle

ONTOLOGY, CURATED, EXTRA = graph_iri("ontology"), graph_iri("curated"), graph_iri("extra")
#: A statement the curated data makes too (Dresden's German label), and one only the extra graph makes.
SHARED = '<https://w3id.org/govsocial/id/org/dresden> <http://www.w3.org/2000/01/rdf-schema#label> "Dresden"@de .\n'
OWN = '<urn:test:extra> <http://www.w3.org/2000/01/rdf-schema#comment> "only in the extra graph"@en .\n'


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    """The ontology, the curated data, and a small folder data/extra that the tests change."""
    ontology, data = tmp_path / "ontology", tmp_path / "data"
    shutil.copytree(ONTOLOGY_DIR, ontology)
    copy_curated(data / "curated")
    (data / "extra").mkdir()
    (data / "extra" / "event.ttl").write_text(event_turtle(), encoding="utf-8")
    return {"ontology": ontology, "data": data, "store": tmp_path / "store", "full": tmp_path / "full"}


def _build(workspace: dict[str, Path], store: str = "store", **options):
    return build(workspace[store], workspace["ontology"], workspace["data"], **options)


def _graph(store_dir: Path, graph: NamedNode | DefaultGraph) -> rdflib.Graph:
    """One graph of a store's current build, as rdflib reads its N-Triples (blank nodes kept as nodes)."""
    store = Store.read_only(str(current_build(store_dir) / ENGINE_DIR))
    text = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph)
    return rdflib.Graph().parse(data=text.decode("utf-8"), format="nt")


def _lines(store_dir: Path, graph: NamedNode | DefaultGraph) -> tuple[set[str], list[str]]:
    """A graph of a store's current build as N-Triples lines: those without blank nodes, and those with."""
    store = Store.read_only(str(current_build(store_dir) / ENGINE_DIR))
    lines = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph).decode("utf-8").splitlines()
    return {line for line in lines if "_:" not in line}, [line for line in lines if "_:" in line]


def _masked(line: str) -> str:
    return re.sub(r"_:[A-Za-z0-9]+", "_:", line)


def _same_store(first: Path, second: Path) -> None:
    """Both current builds hold the same graphs, each the same up to blank node names, the default graph too."""
    graphs = []
    for store_dir in (first, second):
        store = Store.read_only(str(current_build(store_dir) / ENGINE_DIR))
        graphs.append(sorted(graph.value for graph in store.named_graphs()))
    assert graphs[0] == graphs[1]
    for graph in [*(NamedNode(iri) for iri in graphs[0]), DefaultGraph()]:
        (plain_a, blank_a), (plain_b, blank_b) = _lines(first, graph), _lines(second, graph)
        assert plain_a == plain_b, f"{graph} differs"
        # the statements with blank nodes (the shapes, the ontology's lists), up to the nodes' names
        assert Counter(map(_masked, blank_a)) == Counter(map(_masked, blank_b)), f"{graph} differs in its blank nodes"


def test_a_rebuild_after_one_changed_file_loads_only_its_graph_and_equals_a_full_build(workspace) -> None:
    """The ontology and the curated graph are taken over; the result is the store a full build makes."""
    first = _build(workspace)
    assert first.reused == []
    (workspace["data"] / "extra" / "event.ttl").write_text(event_turtle(label='rdfs:label "Geändert"@de'), "utf-8")
    second = _build(workspace)
    assert second.reused == sorted([ONTOLOGY, CURATED])
    assert second.version != first.version
    full = _build(workspace, "full", full=True)
    assert full.reused == [] and full.version == second.version
    assert full.graphs == second.graphs and full.distinct_triples == second.distinct_triples
    _same_store(workspace["store"], workspace["full"])
    event = rdflib.URIRef("https://w3id.org/govsocial/id/event/2024-02-test-x-departure")
    labels = _graph(workspace["store"], NamedNode(EXTRA)).objects(event, rdflib.RDFS.label)
    assert {str(label) for label in labels} == {"Geändert"}


def test_the_default_graph_keeps_what_a_kept_graph_states_and_loses_the_rest(workspace) -> None:
    """A file's statements leave the merge with it, except those another graph states as well."""
    (workspace["data"] / "extra" / "more.nt").write_text(SHARED + OWN, encoding="utf-8")
    _build(workspace)
    merged = _graph(workspace["store"], DefaultGraph())
    own = (rdflib.URIRef("urn:test:extra"), rdflib.RDFS.comment, rdflib.Literal("only in the extra graph", lang="en"))
    shared = (rdflib.URIRef("https://w3id.org/govsocial/id/org/dresden"), rdflib.RDFS.label)
    assert own in merged and (*shared, rdflib.Literal("Dresden", lang="de")) in merged
    (workspace["data"] / "extra" / "more.nt").unlink()
    info = _build(workspace)
    assert EXTRA not in info.reused
    merged = _graph(workspace["store"], DefaultGraph())
    assert own not in merged
    assert (*shared, rdflib.Literal("Dresden", lang="de")) in merged  # the curated graph still states it
    _build(workspace, "full", full=True)
    _same_store(workspace["store"], workspace["full"])


def test_a_removed_folder_takes_its_graph_away(workspace) -> None:
    _build(workspace)
    shutil.rmtree(workspace["data"] / "extra")
    info = _build(workspace)
    assert EXTRA not in info.graphs
    _build(workspace, "full", full=True)
    _same_store(workspace["store"], workspace["full"])


def test_blank_nodes_of_kept_graphs_are_the_same_nodes_in_the_default_graph(workspace) -> None:
    """The ontology's lists keep their blank nodes: those of the merge are those of the named graphs."""
    _build(workspace)
    (workspace["data"] / "extra" / "event.ttl").write_text(event_turtle(label='rdfs:label "Neu"@de'), "utf-8")
    assert ONTOLOGY in _build(workspace).reused
    store = Store.read_only(str(current_build(workspace["store"]) / ENGINE_DIR))
    in_default = {q.subject for q in store.quads_for_pattern(None, None, None, DefaultGraph())}
    in_default = {node for node in in_default if isinstance(node, BlankNode)}
    in_named = {q.subject for q in store.quads_for_pattern(None, None, None, NamedNode(ONTOLOGY))}
    assert in_default and in_default <= {node for node in in_named if isinstance(node, BlankNode)}


def test_the_shapes_see_the_whole_store_so_a_change_that_breaks_a_kept_graph_is_refused(workspace) -> None:
    """The extra graph gives Dresden, whose key the curated graph states, a second one: refused as a whole."""
    good = _build(workspace)
    second_key = '<https://w3id.org/govsocial/id/org/dresden> <https://w3id.org/govsocial/ontology#ags> "14612999" .\n'
    (workspace["data"] / "extra" / "more.nt").write_text(second_key, "utf-8")
    with pytest.raises(ValidationFailed) as refused:
        _build(workspace)
    [problem] = [p for p in refused.value.problems if "dresden" in p.resource.lower()]
    assert "data/curated/" in problem.file and "data/extra/more.nt" in problem.file
    assert json.loads((current_build(workspace["store"]) / INFO_FILE).read_text())["version"] == good.version


def test_the_dumps_of_kept_graphs_are_the_previous_files_and_the_union_dumps_are_new(workspace) -> None:
    _build(workspace)
    first_dir = current_build(workspace["store"])
    (workspace["data"] / "extra" / "more.nt").write_text(OWN, encoding="utf-8")
    _build(workspace)
    second_dir = current_build(workspace["store"])
    kept = graph_dump_name(ONTOLOGY)
    assert (second_dir / DUMPS_DIR / kept).stat().st_ino == (first_dir / DUMPS_DIR / kept).stat().st_ino
    changed = graph_dump_name(EXTRA)
    assert (second_dir / DUMPS_DIR / changed).stat().st_ino != (first_dir / DUMPS_DIR / changed).stat().st_ino
    assert b"only in the extra graph" in gzip.decompress((second_dir / DUMPS_DIR / "govsocial.nq.gz").read_bytes())


def test_a_full_build_is_made_when_asked_or_when_the_previous_store_has_another_layout(workspace) -> None:
    _build(workspace)
    assert _build(workspace, full=True).reused == []
    assert _build(workspace).reused == sorted([ONTOLOGY, CURATED, EXTRA])
    info_file = current_build(workspace["store"]) / INFO_FILE
    info = json.loads(info_file.read_text())
    info_file.write_text(json.dumps({**info, "layout": "an older layout"}))
    assert _build(workspace).reused == []


def test_a_change_to_most_of_the_statements_loads_everything_anew(workspace) -> None:
    """Dropping is one transaction held in memory: where the changed graphs hold most statements, none is kept."""
    _build(workspace)
    with open(workspace["data"] / "curated" / "platforms.ttl", "a", encoding="utf-8") as curated:
        curated.write("\n# changed\n")
    assert _build(workspace).reused == []
