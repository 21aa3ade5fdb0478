"""The query workbench at `/`: a SPARQL editor, the example queries, results that link to the pages.

The page is a plain form that posts to /sparql, so it works without JavaScript; workbench.js turns it
into the editor (highlighting, completion from the ontology and /-/search), runs queries with fetch,
keeps the query in the URL and shows the parser's error beside the query. `?query=` or `?example=`
prefill the editor, so a link reproduces a query.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request

from server.engine.examples import Example
from server.rdf.formats import as_config
from server.rdf.namespaces import PREFIXES
from server.web import errors
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


#: Download formats offered for each kind of result: (short name for `format=`, label, file suffix).
def examples() -> list[Example]:
    return runtime().examples


def example_named(name: str) -> Example | None:
    return next((example for example in examples() if example.name == name), None)


def editor_config() -> dict[str, Any]:
    """What the editor needs, embedded in the page: prefixes, vocabulary, examples, download formats."""
    return {
        "prefixes": PREFIXES,
        "vocabulary": vocabulary().completions(),
        "examples": [
            {"name": e.name, "title": e.title, "description": e.description, "text": e.text} for e in examples()
        ],
        "downloads": as_config(),
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
