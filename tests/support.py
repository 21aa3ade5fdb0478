"""Helpers the tests share: where the project's files are, a free port, the installed command."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from server.settings import PROJECT_DIR

ONTOLOGY_DIR = PROJECT_DIR / "ontology"
DATA_DIR = PROJECT_DIR / "data"
QUERIES_DIR = PROJECT_DIR / "queries"
#: The shared reference folder beside the checkout (sources, checked QIDs); a user's clone may not have it.
SHARED_DIR = PROJECT_DIR.parent / "shared"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The console script that `pip install` put beside this interpreter: what a user runs.
GOVSOCIAL = str(Path(sys.executable).with_name("govsocial"))


def govsocial(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run the installed `govsocial` command as a user would, capturing its output."""
    return subprocess.run([GOVSOCIAL, *args], capture_output=True, text=True, timeout=300, cwd=PROJECT_DIR, **kwargs)
