"""Score every institution against a name, with the reasons, and say whether one of them is *the* match.

Evidence, strongest first: our IRI or a Wikidata QID written as the name; the name equal to a main label
(100) or to an alternative label or abbreviation (95), form words ("Stadt", "Landeshauptstadt") not counting;
otherwise the share of meaningful words in common (up to 80). Hints then move a score: a type that fits (+3)
or does not (-30), the right Land (+2) or another Land or level (-40). A candidate is the match only when it
scores 90 or more and no other comes within 10 points of it: a name that fits two institutions is listed
with both, never decided.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from server.rdf.namespaces import GSID

from .candidates import Candidate
from .names import form_kind, normalise, tokens, variants

MATCH_SCORE = 90
MATCH_MARGIN = 10
MIN_SCORE = 50
#: Which graph types a type hint accepts (a hint not listed accepts exactly its own type).
COMPATIBLE: dict[str, frozenset[str]] = {
    "Agency": frozenset({"Agency", "Police", "DataProtectionAuthority", "Military", "OrganisationalUnit"}),
    "Government": frozenset({"Government", "StateChancellery"}),
    "StateChancellery": frozenset({"StateChancellery", "Government"}),
    "ResearchInstitution": frozenset({"Organization", "PublicInstitution", "Agency", "HigherEducationInstitution"}),
    "Office": frozenset({"Office", "OrganisationalUnit", "PublicInstitution"}),
    "Military": frozenset({"Military", "Agency"}),
}
_QID = re.compile(r"^Q[1-9][0-9]*$")
_ABBREVIATION = re.compile(r"^[A-Za-zÄÖÜäöü]{2,8}$")
FEDERAL = "Bund"


@dataclass(frozen=True)
class Hints:
    """What a row says besides the name: the kind of body and where it belongs."""

    kind: str | None = None  # local name of a gs: class, or a sheet kind such as "ResearchInstitution"
    land: str | None = None  # IRI of a gs:FederalState, or FEDERAL for a federal body


@dataclass
class Scored:
    candidate: Candidate
    score: int
    reasons: list[str] = field(default_factory=list)
    match: bool = False


@dataclass
class Outcome:
    """The candidates for one name, best first, and what that means."""

    name: str
    candidates: list[Scored]

    @property
    def status(self) -> str:
        """'matched' (one candidate is the match), 'ambiguous' (several fit) or 'none'."""
        if self.candidates and self.candidates[0].match:
            return "matched"
        if self.candidates and self.candidates[0].score >= MATCH_SCORE:
            return "ambiguous"
        return "none"

    @property
    def match(self) -> Candidate | None:
        return self.candidates[0].candidate if self.status == "matched" else None


class Matcher:
    """The graph's institutions, indexed by their names and words, built once."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.candidates = {c.iri: c for c in candidates}
        self._exact: dict[str, list[tuple[Candidate, bool]]] = defaultdict(list)  # key -> (candidate, main?)
        self._words: dict[str, set[str]] = defaultdict(set)
        self._qids: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in candidates:
            main = {normalise(label) for label in candidate.labels.values()}
            for name in candidate.names:
                key = normalise(name)
                if key and (candidate, key in main) not in self._exact[key]:
                    self._exact[key].append((candidate, key in main))
                for word in tokens(name):
                    self._words[word].add(candidate.iri)
            for qid in candidate.qids:
                self._qids[qid].append(candidate)

    def add(self, candidate: Candidate) -> None:
        """A candidate more (an institution a sheet creates), found by the rows after it."""
        self.candidates[candidate.iri] = candidate
        for name in candidate.names:
            key = normalise(name)
            if key:
                self._exact[key].append((candidate, True))
            for word in tokens(name):
                self._words[word].add(candidate.iri)

    def reconcile(self, name: str, hints: Hints = Hints(), limit: int = 5) -> Outcome:
        name = name.strip()
        direct = self._direct(name)
        scored = direct or self._by_name(name)
        kind = hints.kind or form_kind(name)
        for entry in scored if not direct else []:  # our IRI or a QID names the institution: hints do not vote
            self._adjust(entry, Hints(kind, hints.land))
        scored = [s for s in scored if s.score >= MIN_SCORE]
        scored.sort(key=lambda s: (-s.score, s.candidate.name, s.candidate.iri))
        if scored and scored[0].score >= MATCH_SCORE:
            close = len(scored) > 1 and scored[1].score > scored[0].score - MATCH_MARGIN
            scored[0].match = not close
        return Outcome(name, scored[: max(limit, 1)])

    # -- evidence --------------------------------------------------------------------------------------

    def _direct(self, name: str) -> list[Scored]:
        iri = GSID + "org/" + name.removeprefix("institution:") if name.startswith("institution:") else name
        if iri in self.candidates:
            return [Scored(self.candidates[iri], 100, ["our IRI"])]
        if _QID.match(name):
            return [Scored(c, 100, [f"Wikidata item {name}"]) for c in self._qids.get(name, [])]
        return []

    def _by_name(self, name: str) -> list[Scored]:
        best: dict[str, Scored] = {}
        forms = variants(name)
        for number, variant in enumerate(forms):
            for candidate, main in self._exact.get(normalise(variant), []):
                score, why = (100, "same name") if main else (95, "an alternative name or abbreviation")
                if number:
                    score, why = score - 2, f"{why} (as “{variant}”)"
                self._keep(best, Scored(candidate, score, [why]))
        for variant in forms:
            if _ABBREVIATION.match(variant):
                continue
            wanted = tokens(variant)
            pool = set().union(*(self._words.get(word, set()) for word in wanted)) if wanted else set()
            for iri in pool:
                candidate = self.candidates[iri]
                share, shared = max(((_share(wanted, tokens(n)), n) for n in candidate.names), key=lambda x: x[0])
                if share >= 0.5:
                    self._keep(best, Scored(candidate, round(80 * share), [f"words in common with “{shared}”"]))
        return list(best.values())

    @staticmethod
    def _keep(best: dict[str, Scored], entry: Scored) -> None:
        if entry.candidate.iri not in best or best[entry.candidate.iri].score < entry.score:
            best[entry.candidate.iri] = entry

    @staticmethod
    def _adjust(entry: Scored, hints: Hints) -> None:
        candidate = entry.candidate
        if hints.kind and hints.kind != "Other":
            accepted = COMPATIBLE.get(hints.kind, frozenset({hints.kind}))
            if candidate.types & accepted:
                entry.score += 3
                entry.reasons.append(f"is a {hints.kind}")
            else:
                entry.score -= 30
                entry.reasons.append(f"not a {hints.kind} ({', '.join(sorted(candidate.types)) or 'no type'})")
        if hints.land == FEDERAL:
            if candidate.land is not None:
                entry.score -= 40
                entry.reasons.append("belongs to a Land, not to the Bund")
        elif hints.land:
            if candidate.land == hints.land:
                entry.score += 2
                entry.reasons.append("in the Land given")
            else:
                entry.score -= 40
                entry.reasons.append("in another Land" if candidate.land else "a federal body, not of the Land given")
        entry.score = max(0, min(entry.score, 100))


def _share(wanted: frozenset[str], offered: frozenset[str]) -> float:
    """Jaccard similarity of two word sets."""
    if not wanted or not offered:
        return 0.0
    return len(wanted & offered) / len(wanted | offered)
