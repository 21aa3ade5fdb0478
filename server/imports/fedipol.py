"""Import `fedipol`: the Mastodon accounts of German public institutions and when each was created.

Input: fedipol/fedipol_data.json (account URL, display name, category = the Wikidata class label of the
holder or "Institution (Instanz)" for entries from a government instance's directory, created_at).

Decisions (README.md of data/fedipol has the full category table):
- Only institutions: a category decides (CATEGORIES); politicians, parties and party branches (any category
  with a party tag in brackets, "Mensch", "politische Partei", "...verband") are left out, and so are
  foundations, non-profits and companies. Within included categories, a display name that shows a person,
  a club or association, or a foundation is left out too (EXCLUDED_ACCOUNTS, "Stiftung" in the name).
- Each account is a gs:Account on platform:mastodon held by its institution, matched to one the graph has
  (curated data, territory, federal-ministries, universities) or created with the category's class; an
  account listed twice (user names differ only in case) is one account.
- Each account's created_at is a gs:Joining at gs:DayPrecision (event/{date}-{holder}-mastodon-joining).
- The level of a created institution: local for a city or Gemeinde, state when its name or its instance names a
  Land, federal on social.bund.de or for a federal category; otherwise federal by default (reported).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from server.rdf.namespaces import DCTERMS, GSID, ORG, PROV, RDF, RDFS, SCHEMA, SKOS

from .common import DataSet, GraphInfo, ImportFailed, ImportResult, markdown_table, read_origin
from .mastodon import (
    MASTODON,
    Address,
    account_iri,
    describe_account,
    from_url,
    holder_account_without_handle,
    known_account,
)
from .matching import Known, KnownGraph, Query, unique_slug
from .rdf import Statements, de, en, gs, iri, org_iri, slug, typed
from .seats import LAND_INSTANCES

NAME = "fedipol"
NEEDS: tuple[str, ...] = ("territory", "federal-ministries", "universities")
INPUT_FILE = "fedipol_data.json"
DEUTSCHLAND = GSID + "org/deutschland"

#: Every category the data set uses for an institution: the gs: class its holders get (None: decided by the
#: display name, see `_class_of`), or None as class with include=False for categories that are not public bodies.
CATEGORIES: dict[str, tuple[bool, str | None, str]] = {
    "Institution (Instanz)": (True, None, "listed by the directory of a government instance; class from the name"),
    "Behörde": (True, "Agency", "authority"),
    "Bundesamt": (True, "Agency", "federal office"),
    "Bundesoberbehörde": (True, "Agency", "higher federal authority"),
    "Bundesforschungsanstalt": (True, "Agency", "federal research institute (an authority)"),
    "Registrierungsstelle": (True, "Agency", "registration authority (Destatis)"),
    "Zertifizierungsstelle": (True, "Agency", "certification authority (Bundesnetzagentur)"),
    "staatlicher Wetterdienst": (True, "Agency", "state weather service"),
    "Landesbehörde": (True, "Agency", "authority of a Land"),
    "Kommandobehörde": (True, "Military", "command authority of the armed forces"),
    "Bundesministerium": (True, "Ministry", "federal ministry"),
    "Außenministerium": (True, "Ministry", "foreign ministry"),
    "Klimaministerium": (True, "Ministry", "climate ministry"),
    "Verkehrsministerium": (True, "Ministry", "transport ministry"),
    "Exekutive": (True, "Government", "executive (the Bundesregierung)"),
    "Legislative": (True, "Parliament", "legislature (the Bundestag)"),
    "Landesparlament": (True, "Parliament", "parliament of a Land"),
    "Bundesgericht": (True, "Court", "federal court"),
    "oberstes Gericht": (True, "Court", "supreme court"),
    "Landesbeauftragter für den Datenschutz": (True, "DataProtectionAuthority", "data-protection commissioner"),
    "Gremium": (True, "PublicInstitution", "public body of unspecified kind (Datenschutzkonferenz)"),
    "Gruppe": (True, "PublicInstitution", "public body of unspecified kind (Deutsche Rentenversicherung)"),
    "Landesförderinstitut": (True, "PublicInstitution", "public development bank (KfW)"),
    "Open-Data-Portal": (True, "PublicInstitution", "public data portal (GovData)"),
    "Forschungseinrichtung": (True, "PublicInstitution", "research institution on social.bund.de"),
    "Mensch": (False, None, "a person"),
    "politische Partei": (False, None, "a political party"),
    "politische Partei in Deutschland": (False, None, "a political party"),
    "Stiftung": (False, None, "a foundation: not a public authority by its class"),
    "Non-Profit-Organisation": (False, None, "a non-profit organisation, not a public authority"),
    "Gewerbebetrieb": (False, None, "a business, not a public authority"),
}
#: Families of categories that are never institutions: a party tag in brackets ("Mitglied des Deutschen
#: Bundestages (SPD)", " (Grüne)", "Bürgermeister (SPD)") marks a politician, party or party branch.
PARTY_TAG = re.compile(r"\((Grüne|Linke|SPD|CDU|CSU|FDP|AfD|BSW|Piraten|Die PARTEI|ÖDP|Volt|Freie Wähler|-)\)\s*$")
PARTY_BRANCH = re.compile(r"(verband|Ortsverein)\b", re.IGNORECASE)
#: Accounts of included categories whose display name shows that the holder is not a public body.
EXCLUDED_ACCOUNTS: dict[str, str] = {
    "https://social.schleswig-holstein.de/@CIO": "display name is a person (Sven Thomsen)",
    "https://social.schleswig-holstein.de/@digilab_grosshansdorf": "display name is a person (Markus Pooch)",
    "https://social.schleswig-holstein.de/@firemon112": "a registered association (e.V.)",
    "https://social.schleswig-holstein.de/@tsvbordesholm": "a sports club (TSV)",
}

#: The Länder, as the names of their bodies show them (adjective or name; matched on the lower-cased name with
#: umlauts spelt out, "Niedersächsischer" -> "niedersaechsischer"), for the level and the Land.
LAND_NAMES: dict[str, tuple[str, str]] = {
    "01": ("Schleswig-Holstein", r"schleswig[- ]holstein|\bs-h\b"),
    "02": ("Hamburg", r"hamburg"),
    "03": ("Niedersachsen", r"niedersa(e)?chs|\bnds\b"),
    "04": ("Bremen", r"\bbrem"),
    "05": ("Nordrhein-Westfalen", r"nordrhein|\bnrw\b"),
    "06": ("Hessen", r"\bhess"),
    "07": ("Rheinland-Pfalz", r"rheinland[- ]pfalz|\brlp\b"),
    "08": ("Baden-Württemberg", r"baden[- ]wuerttemberg"),
    "09": ("Bayern", r"\bbay"),
    "10": ("Saarland", r"saarland"),
    "11": ("Berlin", r"berlin|\bbln"),
    "12": ("Brandenburg", r"brandenburg"),
    "13": ("Mecklenburg-Vorpommern", r"mecklenburg"),
    "14": ("Sachsen", r"(?<!nieder)sa(e)?chs(?!en-anhalt)"),
    "15": ("Sachsen-Anhalt", r"sachsen-anhalt"),
    "16": ("Thüringen", r"thuering"),
}
FEDERAL_INSTANCE = "social.bund.de"
FEDERAL_CATEGORIES = re.compile(
    r"^(Bundes|Außenministerium|Verkehrsministerium|Klimaministerium|oberstes Gericht|Legislative|Exekutive|"
    r"Kommandobehörde|staatlicher Wetterdienst|Registrierungsstelle|Zertifizierungsstelle)"
)
#: Name patterns that say what kind of body holds the account, strongest first.
NAME_CLASSES: list[tuple[str, re.Pattern[str]]] = [
    ("Ministry", re.compile(r"ministerium", re.IGNORECASE)),
    ("StateChancellery", re.compile(r"staatskanzlei", re.IGNORECASE)),
    ("Parliament", re.compile(r"^(\S+\s+)?(landtag|bürgerschaft)(\s+\S+)?$", re.IGNORECASE)),
    ("Court", re.compile(r"gericht", re.IGNORECASE)),
    ("DataProtectionAuthority", re.compile(r"datenschutz|^(BfDI|BayLfD|BlnBDI|HBDI)$|^LfDI\b")),
    ("HigherEducationInstitution", re.compile(r"universität|hochschule|^uni\b", re.IGNORECASE)),
    ("Police", re.compile(r"polizei", re.IGNORECASE)),
    ("Military", re.compile(r"\bheer\b|bundeswehr", re.IGNORECASE)),
    ("Government", re.compile(r"^bundesregierung$|^landesregierung\b", re.IGNORECASE)),
]
AGENCY_NAMES = re.compile(
    r"bundesamt|landesamt|\bamt\b|behörde|bundesanstalt|bundeszentrale|bundesinstitut|bundesnachrichtendienst|"
    r"wetterdienst|hilfswerk|\bzoll\b|agentur|regierungspräsidium",
    re.IGNORECASE,
)
#: Why a created holder has its level, as its description says it (key: the report's wording).
LEVEL_BASES = {
    "a city or Gemeinde": ("eine Stadt oder Gemeinde", "a city or Gemeinde"),
    "Land in the name": ("der Name nennt ein Land", "its name names a Land"),
    "on social.bund.de": (
        "Account auf der Bundesinstanz social.bund.de",
        "account on the federal instance social.bund.de",
    ),
    "instance of a Land": ("Account auf einer Mastodon-Instanz eines Landes", "account on a Land's Mastodon instance"),
    "federal category": ("Bundeskategorie", "a federal category"),
    "DEFAULT: neither name, instance nor category says": (
        "Bundesebene als Vorgabe, weder Name, Instanz noch Kategorie nennen die Ebene",
        "federal level by default, as neither name, instance nor category names the level",
    ),
}
#: The user name of a Land government's account on the Land's own Mastodon server.
GOVERNMENT_HANDLE = "landesregierung"
MUNICIPALITY_NAME = re.compile(r"^(Stadtverwaltung|Landeshauptstadt|Stadt|Gemeinde)\s+(.+)$")
LAND_NAME = re.compile(r"^Land\s+(.+)$")


@dataclass
class Row:
    url: str
    name: str
    category: str
    created: str  # YYYY-MM-DD
    is_bot: bool
    address: Address


@dataclass
class Holding:
    """One account (rows that differ only in the case of the user name are one) and its holder."""

    rows: list[Row]
    cls: str = "PublicInstitution"
    land_key: str | None = None
    level: str = "FederalLevel"
    level_basis: str = ""
    holder: str = ""
    method: str = "created"
    candidates: tuple[str, ...] = ()
    account: str = ""
    account_method: str = "created"
    event: str = ""
    other_joinings: list[str] = field(default_factory=list)
    holder_name: str = ""  # the name the holder gets when the display name names another body (see _classify)
    institution: str = ""  # the body that opened the account: the holder, or the body it was before a change
    change: str = ""  # the org:ChangeEvent between the two, if any

    @property
    def row(self) -> Row:
        return self.rows[0]

    @property
    def name(self) -> str:
        return self.holder_name or _clean(self.row.name)

    @property
    def created(self) -> str:
        return min(row.created for row in self.rows)


def run(inputs: list[Path], known: KnownGraph) -> ImportResult:
    if len(inputs) != 1 or inputs[0].name != INPUT_FILE:
        raise ImportFailed(f"'{NAME}' reads exactly one file, {INPUT_FILE}")
    path = inputs[0]
    if not path.is_file():
        raise ImportFailed(f"{path} does not exist")
    dataset = DataSet(
        origin=read_origin(path.parent / "SOURCE.txt"),
        title="fedipol: Fediverse accounts of German politicians and public institutions",
        licences=("cc-by-sa-4.0",),
        files=(INPUT_FILE,),
        rights_de="Daten: fedipol (Ralf Stockmann) auf Grundlage von fedipolitik (codeberg.org/open/fedipolitik), "
        "CC BY-SA 4.0; Namensnennung und Weitergabe unter gleichen Bedingungen.",
        rights_en="Data: fedipol (Ralf Stockmann), based on fedipolitik (codeberg.org/open/fedipolitik), CC BY-SA 4.0; "
        "attribution and share-alike.",
    )
    rows = _read(path)
    included, excluded = _select(rows)
    holdings = _group(included)
    lands = _land_iris(known)
    for holding in holdings:
        _classify(holding)
        _resolve(holding, known, lands)
    statements = Statements()
    for holding in holdings:
        _describe(holding, statements, known, lands, dataset.source.value)
    info = GraphInfo(
        name=NAME,
        title_de="Mastodon-Accounts öffentlicher Institutionen (fedipol)",
        title_en="Mastodon accounts of public institutions (fedipol)",
        description_de="Die Mastodon-Accounts der Institutionen im Datensatz fedipol (ohne Politikerinnen und "
        "Politiker, Parteien und Parteigliederungen), mit Inhaber und dem Anlagedatum als gs:Joining.",
        description_en="The Mastodon accounts of the institutions in the fedipol data set (without politicians, "
        "parties and party branches), with their holder and the creation date as a gs:Joining.",
        datasets=(dataset,),
    )
    report, summary = _report(holdings, excluded, rows)
    return ImportResult(
        info=info,
        statements=statements,
        report=report,
        summary=summary,
        readme=_readme(holdings, excluded, rows, dataset),
        data_file="fedipol.ttl",
        header="GovSocial KG - import 'fedipol': Mastodon accounts of German public institutions and their creation\n"
        "dates (fedipol, CC BY-SA 4.0). Generated by `govsocial import fedipol`; do not edit by hand.\n"
        "See README.md (category decisions) and MATCHING.md beside this file.",
    )


# -- reading and selecting ---------------------------------------------------------------------------------


def _read(path: Path) -> list[Row]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
        rows = []
        for url, entry in data.items():
            account = entry["account"]
            created = re.match(r"\d{4}-\d{2}-\d{2}", entry["created_at"] or "")
            if not created:
                raise ValueError(f"{url}: created_at {entry['created_at']!r} is not a date")
            rows.append(
                Row(
                    url,
                    account["name"].strip(),
                    account["category"],
                    created.group(0),
                    bool(entry["is_bot"]),
                    from_url(url),
                )
            )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ImportFailed(f"{path}: not the expected fedipol data ({error})") from error
    return sorted(rows, key=lambda r: r.url)


def decide(category: str) -> tuple[bool, str]:
    """Whether holders of this category are institutions, and why (the README's category table)."""
    if category in CATEGORIES:
        include, _, why = CATEGORIES[category]
        return include, why
    if PARTY_TAG.search(category):
        return False, "a politician, party or party branch (party tag in brackets)"
    if PARTY_BRANCH.search(category):
        return False, "a party branch"
    return False, "unknown category: not imported until someone decides it"


def _select(rows: list[Row]) -> tuple[list[Row], list[tuple[Row, str]]]:
    included, excluded = [], []
    for row in rows:
        include, why = decide(row.category)
        if include and row.url in EXCLUDED_ACCOUNTS:
            include, why = False, EXCLUDED_ACCOUNTS[row.url]
        elif include and re.search(r"stiftung", row.name, re.IGNORECASE):
            include, why = False, "a foundation (Stiftung in the name): not a public authority by its name"
        (included.append(row) if include else excluded.append((row, why)))
    return included, excluded


def _group(rows: list[Row]) -> list[Holding]:
    """One holding per account; the row with a specific category (not the instance directory) comes first."""
    by_address: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        by_address[row.address.key].append(row)
    holdings = []
    for key in sorted(by_address):
        group = sorted(by_address[key], key=lambda r: (r.category == "Institution (Instanz)", r.url))
        holdings.append(Holding(group))
    return holdings


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r":[A-Za-z0-9_]+:", " ", name)).strip()


