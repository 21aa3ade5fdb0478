"""The downloads of a build: N-Quads of every named graph, Turtle of their merge, Turtle of each named graph on
its own (to take one graph under its own licence), all gzip-compressed, and the licences that apply to them."""

from __future__ import annotations

import gzip
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, serialize

from server.rdf.namespaces import GRAPH, PREFIXES
from server.store.builds import DUMPS, LICENCES_FILE, GraphTerms, graph_dump_name


def write_dumps(
    store: Store,
    dumps_dir: Path,
    terms: dict[str, GraphTerms] | None = None,
    skip_graphs: Collection[str] = (),
) -> None:
    """Compressed dumps for download, and LICENCES.txt saying under which terms each of them comes.

    `skip_graphs` already have their dump in `dumps_dir` (taken over from the previous build).
    """
    dumps_dir.mkdir(exist_ok=True)
    graphs = sorted(graph.value for graph in store.named_graphs() if graph.value.startswith(GRAPH))
    for name, fmt in DUMPS.items():
        with _packed(dumps_dir / name) as packed:
            if fmt == RdfFormat.N_QUADS:  # the named graphs only: the default graph is their union, which a
                # loader makes itself (e.g. Oxigraph's default-graph-as-union); repeated here it doubled the file.
                # Read graph by graph: the default graph's quads are never touched, nor the validation's scratch
                # graphs, which are being written meanwhile.
                quads = (q for graph in graphs for q in store.quads_for_pattern(None, None, None, NamedNode(graph)))
                serialize(quads, packed, format=fmt)
            else:
                store.dump(packed, format=fmt, from_graph=DefaultGraph(), prefixes=PREFIXES)
    for graph in graphs:
        if graph in skip_graphs:
            continue
        with _packed(dumps_dir / graph_dump_name(graph)) as packed:
            store.dump(packed, format=RdfFormat.TURTLE, from_graph=NamedNode(graph), prefixes=PREFIXES)
    if terms is not None:
        (dumps_dir / LICENCES_FILE).write_text(licences_text(terms), encoding="utf-8")


@contextmanager
def _packed(path: Path) -> Iterator[gzip.GzipFile]:
    """A gzip stream into `path`; mtime=0 keeps the bytes identical for identical data (9 is slower, no smaller)."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as packed:
        yield packed


def licences_text(terms: dict[str, GraphTerms]) -> str:
    """Which licences apply to which dump, with the attribution each graph requires (English and German)."""
    union = sorted({licence for t in terms.values() for licence in t.licences})
    lines = [
        "GovSocial KG: licences of the dumps",
        "",
        f"{' and '.join(DUMPS)}: the union of all graphs; every licence below applies to it:",
        *[f"  {licence}" for licence in union],
        "",
        "Each graph (graph-NAME.ttl.gz holds it alone):",
    ]
    for graph, t in sorted(terms.items()):
        lines += ["", f"{graph}  ({graph_dump_name(graph)})"]
        lines += [f"  licence: {licence}" for licence in t.licences] or ["  licence: (none stated)"]
        lines += [f"  source: {source}" for source in t.sources]
        lines += [f"  attribution ({lang or '-'}): {text}" for lang, text in t.rights]
    return "\n".join(lines) + "\n"
