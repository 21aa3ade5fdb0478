"""The downloads of a build: N-Quads of every named graph, Turtle of their merge, Turtle of each named graph on
its own (to take one graph under its own licence), all gzip-compressed, and the licences that apply to them."""

from __future__ import annotations

import gzip
from collections.abc import Collection
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store

from server.rdf.namespaces import GRAPH, PREFIXES
from server.store.builds import DUMPS, LICENCES_FILE, GraphTerms, graph_dump_name


def write_dumps(
    store: Store,
    dumps_dir: Path,
    terms: dict[str, GraphTerms] | None = None,
    skip_graphs: Collection[str] = (),
) -> None:
    """Compressed dumps for download, and LICENCES.txt saying under which terms each of them comes.

    The engine writes each serialisation into a file itself, without Python in between, so the dumps hold the
    interpreter only while a chunk is compressed and the shapes checked beside them are not slowed down; the
    uncompressed file is removed once it is packed. `skip_graphs` already have their dump in `dumps_dir`
    (taken over from the previous build).
    """
    dumps_dir.mkdir(exist_ok=True)
    graphs = sorted(graph.value for graph in store.named_graphs() if graph.value.startswith(GRAPH))
    for name, fmt in DUMPS.items():
        if fmt == RdfFormat.N_QUADS:
            # The named graphs only: the default graph is their union, which a loader makes itself (e.g.
            # Oxigraph's default-graph-as-union); repeated here it doubled the file. Graph by graph, so neither the
            # default graph nor the validation's scratch graphs (written meanwhile) are read.
            parts = []
            for number, graph in enumerate(graphs):
                part = dumps_dir / f".{name}.{number}.nt"
                store.dump(str(part), format=RdfFormat.N_TRIPLES, from_graph=NamedNode(graph))
                parts.append((part, graph))
            _pack(dumps_dir / name, parts)
        else:
            part = dumps_dir / f".{name}.part"
            store.dump(str(part), format=fmt, from_graph=DefaultGraph(), prefixes=PREFIXES)
            _pack(dumps_dir / name, [(part, None)])
    for graph in graphs:
        if graph in skip_graphs:
            continue
        part = dumps_dir / f".{graph_dump_name(graph)}.part"
        store.dump(str(part), format=RdfFormat.TURTLE, from_graph=NamedNode(graph), prefixes=PREFIXES)
        _pack(dumps_dir / graph_dump_name(graph), [(part, None)])
    if terms is not None:
        (dumps_dir / LICENCES_FILE).write_text(licences_text(terms), encoding="utf-8")


#: How much of an uncompressed dump is read and compressed at once: zlib lets go of the interpreter meanwhile.
_CHUNK = 1 << 20


def _pack(path: Path, parts: list[tuple[Path, str | None]]) -> None:
    """Compress the files into one gzip stream at `path`, then remove them.

    A part with a graph IRI is N-Triples that become N-Quads of that graph: the writer ends every statement with
    " .\n" and escapes a line break inside a literal, so each line's end is exactly where the graph name goes.
    mtime=0 keeps the bytes identical for identical data (level 9 is slower and no smaller).
    """
    try:
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as packed:
            for part, graph in parts:
                end = f" <{graph}> .\n".encode() if graph is not None else None
                with open(part, "rb") as source:
                    carry = b""
                    while chunk := source.read(_CHUNK):
                        if end is not None:
                            chunk = carry + chunk
                            cut = chunk.rfind(b"\n") + 1
                            carry, chunk = chunk[cut:], chunk[:cut].replace(b" .\n", end)
                        packed.write(chunk)
                    if carry:
                        raise ValueError(f"{part.name} does not end with a line break: an incomplete serialisation")
    finally:
        for part, _ in parts:
            part.unlink(missing_ok=True)


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