# -- classifying and matching ------------------------------------------------------------------------------------


def _land_key(text: str) -> str | None:
    text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    found = {key for key, (_, pattern) in LAND_NAMES.items() if re.search(pattern, text)}
    if "15" in found:
        found.discard("14")
    return found.pop() if len(found) == 1 else None


def _classify(holding: Holding) -> None:
    row, name = holding.row, holding.name
    category_class = CATEGORIES[row.category][1]
    cls = None
    if MUNICIPALITY_NAME.match(name):
        cls = "Municipality"
    elif (land := LAND_NAME.match(name)) and _land_key(land.group(1)):
        cls = "FederalState"
    if cls is None:
        cls = next((c for c, pattern in NAME_CLASSES if pattern.search(name)), None)
    if cls is None and category_class not in {None, "PublicInstitution"}:
        cls = category_class
    if cls is None and AGENCY_NAMES.search(name):
        cls = "Agency"
    holding.cls = cls or category_class or "PublicInstitution"

    land = _land_key(name) or LAND_INSTANCES.get(row.address.host)
    if row.address.handle.casefold() == GOVERNMENT_HANDLE and row.address.host in LAND_INSTANCES:
        # @landesregierung on a Land's server speaks for the Land's government, whatever the display name
        # names ("Hessische Staatskanzlei", the office that runs it; "Land Schleswig-Holstein")
        land = LAND_INSTANCES[row.address.host]
        holding.cls, holding.holder_name = "Government", f"Landesregierung {LAND_NAMES[land][0]}"
    holding.land_key = land
    if holding.cls == "Municipality":
        holding.level, holding.level_basis = "LocalLevel", "a city or Gemeinde"
    elif land:
        holding.level = "StateLevel"
        holding.level_basis = "Land in the name" if _land_key(name) else "instance of a Land"
    elif row.address.host == FEDERAL_INSTANCE:
        holding.level, holding.level_basis = "FederalLevel", "on social.bund.de"
    elif FEDERAL_CATEGORIES.match(row.category):
        holding.level, holding.level_basis = "FederalLevel", "federal category"
    else:
        holding.level, holding.level_basis = "FederalLevel", "DEFAULT: neither name, instance nor category says"


