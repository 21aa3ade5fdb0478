"""The Land of a body whose data set names no Land: from the municipality its name names, or its Land's server.

A Hochschule's name usually names its seat ("Universität Ulm", "Technische Universität Dresden",
"Karlsruher Institut für Technologie"), and the territory import knows every German municipality with its
Land. A name word matches a municipality whose name, without its qualifier ("Freiburg im Breisgau",
"Halle (Saale)", "Oldenburg (Oldb)"), is that word; an adjective ("Karlsruher") is tried without its ending.
Many small Gemeinden share a city's name ("Hagen" in Schleswig-Holstein, "Oldenburg in Holstein"), so:

1. where a candidate is a kreisfreie Stadt, only the kreisfreie candidates remain;
2. where the candidates lie in one Land, that is the Land;
3. where they do not and the account is on a server a Land runs for its bodies (bawü.social), only the
   candidates in that Land remain; with none, the server's Land is taken.

Anything else is left unresolved and reported: a Land is never guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .matching import KnownGraph, normalise

#: Mastodon servers run by a Land for its bodies, and the Land's two-digit key.
LAND_INSTANCES = {
    "social.hessen.de": "06",
    "social.schleswig-holstein.de": "01",
    "social.sachsen.de": "14",
    "bawü.social": "08",
}

_QUALIFIER = re.compile(r"\s*(\(.*\)|\b(im|am|an der|in|ob der|bei)\b.*)$")


@dataclass(frozen=True)
class Seat:
    """The Land found for a body, and how: for the import's report."""

    land: str | None  # IRI of the gs:FederalState, None when unresolved
    municipalities: tuple[str, ...]  # IRIs of the municipalities the name named (after the rules above)
    basis: str  # in words, for the report


class SeatFinder:
    """Municipalities indexed by their bare name, built once per import."""

    def __init__(self, known: KnownGraph) -> None:
        self._known = known
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for resource in known.resources.values():
            if "Municipality" in resource.classes and resource.land:
                for label in resource.main_labels or set(resource.labels[:1]):
                    self._by_name[normalise(_QUALIFIER.sub("", label))].append(resource.iri)

    def seat(self, name: str, instance_land: str | None = None) -> Seat:
        """The Land of the body called `name`; `instance_land` is the Land whose server holds its account."""
        candidates: set[str] = set()
        for word in _words(name):
            candidates.update(self._by_name.get(word, ()))
        if not candidates:
            if instance_land:
                return Seat(instance_land, (), "its account is on a server of the Land")
            return Seat(None, (), "UNRESOLVED: the name names no municipality")
        kreisfrei = {c for c in candidates if "District" in self._known.resources[c].classes}
        if kreisfrei:
            candidates = kreisfrei
        lands = {self._known.resources[c].land for c in candidates}
        if len(lands) > 1 and instance_land:
            candidates = {c for c in candidates if self._known.resources[c].land == instance_land}
            if not candidates:
                return Seat(instance_land, (), "its account is on a server of the Land")
            lands = {instance_land}
        seats = tuple(sorted(candidates))
        if len(lands) == 1:
            land = lands.pop()
            names = ", ".join(self._known.resources[c].label for c in seats)
            return Seat(land, seats, f"the name names {names}")
        return Seat(None, seats, "UNRESOLVED: the municipalities the name names lie in several Länder")


def _words(name: str) -> list[str]:
    """Runs of one to three of the name's normalised words; a single word also without an adjective's ending."""
    words = normalise(name).split()
    found = []
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            found.append(" ".join(words[start : start + size]))
    for word in words:
        if len(word) > 4 and word.endswith("er"):
            found.extend((word[:-1], word[:-2]))  # Karlsruher -> Karlsruhe, Berliner -> Berlin
    return [word for word in dict.fromkeys(found) if len(word) >= 3]
