"""GovSocial KG: a knowledge graph of public institutions on social media, served over SPARQL 1.1."""

from __future__ import annotations

__version__ = "0.1.0"