def _land_iris(known: KnownGraph) -> dict[str, str]:
    lands = {}
    for key, (name, _) in LAND_NAMES.items():
        match = known.match(Query(names=(name,), cls="FederalState"))
        if not match.iri:
            raise ImportFailed(f"Land {name} is not in the graph: run `govsocial import territory ...` first")
        lands[key] = match.iri
    return lands


def _names(holding: Holding) -> tuple[str, ...]:
    if holding.holder_name:
        return (holding.holder_name,)
    names = [_clean(row.name) for row in holding.rows]
    for name in list(names):
        names.append(re.sub(r"\s*\([^)]*\)\s*$", "", name))  # "Deutscher Wetterdienst (DWD)"
        if found := MUNICIPALITY_NAME.match(name):
            names.append(found.group(2))
    return tuple(dict.fromkeys(n for n in names if n))


def _resolve(holding: Holding, known: KnownGraph, lands: dict[str, str]) -> None:
    address = holding.row.address
    query = Query(
        names=_names(holding),
        cls=holding.cls,
        land=lands[holding.land_key] if holding.land_key and holding.cls != "FederalState" else None,
        federal=holding.level == "FederalLevel",
        account=(address.host, address.handle),
        handle=address.handle,
    )
    match = known.match(query)
    if match.iri:
        holding.holder, holding.method = match.iri, match.method
    else:
        if match.method == "ambiguous":
            holding.method, holding.candidates = "ambiguous", match.candidates
        holding.holder = org_iri(unique_slug(holding.name, known.subjects, address.handle)).value
        land = lands[holding.land_key] if holding.land_key else None
        known.add(Known(holding.holder, frozenset({holding.cls}), _names(holding), frozenset(), land, holding.level))

    existing = known.find_account(MASTODON, address.host, address.handle)
    if existing is None:
        existing = holder_account_without_handle(known, holding.holder, address)
    if existing is not None and existing.holder == holding.holder:
        holding.account, holding.account_method = existing.iri, "existing"
    else:
        holding.account = account_iri(holding.holder.rsplit("/", 1)[-1], address, known)
    known_account(known, holding.account, holding.holder, address)

    holding.institution, holding.change = known.body_at(holding.holder, holding.created)
    holder_slug = holding.institution.rsplit("/", 1)[-1]
    event = f"{GSID}event/{holding.created}-{holder_slug}-mastodon-joining"
    if event in known.subjects:  # a resource of that IRI, not statements that only add to this event
        event = f"{GSID}event/{holding.created}-{holder_slug}-{slug(address.handle)}-mastodon-joining"
    known.subjects.add(event)
    holding.event = event
    holding.other_joinings = known.joinings.get((holding.institution, MASTODON), [])


