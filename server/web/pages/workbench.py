"""The query workbench at `/`: a SPARQL editor, the example queries, answers read in several views.

The page is a plain form that posts to /sparql, so it works without JavaScript; workbench*.js turn it
into the editor (highlighting, completion from the ontology and /-/search), run queries with fetch and
show the whole answer as a paged table, a chart, a timeline or a graph, with downloads of all of it from
/sparql. `?query=` or `?example=` prefill the editor, so a link reproduces a query; the scripts also read
a compressed query from the fragment (`#z=`), which never reaches the server.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request

from server.engine.examples import Example
from server.rdf.formats import as_config
from server.rdf.namespaces import PREFIXES
from server.web import assets, errors
from server.web.pages.vocabulary import vocabulary
from server.web.runtime import runtime

blueprint = Blueprint("workbench", __name__)

DEFAULT_QUERY = """# Who left X or paused it, and when? Press Ctrl-Enter to run, Ctrl-Space to complete.
SELECT ?event ?institution ?date WHERE {
  ?event a gs:Departure ;
         gs:platform platform:x ;
         gs:institution ?institution .
  OPTIONAL { ?event gs:date ?date }
}
ORDER BY ?date"""


#: Chart.js, loaded by the chart view the first time it draws (most answers are read as tables).
CHART_SCRIPT = "chart.js/dist/chart.umd.min.js"


def examples() -> list[Example]:
    return runtime().examples


def example_named(name: str) -> Example | None:
    return next((example for example in examples() if example.name == name), None)


def editor_config() -> dict[str, Any]:
    """What the scripts need, embedded in the page: prefixes, vocabulary, examples, formats, limits.

    The prefixes are those the endpoint declares for every query; the workbench adds PREFIX lines for the ones a
    query uses when it copies the query as code to run elsewhere. The limits say how large a download can be.
    """
    settings = runtime().settings
    return {
        "prefixes": PREFIXES,
        "vocabulary": vocabulary().completions(),
        "examples": [
            {"name": e.name, "title": e.title, "description": e.description, "text": e.text} for e in examples()
        ],
        "downloads": as_config(),
        "limits": {"max_result_bytes": settings.max_result_bytes, "max_query_bytes": settings.max_query_bytes},
        "scripts": {"chart": "/assets/" + CHART_SCRIPT if assets.installed() else None},
    }


@blueprint.get("/")
def workbench() -> str:
    """The workbench, its editor prefilled from `?query=`, `?example=` or a first example."""
    text = request.args.get("query")
    chosen = None
    if text is None and (name := request.args.get("example")):
        chosen = example_named(name)
        if chosen is None:
            raise errors.NotFound(f"no example query named {name!r}; see the list at /")
        text = chosen.text
    settings = runtime().settings
    if text is not None and len(text.encode("utf-8")) > settings.max_query_bytes:
        raise errors.QueryTooLarge(f"the query exceeds the limit of {settings.max_query_bytes} bytes")
    return render_template(
        "workbench.html",
        query=text if text is not None else DEFAULT_QUERY,
        autorun=text is not None,
        chosen=chosen,
        examples=examples(),
        config=editor_config(),
        prefixes=PREFIXES,
    )


@blueprint.get("/queries/<name>.rq")
def query_file(name: str) -> Response:
    """An example query's file as it is in queries/, for links from the dashboard and for curl."""
    example = example_named(name)
    if example is None:
        raise errors.NotFound(f"no example query named {name!r}")
    return Response(example.text, content_type="application/sparql-query; charset=utf-8")
