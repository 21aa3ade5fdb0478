"""One sheet row resolved: which institution, platform, kind, time, reasons and source it means, or why not.

Every cell is checked and reported (a `Finding` per row and column), so that a curator sees at once all that
is wrong with a sheet; a row with an error is never written. Nothing is guessed: an ambiguous name is an error
listing its candidates, an unknown institution is created only when the row says `create: yes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from server.imports.rdf import slug
from server.rdf.namespaces import GSID
from server.reconcile.candidates import Candidate
from server.reconcile.matcher import FEDERAL, Hints, Matcher, Outcome
from server.reconcile.names import normalise

from .sheet import Row
from .timetext import TimeTextError, When, read, source_day
from .wording import Wording

PLATFORMS = (
    "x",
    "mastodon",
    "bluesky",
    "threads",
    "instagram",
    "facebook",
    "tiktok",
    "whatsapp",
    "linkedin",
    "youtube",
)
KINDS = {
    "departure": "Departure",
    "suspension": "Suspension",
    "retention": "Retention",
    "joining": "Joining",
    "consideration-departure": "Consideration",
    "consideration-joining": "Consideration",
    "campaign": "Campaign",
}
#: The sheet's institution types: the gs: class (None: a plain org:Organization) and the level they imply.
TYPES: dict[str, tuple[str | None, str | None]] = {
    "Ministry": ("Ministry", None),
    "Government": ("Government", None),
    "StateChancellery": ("StateChancellery", "StateLevel"),
    "Parliament": ("Parliament", None),
    "Agency": ("Agency", None),
    "Police": ("Police", None),
    "Municipality": ("Municipality", "LocalLevel"),
    "District": ("District", "LocalLevel"),
    "HigherEducationInstitution": ("HigherEducationInstitution", None),
    "ResearchInstitution": (None, None),
    "DataProtectionAuthority": ("DataProtectionAuthority", None),
    "Court": ("Court", None),
    "Military": ("Military", "FederalLevel"),
    "Office": ("Office", None),
    "Other": (None, None),
}
MAX_QUOTE = 300
DEUTSCHLAND = GSID + "org/deutschland"
EU = "EU"


@dataclass(frozen=True)
class Finding:
    row: int
    column: str
    level: str  # "ok", "warning" or "error"
    message: str


@dataclass
class NewInstitution:
    """An institution the row asks to create."""

    name: str
    cls: str | None  # gs: class, None for a plain org:Organization
    level: str | None
    jurisdiction: str | None
    parent: str | None
    iri: str = ""


@dataclass
class Resolved:
    """What a row says, in graph terms."""

    row: int
    institution: str  # IRI (of an existing or a new institution)
    institution_name: str
    platform: str
    kind: str  # gs: class local name
    when: When
    source_date: str | None  # xsd:date of the source, if known to the day
    reasons: list[str] = field(default_factory=list)  # concept IRIs
    reason_text: list[str] = field(default_factory=list)
    exception_text: list[str] = field(default_factory=list)
    exception_kinds: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    quote: str = ""
    quote_by: str = ""
    language: str = "de"
    url: str = ""
    title: str = ""
    publisher: str = ""
    evidence: str = ""
    new: NewInstitution | None = None
    considers: str = "Departure"  # for a consideration: what is considered


class RowReader:
    """Resolves rows against the graph's institutions and the vocabulary's reasons, reporting as it goes."""

    def __init__(self, matcher: Matcher, wording: Wording, taken: set[str]) -> None:
        self.matcher = matcher
        self.wording = wording
        self.taken = set(taken)  # IRIs the graph uses: a created institution gets another
        self.findings: list[Finding] = []
        self.outcomes: dict[int, Outcome] = {}

    def resolve(self, row: Row) -> Resolved | None:
        errors_before = self._errors()
        land = self._land(row)
        institution, name, new = self._institution(row, land)
        platform = self._platform(row, "platform", row.get("platform"))
        kind = KINDS.get(row.get("kind").lower())
        if kind is None:
            hint = " (say what is considered: leaving or joining)" if row.get("kind").lower() == "consideration" else ""
            self._error(row, "kind", f"'{row.get('kind')}' is not one of {', '.join(KINDS)}{hint}")
        source_date, when = self._time(row)
        resolved = Resolved(
            row=row.number,
            institution=institution or "",
            institution_name=name,
            platform=platform or "",
            kind=kind or "",
            when=when or When(""),
            source_date=source_date,
            new=new,
            considers="Joining" if row.get("kind").lower() == "consideration-joining" else "Departure",
        )
        self._reasons(row, resolved)
        self._alternatives(row, resolved)
        self._quote(row, resolved)
        self._source(row, resolved)
        return None if self._errors() > errors_before else resolved

    # -- columns -------------------------------------------------------------------------------------------

    def _land(self, row: Row) -> str | None:
        text = row.get("land")
        if not text:
            return None
        if text.casefold() in {"bund", "deutschland", "federal", "germany"}:
            return FEDERAL
        if text.upper() == EU:
            return None
        outcome = self.matcher.reconcile(text, Hints(kind="FederalState"), limit=3)
        if outcome.match is None:
            self._error(row, "land", f"'{text}' is not a Land (write its German name, e.g. Sachsen, or Bund)")
            return None
        return outcome.match.iri

    def _institution(self, row: Row, land: str | None) -> tuple[str | None, str, NewInstitution | None]:
        name = row.get("institution")
        kind = row.get("institution_type") or None
        if kind and kind not in TYPES:
            self._error(row, "institution_type", f"'{kind}' is not one of {', '.join(TYPES)}")
            kind = None
        if not name:
            self._error(row, "institution", "empty: name the institution as the source does")
            return None, "", None
        outcome = self.matcher.reconcile(name, Hints(kind=kind, land=land), limit=5)
        self.outcomes[row.number] = outcome
        listed = "; ".join(f"{_short(s.candidate.iri)} ({s.score}: {', '.join(s.reasons)})" for s in outcome.candidates)
        if outcome.status == "matched":
            best = outcome.candidates[0]
            self._ok(row, "institution", f"{_short(best.candidate.iri)} ({best.score}: {', '.join(best.reasons)})")
            return best.candidate.iri, best.candidate.name, None
        if outcome.status == "ambiguous":
            self._error(
                row, "institution", f"'{name}' is ambiguous: {listed}; give institution_type or land, or our IRI"
            )
            return None, name, None
        same = [
            s
            for s in outcome.candidates
            if any("name" in reason and "common" not in reason for reason in s.reasons)
            and not any("Land" in reason or "federal" in reason for reason in s.reasons)
        ]
        if same:
            self._error(
                row,
                "institution",
                f"'{name}' is the name of {listed}, but the type or Land given does not fit: correct the hint or "
                "write our IRI; a second institution of that name is not created",
            )
            return None, name, None
        if row.get("create").casefold() != "yes":
            near = f"; nearest: {listed}" if listed else ""
            self._error(
                row, "institution", f"no institution '{name}' in the graph{near}; write `yes` in create to create it"
            )
            return None, name, None
        return self._new(row, name, kind, land)

    def _new(self, row: Row, name: str, kind: str | None, land: str | None) -> tuple[str | None, str, NewInstitution]:
        if not kind:
            self._error(row, "institution_type", "a created institution needs its type")
        if land is None and row.get("land").upper() != EU:
            self._error(row, "land", "a created institution needs its Land (or Bund)")
        cls, level = TYPES.get(kind or "Other", (None, None))
        if level is None and cls is not None:
            level = "FederalLevel" if land == FEDERAL else "StateLevel"
        parent = None
        if row.get("parent"):
            outcome = self.matcher.reconcile(row.get("parent"), Hints(), limit=3)
            if outcome.match is None:
                self._error(
                    row, "parent", f"'{row.get('parent')}' is not one institution of the graph ({outcome.status})"
                )
            else:
                parent = outcome.match.iri
        jurisdiction = None
        if cls is not None:
            jurisdiction = DEUTSCHLAND if land == FEDERAL else land
        new = NewInstitution(name, cls, level if cls else None, jurisdiction, parent)
        base, number = GSID + "org/" + slug(name), 2
        new.iri = base
        while new.iri in self.taken:
            new.iri, number = f"{base}-{number}", number + 1
        self.taken.add(new.iri)
        land_iri = None if land in (None, FEDERAL) else land
        self.matcher.add(Candidate(new.iri, {cls or "Organization"}, {"de": name}, [], land_iri, new.level))
        self._ok(row, "institution", f"creates {_short(new.iri)} '{name}' ({cls or 'org:Organization'})")
        return new.iri, name, new

    def _platform(self, row: Row, column: str, text: str) -> str | None:
        code = text.strip().lower()
        if code not in PLATFORMS:
            self._error(row, column, f"'{text}' is not one of {', '.join(PLATFORMS)}")
            return None
        return f"{GSID}platform/{code}"

    def _time(self, row: Row) -> tuple[str | None, When | None]:
        try:
            source_date, _ = source_day(row.get("source_date"))
        except TimeTextError as error:
            self._error(row, "source_date", str(error))
            return None, None
        try:
            when = read(row.get("time_text"), row.get("date"), row.get("source_date"))
        except TimeTextError as error:
            self._error(row, "date" if row.get("date") else "time_text", str(error))
            return source_date, None
        shown = (
            when.date and f"{when.date} ({when.precision})"
        ) or f"not before {when.not_before or '-'}, not after {when.not_after or '-'}"
        self._ok(row, "time_text", f"{shown}: {when.basis}")
        return source_date, when

    def _reasons(self, row: Row, resolved: Resolved) -> None:
        for scheme, column in (("reason", "reasons"), ("exception", "exceptions")):
            for phrase in _split(row.get(column)):
                mapped = self.wording.map(phrase, scheme)
                if scheme == "reason":
                    resolved.reason_text.append(phrase)
                    resolved.reasons.extend(c for c in mapped.concepts if c not in resolved.reasons)
                else:
                    resolved.exception_text.append(phrase)
                    resolved.exception_kinds.extend(c for c in mapped.concepts if c not in resolved.exception_kinds)
                if mapped.concepts and scheme == "exception" and resolved.kind not in {"Suspension", "Retention"}:
                    self._warning(
                        row,
                        column,
                        f"'{phrase}': an exception kind is for a suspension or retention; kept as text only",
                    )
                elif mapped.concepts:
                    self._ok(row, column, f"'{phrase}' -> {', '.join(_short(c) for c in mapped.concepts)}")
                else:
                    hint = ", ".join(self.wording.names.get(c, _short(c)) for c in mapped.suggestions) or "none"
                    self._warning(row, column, f"'{phrase}' maps to no concept (kept as text); closest: {hint}")

    def _alternatives(self, row: Row, resolved: Resolved) -> None:
        for code in _split(row.get("alternatives")):
            platform = self._platform(row, "alternatives", code)
            if platform:
                resolved.alternatives.append(platform)

    def _quote(self, row: Row, resolved: Resolved) -> None:
        quote, by = row.raw("quote"), row.get("quote_by")
        if len(quote) > MAX_QUOTE:
            self._error(row, "quote", f"{len(quote)} characters: quote at most {MAX_QUOTE}")
        if by and not quote:
            self._error(row, "quote_by", "names a speaker but the quote is empty")
        resolved.quote, resolved.quote_by = quote, by

    def _source(self, row: Row, resolved: Resolved) -> None:
        url = row.get("source_url")
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc or re.search(r"[\s<>\"{}|\\^`]", url):
            self._error(row, "source_url", f"'{url}' is not an http(s) URL")
        for column in ("source_title", "source_publisher"):
            if not row.get(column):
                self._error(row, column, "empty: a web source names its title and publisher")
        language = row.get("source_language").lower()
        if language not in {"de", "en"}:
            self._error(row, "source_language", f"'{language}' is not de or en")
        evidence = row.raw("evidence")
        if not evidence:
            self._error(row, "evidence", "empty: quote the sentence that states the event")
        elif len(evidence) > MAX_QUOTE:
            self._error(row, "evidence", f"{len(evidence)} characters: quote one sentence, at most {MAX_QUOTE}")
        name = resolved.institution_name
        if evidence and name and not _names_in(evidence, name, row.get("institution")):
            self._warning(row, "evidence", "does not name the institution: check that it states this event")
        resolved.language = language if language in {"de", "en"} else "de"
        resolved.url, resolved.evidence = url, evidence
        resolved.title, resolved.publisher = row.get("source_title"), row.get("source_publisher")

    # -- findings ------------------------------------------------------------------------------------------

    def _errors(self) -> int:
        return sum(f.level == "error" for f in self.findings)

    def _ok(self, row: Row, column: str, message: str) -> None:
        self.findings.append(Finding(row.number, column, "ok", message))

    def _warning(self, row: Row, column: str, message: str) -> None:
        self.findings.append(Finding(row.number, column, "warning", message))

    def _error(self, row: Row, column: str, message: str) -> None:
        self.findings.append(Finding(row.number, column, "error", message))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _short(iri: str) -> str:
    return (
        iri.replace(GSID + "org/", "institution:")
        .replace(GSID, "gsid:")
        .replace("https://w3id.org/govsocial/ontology#", "gs:")
    )


def _names_in(evidence: str, *names: str) -> bool:
    """Whether the evidence sentence names the institution (one of its distinctive words is enough)."""
    text = f" {normalise(evidence)} "
    for name in names:
        words = [w for w in normalise(name).split() if len(w) > 3]
        if any(f" {word}" in text for word in words):
            return True
    return False
