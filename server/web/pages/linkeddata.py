"""Dereferenceable IRIs: `/id/...` for every resource under https://w3id.org/govsocial/id/, `/ontology`.

A browser gets the HTML page; an RDF client gets the resource's description (its statements in both
directions, with the labels of what it links to) in the format it asks for. `.ttl`, `.nt`, `.jsonld`,
`.rdf` (and `.html`) suffixes name one format for links; every answer lists the others in a `Link`
header. An unknown IRI is a 404, with suggestions for a person.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request
from pyoxigraph import NamedNode, RdfFormat, Triple, serialize
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from server.rdf.formats import ALIASES, FORMATS, resolve
from server.rdf.jsonld import compact as compact_jsonld
from server.rdf.namespaces import GS, GSID, PREFIXES, RDFS, SKOS
from server.rdf.terms import compact
from server.web import errors
from server.web.caching import cache_headers, etag_for, not_modified
from server.web.pages.entity import build_page, key_facts, statement_rows
from server.web.pages.present import ONTOLOGY_IRI
from server.web.pages.queries import InvalidIri, PageQueries, iri_ref, page_queries, values
from server.web.pages.resources import class_counts_of_app, exists
from server.web.pages.search import search_index
from server.web.pages.vocabulary import vocabulary

blueprint = Blueprint("linkeddata", __name__)

#: Resources listed per page when browsing a kind (there are thousands of municipalities).
BROWSE_PAGE = 250

HTML = "text/html"
#: The formats a resource is served in, Turtle first: RDF clients rarely say what they want.
_RESOURCE_FORMATS = [f for f in FORMATS if f.resource]
#: The representations of a resource, the default for `*/*` first, then the page for people.
REPRESENTATIONS: dict[str, RdfFormat | None] = {
    _RESOURCE_FORMATS[0].media_type: _RESOURCE_FORMATS[0].graph,
    HTML: None,
    **{f.media_type: f.graph for f in _RESOURCE_FORMATS[1:]},
}
#: File suffixes for links to one representation.
SUFFIXES = {**{"." + f.suffix: f.media_type for f in _RESOURCE_FORMATS}, ".html": HTML}
#: Other media types browsers send for the page.
_HTML_ALIASES = ("application/xhtml+xml",)


def split_suffix(path: str) -> tuple[str, str | None]:
    """`('org/dresden', 'text/turtle')` for 'org/dresden.ttl'; the path unchanged and None without a suffix."""
    for suffix, media_type in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], media_type
    return path, None


def negotiate(accept: str | None, format_param: str | None = None) -> str | None:
    """The representation to send, or None (406): `format=` first, then Accept with q-values."""
    offered = list(REPRESENTATIONS)
    if format_param:
        return HTML if format_param.strip().lower() == "html" else resolve(format_param, offered)
    if not accept or not accept.strip():
        return offered[0]
    aliases = [alias for alias in ALIASES if resolve(alias, offered)]
    best = parse_accept_header(accept, MIMEAccept).best_match([*offered, *aliases, *_HTML_ALIASES])
    if not best:
        return None
    return HTML if best in _HTML_ALIASES else resolve(best, offered)


def link_header(base_path: str) -> str:
    """`Link` values naming every representation of a resource by its suffix URL.

    Each RDF one is also `describedby` (POWDER's relation, which Linked Data clients follow from a resource
    to the document that describes it); the HTML page is only `alternate`.
    """
    links = []
    for media in REPRESENTATIONS:
        relation = "alternate" if media == "text/html" else "alternate describedby"
        links.append(f'<{base_path}.{_suffix(media)}>; rel="{relation}"; type="{media}"')
    return ", ".join(links)


def _suffix(media_type: str) -> str:
    return next(suffix[1:] for suffix, media in SUFFIXES.items() if media == media_type)


def rdf_description_query(iri: str) -> str:
    """The resource's statements both ways, with the labels of the resources it links to and from."""
    return f"""
CONSTRUCT {{
  ?this ?p ?o . ?o <{RDFS}label> ?olabel . ?o <{SKOS}prefLabel> ?opref .
  ?s ?q ?this . ?s <{RDFS}label> ?slabel .
}} WHERE {{
  {values("this", [iri])}
  {{ ?this ?p ?o . OPTIONAL {{ ?o <{RDFS}label> ?olabel }} OPTIONAL {{ ?o <{SKOS}prefLabel> ?opref }} }}
  UNION
  {{ ?s ?q ?this . OPTIONAL {{ ?s <{RDFS}label> ?slabel }} }}
}}"""


def rdf_description(queries: PageQueries, iri: str) -> list[Triple]:
    """The triples of a resource's description, each once."""
    return list(dict.fromkeys(queries.triples(rdf_description_query(iri))))


def rdf_body(triples: list[Triple], media_type: str, first: str | None = None) -> bytes:
    """Serialise triples with our prefixes, grouped by subject (`first` leading), so Turtle reads like the data."""
    fmt = REPRESENTATIONS[media_type]
    if fmt is None:
        raise ValueError(f"{media_type} is not an RDF format")

    def order(triple: Triple) -> tuple[bool, str, str, str]:
        subject = triple.subject.value if isinstance(triple.subject, NamedNode) else str(triple.subject)
        return (subject != first, subject, triple.predicate.value, str(triple.object))

    body = serialize(sorted(triples, key=order), format=fmt, prefixes=PREFIXES)
    return compact_jsonld(body, PREFIXES) if fmt == RdfFormat.JSON_LD else body


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def _representation_headers(media_type: str, base_path: str, negotiated: bool, etag: str) -> dict[str, str]:
    """The headers of a representation; a 304 sends them too (RFC 9110 15.4.5: Vary, Content-Location, ETag)."""
    headers = {"Link": link_header(base_path), **cache_headers(etag)}
    if negotiated:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = f"{base_path}.{_suffix(media_type)}"
    return headers


