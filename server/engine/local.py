"""The local engine: answers each job in the calling thread, on a store this process holds.

For what needs no second process: the command line, and the in-process test tier, where Flask's test client
drives the whole app over it. It cannot stop a running query (a thread cannot be killed), so the time limit
and the memory limit are the worker lanes' (server.engine.pool), and it has network: SERVICE calls are held
to the lexical check alone, as in the `lexical` isolation mode.
"""

from __future__ import annotations

from pyoxigraph import Store

from server.engine.failures import Failure, QueryFailure
from server.engine.isolation import LEXICAL
from server.engine.jobs import Answer, QueryJob, execute
from server.engine.querytext import QueryTooDeep, check_nesting
from server.engine.worker import classify


class LocalEngine:
    """Runs jobs on one pyoxigraph store, in this process; failures as the workers report them."""

    kind = "local"
    isolation = LEXICAL
    replaced = 0

    def __init__(self, store: Store):
        self.store = store

    def run(self, job: QueryJob, timeout: float) -> Answer:
        """Answer a job; `timeout` is not enforced (see the module's docstring)."""
        try:
            check_nesting(job.text)  # the parser would overflow this process's stack, not a worker's
            return execute(self.store, job)
        except QueryTooDeep as error:
            raise QueryFailure(Failure.SYNTAX, str(error)) from None
        except SyntaxError as error:
            raise QueryFailure(Failure.SYNTAX, error.msg) from None
        except (OSError, RuntimeError, ValueError, TypeError) as error:
            raise QueryFailure(classify(error, job.calls_service, isolated=False), str(error)) from None

    def alive(self) -> int:
        return 1

    def lanes_alive(self) -> dict[str, int]:
        return {}

    def close(self) -> None:
        """Nothing to stop: the store belongs to the caller."""
