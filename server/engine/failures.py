"""Why a query ended without an answer: one closed list, mapped to HTTP in one place (server.web.errors)."""

from __future__ import annotations

from enum import Enum


class Failure(str, Enum):
    """The kinds of failure an engine reports; the value travels through the workers' pipes."""

    SYNTAX = "syntax"  # the engine's parser refused the query
    ENGINE = "engine"  # a well-formed query the engine could not evaluate
    REMOTE = "remote"  # a SERVICE call of the query failed at the remote endpoint
    BLOCKED = "blocked"  # a SERVICE call the allowlist check missed, stopped where there is no network
    TOO_LARGE = "too_large"  # the serialised result passed max_result_bytes
    TIMEOUT = "timeout"  # the query ran past query_timeout_s and was stopped
    BUSY = "busy"  # every worker of the lane stayed busy, or the lane's queue is full
    DIED = "died"  # the query stopped its worker (a crash, or the memory limit)
    UNAVAILABLE = "unavailable"  # no worker can be started at all
    UNREACHABLE = "unreachable"  # the remote query engine cannot be reached
    ENGINE_FAILED = "engine_failed"  # the remote query engine answered, but with an error or a cut or wrong answer


class QueryFailure(Exception):
    """A query ended without an answer; `kind` says why, `message` says it in words for the user."""

    def __init__(self, kind: Failure, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message