# -- statements -------------------------------------------------------------------------------------------------


def _describe(holding: Holding, out: Statements, known: KnownGraph, lands: dict[str, str], source: str) -> None:
    holder = iri(holding.holder)
    created = holding.method in {"created", "ambiguous"}
    label = holding.name if created else known.resources[holding.holder].label
    if created:
        out.add(holder, RDF + "type", gs(holding.cls))
        out.add(holder, RDF + "type", iri(SCHEMA + "GovernmentOrganization"))
        out.add(holder, RDFS + "label", de(holding.name))
        for name in _names(holding)[1:]:
            out.add(holder, SKOS + "altLabel", de(name))
        out.add(holder, gs("level"), gs(holding.level))
        jurisdiction = lands.get(holding.land_key or "") if holding.level == "StateLevel" else DEUTSCHLAND
        if holding.level != "LocalLevel" and jurisdiction:
            out.add(holder, gs("jurisdiction"), iri(jurisdiction))
            if parent := _parent(holding, jurisdiction, known):
                out.add(holder, ORG + "subOrganizationOf", iri(parent))
        categories = ", ".join(sorted({f"„{row.category}“" for row in holding.rows}))
        basis_de, basis_en = LEVEL_BASES[holding.level_basis]
        categories_en = categories.replace("„", '"').replace("“", '"')
        out.add(
            holder,
            DCTERMS + "description",
            de(f"Inhaber eines Mastodon-Accounts im Datensatz fedipol (Kategorie {categories}). Ebene: {basis_de}."),
        )
        out.add(
            holder,
            DCTERMS + "description",
            en(f"Holder of a Mastodon account in the fedipol data set (category {categories_en}). Level: {basis_en}."),
        )
        if holding.holder_name:
            shown = _clean(holding.row.name)
            handle = GOVERNMENT_HANDLE
            out.add(holder, DCTERMS + "description", de(f"Der Account @{handle} heißt in fedipol „{shown}“."))
            out.add(holder, DCTERMS + "description", en(f'The account @{handle} is named "{shown}" in fedipol.'))
        out.add(holder, PROV + "wasDerivedFrom", iri(source))
    describe_account(
        out,
        holding.account,
        holding.holder,
        label,
        holding.row.address,
        source,
        url=holding.row.url,
        new=holding.account_method == "created",
    )
    if any(row.is_bot for row in holding.rows):
        out.add(iri(holding.account), DCTERMS + "description", de("In fedipol als Bot-Account markiert (is_bot)."))
        out.add(iri(holding.account), DCTERMS + "description", en("Marked as a bot account in fedipol (is_bot)."))
    event = iri(holding.event)
    opener = label if holding.institution == holding.holder else known.resources[holding.institution].label
    out.add(event, RDF + "type", gs("Joining"))
    out.add(event, RDFS + "label", de(f"{opener} startet auf Mastodon ({holding.row.address})"))
    out.add(event, RDFS + "label", en(f"{opener} joins Mastodon ({holding.row.address})"))
    out.add(event, gs("institution"), iri(holding.institution))
    if holding.change:
        out.add(event, PROV + "wasInfluencedBy", iri(holding.change))
        out.add(
            event,
            DCTERMS + "description",
            de(f"Den Account eröffnete {opener}; fedipol nennt heute {label} als Inhaber (siehe die Änderung)."),
        )
        out.add(
            event,
            DCTERMS + "description",
            en(f"The account was opened by {opener}; fedipol names {label} as its holder today (see the change)."),
        )
    out.add(event, gs("platform"), iri(MASTODON))
    out.add(event, gs("account"), iri(holding.account))
    out.add(event, gs("date"), typed(holding.created, "date"))
    out.add(event, gs("datePrecision"), gs("DayPrecision"))
    out.add(
        event,
        DCTERMS + "description",
        de(f"Datum: Anlagedatum des Accounts {holding.row.address} laut fedipol (created_at)."),
    )
    out.add(
        event,
        DCTERMS + "description",
        en(f"Date: the creation date of the account {holding.row.address} according to fedipol (created_at)."),
    )
    out.add(event, PROV + "wasDerivedFrom", iri(source))


