"""How the pages write IRIs, labels and dates: pure functions, also registered as Jinja filters.

IRIs under our base become links on this host (`/id/...`, `/ontology#Term`), so the site works the
same on any host; other IRIs link only when they are http(s), since an IRI in the data can be anything
(`javascript:...` would run in our origin on a click); dates are shown at the precision the data gives
them, never more precisely.
"""

from __future__ import annotations

import re
from datetime import date

from server.rdf.labels import local_name
from server.rdf.namespaces import GRAPH, GS, GSID, XSD
from server.rdf.terms import compact

ONTOLOGY_IRI = GS.rstrip("#")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

#: The scheme of an absolute IRI (RFC 3986), for the one check of what may become a link.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
#: The only schemes a page links to; `javascript:`, `data:`, `vbscript:`, `file:`, `mailto:` … stay text.
LINK_SCHEMES = frozenset({"http", "https"})

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def href(iri: str) -> str | None:
    """Where a link to this IRI goes, or None when it must be shown as text, not as a link.

    Our resources and terms go to this host; another IRI goes where it says only when its scheme is
    http or https. Anything else (`javascript:`, `data:`, a relative reference, a scheme hidden behind
    a space) is None: data can hold any IRI, and a link must never run code in our origin.
    """
    if iri.startswith(GSID):
        return "/id/" + iri[len(GSID) :]
    if iri.startswith(GS):
        return "/ontology#" + iri[len(GS) :]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(GRAPH):
        return "/dataset#graph-" + iri[len(GRAPH) :]
    scheme = _SCHEME.match(iri)
    return iri if scheme and scheme.group(1).lower() in LINK_SCHEMES else None


def is_local(iri: str) -> bool:
    """Whether `href(iri)` points into this site."""
    return (href(iri) or "").startswith("/")


def wikidata_id(iri: str) -> str | None:
    """`Q183` for a Wikidata entity IRI, else None."""
    if iri.startswith(WIKIDATA_ENTITY):
        return iri[len(WIKIDATA_ENTITY) :]
    return None


def wikidata_page(iri: str) -> str:
    """The human page of a Wikidata entity (the entity IRI itself redirects there too)."""
    qid = wikidata_id(iri)
    return f"https://www.wikidata.org/wiki/{qid}" if qid else iri


def parse_date(value: str | None) -> date | None:
    """An xsd:date (ignoring a time-zone suffix), or None for anything else."""
    if not value:
        return None
    match = re.match(r"^(-?\d{4,})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def format_date(
    value: str | None,
    precision: str | None = None,
    reported_on: str | None = None,
    not_before: str | None = None,
    not_after: str | None = None,
    words: str | None = None,
) -> str:
    """A date at its precision ('15 January 2025', 'February 2024', '2024'), else the bounds the source allows
    ('by 18 April 2024', 'between 6 and 12 January 2025'), else 'undated (reported …)'; the source's own words
    follow in quotation marks.

    `precision` is the IRI or the local name of a gs:DatePrecisions concept; without it the date is
    shown to the day, as written.
    """
    shown = _date_or_bounds(value, precision, reported_on, not_before, not_after)
    return f"{shown} („{words}“)" if words else shown


def _date_or_bounds(
    value: str | None, precision: str | None, reported_on: str | None, not_before: str | None, not_after: str | None
) -> str:
    parsed = parse_date(value)
    if parsed is None:
        earliest, latest = parse_date(not_before), parse_date(not_after)
        if earliest and latest:
            return _day(latest) if earliest == latest else f"between {_day(earliest)} and {_day(latest)}"
        if latest:
            return f"by {_day(latest)}"
        if earliest:
            return f"not before {_day(earliest)}"
        reported = parse_date(reported_on)
        return f"undated (reported {reported.isoformat()})" if reported else "undated"
    name = local_name(precision) if precision else "DayPrecision"
    if name == "YearPrecision":
        return f"{parsed.year}"
    if name == "MonthPrecision":
        return f"{MONTHS[parsed.month - 1]} {parsed.year}"
    return _day(parsed)


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def datatype_name(datatype: str) -> str:
    """`xsd:date` for a datatype IRI, for the small print beside a literal."""
    if datatype.startswith(XSD):
        return "xsd:" + datatype[len(XSD) :]
    return compact(datatype)


def human_size(size: int) -> str:
    """A byte count as people read it: '71.1 KiB'."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