def _respond(body: bytes | str, media_type: str, base_path: str, negotiated: bool, etag: str) -> Response:
    headers = _representation_headers(media_type, base_path, negotiated, etag)
    return Response(body, content_type=_content_type(media_type), headers=headers)


def _choose(suffix_type: str | None) -> tuple[str, bool]:
    if suffix_type:
        return suffix_type, False
    media_type = negotiate(request.headers.get("Accept"), request.args.get("format"))
    if media_type is None:
        available = list(REPRESENTATIONS)
        raise errors.NotAcceptable(f"available representations: {', '.join(available)}", available=available)
    return media_type, True


@blueprint.get("/id")
def id_root() -> Response:
    return redirect("/id/", code=301)


@blueprint.get("/id/")
@blueprint.get("/id/<path:rest>")
def resource(rest: str = "") -> Response:
    """A resource under https://w3id.org/govsocial/id/: its page or its description; a folder lists its members."""
    if rest == "" or rest.endswith("/"):
        return browse(rest)
    queries = page_queries()
    base, suffix_type = split_suffix(rest)
    if suffix_type and not _known(queries, GSID + base):
        base, suffix_type = rest, None  # a slug that merely ends like a suffix
    iri = GSID + base
    media_type, negotiated = _choose(suffix_type)
    base_path = "/id/" + base
    etag = etag_for(request.path, media_type)
    if (cached := not_modified(etag, _representation_headers(media_type, base_path, negotiated, etag))) is not None:
        return cached
    try:
        iri_ref(iri)
    except InvalidIri:
        return not_found(iri, media_type)
    if media_type == HTML:
        vocab = vocabulary()
        page = build_page(queries, vocab, iri)
        if page is None:
            return not_found(iri, media_type)
        body = render_template(
            "resource.html",
            page=page,
            vocab=vocab,
            facts=key_facts(page, vocab),
            statements=statement_rows(page, vocab),
            base_path=base_path,
        )
        return _respond(body, media_type, base_path, negotiated, etag)
    triples = rdf_description(queries, iri)
    if not triples:
        return not_found(iri, media_type)
    return _respond(rdf_body(triples, media_type, iri), media_type, base_path, negotiated, etag)


def _known(queries: PageQueries, iri: str) -> bool:
    try:
        return exists(queries, iri)
    except InvalidIri:
        return False


@blueprint.get("/ontology")
@blueprint.get("/ontology.<any(ttl, jsonld, nt, rdf, html):suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology graph: the generated reference for people, the triples for RDF clients."""
    media_type, negotiated = _choose(SUFFIXES["." + suffix] if suffix else None)
    etag = etag_for(request.path, media_type)
    headers = cache_headers(etag)
    if (cached := not_modified(etag, headers)) is not None:
        return cached
    vocab = vocabulary()
    if media_type == HTML:
        counts = class_counts_of_app()
        body = render_template("ontology.html", vocab=vocab, counts=counts)
    else:
        body = rdf_body(vocab.triples, media_type, ONTOLOGY_IRI)
    return _respond(body, media_type, "/ontology", negotiated, etag)


def browse(folder: str) -> Response:
    """The resources under one kind of IRI (`/id/org/`), or the kinds themselves (`/id/`)."""
    index = search_index()
    vocab = vocabulary()
    if folder == "":
        return Response(render_template("browse.html", folder="", kinds=index.kinds(), entries=[]))
    total = index.count(GSID + folder)
    if not total:
        return not_found(GSID + folder, HTML)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        raise errors.BadParameter("`page` must be a whole number") from None
    pages = (total + BROWSE_PAGE - 1) // BROWSE_PAGE
    if page > pages:
        raise errors.NotFound(f"there are only {pages} pages under /id/{folder}")
    start = (page - 1) * BROWSE_PAGE
    entries = index.page(GSID + folder, start, BROWSE_PAGE)
    rows = [
        {
            "iri": entry.iri,
            "name": compact(entry.iri),
            "labels": entry.labels,
            "types": [vocab.label(t, "en") for t in entry.types if t.startswith(GS)],
        }
        for entry in entries
    ]
    listing = {"page": page, "pages": pages, "first": start + 1, "last": start + len(rows), "total": total}
    return Response(render_template("browse.html", folder=folder, kinds=[], entries=rows, listing=listing))


def not_found(iri: str, media_type: str) -> Response:
    """404: a page with suggestions for people, the JSON error for programs."""
    if media_type != HTML:
        error = errors.NotFound(f"no resource <{iri}> in this dataset; search with /-/search?q=")
        return errors.error_response(error, html=False)
    words = iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    suggestions = search_index().search(words, 8) if words.strip() else []
    body = render_template("not_found.html", iri=iri, suggestions=suggestions)
    return Response(body, status=404, mimetype=HTML)
