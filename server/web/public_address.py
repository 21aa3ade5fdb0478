"""The endpoint's public address: the one base of every self-reference (Service Description, VoID, the base IRI
of queries without BASE, the reconciliation manifest).

A request's own `Host` is never used: a forged one would be reflected into our descriptions and cached answers.
The address is, in this order:

1. `GOVSOCIAL_PUBLIC_URL`, when set: the right choice for a deployment with one public name;
2. behind `GOVSOCIAL_TRUSTED_PROXIES` reverse proxies, the scheme and host that the outermost of them (the one
   clients talk to) forwarded (`X-Forwarded-Proto`, `X-Forwarded-Host`), read at the position those proxies
   wrote, the way the client
   address is read from `X-Forwarded-For`. A value a client put in front of theirs is never the one read, and
   a value that is not a plain host name (or scheme) is ignored rather than written into IRIs;
3. otherwise `http://HOST:PORT/` of the settings.
"""

from __future__ import annotations

import re

from flask import request
from werkzeug.datastructures import Headers

from server.settings import Settings

#: A host as it may stand in an IRI we write: a DNS name or IPv4 address, or a bracketed IPv6 address, and a port.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"^(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?$")
_SCHEMES = ("http", "https")


def public_base(settings: Settings, headers: Headers | None = None) -> str:
    """The public base URL for a request with these headers (default: the current Flask request's), ending in
    a slash."""
    if settings.public_url:
        return settings.public_url
    if settings.trusted_proxies:
        given = request.headers if headers is None else headers
        host = _forwarded(given, "X-Forwarded-Host", settings.trusted_proxies)
        if host and _HOST.match(host):
            scheme = (_forwarded(given, "X-Forwarded-Proto", settings.trusted_proxies) or "http").lower()
            return f"{scheme if scheme in _SCHEMES else 'http'}://{host.lower()}/"
    return settings.base_url


def _forwarded(headers: Headers, header: str, proxies: int) -> str | None:
    """The value the outermost trusted proxy wrote: counted from the right, as each proxy appends its own."""
    values = [value.strip() for value in ",".join(headers.getlist(header)).split(",") if value.strip()]
    return values[-proxies] if len(values) >= proxies else None