def _parent(holding: Holding, jurisdiction: str, known: KnownGraph) -> str | None:
    """The body a created holder belongs to, where its kind says it without a further source.

    Parliaments and data-protection authorities are organs of their Land or of the Bund (independent of any
    government); a Land government belongs to its Land; a ministry or state chancellery to the government of its
    Land or to the Bundesregierung. Other bodies (courts too: the ministry that has Dienstaufsicht over them
    differs) get their parent from the curated data, with a source.
    """
    if holding.cls in {"Parliament", "DataProtectionAuthority"} or (
        holding.cls == "Government" and jurisdiction != DEUTSCHLAND
    ):
        return jurisdiction
    if holding.cls in {"Ministry", "StateChancellery"}:
        return known.government_of(jurisdiction)
    return None


# -- report and README --------------------------------------------------------------------------------------------


def _short(value: str) -> str:
    for prefix, short in (
        (GSID + "org/", "institution:"),
        (GSID + "account/", "account:"),
        (GSID + "event/", "event:"),
    ):
        value = value.replace(prefix, short)
    return value


def _report(holdings: list[Holding], excluded: list[tuple[Row, str]], rows: list[Row]) -> tuple[str, list[str]]:
    counts = Counter(h.method for h in holdings)
    accounts = Counter(h.account_method for h in holdings)
    duplicates = [h for h in holdings if len(h.rows) > 1]
    defaulted = [h for h in holdings if h.level_basis.startswith("DEFAULT") and h.method in {"created", "ambiguous"}]
    lines = [
        "# Matching report: import `fedipol`",
        "",
        "Generated by `govsocial import fedipol`; deterministic.",
        "",
        "## Figures",
        "",
        markdown_table(
            ["what", "count"],
            [
                ["accounts in the data set", str(len(rows))],
                ["left out (not an institution)", str(len(excluded))],
                ["institutional rows", str(sum(len(h.rows) for h in holdings))],
                ["institutional accounts (rows listing one account twice merged)", str(len(holdings))],
                ["joinings written (one per account)", str(len(holdings))],
                ["holders matched by Wikidata QID", str(counts["qid"])],
                ["holders matched by account", str(counts["account"])],
                ["holders matched by name", str(counts["name"])],
                ["holders matched by handle (= abbreviation)", str(counts["handle"])],
                ["holders created", str(counts["created"])],
                ["ambiguous (not merged, created)", str(counts["ambiguous"])],
                ["accounts the graph already had", str(accounts["existing"])],
                ["created holders whose level is a default", str(len(defaulted))],
            ],
        ),
        "## Matched to resources the graph already has",
        "",
        markdown_table(
            ["account", "name", "resource", "by", "account IRI"],
            [
                [
                    str(h.row.address),
                    h.name,
                    _short(h.holder),
                    h.method,
                    _short(h.account) + (" (existing)" if h.account_method == "existing" else ""),
                ]
                for h in holdings
                if h.method not in {"created", "ambiguous"}
            ],
        ),
        "## Ambiguous (not merged; a resource of its own was created)",
        "",
        markdown_table(
            ["account", "name", "created", "candidates"],
            [
                [str(h.row.address), h.name, _short(h.holder), ", ".join(_short(c) for c in h.candidates)]
                for h in holdings
                if h.method == "ambiguous"
            ],
        )
        if counts["ambiguous"]
        else "None.\n",
        "## Created",
        "",
        markdown_table(
            ["account", "name", "category", "class", "level (basis)", "resource", "joined"],
            [
                [
                    str(h.row.address),
                    h.name,
                    h.row.category,
                    h.cls,
                    f"{h.level} ({h.level_basis})",
                    _short(h.holder),
                    h.created,
                ]
                for h in holdings
                if h.method == "created"
            ],
        ),
        "## Accounts listed more than once (merged)",
        "",
        markdown_table(
            ["account", "rows (name, category, URL, created)"],
            [
                [str(h.row.address), "; ".join(f"{r.name}, {r.category}, {r.url}, {r.created}" for r in h.rows)]
                for h in duplicates
            ],
        ),
        "## Holders with another Mastodon joining in the graph",
        "",
        "Where the curated data reports the same start from a news item, it adds its source to this import's "
        "joining (one event); a joining listed here is another event of the same holder on Mastodon.",
        "",
        markdown_table(
            ["holder", "this import", "already in the graph"],
            [
                [_short(h.holder), _short(h.event), ", ".join(_short(e) for e in h.other_joinings)]
                for h in holdings
                if h.other_joinings
            ],
        ),
        "## Left out",
        "",
        markdown_table(
            ["why", "rows"],
            [
                [why, str(n)]
                for why, n in sorted(Counter(why for _, why in excluded).items(), key=lambda x: (-x[1], x[0]))
            ],
        ),
        "Left out although the category is institutional:",
        "",
        markdown_table(
            ["account", "name", "category", "why"],
            [[str(r.address), r.name, r.category, why] for r, why in excluded if decide(r.category)[0]],
        ),
    ]
    summary = [
        f"fedipol: {len(rows)} accounts, {len(excluded)} left out, {len(holdings)} institutional accounts and joinings",
        f"  holders: matched {counts['qid']} by QID, {counts['account']} by account, {counts['name']} by name, "
        f"{counts['handle']} by handle; created {counts['created']}; ambiguous {counts['ambiguous']}",
    ]
    return "\n".join(lines), summary


