"""The Wikidata edits our graph supports, as QuickStatements (v1, tab-separated commands).

For each gs:Joining and gs:Departure of an institution or person with an owl:sameAs to a Wikidata item,
on a platform with a gs:wikidataAccountProperty (ontology/wikidata-alignment.ttl), where the account's
handle is known: the account statement (P2002 X username, P4033 Mastodon address "user@host", …) with
start time P580 (joining) or end time P582 (departure) at the precision of gs:datePrecision, and a
reference to our source (S248 stated in where the source has a QID, S854 reference URL otherwise:
the data set's pinned source, its URL, or failing both the source's own IRI in this graph).

Never proposed: edits for resources without a QID, for accounts whose handle we do not know (a
username statement cannot be addressed without its value), for departures without a date, and
anything for a gs:Suspension (a pause is not an end on Wikidata). Each skip is counted, with its reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pyoxigraph import Store

from server.engine.query import run_query
from server.rdf.namespaces import GS, WD

EVENTS_QUERY = f"""
SELECT ?event ?kind ?actor ?platform ?property ?date ?precision WHERE {{
  VALUES ?kind {{ gs:Joining gs:Departure }}
  ?event a ?kind ; gs:platform ?platform .
  {{ ?event gs:institution ?actor }} UNION {{ ?event gs:person ?actor }}
  OPTIONAL {{ ?platform gs:wikidataAccountProperty ?property . FILTER(STRSTARTS(STR(?property), "{WD}P")) }}
  OPTIONAL {{ ?event gs:date ?date ; gs:datePrecision ?precision }}
}}
"""
ITEMS_QUERY = f"""
SELECT ?resource ?item WHERE {{ ?resource owl:sameAs ?item . FILTER(STRSTARTS(STR(?item), "{WD}Q")) }}
"""
#: An event's own account first; otherwise the accounts its actor holds on that platform.
ACCOUNTS_QUERY = """
SELECT ?event ?own ?handle ?instance WHERE {
  VALUES ?kind { gs:Joining gs:Departure }
  ?event a ?kind ; gs:platform ?platform .
  {
    ?event gs:account ?account . BIND(true AS ?own)
  } UNION {
    { ?event gs:institution ?actor } UNION { ?event gs:person ?actor }
    FILTER NOT EXISTS { ?event gs:account ?any }
    ?account gs:heldBy ?actor ; gs:platform ?platform . BIND(false AS ?own)
  }
  ?account gs:handle ?handle .
  OPTIONAL { ?account gs:instance ?instance }
}
"""
SOURCES_QUERY = f"""
SELECT ?event ?source ?item ?pinned ?url WHERE {{
  VALUES ?kind {{ gs:Joining gs:Departure }}
  ?event a ?kind ; prov:wasDerivedFrom ?source .
  OPTIONAL {{ ?source owl:sameAs ?item . FILTER(STRSTARTS(STR(?item), "{WD}Q")) }}
  OPTIONAL {{ ?source dcterms:source ?pinned . FILTER(isIRI(?pinned)) }}
  OPTIONAL {{ ?source schema:url ?url . FILTER(isIRI(?url)) }}
}}
"""
SUSPENSIONS_QUERY = "SELECT (COUNT(DISTINCT ?event) AS ?n) WHERE { ?event a gs:Suspension }"

PRECISION = {GS + "DayPrecision": 11, GS + "MonthPrecision": 10, GS + "YearPrecision": 9}
QUALIFIER = {GS + "Joining": "P580", GS + "Departure": "P582"}
MASTODON_PROPERTY = "P4033"

# Reasons for skipping an event, as the summary names them
NO_QID = "actor has no Wikidata item (owl:sameAs)"
NO_PROPERTY = "platform has no Wikidata account property"
NO_HANDLE = "account handle not known"
NO_HOST = "Mastodon account without gs:instance"
NO_DATE = "departure without a date"
AMBIGUOUS = "more than one Wikidata item or handle"


@dataclass
class Export:
    """The QuickStatements commands, and what was left out and why."""

    lines: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    suspensions: int = 0

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def summary(self) -> str:
        parts = [f"{len(self.lines)} QuickStatements commands"]
        parts += [f"  skipped {count}: {reason}" for reason, count in sorted(self.skipped.items())]
        parts.append(f"  not exported {self.suspensions}: gs:Suspension (a pause is not an end time)")
        return "\n".join(parts) + "\n"


def export(store: Store) -> Export:
    """Every command our data supports, sorted and without duplicates, so the output is deterministic."""
    items: dict[str, set[str]] = {}
    for row in run_query(store, ITEMS_QUERY):
        items.setdefault(row["resource"].value, set()).add(_qid(row["item"].value))
    accounts: dict[str, set[tuple[bool, str, str]]] = {}
    for row in run_query(store, ACCOUNTS_QUERY):
        instance = row["instance"].value if row["instance"] is not None else ""
        accounts.setdefault(row["event"].value, set()).add((row["own"].value == "true", row["handle"].value, instance))
    references: dict[str, list[tuple[str, str]]] = {}
    for row in run_query(store, SOURCES_QUERY):
        references.setdefault(row["event"].value, []).append(_reference(row))

    result = Export(suspensions=int(next(iter(run_query(store, SUSPENSIONS_QUERY)))["n"].value))
    commands: set[str] = set()
    for row in run_query(store, EVENTS_QUERY):
        event, kind = row["event"].value, row["kind"].value
        qids = items.get(row["actor"].value, set())
        if not qids:
            result.skipped[NO_QID] += 1
            continue
        if row["property"] is None:
            result.skipped[NO_PROPERTY] += 1
            continue
        prop = _qid(row["property"].value)
        values = _values(accounts.get(event, set()), prop)
        if isinstance(values, str):
            result.skipped[values] += 1
            continue
        if len(qids) > 1 or len(values) > 1:
            result.skipped[AMBIGUOUS] += 1
            continue
        if row["date"] is None and kind == GS + "Departure":
            result.skipped[NO_DATE] += 1
            continue
        command = [next(iter(qids)), prop, _string(values[0])]
        if row["date"] is not None:
            command += [QUALIFIER[kind], _time(row["date"].value, PRECISION[row["precision"].value])]
        command += _source(sorted(set(references.get(event, []))))
        commands.add("\t".join(command))
    result.lines = sorted(commands)
    return result


def _values(candidates: set[tuple[bool, str, str]], prop: str) -> list[str] | str:
    """The statement values of an event's account(s): the handle, or user@host for Mastodon; or a skip reason."""
    if not candidates:
        return NO_HANDLE
    own = {candidate for candidate in candidates if candidate[0]}
    chosen = own or candidates
    if prop != MASTODON_PROPERTY:
        return sorted({handle.lstrip("@") for _, handle, _ in chosen})
    if any(not host for _, _, host in chosen):
        return NO_HOST
    return sorted({f"{handle.lstrip('@')}@{_ascii_host(host)}" for _, handle, host in chosen})


