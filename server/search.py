"""Search over labels: `/-/search?q=` (JSON, also the editor's completion) and `/search` (a page).

The index holds every labelled resource and term of ours (German and English labels, alternative
labels, titles, and the IRI's own slug), folded so that "Sachsisch", "Saechsisch" and "Sächsisch"
all find "Sächsisch". It is built by two queries on first use and kept: a server never changes its
build. The user's words never reach SPARQL; they are matched here, in Python.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask import Blueprint, Response, jsonify, render_template, request

from . import errors
from .namespaces import DCTERMS, GS, GSID, ORG, PREFIXES, RDFS, SCHEMA, SKOS
from .pagequery import PageQueries, page_cache, page_queries
from .present import Labels, compact, href, local_name
from .vocabulary import vocabulary

blueprint = Blueprint("search", __name__)

MAX_LIMIT = 50
MAX_QUERY_CHARS = 200
_NON_WORD = re.compile(r"[^0-9a-z]+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
#: Kinds of resource a person most often looks for come first when scores tie.
_KIND_BOOST = {"org/": 6, "platform/": 6, "reason/": 5, "person/": 5, "source/": 2, "account/": 1}


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


class SearchIndex:
    """Labelled resources, ranked by match, then kind, then the shorter name."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        for entry in entries:
            entry.finish()

    def search(
        self, text: str, limit: int = 10, namespace: str | None = None, rdf_type: str | None = None
    ) -> list[Entry]:
        query = fold(text)
        if not query:
            return []
        words = query.split()
        scored = []
        for entry in self.entries:
            if namespace and not entry.iri.startswith(namespace):
                continue
            if rdf_type and rdf_type not in entry.types:
                continue
            points = score(entry, query, words)
            if points:
                name = entry.labels.get("de")
                scored.append((-points, -entry.boost, len(name), name.casefold(), entry))
        scored.sort(key=lambda item: item[:4])
        return [item[4] for item in scored[:limit]]

    def under(self, namespace: str) -> list[Entry]:
        """Every entry whose IRI starts with a namespace, by name (the browse pages)."""
        found = [entry for entry in self.entries if entry.iri.startswith(namespace)]
        return sorted(found, key=lambda entry: (fold(entry.labels.get("de")), entry.iri))


LABELS_QUERY = f"""
SELECT DISTINCT ?s ?p ?label WHERE {{
  VALUES ?p {{ <{RDFS}label> <{SKOS}prefLabel> <{SKOS}altLabel> <{DCTERMS}title> }}
  ?s ?p ?label .
  FILTER(isIRI(?s) && isLITERAL(?label) && (STRSTARTS(STR(?s), "{GSID}") || STRSTARTS(STR(?s), "{GS}")))
}}"""
#: Only the types a hit is shown with: ours, and the few outside classes our resources are typed with alone.
TYPES_QUERY = f"""
SELECT DISTINCT ?s ?type WHERE {{
  ?s a ?type .
  FILTER(STRSTARTS(STR(?type), "{GS}") || ?type IN (<{SKOS}Concept>, <{SKOS}ConceptScheme>, <{SCHEMA}Person>,
                                                    <{ORG}Organization>))
  FILTER(isIRI(?s) && (STRSTARTS(STR(?s), "{GSID}") || STRSTARTS(STR(?s), "{GS}")))
}}"""


def build_index(queries: PageQueries) -> SearchIndex:
    """Read every label and type of our resources and terms into an index."""
    entries: dict[str, Entry] = {}
    for row in queries.select(LABELS_QUERY):
        iri, predicate, label = row["s"].value, row["p"].value, row["label"]
        entry = entries.setdefault(iri, Entry(iri, Labels(iri)))
        if predicate == SKOS + "altLabel" or predicate == DCTERMS + "title":
            entry.alt.append(label.value)
        else:
            entry.labels.add(label.lang, label.value)
    for row in queries.select(TYPES_QUERY):
        entry = entries.get(row["s"].value)
        if entry is not None and row["type"].is_iri:
            entry.types.append(row["type"].value)
    for entry in entries.values():
        if not entry.labels.by_lang and entry.alt:
            entry.labels.add("", entry.alt[0])
    return SearchIndex(list(entries.values()))


def search_index() -> SearchIndex:
    """The current app's index, built on first use."""
    cache = page_cache()
    if "search" not in cache:
        cache["search"] = build_index(page_queries())
    return cache["search"]


def as_json(entry: Entry) -> dict[str, object]:
    """One hit as the JSON API and the editor's completion use it."""
    vocab = vocabulary()
    types = [t for t in entry.types if t.startswith(GS)] or entry.types
    return {
        "iri": entry.iri,
        "prefixed": compact(entry.iri),
        "href": href(entry.iri),
        "label": entry.labels.get("de"),
        "labels": {lang or "none": text for lang, text in entry.labels.by_lang.items()},
        "types": [{"iri": t, "prefixed": compact(t), "label": vocab.label(t, "en")} for t in types],
    }


def _params() -> tuple[str, int, str | None, str | None]:
    text = request.args.get("q", "")
    if len(text) > MAX_QUERY_CHARS:
        raise errors.BadParameter(f"`q` is limited to {MAX_QUERY_CHARS} characters")
    try:
        limit = int(request.args.get("limit", "10"))
    except ValueError:
        raise errors.BadParameter("`limit` must be a whole number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.BadParameter(f"`limit` must be between 1 and {MAX_LIMIT}")
    prefix = request.args.get("prefix")
    namespace = None
    if prefix:
        if prefix not in PREFIXES:
            raise errors.BadParameter(f"unknown prefix {prefix!r}; known: {', '.join(PREFIXES)}")
        namespace = PREFIXES[prefix]
    rdf_type = request.args.get("type")
    if rdf_type and ":" in rdf_type and not rdf_type.startswith(("http:", "https:")):
        name, _, local = rdf_type.partition(":")
        if name not in PREFIXES:
            raise errors.BadParameter(f"unknown prefix in `type`: {name!r}")
        rdf_type = PREFIXES[name] + local
    return text, limit, namespace, rdf_type


@blueprint.get("/-/search")
def search_api() -> Response:
    """Labelled resources matching `q` (accents folded), best first: `prefix=` and `type=` narrow it."""
    text, limit, namespace, rdf_type = _params()
    hits = search_index().search(text, limit, namespace, rdf_type)
    return jsonify(ok=True, q=text, count=len(hits), results=[as_json(entry) for entry in hits])


@blueprint.get("/search")
def search_page() -> str:
    """The search results as a page, for the header's search box without JavaScript."""
    text, _, namespace, rdf_type = _params()
    hits = search_index().search(text, MAX_LIMIT, namespace, rdf_type) if text.strip() else []
    return render_template("search.html", q=text, hits=[as_json(entry) for entry in hits])
