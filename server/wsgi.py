"""Run the app under waitress, a production WSGI server (Flask's own server is for development)."""

from __future__ import annotations

from flask import Flask
from waitress import serve as waitress_serve

from .settings import Settings


def serve(app: Flask, settings: Settings) -> None:
    """Serve until interrupted; prints the address so a user knows where to point their client."""
    print(f"GovSocial KG: SPARQL endpoint at http://{settings.host}:{settings.port}/sparql", flush=True)
    waitress_serve(app, host=settings.host, port=settings.port, threads=settings.threads, ident="govsocial")
