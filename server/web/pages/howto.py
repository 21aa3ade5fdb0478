"""`/howto`: the model drawn from the ontology, and the query patterns a researcher new to it needs.

The diagram is drawn for the page from the ontology graph (diagram.py reads it, diagram_svg.py lays it out), so it
shows what the ontology says, not what a drawing once said; the ETag spares a client the drawing a second time.
The patterns are data, one SPARQL file each in `queries/howto/` with the header of the example queries (title,
description: why the pattern is needed, `federated: true` where it calls a SERVICE); each has a link that opens
the workbench with exactly its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup, escape

from server.engine.examples import Example, load_examples
from server.rdf.labels import Labels
from server.rdf.namespaces import SKOS
from server.web.caching import cache_headers, etag_for, not_modified
from server.web.pages.diagram import Model, build_model, concept_valued
from server.web.pages.diagram_svg import render
from server.web.pages.queries import PageQueries, page_queries, values
from server.web.pages.vocabulary import Vocabulary, vocabulary
from server.web.runtime import runtime

blueprint = Blueprint("howto", __name__)

#: The folder of the patterns, inside the folder of the example queries.
PATTERNS_FOLDER = "howto"
HTML = "text/html"
_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Pattern:
    """One pattern as the page shows it: its file's header and text, its anchor and its workbench link."""

    example: Example

    @property
    def anchor(self) -> str:
        """The file's name without its number: `every-event-whatever-its-kind`."""
        return re.sub(r"^\d+-", "", self.example.name)

    @property
    def run(self) -> str:
        """The workbench with this query in its editor: the workbench's own `?query=` link."""
        return "/?query=" + quote(self.example.text, safe="")

    @property
    def why(self) -> Markup:
        """The description, with `code` in backticks set as code."""
        return Markup(_CODE.sub(lambda match: f"<code>{match.group(1)}</code>", str(escape(self.example.description))))


def patterns_dir() -> Path:
    return runtime().settings.queries_dir / PATTERNS_FOLDER


def patterns(folder: Path) -> list[Pattern]:
    """The patterns of a folder in file-name order; none when the folder is not there (an installed package)."""
    return [Pattern(example) for example in load_examples(folder)] if folder.is_dir() else []


def concept_schemes(queries: PageQueries, vocab: Vocabulary) -> dict[str, list[str]]:
    """For each property the ontology ranges over skos:Concept, the schemes of the concepts the data gives it."""
    properties = concept_valued(vocab)
    if not properties:
        return {}
    rows = queries.select(
        f"""SELECT DISTINCT ?property ?scheme WHERE {{
  {values("property", properties)}
  ?subject ?property ?concept .
  ?concept <{SKOS}inScheme> ?scheme .
}}"""
    )
    found: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda row: (row["property"].value, row["scheme"].value)):
        found.setdefault(row["property"].value, []).append(row["scheme"].value)
    return found


def model_of(queries: PageQueries, vocab: Vocabulary) -> Model:
    """The diagram's model: the ontology, with the schemes its concept-valued properties draw on."""
    return build_model(vocab, concept_schemes(queries, vocab))


def first_sentence(comments: Labels | None) -> str:
    """The first sentence of a term's English comment: what the ontology itself says the term is."""
    text = comments.by_lang.get("en", "") if comments is not None else ""
    return text.split(". ", 1)[0].rstrip(".")


@blueprint.get("/howto")
def howto() -> Response:
    """The model as a diagram, then the patterns, each runnable in the workbench."""
    found = patterns(patterns_dir())
    etag = etag_for(request.path, HTML, *(pattern.example.text for pattern in found))
    headers = cache_headers(etag)
    if (cached := not_modified(etag, headers)) is not None:
        return cached
    vocab = vocabulary()
    model = model_of(page_queries(), vocab)
    body = render_template(
        "howto.html",
        diagram=Markup(render(model, vocab)),
        model=model,
        vocab=vocab,
        hub_comment=first_sentence(vocab.comments.get(model.hub)),
        patterns=found,
    )
    return Response(body, mimetype=HTML, headers=headers)
