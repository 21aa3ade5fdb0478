"""Turn query results into the formats the command line offers."""

from __future__ import annotations

from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples

from server.engine.query import QueryResult
from server.rdf.formats import FORMATS
from server.rdf.terms import show

#: The command line's --format names: a table for people, then every short name of the format table.
RESULT_FORMATS = {f.name: f.result for f in FORMATS if f.result is not None}
GRAPH_FORMATS = {f.name: f.graph for f in FORMATS if f.graph is not None}
FORMAT_NAMES = ("table", *RESULT_FORMATS, *GRAPH_FORMATS)


class FormatMismatch(ValueError):
    """The chosen format cannot express this kind of result (e.g. Turtle for a SELECT)."""


def render(result: QueryResult, fmt: str) -> bytes:
    """Serialise a result; `table` is for people, the others for programs."""
    if fmt == "table":
        return _table(result).encode()
    if isinstance(result, QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise FormatMismatch(f"a CONSTRUCT or DESCRIBE result is a graph: use one of {', '.join(GRAPH_FORMATS)}")
        return result.serialize(format=GRAPH_FORMATS[fmt])
    if fmt not in RESULT_FORMATS:
        raise FormatMismatch(f"a SELECT or ASK result is a table: use one of table, {', '.join(RESULT_FORMATS)}")
    return result.serialize(format=RESULT_FORMATS[fmt])


def _table(result: QueryResult) -> str:
    if isinstance(result, QueryBoolean):
        return f"{'yes' if bool(result) else 'no'}\n"
    if isinstance(result, QuerySolutions):
        header = [variable.value for variable in result.variables]
        rows = [[show(solution[name]) for name in header] for solution in result]
    else:
        header = ["subject", "predicate", "object"]
        rows = [[show(t.subject), show(t.predicate), show(t.object)] for t in result]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(header)]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * width for width in widths),
    ]
    lines.extend("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows)
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
