"""Child processes that cannot outlive the command that started them, and stop with all of their own children.

Each child runs in a session of its own, so a Ctrl-C at the terminal reaches only the cluster command, which
then stops the children in order (the balancer first, then the replicas). Linux sends a child SIGTERM when
the command dies without stopping it (PR_SET_PDEATHSIG). That signal follows the thread that started the
child, so the cluster starts every child from its main thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(command: Sequence[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None):
    """Start `command` with its output appended to `log`, in its own session, tied to this process."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as output:
        return subprocess.Popen(
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # only the main thread starts children (see above)
        )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 15.0) -> None:
    """Send `sig`, wait up to `grace` seconds, then kill; and kill whatever of its session is still left."""
    if process.poll() is None:
        try:
            process.send_signal(sig)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    kill_group(process.pid)


def kill_group(pid: int) -> None:
    """Kill the process group a child led (its query workers), should any of it be left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def tail(log: Path, lines: int = 5) -> str:
    """The last lines of a log, joined, for an error message that shows the cause in the child's own words."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())


def describe_exit(returncode: int) -> str:
    """ "status 2" or "signal 9 (SIGKILL)": how a child ended, in words."""
    if returncode < 0:
        try:
            return f"signal {-returncode} ({signal.Signals(-returncode).name})"
        except ValueError:
            return f"signal {-returncode}"
    return f"status {returncode}"
