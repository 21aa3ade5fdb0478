"""Readable forms of IRIs and terms, for reports and the command-line table."""

from __future__ import annotations

import re

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from server.rdf.namespaces import PREFIXES, XSD

# Longest namespace first, so gsid:org/... compacts to institution:... rather than gsid:org/...
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_PLAIN_DATATYPES = {XSD + "string", XSD + "integer", XSD + "decimal", XSD + "boolean", XSD + "date"}


def compact(iri: str, *, strict: bool = True) -> str:
    """`institution:dresden` for an IRI under a known prefix, else `<iri>`: the one compaction of IRIs for people.

    Strict (the pages, the workbench) compacts only where the rest is a valid local name, so what a page shows
    can be pasted into a query; loose (validation reports, the command-line table) also writes a rest with `/`
    as in `account:x/c4`, which reads better and is meant for reading only.
    """
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if (local and not strict) or (strict and (local == "" or _LOCAL_NAME.match(local))):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def show(term: object) -> str:
    """Render a query result term as a person reads it: compact IRIs, plain literals with @lang."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value, strict=False)
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
    return f"{value}^^{compact(datatype, strict=False)}"