def _readme(holdings: list[Holding], excluded: list[tuple[Row, str]], rows: list[Row], dataset: DataSet) -> str:
    per_category = Counter(row.category for row in rows)
    table_rows = []
    for category, n in sorted(per_category.items(), key=lambda x: (not decide(x[0])[0], -x[1], x[0])):
        include, why = decide(category)
        cls = CATEGORIES.get(category, (False, None, ""))[1]
        table_rows.append(
            [
                f"`{category.strip()}`",
                str(n),
                "yes" if include else "no",
                (f"gs:{cls}" if cls else ("by name" if include else "")),
                why,
            ]
        )
    left_out_by_name = sum(1 for row, _ in excluded if decide(row.category)[0])
    return f"""# data/fedipol: Mastodon accounts of public institutions

Generated by `govsocial import fedipol` (do not edit by hand); loaded into the named graph
`https://w3id.org/govsocial/graph/fedipol`.

## What
{len(holdings)} Mastodon accounts of German public institutions (gs:Account on `platform:mastodon` with
`gs:handle`, `gs:instance`, `schema:url` as given and `gs:heldBy` the institution) and as many `gs:Joining`
events dated by the account's creation (`gs:date`, `gs:DayPrecision`; IRI
`event:{{yyyy-mm-dd}}-{{holder}}-mastodon-joining`), each `prov:wasDerivedFrom` `source:{dataset.origin.folder}`.
Holders the graph already has (curated data, territory, federal-ministries, universities) are linked, others
are created with the class their category implies. Post counts are not imported (they change daily).

## From where, under which licence
`{dataset.origin.folder}`: {dataset.origin.repository} at commit {dataset.origin.commit} ({dataset.origin.commit_date}),
file {INPUT_FILE} ({len(rows)} accounts). The account data is CC BY-SA 4.0 (fedipol builds on the fedipolitik
project; the repository's code is MIT): this graph must be credited and shared alike.

## Which categories are institutions
The `category` is the Wikidata class label of the holder, or "Institution (Instanz)" for accounts from the
directory of a government instance (social.bund.de, social.hessen.de, social.schleswig-holstein.de).
A category with a party tag in brackets is a politician, a party or a party branch and is left out.

{markdown_table(["category", "accounts", "imported", "class", "why"], table_rows)}
Within the imported categories, an account is also left out when its display name shows a person
(Sven Thomsen, Markus Pooch), a club or association (TSV Bordesholm, Firemon 112 e.V.) or a foundation
("Stiftung" in the name, as for the category Stiftung): {left_out_by_name} accounts, listed in MATCHING.md.
The class of an "Institution (Instanz)" holder comes from its name (…ministerium: gs:Ministry, Landtag:
gs:Parliament, …gericht: gs:Court, Datenschutz/BfDI/LfDI: gs:DataProtectionAuthority,
Universität: gs:HigherEducationInstitution, Amt/Behörde/Zoll…: gs:Agency, "Stadtverwaltung X"/"Gemeinde X":
the Gemeinde X); otherwise it is
gs:PublicInstitution ("admitted to a government instance as a public body; kind not stated").
A display name that is a service or programme ("Heute im Bundestag", "wissenschaftsjahr") is taken as the
holder's name as given: the data set names no other holder.

## Decisions
- **Level** of a created institution: gs:LocalLevel for a city or Gemeinde; gs:StateLevel when its name names a
  Land ("Bayerischer Landtag", "LfDI Rheinland-Pfalz") or it is on a Land's instance (social.hessen.de,
  social.schleswig-holstein.de, social.sachsen.de, bawü.social); gs:FederalLevel on social.bund.de or for a
  federal category; otherwise gs:FederalLevel by default, said in its description and listed in MATCHING.md.
  `gs:jurisdiction` is Deutschland or the Land.
- **Which holders are public institutions**: one criterion for all, the legal form a public page states
  (data/README.md, "Which bodies are public institutions"). The curated data defines every holder found to be
  under private law (e.V., GmbH, gGmbH, foundation of civil law: Fraunhofer FOKUS, DLR, DZNE, Helmholtz Munich,
  ZenDiS, ...) as an org:Organization with its source, and a unit of one body (heute im bundestag, CERT-Bund) as
  a gs:OrganisationalUnit of it; the import links those accounts to them instead of creating public institutions.
- **Parents** (`org:subOrganizationOf`) of created holders: parliaments and data-protection authorities under
  their Land or Deutschland (independent bodies); a Land government under its Land; a ministry or state
  chancellery under its Land's government or the Bundesregierung. Every other parent (an agency "im
  Geschäftsbereich" of a ministry, a court under the ministry with Dienstaufsicht) is the curated data's, with
  the page that states it (data/curated/additions-fedipol.ttl).
- **Land governments**: the account @landesregierung on a Land's own server belongs to the Land's gs:Government
  ("Landesregierung Hessen", "Landesregierung Schleswig-Holstein"), whatever its display name names (the office
  that runs it, "Hessische Staatskanzlei"; the Land itself, "Land Schleswig-Holstein"): both alike.
- **Renamed ministries**: an account opened before a renaming the curated data records (org:ChangeEvent, e.g.
  BMBF to BMFTR and BMDV to BMV on 2025-05-06) is held by today's ministry, but its joining belongs to the
  ministry of the creation day (@bmbf_bund, created 2022-03-16: the BMBF), with `prov:wasInfluencedBy` the change.
- **Matching**: Wikidata QID (none in this data set), then the account (the universities import's account of
  the Universität der Bundeswehr München is reused: one account, not two), then the name within the same Land
  and class (the Niedersächsischer Landtag is `institution:niedersaechsischer-landtag`; "Stadtverwaltung Köln"
  is the Gemeinde Köln), then the user name as an abbreviation (@BMWK is the BMWK), unless the display name is a
  full name of another body (the 2025-renamed ministries are therefore created, not merged; see MATCHING.md).
- **One account per account**: rows whose URLs differ only in the case of the user name are one account
  (Mastodon user names are case-insensitive); hosts are written in Unicode (`bawü.social`, not `xn--baw-joa.social`).
  The curated Mastodon account of the LfD Niedersachsen (no handle given) is this data set's @datenschutz_nds
  and gets its handle; the curated item of 24.07.2024 that reports it adds its source to this joining (created
  2024-06-10): one event, not two.
- **Dates**: `created_at` is the account's creation, so the joining is dated to the day.
- **Import date** (`dcterms:issued` in dataset.ttl): the day of the import that last changed the output.

## Regenerate (after territory, federal-ministries and universities)
```
govsocial import fedipol ../shared/data/fedipol/{INPUT_FILE}
```
"""
