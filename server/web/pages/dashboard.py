"""The dashboard: charts to look at rather than tables to read, each drawn from an example query.

Every chart names its query in queries/; the page embeds the query's text, dashboard.js runs it on
/sparql and draws the answer, and each chart links to the workbench with that query, so a researcher
can open the query behind a chart and change it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import Blueprint, render_template

from server.engine.examples import Example
from server.web.runtime import runtime

blueprint = Blueprint("dashboard", __name__)


@dataclass(frozen=True)
class Chart:
    """One chart: which query feeds it and how its columns map onto the picture."""

    id: str
    title: str
    query: str  # the example's name (file stem in queries/)
    type: str  # "stacked-bar" | "horizontal-stacked-bar" | "horizontal-bar" | "sankey"
    x: str  # the variable along the category axis (or the flow's source)
    value: str  # the variable holding the number
    series: str = ""  # the variable splitting bars into stacks (or the flow's target)
    note: str = ""
    timeline: bool = False  # x holds months (YYYY-MM): show every month between the first and the last


CHARTS: tuple[Chart, ...] = (
    Chart(
        "x-exodus-by-month",
        "The X exodus: departures and pauses per month, by level",
        "24-x-exodus-per-month-by-level",
        "stacked-bar",
        x="month",
        series="level",
        value="events",
        note="Left X or paused it; an event known only by its bounds stands in the month of its report.",
        timeline=True,
    ),
    Chart(
        "x-exodus-reasons",
        "The X exodus: reasons given, by level",
        "25-x-exodus-reasons-by-level",
        "horizontal-stacked-bar",
        x="label",
        series="level",
        value="events",
        note="How many departures and pauses on X give each reason.",
    ),
    Chart(
        "events-by-kind",
        "Events per month, by kind",
        "14-events-per-month-by-kind-and-level",
        "stacked-bar",
        x="month",
        series="kind",
        value="events",
        note="Joinings, departures and suspensions dated to the day or the month.",
        timeline=True,
    ),
    Chart(
        "events-by-level",
        "Events per month, by government level",
        "14-events-per-month-by-kind-and-level",
        "stacked-bar",
        x="month",
        series="level",
        value="events",
        note="The same events, split by the level of the institution.",
        timeline=True,
    ),
    Chart(
        "flow-from-x",
        "From X to the platforms adopted instead",
        "15-flow-from-x-to-alternatives",
        "sankey",
        x="from",
        series="to",
        value="events",
        note="Government level → departure or suspension → the alternative each event names.",
    ),
    Chart(
        "events-per-land",
        "Platform events per Land",
        "16-events-per-land",
        "horizontal-stacked-bar",
        x="landLabel",
        series="kind",
        value="events",
        note="Events of each Land's own institutions, by kind.",
    ),
    Chart(
        "reasons",
        "The reasons most often stated",
        "02-reasons-most-often-stated",
        "horizontal-bar",
        x="label",
        value="events",
        note="How many events cite each reason.",
    ),
)


def charts_with_queries() -> list[dict[str, object]]:
    """The charts whose query exists in this server's queries/, each with the query's title and text."""
    examples: dict[str, Example] = {e.name: e for e in runtime().examples}
    found = []
    for chart in CHARTS:
        example = examples.get(chart.query)
        if example is not None:
            found.append(
                {
                    **asdict(chart),
                    "query_title": example.title,
                    "description": example.description,
                    "text": example.text,
                }
            )
    return found


@blueprint.get("/dashboard")
def dashboard() -> str:
    """The charts, drawn in the browser from the queries' answers."""
    return render_template("dashboard.html", charts=charts_with_queries())
