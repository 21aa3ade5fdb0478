"""Import `territory`: Deutschland, the 16 Länder, the Kreise and every Gemeinde with its AGS.

Inputs: geo-api-de-admin/de_kreise_seed.tsv and de_municipality_seed.tsv (AGS, name, Wikidata QID,
parent code), government-helper-tables/tbl_Bundeslaender.csv (Land key, abbreviation, German and English
name) and, optionally, shared/reference/entities.tsv (verified QIDs of Deutschland and the Länder).

Decisions (README.md of data/territory says the same for users):
- One resource per Wikidata item. A kreisfreie Stadt is listed as a Kreis and as a Gemeinde with one QID:
  it is one gs:Municipality that is also a gs:District, with the 8-digit AGS, gs:locatedIn its Land.
- A city-state (a Land whose only Kreis is a kreisfreie Stadt: Berlin, Hamburg) is one resource, a
  gs:FederalState that is also that gs:Municipality and gs:District, at gs:StateLevel; its QID comes from
  the Gemeinde row (the same item in Wikidata covers city and Land).
- A Kreis without any Gemeinde is obsolete (16056 Eisenach, merged into the Wartburgkreis in 2021): left
  out and reported; the city of Eisenach is imported as the Gemeinde 16063105 of the Wartburgkreis.
- The Land key (2 digits) is not an AGS: it is gs:stateKey. Länder get owl:sameAs only from verified rows of
  entities.tsv (public lists shift Länder QIDs by one).
- Gemeindefreie Gebiete have 8-digit keys in the file too and are imported as gs:Municipality: the data set
  does not flag them, and the Länder number them by different conventions.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from server.rdf.namespaces import DCTERMS, GSID, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

from .common import DataSet, GraphInfo, ImportFailed, ImportResult, markdown_table, read_origin
from .matching import Known, KnownGraph, Query, normalise
from .rdf import Statements, de, en, gs, iri, org_iri, plain, slug, wikidata
from .references import FILE_NAME as ENTITIES_FILE
from .references import REFERENCE_SOURCE, qid_for, read_verified

NAME = "territory"
NEEDS: tuple[str, ...] = ()
KREISE_FILE = "de_kreise_seed.tsv"
GEMEINDEN_FILE = "de_municipality_seed.tsv"
LAENDER_FILE = "tbl_Bundeslaender.csv"
_DISTRICT_WORDS = re.compile(r"kreis\b|kreis |^region |^städteregion |^regionalverband ", re.IGNORECASE)


@dataclass
class Unit:
    """One territorial body as the import will write it."""

    key: str  # "DE", Land key, Kreis key or AGS: the row's identity in the report
    classes: tuple[str, ...]
    names: list[str]  # first is the label
    level: str
    qid: str | None
    land_key: str | None
    ags: str | None = None
    parent: Unit | None = None
    iri: str = ""
    method: str = "created"
    sources: tuple[str, ...] = ()
    english: str | None = None
    state_key: str | None = None
    abbreviation: str | None = None
    geocoding: str | None = None
    candidates: tuple[str, ...] = ()
    qid_from_reference: bool = False


def run(inputs: list[Path], known: KnownGraph) -> ImportResult:
    files = _files(inputs, {KREISE_FILE, GEMEINDEN_FILE, LAENDER_FILE}, {ENTITIES_FILE})
    geo = DataSet(
        origin=read_origin(files[KREISE_FILE].parent / "SOURCE.txt"),
        title="geo-api: German administrative hierarchy (Kreise, Gemeinden) with AGS and Wikidata QIDs",
        licences=("cc0-1.0", "dl-de-by-2.0"),
        files=(KREISE_FILE, GEMEINDEN_FILE),
        rights_de="Fakten aus Wikidata (CC0 1.0) und © GeoBasis-DE / BKG (dl-de/by-2-0), zusammengestellt im "
        "Repository phil2strass/geo-api (ohne eigene Lizenzdatei).",
        rights_en="Facts from Wikidata (CC0 1.0) and © GeoBasis-DE / BKG (dl-de/by-2-0), compiled in the "
        "repository phil2strass/geo-api (which has no licence file of its own).",
    )
    tables = DataSet(
        origin=read_origin(files[LAENDER_FILE].parent / "SOURCE.txt"),
        title="government-helper-tables: Länder and federal ministries",
        licences=("dl-de-zero-2.0",),
        files=(LAENDER_FILE,),
        rights_de="Datenlizenz Deutschland – Zero – Version 2.0 (keine Bedingungen).",
        rights_en="Data licence Germany – Zero – version 2.0 (no conditions).",
    )
    verified = read_verified(files[ENTITIES_FILE]) if ENTITIES_FILE in files else []
    laender_rows = _read(files[LAENDER_FILE], ",")
    kreise_rows = _read(files[KREISE_FILE], "\t")
    gemeinden_rows = _read(files[GEMEINDEN_FILE], "\t")
    units, obsolete = _units(laender_rows, kreise_rows, gemeinden_rows, verified, geo, tables)
    _resolve(units, known)
    statements = Statements()
    for unit in units:
        _describe(unit, statements, known)
    info = GraphInfo(
        name=NAME,
        title_de="Gebietskörperschaften: Deutschland, Länder, Kreise und Gemeinden",
        title_en="Territorial bodies: Germany, its Länder, Kreise and Gemeinden",
        description_de="Der Bund, die 16 Länder, die Kreise und alle Gemeinden mit amtlichem Schlüssel, "
        "gs:locatedIn ihrer übergeordneten Einheit und owl:sameAs ihres Wikidata-Objekts; importiert aus geo-api "
        "(Kreise, Gemeinden) und government-helper-tables (Länder).",
        description_en="The federation, the 16 Länder, the Kreise and every Gemeinde with its official key, "
        "gs:locatedIn its parent and owl:sameAs its Wikidata item; imported from geo-api (Kreise, Gemeinden) "
        "and government-helper-tables (Länder).",
        datasets=(geo, tables),
        also_derived_from=(REFERENCE_SOURCE,) if verified else (),
    )
    report, summary = _report(units, obsolete)
    return ImportResult(
        info=info,
        statements=statements,
        report=report,
        summary=summary,
        readme=_readme(units, obsolete, geo, tables),
        data_file="territory.nt",
        header="",
    )


# -- reading ----------------------------------------------------------------------------------------


def _files(inputs: list[Path], required: set[str], optional: set[str]) -> dict[str, Path]:
    found = {}
    for path in inputs:
        if path.name not in required | optional:
            raise ImportFailed(f"{path}: not an input of '{NAME}' (expected {', '.join(sorted(required | optional))})")
        if not path.is_file():
            raise ImportFailed(f"{path} does not exist")
        found[path.name] = path
    missing = required - set(found)
    if missing:
        raise ImportFailed(f"'{NAME}' needs {', '.join(sorted(missing))} as well")
    return found


def _read(path: Path, delimiter: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(handle, delimiter=delimiter)
        ]


# -- the units and their parents ----------------------------------------------------------------------


def _units(laender_rows, kreise_rows, gemeinden_rows, verified, geo: DataSet, tables: DataSet):
    gemeinden_of: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in gemeinden_rows:
        if not re.fullmatch(r"\d{8}", row["admin_code"]) or not row["admin_code"].startswith(row["parent_kreis_code"]):
            raise ImportFailed(f"{GEMEINDEN_FILE}: bad AGS or parent in {row}")
        gemeinden_of[row["parent_kreis_code"]].append(row)
    references = (REFERENCE_SOURCE,) if verified else ()

    country_qid = qid_for(verified, ["Deutschland"], "Country")
    country = Unit(
        key="DE",
        classes=("Country",),
        names=["Deutschland", "Bundesrepublik Deutschland"],
        level="FederalLevel",
        qid=country_qid,
        land_key=None,
        english="Germany",
        sources=(tables.source.value, *references),
        qid_from_reference=bool(country_qid),
    )
    units = [country]
    laender: dict[str, Unit] = {}
    for row in laender_rows:
        key = row["BL_Schluessel"]
        qid = qid_for(verified, [row["BL_Name_DE"]], "Land")
        land = Unit(
            key=key,
            classes=("FederalState",),
            names=[row["BL_Name_DE"]],
            level="StateLevel",
            qid=qid,
            land_key=key,
            parent=country,
            english=row["BL_Name_EN"],
            state_key=key,
            abbreviation=row["BL_Kuerzel"],
            geocoding=row["BL_URI"],
            sources=(tables.source.value, *(references if qid else ())),
            qid_from_reference=bool(qid),
        )
        laender[key] = land
        units.append(land)

    obsolete = []
    kreise: dict[str, Unit] = {}
    kreisfrei: dict[str, dict[str, str]] = {}  # Kreis key -> its Kreis row, for kreisfreie Städte
    for row in kreise_rows:
        key = row["admin_code"]
        members = gemeinden_of.get(key, [])
        if not members:
            obsolete.append(row)
            continue
        same_item = [g for g in members if g["territory_wikidata_id"] == row["territory_wikidata_id"]]
        if same_item:
            if len(members) != 1:
                raise ImportFailed(f"Kreis {key} shares its QID with a Gemeinde but has {len(members)} Gemeinden")
            kreisfrei[key] = row
            continue
        kreise[key] = Unit(
            key=key,
            classes=("District",),
            names=[row["display_name"]],
            level="LocalLevel",
            qid=row["territory_wikidata_id"] or None,
            land_key=row["parent_state_code"],
            ags=key,
            parent=laender[row["parent_state_code"]],
            sources=(geo.source.value,),
        )
        units.append(kreise[key])

    kreise_per_land = Counter(row["parent_state_code"] for row in kreise_rows if row["admin_code"] in gemeinden_of)
    for row in gemeinden_rows:
        kreis_key = row["parent_kreis_code"]
        land_key = row["admin_code"][:2]
        land = laender[land_key]
        if kreis_key in kreisfrei:
            kreis_row = kreisfrei[kreis_key]
            names = [row["display_name"]] + (
                [kreis_row["display_name"]] if kreis_row["display_name"] != row["display_name"] else []
            )
            if kreise_per_land[land_key] == 1:  # a city-state: Land, Kreis and Gemeinde are one body
                land.classes = ("FederalState", "Municipality", "District")
                land.qid = row["territory_wikidata_id"]
                land.ags = row["admin_code"]
                land.names += [n for n in names if n not in land.names]
                land.sources = (*land.sources, geo.source.value)
                continue
            units.append(
                Unit(
                    key=row["admin_code"],
                    classes=("Municipality", "District"),
                    names=names,
                    level="LocalLevel",
                    qid=row["territory_wikidata_id"],
                    land_key=land_key,
                    ags=row["admin_code"],
                    parent=land,
                    sources=(geo.source.value,),
                )
            )
            continue
        units.append(
            Unit(
                key=row["admin_code"],
                classes=("Municipality",),
                names=[row["display_name"]],
                level="LocalLevel",
                qid=row["territory_wikidata_id"],
                land_key=land_key,
                ags=row["admin_code"],
                parent=kreise[kreis_key],
                sources=(geo.source.value,),
            )
        )
    return units, obsolete


# -- matching and IRIs ----------------------------------------------------------------------------------


def _resolve(units: list[Unit], known: KnownGraph) -> None:
    """Match each unit to a known resource (QID, then name in the same Land and class), else mint its IRI.

    Parents come first in `units`, so a unit's Land IRI is known when the unit is matched. A name shared
    by several rows of the same class in one Land is never matched by name: which row it means is unclear.
    """
    same_name = Counter((u.classes[0], u.land_key, normalise(u.names[0])) for u in units)
    claimed: dict[str, Unit] = {}
    created: list[Known] = []
    for unit in units:
        parent_land = _land(unit.parent).iri if unit.parent is not None and unit.classes[0] != "FederalState" else None
        query = Query(names=tuple(unit.names), cls=unit.classes[0], land=parent_land, qid=unit.qid)
        match = known.match(query)
        if match.method == "name" and same_name[(unit.classes[0], unit.land_key, normalise(unit.names[0]))] > 1:
            match = type(match)(None, "ambiguous", (match.iri,))
        if match.iri and match.iri in claimed:
            match = type(match)(None, "ambiguous", (match.iri,))
        if match.iri:
            unit.iri, unit.method = match.iri, match.method
            claimed[match.iri] = unit
            continue
        if match.method == "ambiguous":
            unit.method, unit.candidates = "ambiguous", match.candidates
        unit.iri = org_iri(_slug_for(unit, known, {c.iri for c in created})).value
        land = unit.iri if "FederalState" in unit.classes else parent_land
        qids = frozenset({unit.qid} if unit.qid else ())
        created.append(Known(unit.iri, frozenset(unit.classes), tuple(unit.names), qids, land, unit.level))
    for resource in created:  # only now: rows of this import are matched against what existed before it
        known.add(resource)


def _land(unit: Unit) -> Unit:
    current: Unit = unit
    while "FederalState" not in current.classes:
        assert current.parent is not None
        current = current.parent
    return current


def _slug_for(unit: Unit, known: KnownGraph, minted: set[str]) -> str:
    """Länder and Deutschland by name; Kreise and Gemeinden by name and key, which is unique and stable."""
    if unit.classes[0] in {"Country", "FederalState"}:
        base = slug(unit.names[0])
    else:
        base = f"{slug(unit.names[0])}-{unit.ags}"
    if GSID + "org/" + base in known.subjects or GSID + "org/" + base in minted:
        raise ImportFailed(f"IRI {GSID}org/{base} is taken by another resource; cannot mint one for {unit.key}")
    return base


# -- statements ---------------------------------------------------------------------------------------------


def _describe(unit: Unit, out: Statements, known: KnownGraph) -> None:
    node = iri(unit.iri)
    for cls in unit.classes:
        out.add(node, RDF + "type", gs(cls))
    out.add(node, RDF + "type", iri(SCHEMA + "GovernmentOrganization"))
    out.add(node, RDF + "type", iri(SCHEMA + "AdministrativeArea"))
    existing = (
        known.resources[unit.iri].main_labels if unit.method != "created" and unit.iri in known.resources else set()
    )
    label = _label(unit)
    names = [label, *unit.names]
    if unit.method in {"created", "ambiguous"}:
        out.add(node, RDFS + "label", de(label))
        for name in dict.fromkeys(names[1:]):
            if name != label:
                out.add(node, SKOS + "altLabel", de(name))
    else:
        for name in dict.fromkeys(names):
            out.add(node, (RDFS + "label") if name in existing else (SKOS + "altLabel"), de(name))
    if unit.english:
        english_is_label = unit.method in {"created", "ambiguous"} or unit.english in existing
        out.add(node, (RDFS + "label") if english_is_label else (SKOS + "altLabel"), en(unit.english))
    out.add(node, gs("level"), gs(unit.level))
    out.add(node, gs("jurisdiction"), node)
    if unit.parent is not None:
        out.add(node, gs("locatedIn"), iri(unit.parent.iri))
        out.add(node, ORG + "subOrganizationOf", iri(unit.parent.iri))
    if unit.ags:
        out.add(node, gs("ags"), plain(unit.ags))
    if unit.state_key:
        out.add(node, gs("stateKey"), plain(unit.state_key))
    if unit.abbreviation:
        out.add(node, SKOS + "notation", plain(unit.abbreviation))
    if unit.geocoding:
        out.add(node, RDFS + "seeAlso", iri(unit.geocoding))
    if unit.qid:
        out.add(node, OWL + "sameAs", wikidata(unit.qid))
    for source in unit.sources:
        out.add(node, PROV + "wasDerivedFrom", iri(source))
    if unit.classes == ("Municipality", "District"):
        out.add(node, DCTERMS + "description", de(f"Kreisfreie Stadt (Kreisschlüssel {unit.ags[:5]})."))
        out.add(node, DCTERMS + "description", en(f"District-free city (district key {unit.ags[:5]})."))
    if "FederalState" in unit.classes and "Municipality" in unit.classes:
        out.add(node, DCTERMS + "description", de(f"Stadtstaat: Land, Kreis ({unit.ags[:5]}) und Gemeinde in einem."))
        out.add(
            node, DCTERMS + "description", en(f"City-state: Land, district ({unit.ags[:5]}) and municipality in one.")
        )


def _label(unit: Unit) -> str:
    """A Kreis named like its seat (\"Zwickau\") is labelled \"Zwickau (Kreis)\", so it is not read as the city."""
    name = unit.names[0]
    if unit.classes == ("District",) and not _DISTRICT_WORDS.search(name):
        return f"{name} (Kreis)"
    return name


# -- report and README -----------------------------------------------------------------------------------------


def _kind(unit: Unit) -> str:
    if "FederalState" in unit.classes and "Municipality" in unit.classes:
        return "city-state"
    return {"Country": "country", "FederalState": "Land", "District": "Kreis"}.get(
        unit.classes[0], "kreisfreie Stadt" if "District" in unit.classes else "Gemeinde"
    )


def _report(units: list[Unit], obsolete: list[dict[str, str]]) -> tuple[str, list[str]]:
    counts = Counter(unit.method for unit in units)
    kinds = Counter(_kind(unit) for unit in units)
    laender_without_qid = [u for u in units if u.classes[0] == "FederalState" and not u.qid]
    lines = [
        "# Matching report: import `territory`",
        "",
        "Generated by `govsocial import territory`; deterministic (sorted, no timestamps).",
        "",
        "## Figures",
        "",
        markdown_table(
            ["what", "count"],
            [
                ["resources written", str(len(units))],
                *[[f"- {kind}", str(n)] for kind, n in sorted(kinds.items())],
                ["matched by Wikidata QID", str(counts["qid"])],
                ["matched by name", str(counts["name"])],
                ["created", str(counts["created"])],
                ["ambiguous (not merged, created)", str(counts["ambiguous"])],
                ["obsolete Kreise left out", str(len(obsolete))],
                ["Länder without a verified QID (no owl:sameAs)", str(len(laender_without_qid))],
            ],
        ),
        "## Matched to resources the graph already has",
        "",
        markdown_table(
            ["key", "kind", "name", "resource", "by"],
            [
                [u.key, _kind(u), u.names[0], _short(u.iri), u.method]
                for u in sorted(units, key=lambda u: u.key)
                if u.method in {"qid", "name"}
            ],
        ),
        "## Ambiguous (not merged)",
        "",
        markdown_table(
            ["key", "name", "created", "candidates"],
            [
                [u.key, u.names[0], _short(u.iri), ", ".join(_short(c) for c in u.candidates)]
                for u in sorted(units, key=lambda u: u.key)
                if u.method == "ambiguous"
            ],
        )
        if counts["ambiguous"]
        else "None.\n",
        "## Left out: obsolete Kreise",
        "",
        markdown_table(
            ["Kreis key", "name", "QID", "why"],
            [
                [
                    row["admin_code"],
                    row["display_name"],
                    row["territory_wikidata_id"],
                    "no Gemeinde of the file lies in it; its QID is that of a Gemeinde in another Kreis",
                ]
                for row in obsolete
            ],
        ),
        "## City-states (Land, Kreis and Gemeinde as one resource)",
        "",
        markdown_table(
            ["Land key", "name", "AGS", "QID", "resource"],
            [[u.key, u.names[0], u.ags or "", u.qid or "", _short(u.iri)] for u in units if _kind(u) == "city-state"],
        ),
        "## Länder without owl:sameAs",
        "",
        "Länder QIDs are taken only from rows of `entities.tsv` marked `verified` (public lists shift them by one); "
        "city-states have the QID of their Gemeinde row instead.",
        "",
        markdown_table(["Land key", "name"], [[u.key, u.names[0]] for u in laender_without_qid]),
    ]
    summary = [
        f"territory: {len(units)} resources ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})",
        f"  matched: {counts['qid']} by QID, {counts['name']} by name; created {counts['created']}; "
        f"ambiguous {counts['ambiguous']}; obsolete Kreise left out {len(obsolete)}",
    ]
    return "\n".join(lines), summary


def _short(value: str) -> str:
    return value.replace(GSID + "org/", "institution:")


def _readme(units: list[Unit], obsolete, geo: DataSet, tables: DataSet) -> str:
    kinds = Counter(_kind(unit) for unit in units)
    return f"""# data/territory: Deutschland, Länder, Kreise, Gemeinden

Generated by `govsocial import territory` (do not edit by hand); loaded into the named graph
`https://w3id.org/govsocial/graph/territory`.

## What
- Deutschland (gs:Country), the 16 Länder (gs:FederalState, gs:StateLevel, `gs:stateKey` the 2-digit Land key,
  `skos:notation` the abbreviation, `rdfs:seeAlso` the DCAT-AP.de state-key IRI), {kinds["Kreis"]} Kreise
  (gs:District, `gs:ags` the 5-digit Kreisschlüssel), {kinds["kreisfreie Stadt"]} kreisfreie Städte
  (gs:Municipality and gs:District, 8-digit AGS), {kinds["Gemeinde"]} other Gemeinden (gs:Municipality, 8-digit AGS)
  and {kinds["city-state"]} city-states (Berlin, Hamburg: gs:FederalState, gs:Municipality and gs:District).
- Every body is also schema:GovernmentOrganization and schema:AdministrativeArea, `gs:locatedIn` and
  `org:subOrganizationOf` its parent (Gemeinde -> Kreis -> Land -> Deutschland; a kreisfreie Stadt -> Land),
  `gs:jurisdiction` itself, `owl:sameAs` its Wikidata item and `prov:wasDerivedFrom` the data set.
- Regierungsbezirke (`parent_government_region_code`) are not modelled.

## From where, under which licence
- `{geo.origin.folder}`: {geo.origin.repository} at commit {geo.origin.commit} ({geo.origin.commit_date}),
  files {", ".join(geo.files)}. The compilation has no licence file; its facts come from Wikidata (CC0 1.0)
  and BKG (dl-de/by-2-0, © GeoBasis-DE / BKG), which the graph description credits.
- `{tables.origin.folder}`: {tables.origin.repository} at commit {tables.origin.commit}
  ({tables.origin.commit_date}), file {", ".join(tables.files)}; dl-de/zero-2-0.
- `shared/reference/entities.tsv` (optional input): the verified QIDs of Deutschland and the Länder.

## Decisions
- **One resource per Wikidata item.** A kreisfreie Stadt appears as a Kreis and as a Gemeinde with the same QID:
  it is one resource (gs:Municipality + gs:District) with the 8-digit AGS (its Kreisschlüssel is the AGS's first
  five digits, also in its description), `gs:locatedIn` its Land, like Dresden in the curated data.
- **City-states.** A Land whose only Kreis is a kreisfreie Stadt (Berlin Q64, Hamburg Q1055) is one resource:
  the Land's IRI (`institution:berlin`), gs:StateLevel, with the AGS and the QID of its Gemeinde row (Wikidata
  has one item for the city and the Land). Bremen has two Kreise (Bremen, Bremerhaven) and stays apart from
  the city of Bremen.
- **Obsolete Kreis** {", ".join(f"{r['admin_code']} {r['display_name']}" for r in obsolete)}: left out (no
  Gemeinde lies in it; the city of Eisenach is the Gemeinde 16063105 in the Wartburgkreis). Hence 400 Kreise.
- **Länder QIDs** only from rows of entities.tsv marked verified; a Land without one has no owl:sameAs
  (see MATCHING.md). The 2-digit Land key is not an AGS, so it is `gs:stateKey`, not `gs:ags`.
- **Gemeindefreie Gebiete** (Forstgutsbezirke, gemeindefreie Gebiete in Bayern and Niedersachsen ...) have
  8-digit keys and Wikidata items and are imported as gs:Municipality like the Gemeinden: the data set does not
  flag them, and the Länder number them by different conventions. A later import from Wikidata (P31) can mark them.
- **Labels** are the data set's names. A Kreis named like its seat is labelled "Zwickau (Kreis)" so it is not
  read as the city; names that say what they are ("Rhein-Sieg-Kreis", "Region Hannover") stay as they are.
- **IRIs**: `institution:{{land}}` for Länder (the curated ones are kept: `institution:sachsen`),
  `institution:{{name}}-{{ags}}` for Kreise and Gemeinden (unique and stable: a merger gives a new AGS, hence
  a new resource). Bodies of the curated data are matched (Wikidata QID first, then name in the same Land
  and class) and keep their IRIs: Dresden stays `institution:dresden`, the Landkreis Zwickau
  `institution:landkreis-zwickau`. A data-set name that differs from the curated label becomes a skos:altLabel.
- **Import date** (`dcterms:issued` in dataset.ttl): the day of the import that last changed the output; a
  re-run on the same input keeps it, so the files stay byte-identical.

## Regenerate
```
govsocial import territory \\
  ../shared/data/geo-api-de-admin/de_kreise_seed.tsv \\
  ../shared/data/geo-api-de-admin/de_municipality_seed.tsv \\
  ../shared/data/government-helper-tables/tbl_Bundeslaender.csv \\
  ../shared/reference/entities.tsv
```
(or `python -m server.imports territory ...`). MATCHING.md lists what was matched, created and left out.
"""
