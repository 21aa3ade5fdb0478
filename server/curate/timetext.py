"""When an event happened, from the source's words and its date: a date at its precision, or bounds.

The words are always kept (gs:dateText). A date is written only where the words state it ("am 15. Januar
2025", "im Februar 2024", "2023"); a month without a year takes the year of the source (the latest such month
not after it). Words that say "now" ("ab sofort", "jetzt", "seit heute") or nothing date the event to no day:
it happened no later than the source (gs:notAfter), which is what the source allows. "Anfang/Mitte/Ende" and
"ca." keep the month as the precision, since a month is what they state.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS: dict[str, int] = {}
for number, names in enumerate(
    (
        ("januar", "jänner", "jan", "january"),
        ("februar", "feb", "february"),
        ("märz", "maerz", "mär", "mar", "march"),
        ("april", "apr"),
        ("mai", "may"),
        ("juni", "jun", "june"),
        ("juli", "jul", "july"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt", "oct", "october"),
        ("november", "nov"),
        ("dezember", "dez", "dec", "december"),
    ),
    start=1,
):
    for name in names:
        MONTHS[name] = number
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\.?\s*{_MONTH}\s+(\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b")
_MONTH_ALONE = re.compile(rf"\b{_MONTH}(?!\s*\d)")
_YEAR = re.compile(r"\b(20[0-4]\d)\b")
_NOW = re.compile(
    r"ab sofort|\bsofort\b|\bjetzt\b|\bnun\b|\bheute\b|\bderzeit\b|\baktuell\b|\bmittlerweile\b|\binzwischen\b"
    r"|\bnow\b|\bcurrently\b|\bwith immediate effect\b|\bas of today\b",
    re.IGNORECASE,
)
_YESTERDAY = re.compile(r"\bgestern\b|\byesterday\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)


class TimeTextError(ValueError):
    """The words or the date column say something that cannot be a date (a 31 February, a year 2099)."""


@dataclass(frozen=True)
class When:
    """The time of an event as the graph records it."""

    text: str  # the source's own words ("" if none)
    date: str | None = None  # xsd:date; with a month or year precision the first day of it
    precision: str | None = None  # "Day", "Month" or "Year"
    not_before: str | None = None
    not_after: str | None = None
    basis: str = ""  # how it was read, for the curator's report

    @property
    def iri_part(self) -> str:
        """The date part of an event IRI: the date at its precision, else the month of the latest bound."""
        if self.date and self.precision == "Day":
            return self.date
        if self.date and self.precision == "Month":
            return self.date[:7]
        if self.date:
            return self.date[:4]
        if self.not_after:
            return self.not_after[:7]
        return "undated"


def source_day(text: str) -> tuple[str | None, str | None]:
    """A source date column (YYYY-MM-DD or YYYY-MM) as (day, latest day it allows)."""
    text = text.strip()
    if not text:
        return None, None
    found = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text)
    if not found:
        raise TimeTextError(f"source date {text!r} is not YYYY-MM-DD or YYYY-MM")
    year, month = int(found[1]), int(found[2])
    if found[3]:
        day = _checked(year, month, int(found[3]))
        return day, day
    _checked(year, month, 1)
    return None, _last_day(year, month)


def read(text: str, stated: str = "", source: str = "") -> When:
    """The time of an event from the source's words, an explicit date column and the source's date."""
    words = " ".join(text.split())
    day, latest = source_day(source)
    if stated.strip():
        return _stated(words, stated.strip(), latest)
    lowered = words.casefold()
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        if found := pattern.search(lowered):
            d, m, y = (found[1], found[2], found[3]) if order == "dmy" else (found[2], found[1], found[3])
            return _dated(words, _checked(int(y), MONTHS[m], int(d)), "Day", latest, "a day with month name")
    if found := _NUMERIC.search(lowered):
        value = _checked(int(found[3]), int(found[2]), int(found[1]))
        return _dated(words, value, "Day", latest, "a numeric date")
    if found := _ISO.search(lowered):
        if found[3]:
            return _dated(words, _checked(int(found[1]), int(found[2]), int(found[3])), "Day", latest, "an ISO date")
        return _dated(words, _checked(int(found[1]), int(found[2]), 1), "Month", latest, "an ISO month")
    if found := _MONTH_YEAR.search(lowered):
        value = _checked(int(found[2]), MONTHS[found[1]], 1)
        return _dated(words, value, "Month", latest, "a month and year")
    if (found := _MONTH_ALONE.search(lowered)) and day and not _YEAR.search(lowered):
        month, year = MONTHS[found[1]], int(day[:4])
        if month > int(day[5:7]):
            year -= 1  # "Anfang Januar" in a source of December is the January of that year, not of the next
        return _dated(words, _checked(year, month, 1), "Month", latest, "a month without year: the source's year")
    if found := _YEAR.search(lowered):
        return _dated(words, f"{found[1]}-01-01", "Year", latest, "a year")
    if _YESTERDAY.search(lowered) and day:
        value = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        return _dated(words, value, "Day", latest, "'yesterday': the day before the source")
    if _WEEKDAY.search(lowered) and day:
        earliest = (date.fromisoformat(day) - timedelta(days=6)).isoformat()
        return When(words, not_before=earliest, not_after=day, basis="a weekday: within the week before the source")
    if latest:
        basis = "'now' in the source's words" if _NOW.search(lowered) else "no time stated"
        return When(words, not_after=latest, basis=f"{basis}: no later than the source")
    return When(words, basis="no time stated and no source date: undated")


def _stated(words: str, stated: str, latest: str | None) -> When:
    found = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", stated)
    if not found:
        raise TimeTextError(f"date {stated!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    year = int(found[1])
    if found[3]:
        return _dated(words, _checked(year, int(found[2]), int(found[3])), "Day", latest, "the date column")
    if found[2]:
        return _dated(words, _checked(year, int(found[2]), 1), "Month", latest, "the date column")
    return _dated(words, _checked(year, 1, 1), "Year", latest, "the date column")


def _dated(words: str, value: str, precision: str, latest: str | None, basis: str) -> When:
    if latest and value > latest:
        raise TimeTextError(f"{value} is after the source's date {latest}: a source cannot report a later event")
    return When(words, value, precision, basis=basis)


def _checked(year: int, month: int, day: int) -> str:
    if not 2000 <= year <= 2049:
        raise TimeTextError(f"year {year} is outside 2000-2049")
    try:
        return date(year, month, day).isoformat()
    except ValueError as error:
        raise TimeTextError(f"{year:04d}-{month:02d}-{day:02d} is not a day ({error})") from error


def _last_day(year: int, month: int) -> str:
    return date(year, month, calendar.monthrange(year, month)[1]).isoformat()
