"""JSON-LD in compacted form: our prefixes as its @context, so a description reads like the Turtle does.

The engine writes expanded JSON-LD only (every key a full IRI, 11.8 KB for the X platform's page). Compacting
with prefix definitions alone is lossless: a JSON-LD processor expands `"rdfs:label"` back through the context
to the same IRI, and values keep their @language, @type and @id exactly.
"""

from __future__ import annotations

import json
from typing import Any

_KEYWORDS = frozenset({"@id", "@type", "@value", "@language", "@list", "@set", "@graph", "@index", "@direction"})


def compact(expanded: bytes, prefixes: dict[str, str]) -> bytes:
    """The expanded JSON-LD document as {"@context": prefixes, "@graph": [...]} with compact IRIs."""
    ordered = sorted(prefixes.items(), key=lambda item: -len(item[1]))  # the longest namespace wins
    used: dict[str, str] = {}

    def short(iri: str) -> str:
        for name, namespace in ordered:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace) :].startswith("/"):
                used[name] = namespace
                return f"{name}:{iri[len(namespace) :]}"
        return iri

    def node(value: Any) -> Any:
        if isinstance(value, list):
            return [node(item) for item in value]
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "@id" and isinstance(item, str):
                out[key] = short(item)
            elif key == "@type" and "@value" not in value:
                out[key] = [short(t) for t in item] if isinstance(item, list) else short(item)
            elif key == "@type":  # a literal's datatype stays a full IRI: no term definition makes it one
                out[key] = item
            elif key in _KEYWORDS:
                out[key] = node(item)
            else:
                out[short(key)] = node(item)
        return out

    document = json.loads(expanded)
    graph = node(document if isinstance(document, list) else document.get("@graph", [document]))
    context = dict(sorted(used.items()))
    return json.dumps({"@context": context, "@graph": graph}, ensure_ascii=False).encode("utf-8")
