"""Lexical facts about a SPARQL request text, found before the engine sees it.

The endpoint must know two things without running anything: the query form (to negotiate the result
format, and to refuse updates on a read-only endpoint) and every SERVICE endpoint (to refuse calls off
the allowlist before a byte is sent). pyoxigraph exposes no parsed algebra, so this is a small lexer:
it skips comments, strings and IRIs the way the SPARQL grammar does, after resolving codepoint escapes
inside IRIs the way the engine does. It never decides whether a query is valid; the engine
does that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: PN_LOCAL_ESC of the grammar: a backslash keeps one of these characters inside a prefixed name.
_NAME_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_NAME_CHAR = r"[\w\-.:%\u00B7-\uFFFF\U00010000-\U000EFFFF]"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<long_string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
  | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF\U00010000-\U000EFFFF]+)
  | (?P<name>(?:{_NAME_CHAR}|{_NAME_ESCAPE})+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
#: How the keyword is found inside a run of name characters: the engine's parser needs no space between a
#: keyword and its neighbours (`SERVICESILENT<x>`, `1SERVICE<x>`, `trueSERVICE<x>` all call <x>).
_SERVICE = "service"
_SERVICE_IN_NAME = re.compile(_SERVICE, re.IGNORECASE)
_SILENT_AT_START = re.compile("silent", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class QueryFacts:
    """What the endpoint needs to know about a request text before running it.

    `form` is the first query or update keyword (upper case), or "" when none was found.
    `services` holds each SERVICE endpoint as an absolute IRI, or None for one that is not a constant
    IRI (a variable, or a relative IRI without BASE): such an endpoint cannot be checked and is refused.
    `service_mentions` counts the places where the letters of SERVICE occur in any case, in any token or
    string (comments aside): more mentions than found calls means a call may hide where this lexer and the
    engine disagree, which a host without network isolation must refuse.
    """

    form: str
    services: tuple[str | None, ...]
    declares_dataset: bool = False  # FROM or FROM NAMED in the query text
    service_mentions: int = 0
    nesting: int = 0  # how deep ( [ { nest, outside strings, IRIs and comments
    pragmas: tuple[str, ...] = ()  # vendor words that are no SPARQL 1.1 (Virtuoso's `define`), as written

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS

    @property
    def is_graph_query(self) -> bool:
        return self.form in GRAPH_FORMS

    @property
    def unexplained_mentions(self) -> bool:
        """Whether SERVICE is written somewhere this lexer did not read as a call it checked."""
        return self.service_mentions > len(self.services)


def unescape_codepoints(text: str) -> str:
    """Replace \\uXXXX and \\UXXXXXXXX as the engine does inside IRIs (invalid code points are left)."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(replace, text)


def tokens(text: str) -> list[Token]:
    """The significant tokens of a text: no white space, no comments."""
    return _scan(text)[0]


def _scan(text: str) -> tuple[list[Token], str]:
    """The significant tokens of a text, and the text with its comments blanked out, in one pass.

    The engine resolves codepoint escapes only inside IRIs and strings, not before parsing, so neither
    does this lexer: an escape never ends a comment or starts a string here. Every alternative of the
    pattern is a single greedy run, so scanning stays linear in the length of any input: a name run
    (keyword, prefixed name, number) is split into its kind afterwards, in Python.
    """
    found: list[Token] = []
    kept: list[str] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        kept.append(" " if kind == "comment" else match.group())
        if kind == "name":
            found.extend(_name_tokens(match.group()))
        elif kind not in ("space", "comment"):
            found.append(Token(kind, match.group()))
    return found, "".join(kept)


def _name_tokens(run: str) -> list[Token]:
    """A keyword, prefixed name or number, without the dots that end a triple; SERVICE split off where glued.

    The keyword counts wherever it stands in the run before a colon (a prefixed name's local part is read
    whole by the engine), so `1SERVICE`, `trueSERVICE` and `SERVICESILENT` yield a SERVICE token.
    """
    head = run.partition(":")[0]
    keyword = _SERVICE_IN_NAME.search(head)
    if keyword is None:
        return _plain_name_tokens(run)
    before, after = run[: keyword.start()], run[keyword.end() :]
    found = _plain_name_tokens(before) if before else []
    found.append(Token("word", "SERVICE"))
    silent = _SILENT_AT_START.match(after)
    if silent is not None:
        found.append(Token("word", "SILENT"))
        after = after[silent.end() :]
    if after:
        found.extend(_name_tokens(after))
    return found


def _plain_name_tokens(run: str) -> list[Token]:
    stripped = run
    while stripped.endswith(".") and not stripped.endswith("\\."):
        stripped = stripped[:-1]
    tail = [Token("other", ".")] * (len(run) - len(stripped))
    if not stripped:
        return tail
    if ":" in stripped:
        return [Token("pname", stripped), *tail]
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", stripped):
        return [Token("word", stripped), *tail]
    return [Token("other", stripped), *tail]


