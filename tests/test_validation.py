"""The split validation (SPARQL constraints in Oxigraph, core in pyshacl) reports what pyshacl alone reports."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Store

from server.build.inputs import discover
from server.build.pipeline import load_inputs
from server.build.validation.constraints import ConstraintSyntaxError, UnsupportedShape, compile_constraints
from server.build.validation.shapes import check_shapes
from server.build.validation.syntax import check_syntax

from .shacl_reference import pyshacl_problems
from .support import ONTOLOGY_DIR, copy_curated
from .test_build import PREFIXES, TEST_SOURCE

#: Several faults at once, each on its own resource, covering every kind of SPARQL constraint in the shapes.
MANY_FAULTS = (
    PREFIXES
    + TEST_SOURCE
    + """
event:f1 a gs:Departure, gs:Joining ; rdfs:label "f1"@de ; gs:institution institution:dresden ;
    gs:platform platform:x ; prov:wasDerivedFrom source:test-fixture .
event:f2 a gs:PlatformEvent ; rdfs:label "f2"@de ; gs:platform platform:x ; prov:wasDerivedFrom source:test-fixture .
event:f3 a gs:Departure ; rdfs:label "f3"@de ; gs:institution institution:dresden ; gs:platform platform:x ;
    gs:reason reason:no-such-reason ; gs:date "2024-02-15"^^xsd:date ; gs:datePrecision gs:MonthPrecision ;
    prov:wasDerivedFrom source:test-fixture .
event:f4 a gs:Departure ; rdfs:label "f4"@de ; gs:institution institution:dresden ; gs:platform platform:x ;
    gs:date "2024-02-01"^^xsd:date ; prov:wasDerivedFrom source:test-fixture .
event:f5 a gs:Departure ; rdfs:label "f5"@en ; gs:institution institution:dresden ; gs:platform platform:x ;
    gs:datePrecision gs:YearPrecision ; owl:sameAs <https://www.wikidata.org/wiki/Q1> ;
    prov:wasDerivedFrom source:test-fixture .
event:f6 a gs:Joining ; rdfs:label "f6"@de ; gs:institution institution:dresden ; gs:platform platform:x ;
    gs:date "2024-03-01"^^xsd:date ; gs:datePrecision gs:YearPrecision ; prov:wasDerivedFrom source:test-fixture .
source:orphan a gs:Source ; rdfs:label "ohne Kennung"@de ; dcterms:language "de" .
event:c1 a gs:Joining ; rdfs:label "c1"@de ; gs:institution institution:dresden ;
    gs:platform platform:x , platform:mastodon ; gs:quote "kein Sprach-Tag" ; gs:participant "ein Text" ;
    gs:datePrecision <urn:no-such-precision> ; gs:date "2024-02-01"^^xsd:date ; gs:considers gs:Joining ;
    gs:alternativePlatform institution:dresden .
event:c2 a gs:Departure ; rdfs:label "c2"@de ; gs:institution "Dresden" ; gs:platform platform:x ;
    gs:date "kein Datum"^^xsd:date ; gs:datePrecision gs:DayPrecision ; prov:wasDerivedFrom source:test-fixture .
institution:c3 a gs:Municipality ; rdfs:label "Ort"@de ; gs:ags "12AB" ; gs:level <urn:no-such-level> .
<https://w3id.org/govsocial/id/account/x/c4> a gs:Account ; rdfs:label "c4"@de ; gs:platform platform:x ;
    gs:heldBy institution:dresden ; gs:handle "@mit-at" .
<https://w3id.org/govsocial/id/observation/c5> a gs:FollowerObservation ; rdfs:label "c5"@de ;
    gs:followers -5 ; gs:platform platform:x ; gs:institution institution:dresden ;
    prov:wasDerivedFrom source:test-fixture .
<https://w3id.org/govsocial/id/account/x/c7> a gs:Account ; rdfs:label "c7"@de ; gs:platform platform:x ;
    gs:heldBy institution:dresden ; <http://www.w3.org/ns/org#subOrganizationOf> source:test-fixture ;
    gs:locatedIn institution:bmi .
reason:c6 a skos:Concept ; skos:inScheme gs:Reasons ; skos:broader reason:push ;
    skos:prefLabel "eins"@de , "zwei"@de ; rdfs:label "eins"@de .
