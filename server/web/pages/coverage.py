"""The coverage page: what the record says of defined populations, and what it does not say.

A researcher needs to know whom the record covers, not only what it holds: for every federal ministry, every
Landtag and every Land government, its X status as the sources report it, or nothing. The page runs the
example query 23 (so the numbers are the endpoint's) and sums it up per population.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, render_template

from server.web.pages.queries import page_queries
from server.web.runtime import runtime

blueprint = Blueprint("coverage", __name__)
QUERY = "23-x-status-of-defined-populations"


@dataclass
class Member:
    land: str
    body: str
    iri: str
    status: str
    latest: str
    sources: int
    newest_source: str


@dataclass
class Population:
    name: str
    members: list[Member] = field(default_factory=list)

    @property
    def with_status(self) -> int:
        return sum(1 for m in self.members if m.status)

    @property
    def without_status(self) -> list[Member]:
        return [m for m in self.members if m.iri and not m.status]

    @property
    def missing_body(self) -> list[Member]:
        return [m for m in self.members if not m.iri]

    @property
    def newest_source(self) -> str:
        return max((m.newest_source for m in self.members if m.newest_source), default="")


def populations() -> list[Population]:
    example = next(e for e in runtime().examples if e.name == QUERY)
    found: dict[str, Population] = {}
    for row in page_queries().select(example.text):
        name = row["population"].value
        value = {key: term.value for key, term in row.items()}
        found.setdefault(name, Population(name)).members.append(
            Member(
                land=value.get("landLabel", ""),
                body=value.get("bodyLabel", ""),
                iri=value.get("body", ""),
                status=value.get("status", ""),
                latest=value.get("latest", ""),
                sources=int(value.get("sources", "0")),
                newest_source=value.get("newestSource", ""),
            )
        )
    order = ["federal ministries", "Land governments", "Land parliaments"]
    return sorted(found.values(), key=lambda p: order.index(p.name) if p.name in order else len(order))


@blueprint.get("/coverage")
def coverage() -> str:
    return render_template("coverage.html", populations=populations(), query=QUERY)
