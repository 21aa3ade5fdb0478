"""The downloads of a build: N-Quads of every named graph, Turtle of their merge, both gzip-compressed."""

from __future__ import annotations

import gzip
from pathlib import Path

from pyoxigraph import DefaultGraph, RdfFormat, Store

from server.rdf.namespaces import PREFIXES
from server.store.builds import DUMPS


def write_dumps(store: Store, dumps_dir: Path) -> None:
    """Compressed dumps for download: N-Quads of the whole dataset, Turtle of the default graph (the merge)."""
    dumps_dir.mkdir()
    for name, fmt in DUMPS.items():
        # mtime=0 keeps the compressed bytes identical for identical data
        with (
            open(dumps_dir / name, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as packed,  # 9 is slower, no smaller
        ):
            if fmt == RdfFormat.N_QUADS:
                store.dump(packed, format=fmt)
            else:
                store.dump(packed, format=fmt, from_graph=DefaultGraph(), prefixes=PREFIXES)
