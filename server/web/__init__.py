"""The HTTP front end: the app factory, the SPARQL protocol route, errors, caching, negotiation and the pages.

Imports the rdf, store and engine layers, never the build (nor rdflib or pyshacl).
"""