def _ascii_host(host: str) -> str:
    """A host name in its DNS (IDNA, punycode) form, e.g. bawü.social -> xn--baw-joa.social."""
    return host.encode("idna").decode("ascii").lower()


def _reference(row) -> tuple[str, str]:
    """(property, value) of a reference to one source: stated in its item, or a URL for it."""
    if row["item"] is not None:
        return ("S248", _qid(row["item"].value))
    for name in ("pinned", "url", "source"):
        if row[name] is not None:
            return ("S854", _string(row[name].value))
    raise AssertionError("unreachable: ?source is always bound")


def _source(references: list[tuple[str, str]]) -> list[str]:
    """One reference per command: a source with a QID if there is one, otherwise the first by URL."""
    if not references:
        return []
    stated = [reference for reference in references if reference[0] == "S248"]
    prop, value = (stated or references)[0]
    return [prop, value]


def _qid(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _string(value: str) -> str:
    """A QuickStatements string literal; the format has no escape for a double quote or tab."""
    if any(char in value for char in '"\t\n'):
        raise ValueError(f"cannot write {value!r} as a QuickStatements string")
    return f'"{value}"'


def _time(date: str, precision: int) -> str:
    """+YYYY-MM-DDT00:00:00Z/precision, the QuickStatements time syntax (11 day, 10 month, 9 year)."""
    return f"+{date[:10]}T00:00:00Z/{precision}"
