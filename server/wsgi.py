"""Run the app under waitress, a production WSGI server (Flask's own server is for development)."""

from __future__ import annotations

import signal
import sys
from types import FrameType

from flask import Flask
from waitress import serve as waitress_serve

from .settings import Settings


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)  # unwinds waitress so the query workers are closed on the way out


def serve(app: Flask, settings: Settings) -> None:
    """Serve until interrupted; prints the address so a user knows where to point their client."""
    signal.signal(signal.SIGTERM, _exit_on_term)
    print(f"GovSocial KG: SPARQL endpoint at http://{settings.host}:{settings.port}/sparql", flush=True)
    try:
        waitress_serve(app, host=settings.host, port=settings.port, threads=settings.threads, ident="govsocial")
    finally:
        app.extensions["govsocial"]["pool"].close()
