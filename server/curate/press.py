"""The sheets' graph: every resolved row as RDF in data/press/, deterministic (same sheets, same bytes).

IRIs are stable and readable: `event/{date at its precision, or month of the latest bound}-{holder}-{platform}-
{kind}` as for curated events (data/README.md), `source/press-{date}-{publisher}-{title}`, one source per URL.
Two rows about the same event are one event with both sources; a row about an event the graph already has (a
curated or imported one) adds its source and evidence to it, nothing else.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from server.imports.common import GraphInfo, ImportResult, markdown_table
from server.imports.rdf import Statements, de, en, gs, iri, plain, slug, typed
from server.rdf.namespaces import DCTERMS, GSID, ORG, PROV, RDF, RDFS, SCHEMA, SKOS

from .rows import Finding, Resolved
from .sheet import COLUMNS

NAME = "press"
KIND_WORDS = {
    "Departure": ("verlässt", "leaves"),
    "Suspension": ("pausiert", "pauses"),
    "Retention": ("bleibt auf", "stays on"),
    "Joining": ("startet auf", "joins"),
    "Consideration": ("erwägt einen Schritt auf", "considers a step on"),
    "Campaign": ("wirbt auf", "campaigns on"),
}
PLATFORM_NAMES = {
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "threads": "Threads",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "whatsapp": "WhatsApp",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
}


@dataclass
class Press:
    """The statements of all sheets, and what became of each row."""

    statements: Statements = field(default_factory=Statements)
    events: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # event IRI -> rows
    added_to: set[str] = field(default_factory=set)  # events of other graphs that rows add a source to
    created: dict[str, str] = field(default_factory=dict)  # institution IRI -> name
    sources: dict[str, str] = field(default_factory=dict)  # URL -> source IRI
    events_written: set[str] = field(default_factory=set)  # events this graph already describes
    quoted: set[str] = field(default_factory=set)  # events given the gs:quote shortcut


@dataclass(frozen=True)
class KnownEvent:
    """An event the graph (or an earlier row) has: enough to tell whether a row reports the same one."""

    iri: str
    institution: str
    platform: str
    kind: str  # gs: class local name
    month: str  # YYYY-MM of its date, or of its latest bound; "" if neither


def build_press(rows: list[Resolved], existing: set[str], events: list[KnownEvent]) -> Press:
    """RDF for the resolved rows; `existing` holds the IRIs the other graphs describe, `events` their events.

    A row reports an event already known when institution, platform and kind agree and the months do (or one
    of the two has no month): then it adds its source and evidence to that event instead of making another.
    """
    press = Press()
    taken = set(existing)
    known: dict[tuple[str, str, str], list[KnownEvent]] = defaultdict(list)
    for event in events:
        known[(event.institution, event.platform, event.kind)].append(event)
    for row in rows:
        if row.new is not None:
            _create(row, press)
    for row in rows:
        source = _source(row, press, taken)
        month = (row.when.date or row.when.not_after or "")[:7]
        key = (row.institution, row.platform, row.kind)
        same = next((e for e in known[key] if not e.month or not month or e.month == month), None)
        event = same.iri if same else _event_iri(row)
        if same is None:
            known[key].append(KnownEvent(event, *key, month))
        press.events[event].append(row.row)
        _event(row, event, source, press, new=event not in existing and event not in press.events_written)
        press.events_written.add(event)
    return press


def _create(row: Resolved, press: Press) -> None:
    new = row.new
    assert new is not None
    if new.iri in press.created:
        return
    press.created[new.iri] = new.name
    out, node = press.statements, iri(new.iri)
    if new.cls:
        out.add(node, RDF + "type", gs(new.cls))
        out.add(node, RDF + "type", iri(SCHEMA + "GovernmentOrganization"))
        out.add(node, gs("level"), gs(new.level or "StateLevel"))
        if new.jurisdiction:
            out.add(node, gs("jurisdiction"), iri(new.jurisdiction))
    else:
        out.add(node, RDF + "type", iri(ORG + "Organization"))
        out.add(node, RDF + "type", iri(SCHEMA + "Organization"))
    short = re.fullmatch(r"(.+?)\s*\(([^()\s]{2,8})\)", new.name)  # "Bundeskriminalamt (BKA)"
    out.add(node, RDFS + "label", de(short[1] if short else new.name))
    if short:
        out.add(node, SKOS + "altLabel", de(short[2]))
    if new.parent:
        out.add(node, ORG + "subOrganizationOf", iri(new.parent))


def _source(row: Resolved, press: Press, taken: set[str]) -> str:
    if row.url in press.sources:
        return press.sources[row.url]
    date = row.source_date or "undated"
    base = f"{GSID}source/press-{date}-{slug(row.publisher)[:24].strip('-')}-{slug(row.title)[:48].strip('-')}"
    source, number = base, 2
    while source in taken:
        source, number = f"{base}-{number}", number + 1
    taken.add(source)
    press.sources[row.url] = source
    out, node = press.statements, iri(source)
    out.add(node, RDF + "type", gs("Source"))
    out.add(node, RDF + "type", iri(SCHEMA + "NewsArticle"))
    out.add(node, RDFS + "label", _text(f"{row.publisher}: {row.title}", row.language))
    if row.language != "de":
        out.add(node, RDFS + "label", de(f"{row.publisher}: „{row.title}“ (englischsprachig)"))
    out.add(node, DCTERMS + "title", _text(row.title, row.language))
    out.add(node, SCHEMA + "url", iri(row.url))
    out.add(node, DCTERMS + "publisher", plain(row.publisher))
    out.add(node, DCTERMS + "language", plain(row.language))
    if row.source_date:
        out.add(node, DCTERMS + "date", typed(row.source_date, "date"))
    return source


def _event_iri(row: Resolved) -> str:
    holder = row.institution.rsplit("/", 1)[-1]
    platform = row.platform.rsplit("/", 1)[-1]
    return f"{GSID}event/{row.when.iri_part}-{holder}-{platform}-{row.kind.lower()}"


def _event(row: Resolved, event: str, source: str, press: Press, new: bool) -> None:
    out, node = press.statements, iri(event)
    out.add(node, PROV + "wasDerivedFrom", iri(source))
    out.add(node, gs("evidence"), _text(row.evidence, row.language))
    if not new:
        if event not in press.events_written:
            press.added_to.add(event)
            press.quoted.add(event)  # another graph's event keeps its own gs:quote; ours is a gs:Quotation
        if row.quote:
            _quotation(row, event, source, press)
        return
    platform = PLATFORM_NAMES[row.platform.rsplit("/", 1)[-1]]
    verb_de, verb_en = KIND_WORDS[row.kind]
    out.add(node, RDF + "type", gs(row.kind))
    out.add(node, RDFS + "label", de(f"{row.institution_name} {verb_de} {platform}"))
    out.add(node, RDFS + "label", en(f"{row.institution_name} {verb_en} {platform}"))
    out.add(node, gs("institution"), iri(row.institution))
    out.add(node, gs("platform"), iri(row.platform))
    if row.kind == "Consideration":
        out.add(node, gs("considers"), gs(row.considers))
    when = row.when
    if when.date:
        out.add(node, gs("date"), typed(when.date, "date"))
        out.add(node, gs("datePrecision"), gs(f"{when.precision}Precision"))
    if when.not_before and not (when.date and when.precision == "Day"):
        out.add(node, gs("notBefore"), typed(when.not_before, "date"))
    if when.not_after and not (when.date and when.precision == "Day"):
        out.add(node, gs("notAfter"), typed(when.not_after, "date"))
    if when.text:
        out.add(node, gs("dateText"), _text(when.text, row.language))
    if row.source_date and not (when.date and when.precision == "Day"):
        out.add(node, gs("reportedOn"), typed(row.source_date, "date"))
    for concept in row.reasons:
        out.add(node, gs("reason"), iri(concept))
    if row.reason_text:
        out.add(node, DCTERMS + "description", _text("Gründe laut Quelle: " + "; ".join(row.reason_text), "de"))
    for text in row.exception_text:
        out.add(node, gs("exception"), _text(text, row.language))
    for concept in row.exception_kinds if row.kind in {"Suspension", "Retention"} else []:
        out.add(node, gs("exceptionKind"), iri(concept))
    for platform_iri in row.alternatives:
        out.add(node, gs("alternativePlatform"), iri(platform_iri))
    if row.quote:
        _quotation(row, event, source, press)


#: A speaker named only by role ("Pressestelle der Universität", "ein Sprecher"): the institution speaks.
ROLE_ONLY = re.compile(
    r"^(die |der |das |ein |eine )?(presse\w*|sprecher\w*|pressestelle\b.*|press office.*|a spokes\w*)$", re.I
)
#: A quote posted by the institution's own account ("Account „Antidiskriminierung“ (@ADS_Bund)") is the
#: institution speaking, not a person.
ACCOUNT_ONLY = re.compile(r"^(das |der |ein )?(account|konto|profil|kanal)\b|\(@\w+\)$", re.I)


def _quotation(row: Resolved, event: str, source: str, press: Press) -> None:
    """The quotation, attributed to the person the row names (one resource per person and institution, since
    the sheet gives a name, not an identity) or, for a role without a name, to the institution."""
    out = press.statements
    speaker = row.institution
    if row.quote_by and not ROLE_ONLY.match(row.quote_by) and not ACCOUNT_ONLY.search(row.quote_by):
        holder = row.institution.rsplit("/", 1)[-1]
        speaker = f"{GSID}person/{holder}-{slug(row.quote_by)}"
        person = iri(speaker)
        out.add(person, RDF + "type", iri(SCHEMA + "Person"))
        out.add(person, RDFS + "label", de(row.quote_by))
        out.add(person, ORG + "memberOf", iri(row.institution))
        out.add(person, PROV + "wasDerivedFrom", iri(source))
    if event not in press.quoted:  # the shortcuts pair one quote with its speaker; gs:Quotation holds every one
        press.quoted.add(event)
        out.add(iri(event), gs("quote"), _text(row.quote, row.language))
        if speaker != row.institution:
            out.add(iri(event), gs("statedBy"), iri(speaker))
    quotation = iri(f"{GSID}quotation/{event.rsplit('/', 1)[-1]}-{row.row}")
    out.add(quotation, RDF + "type", gs("Quotation"))
    out.add(quotation, RDFS + "label", de(f"Zitat: {row.quote_by or row.institution_name}"))
    out.add(quotation, SCHEMA + "text", _text(row.quote, row.language))
    out.add(quotation, PROV + "wasAttributedTo", iri(speaker))
    out.add(quotation, gs("quotationOf"), iri(event))
    out.add(quotation, PROV + "wasDerivedFrom", iri(source))


def _text(text: str, language: str):
    return de(text) if language == "de" else en(text)


# -- the folder ----------------------------------------------------------------------------------------------


def press_result(press: Press, sheets: list[str], findings: list[Finding], resolved: list[Resolved]) -> ImportResult:
    info = GraphInfo(
        name=NAME,
        title_de="Meldungen: Ereignisse aus Presseberichten und Pressemitteilungen",
        title_en="Press: events from news reports and press releases",
        description_de="Abgänge, Pausen, Verbleib und Beitritte öffentlicher Institutionen auf sozialen Plattformen, "
        "je mit der Webseite, die sie berichtet, und ihrem Belegsatz; aus den Ereignistabellen in data/press/sheets/.",
        description_en="Departures, pauses, stated decisions to stay and joinings of public institutions on social "
        "platforms, each with the web page that reports it and its evidence sentence; from the event sheets in "
        "data/press/sheets/.",
        datasets=(),
        licences=("cc0-1.0",),
        rights=(
            "Zusammenstellung CC0 1.0; die Belegsätze sind kurze Zitate der genannten Webseiten.",
            "Compilation CC0 1.0; the evidence sentences are short quotations of the web pages named.",
        ),
    )
    by_kind: dict[str, int] = defaultdict(int)
    for event, numbers in press.events.items():
        if event not in press.added_to:
            kind = next(r.kind for r in resolved if r.row == numbers[0])
            by_kind[kind] += 1
    new_events = len(press.events) - len(press.added_to)
    summary = [
        f"press: {len(resolved)} rows from {len(sheets)} sheet(s): {new_events} events "
        f"({', '.join(f'{n} {k}' for k, n in sorted(by_kind.items()))}), {len(press.added_to)} events of other "
        f"graphs given a further source, {len(press.sources)} sources, {len(press.created)} institutions created"
    ]
    report = _report(press, resolved, findings)
    return ImportResult(
        info=info,
        statements=press.statements,
        report=report,
        summary=summary,
        readme=readme(),
        data_file="press.ttl",
        header="GovSocial KG - the event sheets of data/press/sheets/ as RDF. Generated by `govsocial curate add`;\n"
        "do not edit by hand: change a sheet and run it again. See README.md and MATCHING.md beside this file.",
    )


def _report(press: Press, resolved: list[Resolved], findings: list[Finding]) -> str:
    rows = []
    for event, numbers in sorted(press.events.items()):
        for number in numbers:
            row = next(r for r in resolved if r.row == number)
            rows.append(
                [
                    str(number),
                    row.institution_name,
                    row.institution.replace(GSID + "org/", "institution:"),
                    event.replace(GSID + "event/", "event:") + (" (adds a source)" if event in press.added_to else ""),
                ]
            )
    warnings = [[str(f.row), f.column, f.message] for f in findings if f.level == "warning"]
    created = [[iri.replace(GSID + "org/", "institution:"), name] for iri, name in sorted(press.created.items())]
    return "\n".join(
        [
            "# Matching report: the event sheets",
            "",
            "Generated by `govsocial curate add`; deterministic. Row numbers are lines of the sheets, in file order.",
            "",
            "## Rows and their events",
            "",
            markdown_table(["row", "institution as written", "resource", "event"], rows),
            "## Institutions created (the row said `create: yes`)",
            "",
            markdown_table(["resource", "name"], created) if created else "None.\n",
            "## Warnings (written anyway)",
            "",
            markdown_table(["row", "column", "message"], warnings) if warnings else "None.\n",
        ]
    )


def readme() -> str:
    table = markdown_table(
        ["column", "required", "what"], [[f"`{c.name}`", "yes" if c.required else "", c.doc] for c in COLUMNS]
    )
    return f"""# data/press: events from news reports and press releases