def _mentions(uncommented: str) -> int:
    """How often SERVICE is written outside comments, in any case, raw or through codepoint escapes.

    Comments are left out so that a query may explain its federated call in words (the example queries
    do); everything else counts, strings included.
    """
    variants = (uncommented, unescape_codepoints(uncommented), unescape_codepoints(uncommented).replace("\\", ""))
    return max(variant.casefold().count(_SERVICE) for variant in variants)


#: Bare words that some engines read as instructions to themselves and SPARQL 1.1 does not have: Virtuoso's
#: `define input:inference …` / `define sql:…` change how it evaluates, or what it may do, before the query.
VENDOR_PRAGMAS = frozenset({"DEFINE"})


def inspect(text: str, default_prefixes: dict[str, str] | None = None) -> QueryFacts:
    """Find the query form and the SERVICE endpoints of a request text."""
    prefixes = dict(default_prefixes or {})
    base: str | None = None
    form = ""
    services: list[str | None] = []
    declares_dataset = False
    pragmas: list[str] = []
    items, uncommented = _scan(text)
    for index, token in enumerate(items):
        upper = token.text.upper()
        following = items[index + 1] if index + 1 < len(items) else None
        if token.kind == "word" and upper == "BASE" and following and following.kind == "iri":
            base = _resolve(following.text[1:-1], base)
        elif token.kind == "word" and upper == "PREFIX" and index + 2 < len(items):
            name, iri = items[index + 1], items[index + 2]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                prefixes[name.text[:-1]] = _resolve(iri.text[1:-1], base) or iri.text[1:-1]
        elif token.kind == "word" and not form and (upper in QUERY_FORMS or upper in UPDATE_KEYWORDS):
            form = upper
        elif token.kind == "word" and upper == "FROM":
            declares_dataset = True
        elif token.kind == "word" and upper in VENDOR_PRAGMAS:
            pragmas.append(token.text)
        elif token.kind == "word" and upper == "SERVICE":
            target = following
            if target is not None and target.kind == "word" and target.text.upper() == "SILENT":
                target = items[index + 2] if index + 2 < len(items) else None
            services.append(_endpoint(target, prefixes, base))
    return QueryFacts(form, tuple(services), declares_dataset, _mentions(uncommented), _nesting(items), tuple(pragmas))


def _endpoint(token: Token | None, prefixes: dict[str, str], base: str | None) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return _resolve(unescape_codepoints(token.text[1:-1]), base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
    return None


def _resolve(iri: str, base: str | None) -> str | None:
    """An absolute IRI, or None when a relative one has no base to resolve against."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return iri
    return urljoin(base, iri) if base else None


def declared_prefixes(text: str) -> set[str]:
    """The prefix names a query declares itself (so only the others need declaring for it)."""
    items = tokens(text)
    return {
        items[index + 1].text[:-1]
        for index, token in enumerate(items[:-1])
        if token.kind == "word" and token.text.upper() == "PREFIX" and items[index + 1].kind == "pname"
    }


def unknown_prefixes(text: str, default_prefixes: dict[str, str]) -> list[str]:
    """The prefixes a query uses in prefixed names but neither declares nor finds among the defaults, in order.

    Only to explain the engine's refusal ("Prefix not found") in words: the engine decides what parses.
    """
    items = tokens(text)
    known = declared_prefixes(text) | set(default_prefixes) | {"_"}
    found = []
    for index, token in enumerate(items):
        if token.kind != "pname" or (index and items[index - 1].text.upper() == "PREFIX"):
            continue
        prefix = token.text.partition(":")[0]
        if prefix not in known and prefix not in found:
            found.append(prefix)
    return found


#: Deepest nesting of ( [ { a query may have. The engine's parser recurses once per level and overflows its
#: stack (a crash, not an error) at a few thousand; real queries stay far below this.
MAX_NESTING = 256


class QueryTooDeep(ValueError):
    """The query nests brackets deeper than MAX_NESTING; refused before the engine could crash on it."""


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Refuse a text whose brackets nest deeper than `limit`, counting outside strings, IRIs and comments."""
    refuse_nesting(_nesting(tokens(text)), limit)


def refuse_nesting(depth: int, limit: int = MAX_NESTING) -> None:
    """QueryTooDeep when a nesting depth (QueryFacts.nesting) passes the limit."""
    if depth > limit:
        raise QueryTooDeep(f"the query nests brackets more than {limit} levels deep; simplify it (fewer nested groups)")


def _nesting(items: list[Token]) -> int:
    depth = deepest = 0
    for token in items:
        if token.kind != "other":
            continue
        if token.text in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in ")]}":
            depth = max(depth - 1, 0)
    return deepest
