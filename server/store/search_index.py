"""The label index behind search and the browse pages: an SQLite file in each build, and how to read it.

It must answer in milliseconds at any size of the graph, so it is made once per build, not per server:
every labelled resource and term of ours (German and English labels, alternative labels, titles, the
IRI's own slug), folded so that "Sachsisch", "Saechsisch" and "Sächsisch" all find "Sächsisch". SQLite
(in the standard library) holds it: an FTS5 trigram table finds substrings of three characters or more,
a B-tree finds shorter prefixes, and the few candidates are ranked in Python. The user's words never
reach SPARQL or SQL text; they are bound as parameters.

The build writes it (server.build.search_index makes the entries); the web process only reads it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from server.rdf.labels import Labels, local_name
from server.rdf.namespaces import GS, GSID

SEARCH_FILE = "search.sqlite"
#: Candidates read from the index for one search before ranking; plenty for our data, bounded at scale.
CANDIDATES = 2000
_NON_WORD = re.compile(r"[^0-9a-z]+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
#: Kinds of resource a person most often looks for come first when scores tie.
_KIND_BOOST = {"org/": 6, "platform/": 6, "reason/": 5, "person/": 5, "source/": 2, "account/": 1}

_SCHEMA_SQL = """
CREATE TABLE entry (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
                    sort_name TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE prefix (key TEXT NOT NULL, entry INTEGER NOT NULL);
CREATE VIRTUAL TABLE substring USING fts5(key, entry UNINDEXED, tokenize = 'trigram');
"""
_INDEX_SQL = """
CREATE INDEX prefix_key ON prefix (key);
CREATE INDEX entry_kind ON entry (kind);
"""


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation to single spaces: "Staats-Regierung" -> "staats regierung"."""
    lowered = text.casefold()
    if not lowered.isascii():
        lowered = "".join(char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", lowered).strip()


def fold_german(text: str) -> str:
    """The German transliteration, folded: 'Sächsische' -> 'saechsische'."""
    return fold(text.translate(_GERMAN)) if not text.isascii() else fold(text)


@dataclass
class Entry:
    """One searchable resource."""

    iri: str
    labels: Labels
    alt: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def finish(self) -> None:
        if not self.labels.by_lang and self.alt:
            self.labels.add("", self.alt[0])
        texts = [*self.labels.by_lang.values(), *self.alt, local_name(self.iri).replace("-", " ")]
        keys = []
        for text in texts:
            keys.extend((fold(text), fold_german(text)))
        self.keys = [key for key in dict.fromkeys(keys) if key]

    @property
    def boost(self) -> int:
        if self.iri.startswith(GS):
            return 3
        rest = self.iri[len(GSID) :]
        return next((boost for prefix, boost in _KIND_BOOST.items() if rest.startswith(prefix)), 0)

    @property
    def kind(self) -> str:
        """The folder under /id/ ('org', 'reason', ...), or '' for a term of the vocabulary."""
        return self.iri[len(GSID) :].split("/", 1)[0] if self.iri.startswith(GSID) else ""

    def to_json(self) -> str:
        return json.dumps([self.labels.by_lang, self.alt, self.types, self.keys], ensure_ascii=False)

    @classmethod
    def from_json(cls, iri: str, doc: str) -> Entry:
        by_lang, alt, types, keys = json.loads(doc)
        return cls(iri, Labels(iri, by_lang), alt, types, keys)


def score(entry: Entry, query: str, words: list[str]) -> int:
    """How well an entry matches a folded query: exact 100, prefix 80, every word a word prefix 60, substring 40."""
    best = 0
    for key in entry.keys:
        if key == query:
            return 100
        if key.startswith(query):
            best = max(best, 80)
        elif all(any(part.startswith(word) for part in key.split()) for word in words):
            best = max(best, 60)
        elif query in key:
            best = max(best, 40)
    return best


def write_entries(path: Path, entries: Iterable[Entry]) -> int:
    """Write an index file of these entries to `path` (replacing it); returns how many were written."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA_SQL)
        count = 0
        for count, entry in enumerate(entries, start=1):
            entry.finish()
            connection.execute(
                "INSERT INTO entry VALUES (?, ?, ?, ?, ?)",
                (count, entry.iri, entry.kind, fold(entry.labels.get("de")), entry.to_json()),
            )
            connection.executemany("INSERT INTO prefix VALUES (?, ?)", [(key, count) for key in entry.keys])
            connection.executemany("INSERT INTO substring VALUES (?, ?)", [(key, count) for key in entry.keys])
        connection.executescript(_INDEX_SQL + "INSERT INTO substring(substring) VALUES ('optimize');")
        connection.commit()
    finally:
        connection.close()
    return count


class SearchIndex:
    """The build's index, opened read-only; ranked by match, then kind, then the shorter name."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise FileNotFoundError(f"the build has no search index {path}; run `govsocial build` again")
        self._connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()  # one connection, used by one request thread at a time

    def _rows(self, sql: str, parameters: tuple[object, ...]) -> list[tuple]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def _load(self, ids: list[int]) -> list[Entry]:
        found: list[Entry] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._rows(f"SELECT iri, doc FROM entry WHERE id IN ({marks})", tuple(chunk))
            found.extend(Entry.from_json(iri, doc) for iri, doc in rows)
        return found

    def _candidates(self, query: str, words: list[str]) -> list[int]:
        long_words = [word for word in words if len(word) >= 3]
        if long_words:
            match = " AND ".join(f'"{word}"' for word in long_words)  # folded words are [0-9a-z] only
            sql = "SELECT DISTINCT entry FROM substring WHERE substring MATCH ? LIMIT ?"
            return [row[0] for row in self._rows(sql, (match, CANDIDATES))]
        sql = "SELECT DISTINCT entry FROM prefix WHERE key >= ? AND key < ? LIMIT ?"
        return [row[0] for row in self._rows(sql, (query, query + "\x7f", CANDIDATES))]

    def search(
        self, text: str, limit: int = 10, namespace: str | None = None, rdf_type: str | None = None
    ) -> list[Entry]:
        query = fold(text)
        if not query:
            return []
        words = query.split()
        scored = []
        for entry in self._load(self._candidates(query, words)):
            if namespace and not entry.iri.startswith(namespace):
                continue
            if rdf_type and rdf_type not in entry.types:
                continue
            points = score(entry, query, words)
            if points:
                name = entry.labels.get("de")
                scored.append((-points, -entry.boost, len(name), name.casefold(), entry.iri, entry))
        scored.sort(key=lambda item: item[:5])
        return [item[5] for item in scored[:limit]]

    def kinds(self) -> list[tuple[str, int]]:
        """The folders under /id/ and how many labelled resources each holds."""
        return self._rows("SELECT kind, COUNT(*) FROM entry WHERE kind != '' GROUP BY kind ORDER BY kind", ())

    def count(self, namespace: str) -> int:
        """How many labelled resources have IRIs under a namespace."""
        sql = "SELECT COUNT(*) FROM entry WHERE iri >= ? AND iri < ?"
        return self._rows(sql, (namespace, namespace + "\U0010ffff"))[0][0]

    def page(self, namespace: str, offset: int, limit: int) -> list[Entry]:
        """One page of the resources under a namespace, by name (the browse pages)."""
        sql = "SELECT iri, doc FROM entry WHERE iri >= ? AND iri < ? ORDER BY sort_name, iri LIMIT ? OFFSET ?"
        rows = self._rows(sql, (namespace, namespace + "\U0010ffff", limit, offset))
        return [Entry.from_json(iri, doc) for iri, doc in rows]
