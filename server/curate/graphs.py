"""The graph a sheet is checked against: the ontology and data/ (without the sheets' own graph), in memory.

It is the build's input, loaded as the build loads it, with the build's derived statements (gs:withinLand),
so that the curator's check and the server's /reconcile see the same institutions.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat, Store

from server.build.derive import derive
from server.reconcile.candidates import Select


def load_graph(ontology_dir: Path, data_dir: Path, leave_out: str) -> Store:
    """Every .ttl/.nt file of the ontology and of data/, except the folder `leave_out`, plus the derivations."""
    store = Store()
    files = sorted(ontology_dir.glob("*.ttl")) + sorted(
        path for path in data_dir.rglob("*") if path.suffix in {".ttl", ".nt"} and leave_out not in path.parts
    )
    for path in files:
        if path.name == "shapes.ttl":
            continue
        store.bulk_load(path=str(path), format=RdfFormat.TURTLE if path.suffix == ".ttl" else RdfFormat.N_TRIPLES)
    derive(store)
    return store


def selector(store: Store) -> Select:
    """A Select over the store's default graph (the union, as the build makes it)."""

    def select(text: str) -> list[dict[str, str]]:
        result = store.query(text)
        names = [variable.value for variable in result.variables]
        return [{name: row[name].value for name in names if row[name] is not None} for row in result]

    return select
