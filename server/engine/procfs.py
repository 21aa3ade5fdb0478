"""Processes as Linux's /proc shows them: parent, state and CPU time, for the worker pool and its tests.

The pool must tell a live worker from a dead one (a killed worker whose parent died lingers as a zombie,
which `kill(pid, 0)` still finds), and the benchmark and the tests follow the tree of processes a server
starts (the store process forks the workers). Both read /proc/PID/stat, parsed here once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcessStat:
    pid: int
    ppid: int
    state: str  # R running, S sleeping, Z zombie, X dead, …
    cpu_seconds: float  # user + system time used so far

    @property
    def alive(self) -> bool:
        return self.state not in ("Z", "X")


def stat(pid: int) -> ProcessStat | None:
    """One process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": the name may contain spaces
    try:
        return ProcessStat(pid, int(fields[1]), fields[0], (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    except (IndexError, ValueError):
        return None


def processes() -> dict[int, ProcessStat]:
    """Every process of the machine that is still there."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (process := stat(int(entry))) is not None:
            found[process.pid] = process
    return found


def descendants(pid: int, table: dict[int, ProcessStat] | None = None) -> list[int]:
    """Every process below `pid` (children, grandchildren, …), from a table of processes or a fresh one."""
    table = processes() if table is None else table
    children: dict[int, list[int]] = {}
    for process in table.values():
        children.setdefault(process.ppid, []).append(process.pid)
    found, todo = [], list(children.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found
