"""The event sheet: one CSV row per event, in the columns a curator fills in from a news page.

COLUMNS is the one table of the format: the README's column documentation and the reader both come from it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    doc: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "institution",
        True,
        'who: the name as the source writes it ("Stadt Bonn", "Polizei Berlin"), our IRI '
        "(`institution:dresden`) or a Wikidata QID (`Q1731`)",
    ),
    Column(
        "institution_type",
        False,
        "kind of body, a hint for matching and the class of a created one: Ministry, "
        "Government, StateChancellery, Parliament, Agency, Police, Municipality, District, "
        "HigherEducationInstitution, ResearchInstitution, DataProtectionAuthority, Court, Military, Office, Other",
    ),
    Column("land", False, 'the Land it belongs to ("Sachsen", "Nordrhein-Westfalen"), `Bund` for a federal body, `EU`'),
    Column("platform", True, "x, mastodon, bluesky, threads, instagram, facebook, tiktok, whatsapp, linkedin, youtube"),
    Column(
        "kind",
        True,
        "departure, suspension (paused, account kept), retention (stated decision to stay), joining, "
        "consideration-departure (weighing whether to leave), consideration-joining, campaign",
    ),
    Column(
        "time_text",
        False,
        'the source\'s own words for when ("seit Februar 2024", "ab sofort"); kept as '
        "gs:dateText and read into a date or bounds",
    ),
    Column(
        "date", False, "YYYY-MM-DD, YYYY-MM or YYYY, only where the source states it; overrides what the words give"
    ),
    Column("reasons", False, "the reasons in the source's words, several separated by ` | `; mapped to gs:Reasons"),
    Column(
        "exceptions",
        False,
        "what a paused or kept account is still used for, in the source's words; gs:exception, mapped to gs:Exceptions",
    ),
    Column("alternatives", False, "platforms named as used instead, platform codes separated by ` | `"),
    Column("quote", False, "a quotation, copied exactly (at most 300 characters)"),
    Column("quote_by", False, 'who said it, as the source names them ("Pressesprecher Max Muster")'),
    Column("source_url", True, "the page's URL"),
    Column("source_title", True, "the page's headline"),
    Column("source_publisher", True, 'who publishes the page ("tagesschau.de", "Landtag NRW")'),
    Column("source_date", False, "the page's date, YYYY-MM-DD (or YYYY-MM where only the month is known)"),
    Column("source_language", True, "de or en"),
    Column(
        "evidence", True, "the one sentence of the page that states the event, copied exactly (at most 300 characters)"
    ),
    Column(
        "create",
        False,
        "`yes` to create the institution when the graph has none of that name (with "
        "institution_type, land, and parent where known)",
    ),
    Column("parent", False, "for a created institution: the body it belongs to (a name, our IRI or a QID)"),
)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
NAMES = tuple(column.name for column in COLUMNS)


class SheetError(ValueError):
    """The file is not a sheet: not UTF-8, not CSV, or without the required columns."""


@dataclass(frozen=True)
class Row:
    number: int  # the line in the file (the header is line 1)
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return " ".join((self.cells.get(column) or "").split())

    def raw(self, column: str) -> str:
        """A cell as written (evidence and quotes must stay character for character)."""
        return (self.cells.get(column) or "").strip()


def read_sheet(path: Path) -> list[Row]:
    """The rows of a sheet; SheetError names what is wrong with the file as a whole."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise SheetError(f"{path}: cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise SheetError(f"{path}: not UTF-8 (byte {error.start}): save the sheet as CSV UTF-8") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise SheetError(f"{path}: the header lacks the column(s) {', '.join(missing)} (see the README's sheet format)")
    unknown = [name for name in header if name and name not in NAMES]
    if unknown:
        raise SheetError(f"{path}: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(NAMES)}")
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if None in cells:
                raise SheetError(f"{path}, line {number}: more cells than columns (a comma inside an unquoted cell?)")
            clean = {key.strip(): (value or "") for key, value in cells.items() if key}
            if any(value.strip() for value in clean.values()):
                rows.append(Row(number, clean))
    except csv.Error as error:
        raise SheetError(f"{path}: not valid CSV ({error})") from error
    return rows
