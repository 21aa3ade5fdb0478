"""Validation of a build's inputs: syntax first, then the SHACL shapes, run as SPARQL inside the new store."""