The sheets in `sheets/` (CSV, UTF-8, one row per event) are the source; `press.ttl`, `dataset.ttl` and
`MATCHING.md` are generated from all of them by `govsocial curate add SHEET` (do not edit them by hand). The
graph is `https://w3id.org/govsocial/graph/press`.

## Adding an event

1. Copy a row of a sheet into a new sheet (or add a row), and change it to the event a news page reports.
2. `govsocial curate check SHEET`: per row and column, what it resolved (the institution with its score and
   reasons, the date or bounds, the reason concepts) and what it cannot, and why. It writes nothing.
3. `govsocial curate add SHEET`: the same check; if no row has an error, the sheet is copied to `sheets/` and
   `press.ttl` is written anew from all sheets. A sheet with an error writes nothing.
4. `govsocial build`, and the event is on the institution's page.

## The columns

{table}
## Rules

- Only what the page states. A present tense ("verlässt", "ist nicht mehr aktiv") is not a date: leave `date`
  empty; the words go to `time_text` and the event gets `gs:notAfter` the source's date.
- The institution is matched against the graph (labels, alternative labels, abbreviations, "Stadt …",
  "Landkreis …" forms, with type and Land as hints); an ambiguous name is an error listing its candidates.
- Reasons and exceptions are kept in the source's words and mapped to `gs:Reasons` / `gs:Exceptions` through
  the concepts' labels; a phrase that maps to nothing is a warning with the closest concepts.
- Two rows about one event (same institution, platform, kind and date) are one event with two sources; a row
  about an event another graph has adds its source and evidence to it.
"""
