"""Reasons and exceptions as a source words them, mapped to the concepts of gs:Reasons and gs:Exceptions.

A phrase maps to every concept one of whose labels (preferred or alternative, German or English) it
contains, compared as names are (case, umlauts and punctuation do not count), each label word of five letters
or more as the beginning of a word ("sachlich Austausch" finds "der sachliche Austausch"), shorter ones whole:
"wegen Hass und Hetze sowie Desinformation" maps to hate speech and disinformation. The ontology's
skos:altLabels are the table of wordings; a phrase that maps to nothing is reported with the concepts whose
labels share most words with it, for the curator to choose or to add an alternative label to the ontology.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from server.rdf.namespaces import GS, SKOS
from server.reconcile.candidates import Select
from server.reconcile.names import normalise, tokens

CONCEPTS_QUERY = f"""PREFIX skos: <{SKOS}>
SELECT ?concept ?scheme ?label ?kind WHERE {{
  VALUES ?scheme {{ <{GS}Reasons> <{GS}Exceptions> }}
  ?concept skos:inScheme ?scheme .
  {{ ?concept skos:prefLabel ?label BIND ("pref" AS ?kind) }}
  UNION {{ ?concept skos:altLabel ?label BIND ("alt" AS ?kind) }}
}}"""
#: Concepts that group others (gs:Reasons' top concepts): never the answer for a phrase.
GROUPS = ("push", "pull", "stay")


@dataclass
class Mapped:
    """What one phrase maps to."""

    phrase: str
    concepts: list[str] = field(default_factory=list)  # IRIs
    suggestions: list[str] = field(default_factory=list)  # IRIs, when nothing maps


@lru_cache(maxsize=4096)
def _pattern(label: str) -> re.Pattern[str]:
    """A label as a pattern over normalised text: long words as word beginnings, short ones whole."""
    parts = [re.escape(word) + (r"\w*" if len(word) >= 5 else r"\b") for word in normalise(label).split()]
    return re.compile(r"\b" + r"\s+".join(parts))


class Wording:
    """The labels of the reason and exception concepts, read once."""

    def __init__(self, select: Select) -> None:
        self.labels: dict[str, dict[str, list[str]]] = {"reason": {}, "exception": {}}
        self.names: dict[str, str] = {}
        for row in select(CONCEPTS_QUERY):
            scheme = "reason" if row["scheme"].endswith("Reasons") else "exception"
            if row["concept"].rsplit("/", 1)[-1] in GROUPS:
                continue
            self.labels[scheme].setdefault(row["concept"], []).append(row["label"])
            if row["kind"] == "pref":
                self.names.setdefault(row["concept"], row["label"])

    def map(self, phrase: str, scheme: str) -> Mapped:
        """The concepts of `scheme` ("reason" or "exception") that the phrase names."""
        text = normalise(phrase)
        found = sorted(
            concept
            for concept, labels in self.labels[scheme].items()
            if any(_pattern(label).search(text) for label in labels if normalise(label))
        )
        mapped = Mapped(phrase, found)
        if not found:
            words = tokens(phrase)
            ranked = sorted(
                (
                    (-max(len(words & tokens(label)) for label in labels), concept)
                    for concept, labels in self.labels[scheme].items()
                ),
            )
            mapped.suggestions = [concept for score, concept in ranked[:3] if score < 0]
        return mapped
