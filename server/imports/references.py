"""The project's reference table (shared/reference/entities.tsv): the only place Länder and ministry QIDs come from.

Public QID lists shift Länder by one; the table marks which QIDs were checked. Only rows marked
`verified` are used; `likely` ones are ignored until someone checks them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from server.rdf.namespaces import GSID

from .matching import normalise

REFERENCE_SOURCE = GSID + "source/reference-entities"  # described in data/curated/sources.ttl
FILE_NAME = "entities.tsv"


@dataclass(frozen=True)
class Verified:
    """A verified row: its names (label and the parenthesised official name or abbreviation) and QID."""

    names: tuple[str, ...]
    kind: str
    qid: str


def read_verified(path: Path) -> list[Verified]:
    """Every row of entities.tsv whose confidence is `verified` and that has a QID."""
    rows = []
    with path.open(encoding="utf-8", newline="") as table:
        for row in csv.DictReader(table, delimiter="\t"):
            qid = (row.get("wikidata_qid") or "").strip()
            if (row.get("confidence") or "").strip() != "verified" or not qid:
                continue
            label = row["label_de"].strip()
            names = [re.sub(r"\s*\(.*\)\s*$", "", label)]
            names += [part.strip(" '") for part in re.findall(r"\(([^)]*)\)", label) for part in part.split(",")]
            rows.append(Verified(tuple(n for n in names if n), row["type"].strip(), qid))
    return rows


def qid_for(verified: list[Verified], names: list[str], kind_prefix: str) -> str | None:
    """The verified QID of the row of this kind whose names include one of `names` (normalised)."""
    wanted = {normalise(name) for name in names}
    found = {
        row.qid
        for row in verified
        if row.kind.startswith(kind_prefix) and wanted & {normalise(name) for name in row.names}
    }
    return found.pop() if len(found) == 1 else None
