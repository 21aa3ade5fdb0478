"""Query workers without network: the allowlist holds even where the SERVICE lexer and the engine disagree.

The endpoint checks every SERVICE endpoint lexically before a query runs (querytext.py), but a lexer is a
second parser beside the engine's, and any disagreement between the two would let a call through. So a
query whose text has no checked SERVICE call runs in a worker that has entered a network namespace of its
own right after it was forked: it has no interface but a loopback that is down, so a call the lexer missed
fails inside the worker and reaches nothing. Only queries whose every SERVICE target is on the allowlist
go to workers that keep the network.

Where the host does not allow a new network namespace, the endpoint fails closed instead: a query that
writes SERVICE anywhere the lexer did not read as a checked call is refused (sparql.py). Which of the two
modes is active is decided once at start-up and shown in `/-/health`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

NAMESPACE = "network-namespace"  # workers without SERVICE calls have no network at all
LEXICAL = "lexical"  # no isolation on this host: unexplained mentions of SERVICE are refused
MODES = ("auto", "namespace", "lexical")


class IsolationUnavailable(RuntimeError):
    """The host refuses a new network namespace although the settings require one."""


def enter_network_namespace() -> str | None:
    """Leave the host's network for a namespace with no usable interface; None on success, else why not.

    A process that may (root, or CAP_SYS_ADMIN) unshares the network alone; elsewhere a new user namespace,
    which unprivileged users may create on most Linux hosts, gives the right to. Must run single-threaded.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError as error:
        return f"libc cannot be loaded: {error}"
    reasons = []
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return None
        reasons.append(os.strerror(ctypes.get_errno()))
    return "unshare refused: " + "; ".join(dict.fromkeys(reasons))


def probe() -> str | None:
    """Whether this host lets a forked process enter a network namespace; None if it does, else why not."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read)
            reason = enter_network_namespace()
            os.write(write, (reason or "").encode("utf-8", "replace")[:500])
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        reason = pipe.read().decode("utf-8", "replace")
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    return reason or None


def resolve_mode(setting: str) -> tuple[str, str]:
    """The isolation mode for a `service_isolation` setting, and a sentence saying why, for the log.

    `auto` isolates where the host allows it and fails closed elsewhere; `namespace` requires isolation
    (start-up fails without it); `lexical` never isolates.
    """
    if setting == "lexical":
        return LEXICAL, "network isolation is switched off (GOVSOCIAL_SERVICE_ISOLATION=lexical)"
    reason = probe()
    if reason is None:
        return NAMESPACE, "queries without an allowlisted SERVICE call run in workers without network"
    if setting == "namespace":
        raise IsolationUnavailable(
            f"GOVSOCIAL_SERVICE_ISOLATION=namespace, but this host refuses a network namespace ({reason}); "
            "allow unprivileged user namespaces, run with CAP_SYS_ADMIN, or choose auto or lexical"
        )
    return LEXICAL, f"this host refuses a network namespace ({reason}): SERVICE is checked lexically, failing closed"
