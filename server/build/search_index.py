"""The search index of a build: every labelled resource of ours, read from the new store into the index file.

The file format and its reader live in server.store.search_index; this side only runs the queries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store

from server.rdf.labels import Labels
from server.rdf.namespaces import DCTERMS, GS, GSID, ORG, RDFS, SCHEMA, SKOS
from server.store.search_index import Entry, write_entries

#: No DISTINCT and no ORDER BY in either query: the default graph is a set, and the rows are grouped by IRI
#: in SQLite, so the engine never holds them all.
LABELS_QUERY = f"""
SELECT ?s ?p ?label WHERE {{
  VALUES ?p {{ <{RDFS}label> <{SKOS}prefLabel> <{SKOS}altLabel> <{DCTERMS}title> }}
  ?s ?p ?label .
  FILTER(isIRI(?s) && isLITERAL(?label) && (STRSTARTS(STR(?s), "{GSID}") || STRSTARTS(STR(?s), "{GS}")))
}}"""
#: Only the types a hit is shown with: ours, and the few outside classes our resources are typed with alone.
TYPES_QUERY = f"""
SELECT ?s ?type WHERE {{
  ?s a ?type .
  FILTER(STRSTARTS(STR(?type), "{GS}") || ?type IN (<{SKOS}Concept>, <{SKOS}ConceptScheme>, <{SCHEMA}Person>,
                                                    <{ORG}Organization>))
  FILTER(isIRI(?s) && (STRSTARTS(STR(?s), "{GSID}") || STRSTARTS(STR(?s), "{GS}")))
}}"""


def entries(store: Store) -> Iterator[Entry]:
    """Every labelled resource of ours with its labels and types, one at a time.

    The rows are staged in temporary SQLite tables and read back grouped by IRI, so memory stays flat
    however many resources the graph has (sorting millions of rows in the engine would hold them all). The
    staging database is SQLite's private temporary file, removed when it is closed.
    """
    connection = sqlite3.connect("")
    try:
        connection.executescript(
            "CREATE TEMP TABLE label_row (iri TEXT, alt INTEGER, lang TEXT, text TEXT);"
            "CREATE TEMP TABLE type_row (iri TEXT, type TEXT);"
        )
        alternative = {SKOS + "altLabel", DCTERMS + "title"}
        connection.executemany(
            "INSERT INTO label_row VALUES (?, ?, ?, ?)",
            (
                (row["s"].value, row["p"].value in alternative, row["label"].language or "", row["label"].value)
                for row in store.query(LABELS_QUERY)
                if isinstance(row["label"], Literal)
            ),
        )
        connection.executemany(
            "INSERT INTO type_row VALUES (?, ?)",
            (
                (row["s"].value, row["type"].value)
                for row in store.query(TYPES_QUERY)
                if isinstance(row["type"], NamedNode)
            ),
        )
        connection.executescript(
            "CREATE INDEX temp.label_row_iri ON label_row (iri); CREATE INDEX temp.type_row_iri ON type_row (iri);"
        )
        reader = connection.cursor()
        entry: Entry | None = None
        for iri, alt, lang, text in reader.execute("SELECT iri, alt, lang, text FROM label_row ORDER BY iri, rowid"):
            if entry is None or entry.iri != iri:
                if entry is not None:
                    yield entry
                types = connection.execute("SELECT DISTINCT type FROM type_row WHERE iri = ? ORDER BY type", (iri,))
                entry = Entry(iri, Labels(iri), types=[row[0] for row in types])
            if alt:
                entry.alt.append(text)
            else:
                entry.labels.add(lang, text)
        if entry is not None:
            yield entry
    finally:
        connection.close()


def write_search_index(store: Store, path: Path) -> int:
    """Write the index of a built store to `path` (replacing it); returns the number of entries."""
    return write_entries(path, entries(store))
