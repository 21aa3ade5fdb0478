"""Readable forms of IRIs and terms, for reports and the command-line table."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from server.rdf.namespaces import PREFIXES, XSD

# Longest namespace first, so gsid:org/... compacts to institution:... rather than gsid:org/...
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)
_PLAIN_DATATYPES = {XSD + "string", XSD + "integer", XSD + "decimal", XSD + "boolean", XSD + "date"}


def compact(iri: str) -> str:
    """Write an IRI with one of our prefixes where one fits, else in angle brackets.

    For reading only: the result may hold a `/` that Turtle would need escaped.
    """
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local:
                return f"{prefix}:{local}"
    return f"<{iri}>"


def show(term: object) -> str:
    """Render a query result term as a person reads it: compact IRIs, plain literals with @lang."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        return literal_text(term.value, term.language, term.datatype.value)
    if isinstance(term, Triple):
        return f"<< {show(term.subject)} {show(term.predicate)} {show(term.object)} >>"
    return str(term)


def literal_text(value: str, language: str | None, datatype: str | None) -> str:
    """A literal as a person reads it: the text, with @lang, and with its datatype only when unusual."""
    if language:
        return f"{value}@{language}"
    if not datatype or datatype in _PLAIN_DATATYPES:
        return value
    return f"{value}^^{compact(datatype)}"
