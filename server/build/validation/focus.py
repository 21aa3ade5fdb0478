"""Each shape's focus nodes found once and kept in a scratch graph, for all of that shape's constraints.

Every compiled constraint binds ?this with its shape's targets, and a shape has up to a dozen
constraints; at ten million statements, evaluating a SPARQL target (a scan with string tests) or a
subclass path again for each of them cost most of the validation time. So the targets of each shape are
evaluated once, written into a named graph of the store being built, and the constraints read ?this from
there by index. The scratch graphs are removed before the store is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pyoxigraph import NamedNode, Quad, Store

_FOCUS = NamedNode("urn:govsocial:validation:focus")
_GRAPH_PREFIX = "urn:govsocial:validation:focus:"


class FocusGraphs:
    """Rewrites constraint queries to read their focus nodes from scratch graphs filled on first use."""

    def __init__(self, store: Store):
        self.store = store
        self._graphs: dict[str, NamedNode] = {}

    def rewrite(self, query: str, targets: str, prefixes: str) -> str:
        """The query with its targets' sub-select replaced by a lookup in the shape's focus graph."""
        if not targets or targets not in query:
            return query
        graph = self._graphs.get(targets)
        if graph is None:
            graph = NamedNode(f"{_GRAPH_PREFIX}{len(self._graphs)}")
            found = self.store.query(f"{prefixes}SELECT ?this WHERE {targets}")
            self.store.bulk_extend(Quad(_FOCUS, _FOCUS, row["this"], graph) for row in found)
            self._graphs[targets] = graph
        return query.replace(targets, f"{{ GRAPH {graph} {{ {_FOCUS} {_FOCUS} ?this }} }}")

    def __len__(self) -> int:
        """How many shapes' focus nodes have been found so far."""
        return len(self._graphs)

    def remove(self) -> None:
        for graph in self._graphs.values():
            self.store.remove_graph(graph)
        self._graphs.clear()


@contextmanager
def focus_graphs(store: Store) -> Iterator[FocusGraphs]:
    """Scratch focus graphs that are gone again when the block ends, whatever happened in it."""
    graphs = FocusGraphs(store)
    try:
        yield graphs
    finally:
        graphs.remove()