"""
)


def findings(ontology: Path, data: Path) -> tuple[Counter, Counter]:
    """How often each (resource, path, value) is reported: by the split validation, and by pyshacl alone."""
    inputs = discover(ontology, data)
    problems, files_of = check_syntax(inputs)
    assert not problems
    store = Store()
    shapes, graph = rdflib.Graph(), rdflib.Graph()
    load_inputs(store, inputs)
    for item in inputs:
        (shapes if item.is_shapes else graph).parse(item.path, format="turtle")
    split = Counter((p.resource, p.path, p.value) for p in check_shapes(store, inputs, files_of))
    alone = Counter((p.resource, p.path, p.value) for p in pyshacl_problems(graph, shapes, files_of))
    return split, alone


@pytest.mark.slow
def test_split_validation_finds_nothing_where_pyshacl_finds_nothing(tmp_path: Path) -> None:
    """On the project's own ontology and curated data both agree that everything conforms.

    (pyshacl needs minutes for the imports; the build validates those with the same compiled shapes, and with
    them the curated files that add to imported resources, additions-*.ttl.)
    """
    copy_curated(tmp_path / "data" / "curated")
    split, alone = findings(ONTOLOGY_DIR, tmp_path / "data")
    assert split == alone == Counter()


@pytest.mark.slow
def test_split_validation_reports_exactly_what_pyshacl_reports(tmp_path: Path) -> None:
    """On data with many faults the two report the same resources, paths and values."""
    copy_curated(tmp_path / "data" / "curated")
    (tmp_path / "data" / "curated" / "zz-faults.ttl").write_text(MANY_FAULTS, encoding="utf-8")
    split, alone = findings(ONTOLOGY_DIR, tmp_path / "data")
    assert split == alone
    assert split[("event:f2", "", "")] == 2  # no event class, and neither institution nor person
    resources = {resource for resource, _, _ in split}
    assert {f"event:f{n}" for n in range(1, 7)} | {"source:orphan", "event:c1", "event:c2"} <= resources
    assert {"institution:c3", "account:x/c4", "observation:c5", "reason:c6"} <= resources
    # an institution without gs:jurisdiction; an account that claims to be part of a source and to lie in a ministry
    assert {path for resource, path, _ in split if resource == "institution:c3"} >= {"gs:jurisdiction"}
    assert {path for resource, path, _ in split if resource == "account:x/c7"} == {
        "",
        "org:subOrganizationOf",
        "gs:locatedIn",
    }


def test_every_sparql_constraint_of_the_shapes_compiles() -> None:
    """No constraint of ontology/shapes.ttl is skipped: each compiles into a query Oxigraph accepts."""
    shapes = rdflib.Graph().parse(ONTOLOGY_DIR / "shapes.ttl")
    compiled = compile_constraints(shapes)
    assert len(compiled) == len(set(shapes.subject_objects(rdflib.namespace.SH.sparql)))
    store = Store()
    for constraint in compiled:
        list(store.query(constraint.query))


def test_a_sparql_constraint_on_a_shape_without_target_is_refused() -> None:
    """A shape the evaluator cannot run is an error at build time, never a silently skipped check."""
    shapes = rdflib.Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:shape> a sh:NodeShape ; sh:sparql [ sh:select "SELECT $this WHERE { }" ] .
        """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape, match="target"):
        compile_constraints(shapes)


def shapes_with_select(select: str) -> rdflib.Graph:
    """A node shape with a target and one SPARQL constraint of the given text."""
    return rdflib.Graph().parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:shape> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:sparql [ sh:select {rdflib.Literal(select).n3()} ] .
        """,
        format="turtle",
    )


def test_a_sparql_constraint_that_does_not_parse_is_refused_with_its_shape() -> None:
    """The shape is named, and the parser's position counts within the sh:select text as the curator wrote it."""
    with pytest.raises(ConstraintSyntaxError, match=r"^<urn:shape>: its sh:select does not parse .*error at 2:"):
        compile_constraints(shapes_with_select("SELECT $this WHERE {\n  $this <urn:p> }"))


def test_a_sparql_constraint_nested_too_deep_is_refused_before_it_is_parsed() -> None:
    """The parser would overflow its stack on it and take the build down; the shape is named instead."""
    with pytest.raises(ConstraintSyntaxError, match=r"^<urn:shape>: .*nests brackets"):
        compile_constraints(shapes_with_select("SELECT $this WHERE " + "{" * 20_000 + "}" * 20_000))
