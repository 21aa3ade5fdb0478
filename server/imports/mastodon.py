"""Mastodon accounts as the data sets give them: `user@host` or `https://host/@user`.

Host names are compared and written in their Unicode form (`bawü.social`, not `xn--baw-joa.social`), user
names keep the case the data set gives; Mastodon treats them case-insensitively, and so does matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.rdf.namespaces import GSID, PROV, RDF, RDFS, SCHEMA

from .matching import KnownAccount, KnownGraph
from .rdf import Statements, de, en, gs, iri, plain, slug

MASTODON = GSID + "platform/mastodon"


@dataclass(frozen=True)
class Address:
    handle: str
    host: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.host.casefold(), self.handle.casefold())

    def __str__(self) -> str:
        return f"@{self.handle}@{self.host}"


def host_name(host: str) -> str:
    """The Unicode form of a (possibly punycoded) host name, lower-case."""
    host = host.strip().lower().rstrip(".")
    try:
        return host.encode("ascii").decode("idna") if "xn--" in host else host
    except UnicodeError:
        return host


def from_address(text: str) -> Address:
    """`user@host` (Wikidata P4033), with or without a leading @."""
    found = re.fullmatch(r"@?([^@\s/]+)@([^@\s/]+)", text.strip())
    if not found:
        raise ValueError(f"not a Mastodon address: {text!r}")
    return Address(found.group(1), host_name(found.group(2)))


def from_url(url: str) -> Address:
    """`https://host/@user` (a profile URL)."""
    parts = urlsplit(url.strip())
    found = re.fullmatch(r"/@([^/@]+)/?", parts.path)
    if parts.scheme not in {"http", "https"} or not parts.hostname or not found:
        raise ValueError(f"not a Mastodon profile URL: {url!r}")
    return Address(found.group(1), host_name(parts.hostname))


def account_iri(holder_slug: str, address: Address, known: KnownGraph) -> str:
    """account:mastodon/{holder}, or {holder}-{handle} if the holder already has another account there."""
    base = f"{GSID}account/mastodon/{holder_slug}"
    if base not in known.subjects:
        return base
    return f"{base}-{slug(address.handle)}"


def describe_account(
    out: Statements,
    account: str,
    holder: str,
    holder_label: str,
    address: Address,
    source: str,
    url: str | None = None,
    new: bool = True,
) -> None:
    """An account's statements; for an account the graph already has (new=False), only what is added."""
    node = iri(account)
    if new:
        out.add(node, RDF + "type", gs("Account"))
        out.add(node, RDFS + "label", de(f"Mastodon-Account von {holder_label}"))
        out.add(node, RDFS + "label", en(f"Mastodon account of {holder_label}"))
        out.add(node, gs("platform"), iri(MASTODON))
        out.add(node, gs("heldBy"), iri(holder))
    out.add(node, gs("handle"), plain(address.handle))
    out.add(node, gs("instance"), plain(address.host))
    if url:
        out.add(node, SCHEMA + "url", iri(url))
    out.add(node, PROV + "wasDerivedFrom", iri(source))


def known_account(known: KnownGraph, account: str, holder: str, address: Address) -> KnownAccount:
    found = KnownAccount(account, MASTODON, holder, address.host, address.handle)
    known.add_account(found)
    return found


def holder_account_without_handle(known: KnownGraph, holder: str, address: Address) -> KnownAccount | None:
    """A Mastodon account of this holder on this host whose handle no source gave (curated LfD Niedersachsen)."""
    for account in sorted(known.accounts.values(), key=lambda a: a.iri):
        if (
            account.platform == MASTODON
            and account.holder == holder
            and account.handle is None
            and (account.instance is None or account.instance.casefold() == address.host.casefold())
        ):
            return account
    return None
